package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid/background"
)

// Escalator is the deadline timer. Deadlines live in PostgreSQL (cases.deadline_at, indexed), so
// they survive restarts and every process can run the timer: each claims due cases with
// FOR UPDATE SKIP LOCKED, and a case it escalates gets the next tier's deadline in the same
// transaction, so no other process sees it due again (docs/routing.md).
type Escalator struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	every  time.Duration
	bg     background.Group
}

const (
	// EscalatorInterval is how often the timer looks for due cases; with one query per look
	// on a partial index, a case is handled well within 2 s of its deadline.
	EscalatorInterval = 250 * time.Millisecond
	escalateBatch     = 500
)

// Reasons the timer writes into the history (the console translates them by transition); the
// demo history writes them too.
const (
	ReasonAutoEscalated = "逾期未办结，自动上报"
	ReasonOverdue       = "已超过办理期限"
	ReasonUnverified    = "逾期未核查，自动办结"
)

// NewEscalator makes a timer that looks for due cases every interval once started.
func NewEscalator(pool *pgxpool.Pool, logger *slog.Logger, every time.Duration) *Escalator {
	return &Escalator{pool: pool, logger: logger, every: every}
}

// Start runs the timer in the background until Close, looking first at once.
func (e *Escalator) Start(ctx context.Context) error {
	if err := e.bg.Start(ctx); err != nil {
		return fmt.Errorf("escalation timer: %w", err)
	}
	e.bg.Go(e.run)
	return nil
}

// Close stops the timer and waits for it.
func (e *Escalator) Close() { e.bg.Close() }

