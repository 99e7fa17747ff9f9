package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Callback (回访, docs/cases.md "Callback"): a case verified on site (核查通过) is closed, and
// then a mediator of the centre that settled it calls the party back and records whether they
// are satisfied, or a try that did not reach them. The case stays closed throughout and counts
// as closed; 不满意 reopens it at its tier (重办), which takes it out of the closed figures until
// it closes again (docs/metrics.md).

// The callback actions.
const (
	ActCallback      Action = "callback"       // 回访: the party reached; a satisfaction and a note
	ActCallbackTry   Action = "callback_try"   // 回访未接通: one try that did not reach the party
	ActCallbackLapse Action = "callback_lapse" // 逾期未回访: the timer ends a callback nobody did in time
)

// Satisfaction is what the party said, or how the callback ended without them.
type Satisfaction string

// Callback results: the first three are the party's answer.
const (
	Satisfied      Satisfaction = "satisfied"    // 满意
	BasicSatisfied Satisfaction = "basic"        // 基本满意
	Dissatisfied   Satisfaction = "dissatisfied" // 不满意: the case is reopened at its tier
	Unreachable    Satisfaction = "unreachable"  // not reached after the category's tries
	CallbackLapsed Satisfaction = "lapsed"       // not called back by the deadline
)

// CallbackPending is a case's callback status from verification until the callback ends.
const CallbackPending = "pending"

// Defaults of a category's callback: tries before it ends as unreachable, and its deadline.
const (
	DefaultCallbackTries    = 3
	DefaultCallbackDeadline = 2 * 24 * time.Hour
	reasonCallbackLapsed    = "逾期未回访"
)

func init() {
	machine[ActCallback] = rule{from: []CaseState{StateClosed}, by: byCentre, needsText: true} // 不满意: to accepted, in callbackNext
	machine[ActCallbackTry] = rule{from: []CaseState{StateClosed}, by: byCentre}
	machine[ActCallbackLapse] = rule{from: []CaseState{StateClosed}, by: bySystem, needsText: true, timer: true}
}

// callbackState is a case's callback, as a transition reads and rewrites it.
type callbackState struct {
	status   *string    // NULL: never called back (not verified on site); pending; or how it ended
	tries    int        // tries that did not reach the party, in the pending callback
	due      *time.Time // when the pending callback lapses
	maxTries int        // the category's tries before unreachable
	deadline time.Duration
	closedAt *time.Time    // when the case last closed (a reopening un-counts that closure)
	result   *Satisfaction // written on the history row that ends a callback
}

// checkSatisfaction validates a callback's answer before the database is asked.
func (t *Transition) checkSatisfaction() error {
	switch {
	case t.Action == ActCallback:
		switch t.Satisfaction {
		case Satisfied, BasicSatisfied, Dissatisfied:
			return nil
		}
		return fmt.Errorf("%w: satisfaction must be satisfied, basic or dissatisfied", ErrBadTransition)
	case t.Satisfaction != "":
		return fmt.Errorf("%w: satisfaction is for a callback only", ErrBadTransition)
	}
	return nil
}

// callbackNext is what a transition does to the callback: verification starts one; a callback
// action needs one pending and ends it, or counts a try; 不满意 reopens the case at its tier.
func callbackNext(t Transition, c caseRow, next *caseRow) error {
	cb := &next.callback
	cb.result = nil
	switch t.Action {
	case ActVerify: // nextTimes sets the deadline, on the tier's clock
		pending := CallbackPending
		cb.status, cb.tries = &pending, 0
		return nil
	case ActCallback, ActCallbackTry, ActCallbackLapse:
	default:
		return nil
	}
	if c.callback.status == nil || *c.callback.status != CallbackPending {
		return fmt.Errorf("%w: the case has no callback pending", ErrNotAllowed)
	}
	end := func(s Satisfaction) {
		v := string(s)
		cb.status, cb.due, cb.result = &v, nil, &s
	}
	switch t.Action {
	case ActCallback:
		end(t.Satisfaction)
		if t.Satisfaction == Dissatisfied {
			next.state = StateAccepted // 重办 at its tier, by the same centre; nextTimes sets a deadline
		}
	case ActCallbackTry:
		cb.tries++
		if cb.tries >= c.callback.maxTries {
			end(Unreachable)
		}
	case ActCallbackLapse:
		if c.callback.due == nil || c.callback.due.After(c.now) {
			return fmt.Errorf("%w: the callback is not yet due", ErrNotAllowed)
		}
		end(CallbackLapsed)
	}
	return nil
}

