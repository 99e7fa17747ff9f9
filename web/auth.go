package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

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
	for _, lim := range []struct {
		key string
		max int
	}{{phoneKey, maxPhoneFailures}, {addrKey, maxAddrFailures}} {
		n, until, err := a.sessions.failures(ctx, lim.key, failureWindow)
		if err != nil {
			return Session{}, err
		}
		if n >= lim.max {
			return Session{}, &RateLimitError{RetryAfter: until.Sub(a.now())}
		}
	}
	member, hash, err := a.grid.Credentials(ctx, phone)
	switch {
	case errors.Is(err, grid.ErrNotFound):
		grid.DummyPasswordCheck(password)
	case err != nil:
		return Session{}, err
	}
	if err != nil || !grid.PasswordMatches(hash, password) {
		if err := a.sessions.recordFailure(ctx, phoneKey, addrKey); err != nil {
			return Session{}, err
		}
		return Session{}, ErrInvalidCredentials
	}

	token, tokenHash, err := newToken()
	if err != nil {
		return Session{}, err
	}
	expires := a.now().Add(SessionLifetime).UTC().Truncate(time.Second)
	if len(userAgent) > maxUserAgentBytes {
		userAgent = userAgent[:maxUserAgentBytes]
	}
	if err := a.sessions.create(ctx, member.ID, tokenHash, expires, userAgent, address); err != nil {
		return Session{}, err
	}
	if err := a.sessions.clearFailures(ctx, phoneKey, failureWindow); err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: expires, Member: member}, nil
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
