package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// CaseEvents delivers every case transition from the bus; dispatch.Bus is one.
type CaseEvents interface {
	OnCaseEvent(fn func(subject string, data []byte)) error
}

// hub knows which of this process's connections want which transitions: a reporter's phones
// their own cases, consoles the centres and subtrees they subscribed to. Every frame is encoded
// once, as a PreparedMessage, however many connections receive it, and handing it to a
// connection never blocks (a connection that does not keep up is cut off), so a slow console
// never holds up the others or the bus.
type hub struct {
	mu        sync.Mutex
	byMember  map[int64]map[*wsConn]struct{}
	bySession map[string]map[*wsConn]struct{} // by token hash, to end them with their session
	byCentre  map[string]map[*wsConn]struct{}
	bySubtree map[string]map[*wsConn]struct{}
	byStats   map[string]map[*wsConn]struct{} // subtrees whose figures a dashboard shows
	seq       uint64                          // numbers connections in the order they came

	// Liveness and limits, constants in production (ws.go, ws_session.go); tests shorten them.
	pongWait, pingPeriod time.Duration
	recheck              time.Duration // how often live connections' sessions are checked
	perMember            int           // connections of one member on this process
	sweeping             bool          // the session check runs (while there are connections)
	closed               bool          // the server is closing: no connection is added any more
}

// StatsChanges announces units whose figures changed, from every process; dispatch.Bus is one.
type StatsChanges interface {
	OnStatsChanged(fn func(units []string)) error
}

func newHub() *hub {
	return &hub{byMember: map[int64]map[*wsConn]struct{}{}, bySession: map[string]map[*wsConn]struct{}{},
		byCentre: map[string]map[*wsConn]struct{}{}, bySubtree: map[string]map[*wsConn]struct{}{},
		byStats: map[string]map[*wsConn]struct{}{}, pongWait: pongWait, pingPeriod: pingPeriod,
		recheck: sessionRecheck, perMember: maxConnsPerMember}
}

func addTo[K comparable](m map[K]map[*wsConn]struct{}, k K, c *wsConn) {
	if m[k] == nil {
		m[k] = map[*wsConn]struct{}{}
	}
	m[k][c] = struct{}{}
}

func removeFrom[K comparable](m map[K]map[*wsConn]struct{}, k K, c *wsConn) {
	delete(m[k], c)
	if len(m[k]) == 0 {
		delete(m, k)
	}
}

// add registers a connection. A member past perMember connections on this process keeps the
// newest: the oldest is ended, so that one token cannot hold the process's memory and files,
// while a phone whose old connection is half-dead can always reconnect. It is false once the
// hub is closed (the server is shutting down).
func (h *hub) add(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.seq++
	c.seq = h.seq
	if set := h.byMember[c.p.Member.ID]; len(set) >= h.perMember {
		var oldest *wsConn
		for o := range set {
			if oldest == nil || o.seq < oldest.seq {
				oldest = o
			}
		}
		h.removeLocked(oldest)
		oldest.end(closeTooMany, "too many connections", errorFrameOf("", refusedAs(errTooManyConnections, "",
			fmt.Sprintf("more than %d connections of this member; the oldest is closed", h.perMember))))
	}
	addTo(h.byMember, c.p.Member.ID, c)
	addTo(h.bySession, c.p.session, c)
	return true
}

// closeAll ends every connection with close status 1001 (going away) and takes no new ones:
// the server is shutting down. Clients reconnect, to another process or to this one restarted.
func (h *hub) closeAll() []*wsConn {
	h.mu.Lock()
	h.closed = true
	var conns []*wsConn
	for _, set := range h.byMember {
		conns = connsOf(set, nil, conns...)
	}
	for _, c := range conns {
		h.removeLocked(c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.end(websocket.CloseGoingAway, "server shutting down", nil)
	}
	return conns
}

func (h *hub) remove(c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(c)
}

// removeLocked forgets a connection; doing it twice is harmless.
func (h *hub) removeLocked(c *wsConn) {
	removeFrom(h.byMember, c.p.Member.ID, c)
	removeFrom(h.bySession, c.p.session, c)
	for s := range c.subs {
		h.unsubscribeLocked(c, s)
	}
}

// subscription is one thing a console watches: a centre's queue or a whole subtree, and for a
// dashboard the subtree's figures too.
type subscription struct {
	subtree bool
	code    string
	stats   bool
}

// maxSubscriptions bounds what one connection may watch.
const maxSubscriptions = 16

// subscribe adds a subscription the caller has checked; false if the connection has too many.
func (h *hub) subscribe(c *wsConn, s subscription) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.subs[s] {
		return true
	}
	if len(c.subs) >= maxSubscriptions {
		return false
	}
	if c.subs == nil {
		c.subs = map[subscription]bool{}
	}
	c.subs[s] = true
	if s.subtree {
		addTo(h.bySubtree, s.code, c)
	} else {
		addTo(h.byCentre, s.code, c)
	}
	if s.stats {
		addTo(h.byStats, s.code, c)
	}
	return true
}