// selectCallbacksLapsed claims cases whose callback is pending past its deadline
// (cases_callback_due_idx), as selectDue does.
const selectCallbacksLapsed = `
SELECT id FROM cases
WHERE callback_status = 'pending' AND callback_due_at <= now()
ORDER BY callback_due_at
LIMIT $1
FOR UPDATE SKIP LOCKED`

// LapseCallbacks ends up to limit callbacks nobody did by their deadline as not called back
// (逾期未回访), in one transaction as EscalateDue does. It returns how many.
func LapseCallbacks(ctx context.Context, pool *pgxpool.Pool, limit int) (int, error) {
	return actOnDue(ctx, pool, limit, selectCallbacksLapsed, func(ctx context.Context, tx pgx.Tx, c caseRow) (transitionWrite, error) {
		t := Transition{CaseID: c.id, Version: c.version, Action: ActCallbackLapse, Reason: reasonCallbackLapsed, timer: true}
		return prepare(ctx, tx, t, machine[t.Action], c)
	})
}

// callbackDelta adds what a transition changes in the callback figures, and un-counts the
// closure a reopening (不满意) undoes: the case closed at its tier, on time unless late, with
// its outcome, in the bin of the time it took (docs/metrics.md).
func callbackDelta(e CaseEvent, d Counters) {
	if e.Callback != nil {
		d[cCallbacks]++
		switch *e.Callback {
		case Satisfied, BasicSatisfied:
			d[cReached]++
			d[cSatisfied]++
		case Dissatisfied:
			d[cReached]++
		}
	}
	if e.FromState != StateClosed || e.State == StateClosed || !validTier(e.FromLevel) || e.ClosedAt == nil {
		return
	}
	t := e.FromLevel
	d[tierCol(tClosed, t)]--
	if !e.Late {
		d[tierCol(tOnTime, t)]--
	}
	if e.Outcome != nil {
		switch *e.Outcome {
		case "mediated":
			d[tierCol(tMediated, t)]--
		case "unsettled":
			d[tierCol(tUnsettled, t)]--
		}
	}
	d[histCol(t, CloseBin(e.ClosedAt.Sub(e.OpenedAt)))]--
}

func isCallbackAction(a Action) bool {
	return a == ActCallback || a == ActCallbackTry || a == ActCallbackLapse
}

// CallbackPending says whether the case awaits its callback.
func (c CaseSummary) CallbackPending() bool {
	return c.CallbackStatus != nil && *c.CallbackStatus == CallbackPending
}

// selectCallbacks: a centre's cases awaiting their callback (回访), the closest to their
// deadline first. Served by cases_callback_due_idx.
const selectCallbacks = `SELECT ` + summaryColumns + `
` + caseJoins + `
WHERE c.callback_status = 'pending' AND c.centre_code = $1
ORDER BY c.callback_due_at, c.id
LIMIT $2`

// Callbacks lists a centre's cases awaiting their callback.
func (cs *Cases) Callbacks(ctx context.Context, centre string, limit int) ([]CaseSummary, error) {
	if limit <= 0 || limit > MaxQueueLimit {
		limit = DefaultQueueLn
	}
	rows, err := cs.pool.Query(ctx, selectCallbacks, centre, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: callbacks: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, scanSummary)
	if err != nil {
		return nil, fmt.Errorf("%w: callbacks: %v", ErrRetryable, err)
	}
	return list, nil
}
