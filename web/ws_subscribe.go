package web

import (
	"context"
	"time"

	"github.com/griddispatch/griddispatch/grid"
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
	if len(m.ID) == 0 || len(m.ID) > 64 || (m.Centre == "") == (m.Subtree == "") {
		c.enqueue(errorFrame{Type: "error", ID: m.ID, Code: "bad_message",
			Message: "a subscription needs an id (1-64 characters) and either a centre or a subtree"})
		return
	}
	if m.Stats && m.Subtree == "" {
		c.enqueue(errorFrame{Type: "error", ID: m.ID, Code: "bad_message", Message: "stats are for a subtree"})
		return
	}
	s := subscription{subtree: m.Subtree != "", code: m.Centre + m.Subtree, stats: m.Stats}
	if l := grid.LevelOfCode(s.code); !isDigits(s.code) || l == 0 || (!s.subtree && l > grid.Village) {
		c.enqueue(errorFrame{Type: "error", ID: m.ID, Code: "bad_message", Message: "not a unit code: " + quoteShort(s.code)})
		return
	}
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
		c.enqueue(errorFrame{Type: "error", ID: m.ID, Code: "unavailable", Retryable: true, Message: "try again"})
		return
	}
	if !subscriptionPolicies[s.kind()].allowsUnit(acc, s.code) {
		c.enqueue(errorFrame{Type: "error", ID: m.ID, Code: "forbidden", Message: "you may not watch " + s.code})
		return
	}
	if !c.s.hub.subscribe(c, s) {
		c.enqueue(errorFrame{Type: "error", ID: m.ID, Code: "too_many", Message: "at most 16 subscriptions per connection"})
		return
	}
	c.enqueue(subscribedFrame{Type: "subscribed", ID: m.ID})
}
