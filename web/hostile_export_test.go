package web

import "time"

// Hooks for the hostile-input tests (package web_test), which shorten the server's timeouts so
// that a slow client is cut off within a test's patience. Call them before Open.

// SetHTTPTimeouts shortens the HTTP server's header, request and idle timeouts.
func SetHTTPTimeouts(s *Server, readHeader, read, idle time.Duration) {
	s.http.ReadHeaderTimeout, s.http.ReadTimeout, s.http.IdleTimeout = readHeader, read, idle
}

// SetWebsocketTimings shortens the websocket heartbeat and the session check.
func SetWebsocketTimings(s *Server, pingPeriod, pongWait, recheck time.Duration) {
	s.hub.pingPeriod, s.hub.pongWait, s.hub.recheck = pingPeriod, pongWait, recheck
}

// SetConnectionsPerMember lowers the per-member connection limit.
func SetConnectionsPerMember(s *Server, n int) { s.hub.perMember = n }

// Connections counts the websockets the server holds.
func Connections(s *Server) int {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	n := 0
	for _, set := range s.hub.byMember {
		n += len(set)
	}
	return n
}

// Timeouts are the production HTTP server's timeouts and header limit.
func Timeouts(s *Server) (readHeader, read, write, idle time.Duration, maxHeader int) {
	return s.http.ReadHeaderTimeout, s.http.ReadTimeout, s.http.WriteTimeout, s.http.IdleTimeout, s.http.MaxHeaderBytes
}
