package web

import (
	"context"
	"fmt"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// subscribedFrame confirms a subscribe or unsubscribe.
type subscribedFrame struct {
	Type string `json:"type"` // "subscribed" or "unsubscribed"
	ID   string `json:"id"`
}

// subscription handles subscribe and unsubscribe (docs/cases-api.md): a console watches a
// centre it may work or watch, or a subtree it supervises. The right is checked against the
// member's assignments now, on the server, like every HTTP route.
func (c *wsConn) subscription(m inbound) {
	// decodeInbound has checked the message's shape and the unit code.
	s := subscription{subtree: m.Subtree != "", code: m.Centre + m.Subtree, stats: m.Stats}
	if m.Type == "unsubscribe" { // with or without the stats it was subscribed with
		s.stats = false
		c.s.hub.unsubscribe(c, s)
		s.stats = true
		c.s.hub.unsubscribe(c, s)
		c.enqueue(subscribedFrame{Type: "unsubscribed", ID: m.ID})
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	acc, err := c.s.accessOf(ctx, c.p)
	if err != nil {
		// The member's assignments could not be read: the database, away; try again.
		c.refuse(m.ID, fmt.Errorf("%w: %w", dispatch.ErrRetryable, err))
		return
	}
	if !subscriptionPolicies[s.kind()].allowsUnit(acc, s.code) {
		c.refuse(m.ID, refusedAs(ErrForbidden, "", "you may not watch "+s.code))
		return
	}
	if !c.s.hub.subscribe(c, s) {
		c.refuse(m.ID, errTooManySubscriptions)
		return
	}
	c.enqueue(subscribedFrame{Type: "subscribed", ID: m.ID})
}
