package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// outboxMessage is one committed change waiting to be published.
type outboxMessage struct {
	ID      int64
	Subject string
	Payload string // JSON
}

// claimPending locks a batch of unpublished rows; SKIP LOCKED lets several processes relay at
// once without publishing the same row concurrently.
const claimPending = `
SELECT id, subject, payload::text AS payload
FROM outbox
WHERE published_at IS NULL
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED`

// anyPending says whether a row waits to be published; it reads the partial index only.
func anyPending(ctx context.Context, conn *pgxpool.Conn) (bool, error) {
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL)`).Scan(&ok); err != nil {
		return false, fmt.Errorf("outbox pending: %w", err)
	}
	return ok, nil
}

const markPublished = `UPDATE outbox SET published_at = now() WHERE id = ANY($1)`

// relayBatch claims up to limit rows, hands them to publish in id order, and marks those
// published. publish returns how many from the start it published; if that is not all, the
// published prefix is still marked (committed) and the rest is left for the next attempt; the
// failure is returned after the commit.
func relayBatch(ctx context.Context, pool *pgxpool.Pool, limit int, publish func([]outboxMessage) (int, error)) (int, error) {
	var n int
	var pubErr error
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, claimPending, limit)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		msgs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[outboxMessage])
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		var sent int
		if len(msgs) > 0 {
			sent, pubErr = publish(msgs)
		}
		done := make([]int64, sent)
		for i := range done {
			done[i] = msgs[i].ID
		}
		if len(done) > 0 {
			if _, err := tx.Exec(ctx, markPublished, done); err != nil {
				return fmt.Errorf("mark outbox: %w", err)
			}
		}
		n = len(done)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, pubErr
}

// listenChannel is the notification channel of the outbox in the connection's schema.
func listenChannel(ctx context.Context, conn *pgxpool.Conn) (string, error) {
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return "", fmt.Errorf("outbox channel: %w", err)
	}
	channel := "outbox_" + schema
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return "", fmt.Errorf("listen %s: %w", channel, err)
	}
	return channel, nil
}

// purgePublished deletes rows published longer ago than keep: by then the stream has them (and
// has expired them too), and the table must not grow for ever.
func purgePublished(ctx context.Context, pool *pgxpool.Pool, keep time.Duration) (int64, error) {
	tag, err := pool.Exec(ctx, `DELETE FROM outbox WHERE published_at < now() - $1::interval`, keep)
	if err != nil {
		return 0, fmt.Errorf("purge outbox: %w", err)
	}
	return tag.RowsAffected(), nil
}
