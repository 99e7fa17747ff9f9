package web

import (
	"encoding/json"
	"strings"
	"sync"
)

// CaseEvents delivers every case transition from the bus; dispatch.Bus is one.
type CaseEvents interface {
	OnCaseEvent(fn func(subject string, data []byte)) error
}

// hub knows which of this process's connections belong to which member, so a case transition
// published by any process reaches the reporter's phones connected here.
type hub struct {
	mu    sync.Mutex
	conns map[int64]map[*wsConn]struct{}
}

func newHub() *hub { return &hub{conns: map[int64]map[*wsConn]struct{}{}} }

func (h *hub) add(c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := c.p.Member.ID
	if h.conns[id] == nil {
		h.conns[id] = map[*wsConn]struct{}{}
	}
	h.conns[id][c] = struct{}{}
}

func (h *hub) remove(c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := c.p.Member.ID
	delete(h.conns[id], c)
	if len(h.conns[id]) == 0 {
		delete(h.conns, id)
	}
}

// statusFrame tells a phone what became of a case it reported.
type statusFrame struct {
	Type       string `json:"type"` // "status"
	Transition string `json:"transition"`
	CaseID     int64  `json:"case_id"`
	EventID    int64  `json:"event_id"`
	State      string `json:"state"`
	Level      int    `json:"level"`
	Centre     string `json:"centre"`
}

// caseEvent is the payload of a case.<transition>.<unit...> message.
type caseEvent struct {
	CaseID   int64  `json:"case_id"`
	EventID  int64  `json:"event_id"`
	State    string `json:"state"`
	Level    int    `json:"level"`
	Centre   string `json:"centre"`
	Reporter int64  `json:"reporter"`
}

// deliver pushes a transition to the reporter's connections in this process. Enqueueing never
// blocks (a slow phone is cut off instead), so the bus's goroutine is never held up.
func (h *hub) deliver(subject string, data []byte) {
	var ev caseEvent
	if json.Unmarshal(data, &ev) != nil || ev.Reporter == 0 {
		return
	}
	transition, _, _ := strings.Cut(strings.TrimPrefix(subject, "case."), ".")
	frame := statusFrame{Type: "status", Transition: transition, CaseID: ev.CaseID, EventID: ev.EventID,
		State: ev.State, Level: ev.Level, Centre: ev.Centre}
	h.mu.Lock()
	targets := make([]*wsConn, 0, len(h.conns[ev.Reporter]))
	for c := range h.conns[ev.Reporter] {
		targets = append(targets, c)
	}
	h.mu.Unlock()
	for _, c := range targets {
		c.enqueue(frame)
	}
}
