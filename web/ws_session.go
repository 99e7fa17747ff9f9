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
var sessionEndedFrame = errorFrameOf("", errSessionEnded)

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
// connections and stops by itself when the last one has gone, or when the server closes
// (Server.Close waits for it).
func (s *Server) watchSessions() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sweeping {
		return
	}
	every := h.recheck
	h.sweeping = s.bg.Go(func(ctx context.Context) { s.checkSessions(ctx, every) })
}

func (s *Server) checkSessions(ctx context.Context, every time.Duration) {
	h := s.hub
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			h.mu.Lock()
			h.sweeping = false
			h.mu.Unlock()
			return
		case <-tick.C:
		}
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
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
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
