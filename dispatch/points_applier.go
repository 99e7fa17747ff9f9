package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PointsApplier books the points that case events earn (docs/points.md, "Derivation"). Every
// process binds the durable consumer PointsConsumer; a batch goes to one of them and is booked
// in one transaction, with a marker per transition (point_applied) in the same transaction, so
// a redelivered batch books nothing twice and a cap is evaluated once per transition.
type PointsApplier struct {
	pool   *pgxpool.Pool
	bus    *Bus
	logger *slog.Logger
}

// PointsConsumer is the durable consumer's name on the CASES stream.
const PointsConsumer = "points"

// pointsBatch is the most events booked in one transaction.
const pointsBatch = 500

// NewPointsApplier books the points of bus's case events into pool once started.
func NewPointsApplier(pool *pgxpool.Pool, bus *Bus, logger *slog.Logger) *PointsApplier {
	return &PointsApplier{pool: pool, bus: bus, logger: logger}
}

// Start joins this process to the durable consumer; it runs on the bus's goroutine and stops
// with Bus.Close.
func (a *PointsApplier) Start(ctx context.Context) error {
	return a.bus.ConsumeBatches(ctx, PointsConsumer, SubjectCases, pointsBatch, a.handle)
}

// Close is there for the lifecycle's shape: the bus stops the consumer.
func (a *PointsApplier) Close() {}

func (a *PointsApplier) handle(ctx context.Context, batch [][]byte) error {
	events := make([]CaseEvent, 0, len(batch))
	for _, data := range batch {
		var ev CaseEvent
		if err := json.Unmarshal(data, &ev); err != nil || ev.TransitionID == 0 {
			a.logger.Warn("points: not a case message", "err", err)
			continue
		}
		events = append(events, ev)
	}
	if err := ApplyPoints(ctx, a.pool, events); err != nil {
		a.logger.Warn("points not booked; the batch will come again", "err", err, "events", len(events))
		return err
	}
	return nil
}

// ApplyPoints books the points of events, in their order, in one transaction.
func ApplyPoints(ctx context.Context, pool *pgxpool.Pool, events []CaseEvent) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rules := map[string][]bookedRule{}
		for _, e := range events {
			if err := applyPointEvent(ctx, tx, e, rules); err != nil {
				return fmt.Errorf("transition %d: %w", e.TransitionID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: book points: %v", ErrRetryable, err)
	}
	return nil
}

// pointTrigger is the trigger a transition fires, if any (docs/points.md, "Derivation").
func pointTrigger(ctx context.Context, tx pgx.Tx, e CaseEvent) (PointTrigger, error) {
	switch Action(e.Action) {
	case "closed": // intake: handled on the spot by the grid
		if e.Level == TierGrid {
			return TriggerSettledAtGrid, nil
		}
	case ActAccept:
		return TriggerReportAccepted, nil
	case ActSettle:
		if e.VerifyDueAt != nil { // remembered for the verify, whose event no longer carries it
			_, err := tx.Exec(ctx, `INSERT INTO point_verify_due (case_id, transition_id, due_at) VALUES ($1, $2, $3)
ON CONFLICT (case_id) DO UPDATE SET transition_id = EXCLUDED.transition_id, due_at = EXCLUDED.due_at
WHERE point_verify_due.transition_id < EXCLUDED.transition_id`, e.CaseID, e.TransitionID, *e.VerifyDueAt)
			return "", err
		}
	case ActVerify:
		if e.Actor == 0 || e.Actor != e.Reporter {
			return "", nil // staff standing in past the deadline
		}
		var onTime bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM point_verify_due WHERE case_id = $1 AND $2 <= due_at)`,
			e.CaseID, e.At).Scan(&onTime)
		if err != nil || !onTime {
			return "", err
		}
		return TriggerVerifiedOnTime, nil
	case ActMerge:
		// 重复上报: merged into a case the same member reported. A duplicate of someone else's
		// report is no fault of its reporter's, who could not know of it.
		var own bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases c JOIN events ev ON ev.id = c.event_id
WHERE c.id = $1 AND ev.reporter_id = $2)`, e.MergedInto, e.Reporter).Scan(&own)
		if err != nil || !own {
			return "", err
		}
		return TriggerReportInvalid, nil
	}
	return "", nil
}

func applyPointEvent(ctx context.Context, tx pgx.Tx, e CaseEvent, cache map[string][]bookedRule) error {
	if e.Reporter == 0 || len(e.Unit) < 15 {
		return nil // no reporting member, or a case above any grid: nobody to book for
	}
	trigger, err := pointTrigger(ctx, tx, e)
	if err != nil || trigger == "" {
		return err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO point_applied (transition_id) VALUES ($1) ON CONFLICT DO NOTHING`, e.TransitionID)
	if err != nil || tag.RowsAffected() == 0 {
		return err // booked by an earlier delivery
	}
	key := string(trigger) + "\x00" + e.Category
	rules, ok := cache[key]
	if !ok {
		if rules, err = activeRules(ctx, tx, trigger, e.Category); err != nil {
			return err
		}
		cache[key] = rules
	}
	for _, r := range rules {
		b := pointBooking{member: e.Reporter, grid: e.Unit[:15], rule: r, day: pointDay(e.At), caseID: e.CaseID, kind: "case",
			source: "transition:" + strconv.FormatInt(e.TransitionID, 10) + ":" + r.code}
		if _, err := bookPoints(ctx, tx, b); err != nil {
			return err
		}
	}
	return nil
}

// activeRules are the active rules of trigger for a case of category.
func activeRules(ctx context.Context, tx pgx.Tx, trigger PointTrigger, category string) ([]bookedRule, error) {
	rows, err := tx.Query(ctx, `SELECT id, code, points, cap_points, cap_period FROM point_rules
WHERE trigger = $1 AND active AND (case_category IS NULL OR case_category = $2) ORDER BY id`, trigger, category)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (bookedRule, error) {
		var r bookedRule
		err := row.Scan(&r.id, &r.code, &r.points, &r.capPoints, &r.capPeriod)
		return r, err
	})
}
