package web

import (
	"context"
	"time"
)

// sessionRecheck is how often the sessions of open websockets are checked against the
// database. A connection outlives the request that authenticated it, so a session that ends
// must end its connections too: at once on the process where it is signed out, and within this
// interval when it is signed out on another process, expires, or is revoked in the database.
// One check is one index probe per session with a connection here.
const sessionRecheck = 30 * time.Second

// sessionEndedFrame tells a client why its connection is being closed.
var sessionEndedFrame = errorFrame{Type: "error", Code: "session_ended",
	Message: "the session has ended (signed out, expired or revoked); sign in again"}

// endSession closes every connection of a session (a token hash) on this process.
func (h *hub) endSession(session string) {
	h.mu.Lock()
	conns := connsOf(h.bySession[session], nil)
	for _, c := range conns {
		h.removeLocked(c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.end(closeSessionEnded, "session ended", sessionEndedFrame)
	}
}

// watchSessions starts the session check unless it runs. It runs while the hub has
// connections and stops by itself when the last one has gone, so it needs no owner to stop it.
func (s *Server) watchSessions() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sweeping {
		return
	}
	h.sweeping = true
	go s.checkSessions(h.recheck)
}

func (s *Server) checkSessions(every time.Duration) {
	h := s.hub
	tick := time.NewTicker(every)
	defer tick.Stop()
	for range tick.C {
		h.mu.Lock()
		if len(h.bySession) == 0 {
			h.sweeping = false
			h.mu.Unlock()
			return
		}
		sessions := make([]string, 0, len(h.bySession))
		for k := range h.bySession {
			sessions = append(sessions, k)
		}
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		dead, err := s.auth.deadSessions(ctx, sessions)
		cancel()
		if err != nil { // the database being away is no reason to cut phones off
			s.logger.Warn("checking websocket sessions", "err", err)
			continue
		}
		for _, session := range dead {
			h.endSession(session)
		}
	}
}
