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
		SELECT m.id, m.phone, m.name, s.expires_at
		FROM sessions s JOIN members m ON m.id = s.member_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`, tokenHash).
		Scan(&p.Member.ID, &p.Member.Phone, &p.Member.Name, &p.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrUnauthenticated
	}
	if err != nil {
		return p, fmt.Errorf("read session: %w", err)
	}
	return p, nil
}

func (s sessionStore) revoke(ctx context.Context, tokenHash []byte) error {
	_, err := s.pool.Exec(ctx, `UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

func (s sessionStore) recordFailure(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if _, err := s.pool.Exec(ctx, `INSERT INTO sign_in_failures (key) VALUES ($1)`, k); err != nil {
			return fmt.Errorf("record failed sign-in: %w", err)
		}
	}
	return nil
}

// failures counts a key's failures within window and says when the oldest of them leaves it.
func (s sessionStore) failures(ctx context.Context, key string, window time.Duration) (int, time.Time, error) {
	var n int
	var oldest *time.Time
	err := s.pool.QueryRow(ctx, `SELECT count(*), min(at) FROM sign_in_failures WHERE key = $1 AND at > now() - $2::interval`,
		key, window).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count failed sign-ins: %w", err)
	}
	if oldest == nil {
		return n, time.Time{}, nil
	}
	return n, oldest.Add(window), nil
}

// clearFailures forgets a phone's failures after it signs in, and drops expired rows.
func (s sessionStore) clearFailures(ctx context.Context, key string, window time.Duration) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1 OR at < now() - $2::interval`, key, window)
	if err != nil {
		return fmt.Errorf("clear failed sign-ins: %w", err)
	}
	return nil
}
