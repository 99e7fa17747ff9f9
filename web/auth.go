package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// Sign-in policy.
const (
	SessionLifetime   = 30 * 24 * time.Hour // a grid worker's phone stays signed in for a month
	failureWindow     = 15 * time.Minute
	maxPhoneFailures  = 5  // per phone number per window: stops guessing one account
	maxAddrFailures   = 20 // per address per window: stops spraying many accounts
	tokenBytes        = 32
	maxTokenLength    = 64 // base64url of 32 bytes is 43 characters
	maxUserAgentBytes = 512
)

// Principal is the signed-in member behind a request.
type Principal struct {
	Member    grid.Member
	ExpiresAt time.Time
	session   string // the token's hash, naming the session (websockets end with it)
}

// Auth signs members in and out and recognises their sessions.
type Auth struct {
	grid     *grid.Store
	sessions sessionStore
	now      func() time.Time
}

// NewAuth returns an Auth on the database.
func NewAuth(pool *pgxpool.Pool, g *grid.Store) *Auth {
	return &Auth{grid: g, sessions: sessionStore{pool: pool}, now: time.Now}
}

// Session is what a successful sign-in returns: the token is shown once and stored only hashed.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Member    grid.Member
}

// SignIn checks a phone number and password. Failures are counted per phone and per address;
// past either limit it refuses with a RateLimitError before looking at the password. An unknown
// phone and a wrong password give the same error and take the same time.
func (a *Auth) SignIn(ctx context.Context, phone, password, address, userAgent string) (Session, error) {
	phoneKey, addrKey := "phone:"+phone, "address:"+address
	// The attempt is counted before the password is checked, under a lock per key, so that a
	// burst of parallel attempts gets no more guesses than the same attempts one by one.
	at, err := a.sessions.reserve(ctx, failureWindow, a.now(),
		failureLimit{phoneKey, maxPhoneFailures}, failureLimit{addrKey, maxAddrFailures})
	if err != nil {
		return Session{}, err
	}
	member, hash, err := a.grid.Credentials(ctx, phone)
	switch {
	case errors.Is(err, grid.ErrNotFound):
		grid.DummyPasswordCheck(password)
	case err != nil:
		return Session{}, err
	}
	if err != nil || !grid.PasswordMatches(hash, password) {
		return Session{}, ErrInvalidCredentials // the reserved attempts stay counted as failures
	}

	token, tokenHash, err := newToken()
	if err != nil {
		return Session{}, err
	}
	expires := a.now().Add(SessionLifetime).UTC().Truncate(time.Second)
	if err := a.sessions.create(ctx, member.ID, tokenHash, expires, cleanUserAgent(userAgent), address); err != nil {
		return Session{}, err
	}
	if err := a.sessions.clearFailures(ctx, phoneKey, addrKey, at, failureWindow); err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: expires, Member: member}, nil
}

// ChangePassword sets a signed-in member's own password after checking the current one (or
// their one-time code). A wrong current password counts as a failed sign-in of the member's
// phone, since it is a guess at the same secret: a stolen session cannot guess the password
// faster than a stranger at the sign-in form.
func (a *Auth) ChangePassword(ctx context.Context, m grid.Member, current, next string) error {
	phoneKey := "phone:" + m.Phone
	at, err := a.sessions.reserve(ctx, failureWindow, a.now(), failureLimit{phoneKey, maxPhoneFailures})
	if err != nil {
		return err
	}
	if err := a.grid.ChangeOwnPassword(ctx, m.ID, current, next); err != nil {
		if !errors.Is(err, grid.ErrWrongPassword) {
			// not a guess: the attempt reserved is no failure
			_ = a.sessions.clearFailures(ctx, "", phoneKey, at, failureWindow)
		}
		return err
	}
	return a.sessions.clearFailures(ctx, phoneKey, phoneKey, at, failureWindow)
}

// cleanUserAgent makes the client's User-Agent storable as text: header bytes need not be
// UTF-8, and PostgreSQL refuses invalid UTF-8 and NUL; cut at a character boundary.
func cleanUserAgent(ua string) string {
	ua = strings.ReplaceAll(strings.ToValidUTF8(ua, "\uFFFD"), "\x00", "")
	if len(ua) > maxUserAgentBytes {
		ua = ua[:maxUserAgentBytes]
		for !utf8.ValidString(ua) { // the cut split the last character
			ua = ua[:len(ua)-1]
		}
	}
	return ua
}

// Authenticate returns the member of a live session token.
func (a *Auth) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" || len(token) > maxTokenLength {
		return Principal{}, ErrUnauthenticated
	}
	return a.sessions.sessionMember(ctx, hashToken(token))
}

// SignOut revokes a session token; using it afterwards is refused.
func (a *Auth) SignOut(ctx context.Context, token string) error {
	return a.sessions.revoke(ctx, hashToken(token))
}

// deadSessions returns those of the sessions (token hashes) that are no longer live: signed
// out on any process, expired, revoked or deleted in the database.
func (a *Auth) deadSessions(ctx context.Context, sessions []string) ([]string, error) {
	return a.sessions.dead(ctx, sessions)
}

func newToken() (token string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("session token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

// hashToken: the token has 256 bits of entropy, so a plain SHA-256 suffices (no salt or
// stretching needed, unlike passwords).
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
