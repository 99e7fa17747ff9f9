package dispatch

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/grid"
)

// Declining a case (退单), issue 16 point 3 (docs/cases.md, "Declining a case"). Not ActReturn
// (下派), which sends a case down a tier with instructions: here a centre refuses a case it
// received as not its own (not its duty, a wrong address, a duplicate), with a reason code and
// words, and a mediator of a centre above it arbitrates: the decline stands and the case goes to
// another centre (decline_uphold), or it is overruled and goes back, with a ruling
// (decline_overrule). While it waits for the ruling the case is StateDeclined, with no deadline.

// StateDeclined is a case its centre declined (退单), awaiting the ruling of a centre above.
const StateDeclined CaseState = "declined"

// The actions of declining.
const (
	ActDecline         Action = "decline"          // 退单: a centre refuses a case it received, with a reason code
	ActDeclineUphold   Action = "decline_uphold"   // 退单成立: a centre above re-routes the case to another centre
	ActDeclineOverrule Action = "decline_overrule" // 驳回退单: a centre above sends it back, with a ruling
)

// byCentreAbove is a mediator of a centre above the case's current one (an ancestor unit's).
const byCentreAbove actor = 101

// DeclineReason is why a centre declines a case.
type DeclineReason string

// The reasons for declining, as the console lists them.
const (
	DeclineNotOurs      DeclineReason = "not_ours"      // 不属于本单位职责
	DeclineWrongAddress DeclineReason = "wrong_address" // 地址有误
	DeclineDuplicate    DeclineReason = "duplicate"     // 重复上报
	DeclineOther        DeclineReason = "other"         // 其他
)

// DeclineReasons lists the reason codes, in the console's order.
var DeclineReasons = []DeclineReason{DeclineNotOurs, DeclineWrongAddress, DeclineDuplicate, DeclineOther}

func init() {
	machine[ActDecline] = rule{from: []CaseState{StateQueued, StateAccepted}, to: StateDeclined, by: byCentre, needsText: true}
	machine[ActDeclineUphold] = rule{from: []CaseState{StateDeclined}, to: StateQueued, by: byCentreAbove, needsText: true}
	machine[ActDeclineOverrule] = rule{from: []CaseState{StateDeclined}, to: StateQueued, by: byCentreAbove, needsText: true}
	urge := machine[ActUrge]
	urge.from = append(urge.from, StateDeclined)
	machine[ActUrge] = urge
}

var declineActions = []Action{ActDecline, ActDeclineUphold, ActDeclineOverrule}

// checkDecline validates what can be validated without the database.
func (t *Transition) checkDecline() error {
	switch {
	case t.Action == ActDecline && !slices.Contains(DeclineReasons, t.ReasonCode):
		return fmt.Errorf("%w: decline needs a reason code: not_ours, wrong_address, duplicate or other", ErrBadTransition)
	case t.Action != ActDecline && t.ReasonCode != "":
		return fmt.Errorf("%w: only decline takes a reason code", ErrBadTransition)
	case t.Action == ActDeclineUphold && t.ToCentre == "":
		return fmt.Errorf("%w: decline_uphold needs the centre to send the case to (to_centre)", ErrUnknownCentre)
	case slices.Contains(declineActions, t.Action) && len(t.Photos) > 0:
		return fmt.Errorf("%w: %s takes no photos", ErrBadTransition, t.Action)
	}
	return nil
}

