package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sessionStore keeps sessions and failed sign-ins in PostgreSQL.
type sessionStore struct {
	pool *pgxpool.Pool
}

func (s sessionStore) create(ctx context.Context, memberID int64, tokenHash []byte, expires time.Time, userAgent, address string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token_hash, member_id, expires_at, user_agent, address)
		VALUES ($1, $2, $3, $4, $5)`, tokenHash, memberID, expires, userAgent, address)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// sessionMember finds the live (unrevoked, unexpired) session of a token.
func (s sessionStore) sessionMember(ctx context.Context, tokenHash []byte) (Principal, error) {
	var p Principal
	err := s.pool.QueryRow(ctx, `
		SELECT m.id, m.phone, m.name, m.must_change_password, s.expires_at
		FROM sessions s JOIN members m ON m.id = s.member_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND m.deactivated_at IS NULL`, tokenHash).
		Scan(&p.Member.ID, &p.Member.Phone, &p.Member.Name, &p.Member.MustChangePassword, &p.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrUnauthenticated
	}
	if err != nil {
		return p, fmt.Errorf("read session: %w", err)
	}
	p.session = string(tokenHash)
	return p, nil
}

func (s sessionStore) revoke(ctx context.Context, tokenHash []byte) error {
	_, err := s.pool.Exec(ctx, `UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// deadBatch bounds the token hashes of one query (32 bytes each).
const deadBatch = 5000

// dead returns those of the sessions (token hashes) that are not live any more: revoked,
// expired, or gone. Each hash is one probe of the token_hash index.
func (s sessionStore) dead(ctx context.Context, sessions []string) ([]string, error) {
	var out []string
	for len(sessions) > 0 {
		n := min(len(sessions), deadBatch)
		hashes := make([][]byte, n)
		for i, h := range sessions[:n] {
			hashes[i] = []byte(h)
		}
		sessions = sessions[n:]
		rows, err := s.pool.Query(ctx, `SELECT h FROM unnest($1::bytea[]) AS h WHERE NOT EXISTS (
			SELECT 1 FROM sessions s WHERE s.token_hash = h AND s.revoked_at IS NULL AND s.expires_at > now())`, hashes)
		if err != nil {
			return nil, fmt.Errorf("check sessions: %w", err)
		}
		gone, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return nil, fmt.Errorf("check sessions: %w", err)
		}
		for _, h := range gone {
			out = append(out, string(h))
		}
	}
	return out, nil
}

// failureLimit is how many failed sign-ins a key may have within the window.
type failureLimit struct {
	key string
	max int
}

// reserve records an attempt against each key, unless one of them has reached its limit, in
// which case it records nothing and says when the oldest failure of that key leaves the
// window. Each key is locked (an advisory lock, keys always in the same order) from its count
// to the commit, so parallel attempts are counted one after another, across processes too.
// It returns the time the attempts were recorded at, to release them on success.
func (s sessionStore) reserve(ctx context.Context, window time.Duration, now time.Time, limits ...failureLimit) (time.Time, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("count failed sign-ins: %w", err)
	}
	defer tx.Rollback(ctx)
	var at time.Time
	for _, l := range limits {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, l.key); err != nil {
			return time.Time{}, fmt.Errorf("lock failed sign-ins: %w", err)
		}
		var n int
		var oldest *time.Time
		err := tx.QueryRow(ctx, `SELECT count(*), min(at), now() FROM sign_in_failures
			WHERE key = $1 AND at > now() - $2::interval`, l.key, window).Scan(&n, &oldest, &at)
		if err != nil {
			return time.Time{}, fmt.Errorf("count failed sign-ins: %w", err)
		}
		if n >= l.max {
			return time.Time{}, &RateLimitError{RetryAfter: oldest.Add(window).Sub(now)}
		}
	}
	for _, l := range limits {
		if _, err := tx.Exec(ctx, `INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)`, l.key, at); err != nil {
			return time.Time{}, fmt.Errorf("record sign-in attempt: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return time.Time{}, fmt.Errorf("record sign-in attempt: %w", err)
	}
	return at, nil
}

// clearFailures forgets a phone's failures after it signs in and the address's attempt of this
// sign-in (recorded at at), and drops rows older than the window.
func (s sessionStore) clearFailures(ctx context.Context, phoneKey, addrKey string, at time.Time, window time.Duration) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1 OR at < now() - $4::interval
		OR ctid = (SELECT ctid FROM sign_in_failures WHERE key = $2 AND at = $3 LIMIT 1)`, phoneKey, addrKey, at, window)
	if err != nil {
		return fmt.Errorf("clear failed sign-ins: %w", err)
	}
	return nil
}
