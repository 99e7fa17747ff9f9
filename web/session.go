package web

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

const maxSignInBody = 4 << 10

type signInRequest struct {
	Phone    string `json:"phone"`
	Password string `json:"password"`
}

type memberJSON struct {
	ID    int64  `json:"id"`
	Phone string `json:"phone"`
	Name  string `json:"name"`
	// MustChangePassword: signed in with a one-time code; only choosing a password is allowed.
	MustChangePassword bool             `json:"must_change_password"`
	Assignments        []assignmentJSON `json:"assignments"`
}

type assignmentJSON struct {
	UnitCode string    `json:"unit_code"`
	Role     grid.Role `json:"role"`
}

type sessionJSON struct {
	Token     string     `json:"token"`
	ExpiresAt time.Time  `json:"expires_at"`
	Member    memberJSON `json:"member"`
}

// handleSignIn: POST /api/sessions {"phone", "password"} -> 201 with a bearer token.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	var req signInRequest
	if err := decodeJSON(w, r, maxSignInBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if err := req.check(); err != nil {
		writeError(w, s.logger, err)
		return
	}
	sess, err := s.auth.SignIn(r.Context(), req.Phone, req.Password, clientAddress(r), r.UserAgent())
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	m, err := s.memberJSON(r.Context(), sess.Member)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, sessionJSON{Token: sess.Token, ExpiresAt: sess.ExpiresAt, Member: m})
}

// handleMe: GET /api/me -> the signed-in member and their assignments.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	m, err := s.memberJSON(r.Context(), p.Member)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// handleSignOut: DELETE /api/sessions/current -> 204; the token stops working.
// Its websockets on this process are closed at once; other processes close theirs at their
// next session check (ws_session.go).
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	token := bearerToken(r)
	if err := s.auth.SignOut(r.Context(), token); err != nil {
		writeError(w, s.logger, err)
		return
	}
	s.hub.endSession(string(hashToken(token)))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) memberJSON(ctx context.Context, m grid.Member) (memberJSON, error) {
	as, err := s.auth.grid.Assignments(ctx, m.ID)
	if err != nil {
		return memberJSON{}, err
	}
	out := memberJSON{ID: m.ID, Phone: m.Phone, Name: m.Name, MustChangePassword: m.MustChangePassword,
		Assignments: make([]assignmentJSON, len(as))}
	for i, a := range as {
		out.Assignments[i] = assignmentJSON{UnitCode: a.UnitCode, Role: a.Role}
	}
	return out, nil
}

type principalKey struct{}

// requireSession lets a request through only with a live session's bearer token, and, while
// the member must choose a password, only to the routes that let them (passwordPending).
func (s *Server) requireSession(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.auth.Authenticate(r.Context(), bearerToken(r))
		if err == nil {
			err = p.passwordChosen(r.Pattern)
		}
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// passwordPending are the routes a member signed in with a one-time code may use before
// choosing a password: who they are, signing out, and choosing it (docs/admin-api.md).
var passwordPending = map[string]bool{
	"GET /api/me":                  true,
	"DELETE /api/sessions/current": true,
	"POST /api/me/password":        true,
}

// passwordChosen refuses a member with a pending one-time code anything but passwordPending
// (pattern is the route's, as the mux matched it; the websocket's handshake passes its own).
func (p Principal) passwordChosen(pattern string) error {
	if p.Member.MustChangePassword && !passwordPending[pattern] {
		return ErrPasswordChangeRequired
	}
	return nil
}

func principalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// clientAddress is the peer's IP. Forwarded headers are not trusted: behind a reverse proxy
// every client would share the proxy's address limit (documented; a trusted-proxy setting is
// for when the deployment has one).
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