// nextDecline works out the case as declining or a ruling leaves it.
func nextDecline(ctx context.Context, tx querier, t Transition, c caseRow, next *caseRow) error {
	x := &caseExtension{} // a pending extension lapses: the case leaves its centre's hands
	switch t.Action {
	case ActDecline:
		code := string(t.ReasonCode)
		x.reasonCode = &code
		next.deadlineAt, next.overdueAt = nil, nil // the ruling is the centre above's to make, on no clock
	case ActDeclineOverrule:
		// Back to the centre that declined it, as a new arrival there: a fresh deadline on its
		// tier's clock, at its grade's share.
		if err := freshDeadline(ctx, tx, next); err != nil {
			return err
		}
	case ActDeclineUphold:
		// Another centre: one of the same tier under the same parent, or a centre above the one
		// that declined it (on the case's path), such as the arbiter's own.
		path := c.path
		if path == nil {
			var err error
			if path, err = loadPath(ctx, tx, c.unit); err != nil {
				return err
			}
		}
		level := grid.LevelOfCode(t.ToCentre)
		sibling := len(t.ToCentre) == len(c.centre) && t.ToCentre != c.centre &&
			t.ToCentre[:len(t.ToCentre)-3] == c.centre[:len(c.centre)-3]
		above := level >= grid.County && TierOf(level) < c.level && path.Units[level].Code == t.ToCentre
		if !sibling && !above {
			return fmt.Errorf("%w: %q", ErrUnknownCentre, t.ToCentre)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1 AND has_centre AND retired_at IS NULL)`,
			t.ToCentre).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%w: %q", ErrUnknownCentre, t.ToCentre)
		}
		next.centre, next.level = t.ToCentre, TierOf(level)
		if err := freshDeadline(ctx, tx, next); err != nil {
			return err
		}
	}
	next.ext = x
	return nil
}

// DeclinedCase is a case declined more than once (反复退单), for the dashboard.
type DeclinedCase struct {
	ID       int64     `db:"id"`
	Declines int       `db:"declines"`
	State    CaseState `db:"state"`
	Centre   string    `db:"centre"`
	Unit     string    `db:"unit"`
	UnitName string    `db:"unit_name"`
	Category string    `db:"category"`
	OpenedAt string    `db:"opened_at"` // local date
}

// repeatedDeclines: the cases of a unit's subtree (and category), received in a period,
// declined at least $5 times.
const repeatedDeclines = `
FROM (SELECT case_id, count(*)::int AS n FROM case_history WHERE transition = 'decline' GROUP BY case_id) d
JOIN cases c ON c.id = d.case_id JOIN events e ON e.id = c.event_id JOIN units u ON u.code = c.unit_code
WHERE d.n >= $5 AND starts_with(c.unit_code, $1) AND ($4 = '' OR e.category = $4)
  AND (c.opened_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2::date AND $3::date`

// selectRepeatedDeclines: DeclinedCase's columns of the cases of repeatedDeclines, most
// declined first.
const selectRepeatedDeclines = `SELECT c.id, d.n AS declines, c.state, c.centre_code AS centre, c.unit_code AS unit,
       u.name AS unit_name, e.category, to_char(c.opened_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS opened_at ` +
	repeatedDeclines + `
ORDER BY d.n DESC, c.id DESC LIMIT $6`

// RepeatedDeclines lists up to limit cases of f declined at least min times, most declined
// first, and how many such cases there are in all.
func (s *Stats) RepeatedDeclines(ctx context.Context, f StatsFilter, min, limit int) ([]DeclinedCase, int, error) {
	args := []any{f.Unit, f.From, f.To, f.Category, min}
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) `+repeatedDeclines, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("%w: declines: %v", ErrRetryable, err)
	}
	rows, err := s.pool.Query(ctx, selectRepeatedDeclines, append(args, limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: declines: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[DeclinedCase])
	if err != nil {
		return nil, 0, fmt.Errorf("%w: declines: %v", ErrRetryable, err)
	}
	return list, total, nil
}

// selectDeclinedBelow: the cases the centres below a centre declined, awaiting its ruling.
// Served by cases_declined_idx.
const selectDeclinedBelow = `SELECT ` + summaryColumns + `
` + caseJoins + `
WHERE c.state = 'declined' AND starts_with(c.centre_code, $1) AND c.centre_code <> $1
ORDER BY c.id
LIMIT $2`

// DeclinedBelow lists up to limit cases declined by centres below centre (退单待裁决), which its
// queue shows beside its own cases.
func (cs *Cases) DeclinedBelow(ctx context.Context, centre string, limit int) ([]CaseSummary, error) {
	rows, err := cs.pool.Query(ctx, selectDeclinedBelow, centre, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: declined: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, scanSummary)
	if err != nil {
		return nil, fmt.Errorf("%w: declined: %v", ErrRetryable, err)
	}
	return list, nil
}