func (e *Escalator) run(ctx context.Context) {
	tick := time.NewTicker(e.every)
	defer tick.Stop()
	for {
		n, err := EscalateDue(ctx, e.pool, escalateBatch)
		if err != nil && ctx.Err() == nil {
			e.logger.Warn("escalation timer", "err", err)
		} else if n > 0 {
			e.logger.Info("overdue cases handled", "cases", n)
		}
		lapsed, err := CloseLapsed(ctx, e.pool, escalateBatch)
		if err != nil && ctx.Err() == nil {
			e.logger.Warn("verification timer", "err", err)
		} else if lapsed > 0 {
			e.logger.Info("cases closed as not verified", "cases", lapsed)
		}
		callbacks, err := LapseCallbacks(ctx, e.pool, escalateBatch)
		if err != nil && ctx.Err() == nil {
			e.logger.Warn("callback timer", "err", err)
		} else if callbacks > 0 {
			e.logger.Info("callbacks ended as not called back", "cases", callbacks)
		}
		reviews, err := ParkReviewsDue(ctx, e.pool, escalateBatch)
		if err != nil && ctx.Err() == nil {
			e.logger.Warn("parking review timer", "err", err)
		} else if reviews > 0 {
			e.logger.Info("parked cases due for review", "cases", reviews)
		}
		if n == escalateBatch || lapsed == escalateBatch || callbacks == escalateBatch || reviews == escalateBatch {
			continue // more are due
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// selectDue claims due cases that nobody else is handling, oldest deadline first. It reads the
// partial index cases_due_idx in its order and stops at the limit, however many cases are
// overdue (after an outage, say); the claimed cases are read in full afterwards.
const selectDue = `
SELECT id FROM cases
WHERE deadline_at <= now() AND deadline_at IS NOT NULL AND overdue_at IS NULL
ORDER BY deadline_at
LIMIT $1
FOR UPDATE SKIP LOCKED`

// selectLapsed claims cases awaiting verification whose last verification deadline passed
// (cases_verify_lapse_idx), as selectDue does.
const selectLapsed = `
SELECT id FROM cases
WHERE state = 'verifying' AND verify_lapse_at <= now()
ORDER BY verify_lapse_at
LIMIT $1
FOR UPDATE SKIP LOCKED`

// EscalateDue handles up to limit cases past their deadline in one transaction: those whose
// category escalates automatically go up a tier, the rest (and cases at the county) are flagged
// overdue. Each is one transition with its history and outbox rows. It returns how many.
//
// The transaction takes a fixed number of round trips however many cases are due: one claims
// them, one reads them, one reads their places, and their writes go in one pipeline, so a
// burst of cases due at the same second is handled in a fraction of a second.
func EscalateDue(ctx context.Context, pool *pgxpool.Pool, limit int) (int, error) {
	return actOnDue(ctx, pool, limit, selectDue, dueTransition)
}

// CloseLapsed closes up to limit cases whose verification lapsed (nobody verified them, not
// their reporter by verify_due_at nor staff by verify_lapse_at) as not verified, in one
// transaction as EscalateDue does. It returns how many.
func CloseLapsed(ctx context.Context, pool *pgxpool.Pool, limit int) (int, error) {
	return actOnDue(ctx, pool, limit, selectLapsed, func(ctx context.Context, tx pgx.Tx, c caseRow) (transitionWrite, error) {
		t := Transition{CaseID: c.id, Version: c.version, Action: ActCloseUnverified, Reason: ReasonUnverified, timer: true}
		return prepare(ctx, tx, t, machine[t.Action], c)
	})
}

// actOnDue claims up to limit cases by claim, works out each one's transition by decide and
// writes them all, in one transaction.
func actOnDue(ctx context.Context, pool *pgxpool.Pool, limit int, claim string,
	decide func(context.Context, pgx.Tx, caseRow) (transitionWrite, error)) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, claim, limit)
		if err != nil {
			return fmt.Errorf("due cases: %w", err)
		}
		due, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("due cases: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		writes, err := prepareDue(ctx, tx, due, decide)
		if err != nil {
			return err
		}
		br := tx.SendBatch(ctx, writes)
		for _, id := range due {
			if err := br.QueryRow().Scan(new(int64)); err != nil {
				_ = br.Close()
				return fmt.Errorf("case %d: %w", id, err)
			}
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("due cases: %w", err)
		}
		n = len(due)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// selectDueForUpdate reads the claimed cases (already locked by this transaction), for the
// timer (no actor).
const selectDueForUpdate = `WITH r (id, actor, role) AS (SELECT id, 0::bigint, ''::text FROM unnest($1::bigint[]) AS id)` +
	selectCase + `
FOR UPDATE OF c`

// prepareDue reads the claimed cases and their places, and works out each one's transition.
func prepareDue(ctx context.Context, tx pgx.Tx, due []int64,
	decide func(context.Context, pgx.Tx, caseRow) (transitionWrite, error)) (*pgx.Batch, error) {
	rows, err := tx.Query(ctx, selectDueForUpdate, due)
	if err != nil {
		return nil, fmt.Errorf("due cases: %w", err)
	}
	cases := make(map[int64]caseRow, len(due))
	places := map[string]bool{}
	var units []string
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("due cases: %w", err)
		}
		if !places[c.unit] {
			places[c.unit] = true
			units = append(units, c.unit)
		}
		cases[c.id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due cases: %w", err)
	}
	paths, err := loadPaths(ctx, tx, units)
	if err != nil {
		return nil, fmt.Errorf("due cases: %w", err)
	}
	b := &pgx.Batch{}
	for _, id := range due {
		c, ok := cases[id]
		if !ok {
			return nil, fmt.Errorf("case %d: %w", id, ErrCaseNotFound)
		}
		c.path = paths[c.unit]
		w, err := decide(ctx, tx, c)
		if err != nil {
			return nil, fmt.Errorf("case %d: %w", id, err)
		}
		b.Queue(w.sql, w.args...)
	}
	return b, nil
}

// dueTransition is what the timer does to a due case: escalate it when its category says so and
// there is a tier above, else flag it overdue.
func dueTransition(ctx context.Context, tx pgx.Tx, c caseRow) (transitionWrite, error) {
	t := Transition{CaseID: c.id, Version: c.version, Action: ActOverdue, Reason: ReasonOverdue, timer: true}
	if c.category.AutoEscalate && c.level > TierCounty {
		t.Action, t.Reason = ActEscalate, ReasonAutoEscalated
	}
	w, err := prepare(ctx, tx, t, machine[t.Action], c)
	if errors.Is(err, ErrNoTierThatWay) {
		t.Action, t.Reason = ActOverdue, ReasonOverdue
		w, err = prepare(ctx, tx, t, machine[t.Action], c)
	}
	return w, err
}
