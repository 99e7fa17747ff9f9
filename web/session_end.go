package web

import "context"

// SessionEnds carries the ends of sessions (revoked by an administrator: a deactivation, a
// password reset) to every process of a deployment, so that each closes the websockets of
// those sessions at once instead of at its next session check (ws_session.go). dispatch.Bus is
// one; a lost notice costs only the wait for that check.
type SessionEnds interface {
	PublishSessionsEnded(sessions [][]byte) error
	OnSessionsEnded(fn func(sessions [][]byte)) error
}

// endSessions closes the websockets of sessions (token hashes) that the database has already
// revoked: on this process at once, and on the others through SessionEnds when configured.
func (s *Server) endSessions(ctx context.Context, sessions [][]byte) {
	for _, sess := range sessions {
		s.hub.endSession(string(sess))
	}
	if s.sessionEnds == nil || len(sessions) == 0 {
		return
	}
	if err := s.sessionEnds.PublishSessionsEnded(sessions); err != nil {
		s.logger.WarnContext(ctx, "announce ended sessions; other processes close them at their next check", "err", err)
	}
}

// closeEndedSessions is what this process does with another's notice.
func (s *Server) closeEndedSessions(sessions [][]byte) {
	for _, sess := range sessions {
		s.hub.endSession(string(sess))
	}
}