func (h *hub) unsubscribe(c *wsConn, s subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unsubscribeLocked(c, s)
}

func (h *hub) unsubscribeLocked(c *wsConn, s subscription) {
	delete(c.subs, s)
	if s.subtree {
		removeFrom(h.bySubtree, s.code, c)
	} else {
		removeFrom(h.byCentre, s.code, c)
	}
	if s.stats {
		removeFrom(h.byStats, s.code, c)
	}
}

// statusFrame tells a phone what became of a case it reported.
type statusFrame struct {
	Type       string        `json:"type"` // "status"
	Transition string        `json:"transition"`
	CaseID     int64         `json:"case_id"`
	EventID    int64         `json:"event_id"`
	State      string        `json:"state"`
	Level      dispatch.Tier `json:"level"`
	Centre     string        `json:"centre"`
	Version    int           `json:"version,omitempty"`
	Reason     string        `json:"reason,omitempty"`
	DeadlineAt *time.Time    `json:"deadline_at,omitempty"`
	VerifyDue  *time.Time    `json:"verify_due_at,omitempty"` // awaiting verification: verify by then
}

// deliver pushes one transition to the reporter's phones and to the consoles watching its
// centres or its place.
func (h *hub) deliver(subject string, data []byte) {
	var ev dispatch.CaseEvent
	if json.Unmarshal(data, &ev) != nil || ev.CaseID == 0 {
		return
	}
	if ev.Action == "" { // a message from before transitions carried their action
		ev.Action = actionOfSubject(subject)
	}
	h.mu.Lock()
	phones := connsOf(h.byMember[ev.Reporter], nil)
	var consoles []*wsConn
	seen := map[*wsConn]bool{}
	consoles = connsOf(h.byCentre[ev.Centre], seen, consoles...)
	if ev.FromCentre != "" && ev.FromCentre != ev.Centre {
		consoles = connsOf(h.byCentre[ev.FromCentre], seen, consoles...)
	}
	for l := grid.County; l <= grid.MicroGrid && l.CodeLength() <= len(ev.Unit); l++ {
		consoles = connsOf(h.bySubtree[ev.Unit[:l.CodeLength()]], seen, consoles...)
	}
	for _, code := range centresAbove(ev) { // declines and extension requests (ws_hub_above.go)
		consoles = connsOf(h.byCentre[code], seen, consoles...)
	}
	h.mu.Unlock()
	if len(phones) > 0 {
		status, err := prepare(statusFrame{Type: "status", Transition: ev.Action, CaseID: ev.CaseID, EventID: ev.EventID,
			State: string(ev.State), Level: ev.Level, Centre: ev.Centre, Version: ev.Version, Reason: ev.Reason,
			DeadlineAt: ev.DeadlineAt, VerifyDue: ev.VerifyDueAt})
		if err == nil {
			for _, c := range phones {
				c.send(status)
			}
		}
	}
	if len(consoles) > 0 {
		frame, err := prepare(struct {
			Type string `json:"type"` // "case"
			dispatch.CaseEvent
		}{"case", ev})
		if err == nil {
			for _, c := range consoles {
				c.send(frame)
			}
		}
	}
}

// statsFrame tells a dashboard that the figures of units inside its subtree changed.
type statsFrame struct {
	Type  string   `json:"type"` // "stats"
	Units []string `json:"units"`
}

// deliverStats sends each dashboard watching a subtree the changed units inside it (a
// subscription at a micro-grid hears of its grid).
func (h *hub) deliverStats(units []string) {
	h.mu.Lock()
	targets := map[string][]*wsConn{}
	for code, set := range h.byStats {
		targets[code] = connsOf(set, nil)
	}
	h.mu.Unlock()
	for code, conns := range targets {
		var inside []string
		for _, u := range units {
			if strings.HasPrefix(u, code) || strings.HasPrefix(code, u) {
				inside = append(inside, u)
			}
		}
		if len(inside) == 0 {
			continue
		}
		frame, err := prepare(statsFrame{Type: "stats", Units: inside})
		if err != nil {
			continue
		}
		for _, c := range conns {
			c.send(frame)
		}
	}
}

// connsOf appends the connections of a set, skipping those in seen (when not nil).
func connsOf(set map[*wsConn]struct{}, seen map[*wsConn]bool, out ...*wsConn) []*wsConn {
	for c := range set {
		if seen != nil {
			if seen[c] {
				continue
			}
			seen[c] = true
		}
		out = append(out, c)
	}
	return out
}

// prepare encodes a frame once for every connection that will receive it.
func prepare(v any) (*websocket.PreparedMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return websocket.NewPreparedMessage(websocket.TextMessage, b)
}

// actionOfSubject reads <action> from case.<action>.<unit...>.
func actionOfSubject(subject string) string {
	const prefix = "case."
	if len(subject) <= len(prefix) {
		return ""
	}
	rest := subject[len(prefix):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == '.' {
			return rest[:i]
		}
	}
	return rest
}
