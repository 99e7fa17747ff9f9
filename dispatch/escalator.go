package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Escalator is the deadline timer. Deadlines live in PostgreSQL (cases.deadline_at, indexed), so
// they survive restarts and every process can run the timer: each claims due cases with
// FOR UPDATE SKIP LOCKED, and a case it escalates gets the next tier's deadline in the same
// transaction, so no other process sees it due again (docs/routing.md).
type Escalator struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	every  time.Duration
	cancel context.CancelFunc
	done   chan struct{}
}

const (
	// EscalatorInterval is how often the timer looks for due cases; with one query per look
	// on a partial index, a case is handled well within 2 s of its deadline.
	EscalatorInterval = 250 * time.Millisecond
	escalateBatch     = 500
)

// Reasons the timer writes into the history (the console translates them by transition).
const (
	reasonAutoEscalated = "逾期未办结，自动上报"
	reasonOverdue       = "已超过办理期限"
)

// StartEscalator runs the timer in the background until Close.
func StartEscalator(pool *pgxpool.Pool, logger *slog.Logger, every time.Duration) *Escalator {
	ctx, cancel := context.WithCancel(context.Background())
	e := &Escalator{pool: pool, logger: logger, every: every, cancel: cancel, done: make(chan struct{})}
	go e.run(ctx)
	return e
}

// Close stops the timer and waits for it.
func (e *Escalator) Close() {
	e.cancel()
	<-e.done
}

func (e *Escalator) run(ctx context.Context) {
	defer close(e.done)
	tick := time.NewTicker(e.every)
	defer tick.Stop()
	for {
		n, err := EscalateDue(ctx, e.pool, escalateBatch)
		if err != nil && ctx.Err() == nil {
			e.logger.Warn("escalation timer", "err", err)
		} else if n > 0 {
			e.logger.Info("overdue cases handled", "cases", n)
		}
		if n == escalateBatch {
			continue // more are due
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// selectDue claims due cases that nobody else is handling, oldest deadline first.
const selectDue = `
SELECT c.id, c.version, c.level, k.auto_escalate
FROM cases c JOIN events e ON e.id = c.event_id JOIN categories k ON k.code = e.category
WHERE c.deadline_at <= now() AND c.deadline_at IS NOT NULL AND c.overdue_at IS NULL
ORDER BY c.deadline_at
LIMIT $1
FOR UPDATE OF c SKIP LOCKED`

type dueCase struct {
	ID           int64
	Version      int
	Level        int16
	AutoEscalate bool
}

// EscalateDue handles up to limit cases past their deadline in one transaction: those whose
// category escalates automatically go up a tier, the rest (and cases at the county) are flagged
// overdue. Each is one transition with its history and outbox rows. It returns how many.
func EscalateDue(ctx context.Context, pool *pgxpool.Pool, limit int) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, selectDue, limit)
		if err != nil {
			return fmt.Errorf("due cases: %w", err)
		}
		due, err := pgx.CollectRows(rows, pgx.RowToStructByPos[dueCase])
		if err != nil {
			return fmt.Errorf("due cases: %w", err)
		}
		for _, d := range due {
			if err := handleDue(ctx, tx, d); err != nil {
				return fmt.Errorf("case %d: %w", d.ID, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func handleDue(ctx context.Context, tx pgx.Tx, d dueCase) error {
	t := Transition{CaseID: d.ID, Version: d.Version, Action: ActOverdue, Reason: reasonOverdue, timer: true}
	if d.AutoEscalate && d.Level > TierCounty {
		t.Action, t.Reason = ActEscalate, reasonAutoEscalated
	}
	_, err := apply(ctx, tx, t, machine[t.Action])
	if errors.Is(err, ErrNoTierThatWay) {
		t.Action, t.Reason = ActOverdue, reasonOverdue
		_, err = apply(ctx, tx, t, machine[t.Action])
	}
	return err
}
