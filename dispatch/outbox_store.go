package dispatch

import (
	"context"
	"errors"
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

// firstPending is the oldest unpublished row. Asked in id order, only the partial index answers
// it cheaply, and it is planned afresh at each look (QueryExecModeExec): a plan cached when the
// connection first asked, on an outbox of a few rows, stayed a sequential scan through every
// published row (and an EXISTS could be planned so with any statistics); that cost 6 to 16 ms
// a look at 30,000 rows, a fifth of PostgreSQL's CPU per transition (docs/benchmarks.md,
// "Transitions (issue 18)"). Planning it costs some 50 µs, 40 times a second at most.
const firstPending = `SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1`

// anyPending says whether a row waits to be published.
func anyPending(ctx context.Context, conn *pgxpool.Conn) (bool, error) {
	var id int64
	err := conn.QueryRow(ctx, firstPending, pgx.QueryExecModeExec).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("outbox pending: %w", err)
	}
	return true, nil
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
		rows, err := tx.Query(ctx, claimPending, pgx.QueryExecModeExec, limit) // planned afresh, as firstPending
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
