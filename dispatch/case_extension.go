package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Extension (延期) and parking (挂账), issue 16 point 2 (docs/cases.md, "Extension and parking").
//
// A centre asks for more time before its deadline (extend_request, with the date it wants and a
// reason); a supervisor at the centre's unit or above approves (extend_approve: the deadline
// moves to that date) or refuses (extend_refuse, with a reason: it does not). A centre parks a
// case (park, 挂账) that waits on something outside it, with a reason and a review date: the case
// leaves its state for StateParked and its clock stops (no deadline, so the timer never sees it);
// unpark gives it back its state and the time it had left.

// StateParked is a case set aside by its centre (挂账): its clock is stopped.
const StateParked CaseState = "parked"

// The actions of extension and parking.
const (
	ActRequestExtension Action = "extend_request" // 申请延期: a centre, before its deadline
	ActApproveExtension Action = "extend_approve" // 批准延期: a supervisor above the centre
	ActRefuseExtension  Action = "extend_refuse"  // 驳回延期: a supervisor above the centre, with a reason
	ActPark             Action = "park"           // 挂账: a centre, with a reason and a review date
	ActUnpark           Action = "unpark"         // 解除挂账: a centre; the clock starts again
)

// bySupervisorAbove is a supervisor at the case's centre's unit or above it (not one below the
// centre, who may urge the case but not decide the centre's time).
const bySupervisorAbove actor = 100

// Bounds on the dates these actions carry.
const (
	MaxExtension = 90 * 24 * time.Hour  // an extension moves a deadline by at most this
	MaxParking   = 365 * 24 * time.Hour // a review date is at most this far ahead
)

// Errors of extension and parking.
var (
	ErrNoExtensionPending = errors.New("no extension request of this centre is waiting for a decision")
	ErrPastDeadline       = errors.New("the deadline has passed: an extension is asked for before it")
)

func init() {
	open := []CaseState{StateAccepted, StateMediating} // a case its centre has taken on
	machine[ActRequestExtension] = rule{from: open, by: byCentre, needsText: true}
	machine[ActApproveExtension] = rule{from: open, by: bySupervisorAbove}
	machine[ActRefuseExtension] = rule{from: open, by: bySupervisorAbove, needsText: true}
	machine[ActPark] = rule{from: []CaseState{StateAccepted, StateMediating}, to: StateParked, by: byCentre, needsText: true}
	machine[ActUnpark] = rule{from: []CaseState{StateParked}, by: byCentre} // to: the state it was parked from
	urge := machine[ActUrge]
	urge.from = append(urge.from, StateParked) // a supervisor may still press a parked case
	machine[ActUrge] = urge
}

// extensionActions are the actions of this file, in the console's order.
var extensionActions = []Action{ActRequestExtension, ActApproveExtension, ActRefuseExtension, ActPark, ActUnpark}

// caseExtension is the case's pending extension and parking, as these actions read and leave them.
type caseExtension struct {
	until    *time.Time // requested deadline, while a request waits
	centre   *string    // the centre that asked; a request lapses once the case has moved
	reason   *string
	review   *time.Time     // parked: when to look at it again
	left     *time.Duration // parked: the time the case had left when parked
	from     *CaseState     // parked: the state to go back to
	rowUntil *time.Time     // the history row's until_at: the requested date or the review date

	reasonCode *string // decline (退单): the history row's reason_code (case_decline.go)
}

// checkExtension validates what can be validated without the database.
func (t *Transition) checkExtension() error {
	dated := t.Action == ActRequestExtension || t.Action == ActPark
	switch {
	case dated && t.Until == nil:
		return fmt.Errorf("%w: %s needs a date (until)", ErrBadTransition, t.Action)
	case !dated && t.Until != nil:
		return fmt.Errorf("%w: only extend_request and park take a date (until)", ErrBadTransition)
	case slices.Contains(extensionActions, t.Action) && len(t.Photos) > 0:
		return fmt.Errorf("%w: %s takes no photos", ErrBadTransition, t.Action)
	}
	return nil
}

// nextExtension works out the case as an extension or parking action leaves it.
func nextExtension(ctx context.Context, tx querier, t Transition, c caseRow, next *caseRow) error {
	x := caseExtension{}
	var leftUS *int64
	var from *string
	err := tx.QueryRow(ctx, `SELECT extension_until, extension_centre, extension_reason, park_review_at,
		(extract(epoch FROM park_left) * 1000000)::bigint, park_from_state FROM cases WHERE id = $1`, t.CaseID).
		Scan(&x.until, &x.centre, &x.reason, &x.review, &leftUS, &from)
	if err != nil {
		return err
	}
	pending := x.until != nil && x.centre != nil && *x.centre == c.centre
	switch t.Action {
	case ActRequestExtension:
		switch {
		case c.deadlineAt == nil || !c.now.Before(*c.deadlineAt) || c.overdueAt != nil:
			return ErrPastDeadline
		case pending:
			return fmt.Errorf("%w: an extension request is already waiting", ErrNotAllowed)
		case !t.Until.After(*c.deadlineAt) || t.Until.Sub(*c.deadlineAt) > MaxExtension:
			return fmt.Errorf("%w: the new deadline must be after the current one and at most %d days later",
				ErrBadTransition, int(MaxExtension.Hours()/24))
		}
		u, centre, reason := t.Until.UTC(), c.centre, t.Reason
		x.until, x.centre, x.reason, x.rowUntil = &u, &centre, &reason, &u
	case ActApproveExtension, ActRefuseExtension:
		if !pending {
			return ErrNoExtensionPending
		}
		if t.Action == ActApproveExtension {
			next.deadlineAt, next.overdueAt = x.until, nil
		}
		x.rowUntil, x.until, x.centre, x.reason = x.until, nil, nil, nil
	case ActPark:
		if !t.Until.After(c.now) || t.Until.Sub(c.now) > MaxParking {
			return fmt.Errorf("%w: the review date must be in the future and at most %d days ahead",
				ErrBadTransition, int(MaxParking.Hours()/24))
		}
		l := time.Duration(0)
		if c.deadlineAt != nil {
			l = c.deadlineAt.Sub(c.now) // negative when the deadline passed before parking
		}
		u, s := t.Until.UTC(), c.state
		x.review, x.left, x.from, x.rowUntil = &u, &l, &s, &u
		// The clock stops: no deadline, and no overdue flag while parked (a parked case is counted
		// apart, not as overdue). Time already overrun is kept in left: unparked, the case is due
		// at once and the timer flags or escalates it again.
		next.deadlineAt, next.overdueAt = nil, nil
	case ActUnpark:
		if from == nil || leftUS == nil {
			return fmt.Errorf("%w: the case is not parked", ErrNotAllowed)
		}
		next.state = CaseState(*from)
		d := c.now.Add(time.Duration(*leftUS) * time.Microsecond)
		next.deadlineAt = &d
		x.review, x.left, x.from = nil, nil, nil
	}
	next.ext = &x
	return nil
}

// writeExtension is writeTransition that also writes the case's extension and parking columns
// and the history row's until_at and reason_code, as parameters n+1 to n+8 after
// writeTransition's n. It is derived from writeTransition by its fixed places (the end of the
// case's SET list, of the history row's columns and of its values), so that both stay one
// statement whatever columns other features add; it panics if a place is missing, which every
// extension test would show.
func writeExtension(n int) string {
	s := writeTransition
	for _, r := range [][2]string{
		{"\n    WHERE id = $1\n", fmt.Sprintf(",\n        extension_until = $%d, extension_centre = $%d, extension_reason = $%d,\n"+
			"        park_review_at = $%d, park_left = $%d::bigint * interval '1 microsecond', park_from_state = $%d\n    WHERE id = $1\n",
			n+1, n+2, n+3, n+4, n+5, n+6)},
		{")\n    SELECT id, $10,", ", until_at, reason_code)\n    SELECT id, $10,"},
		{" FROM u\n    RETURNING id", fmt.Sprintf(", $%d::timestamptz, $%d::text FROM u\n    RETURNING id", n+7, n+8)},
	} {
		if !strings.Contains(s, r[0]) {
			panic("writeExtension: writeTransition has no " + r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	return s
}

// withExtension turns w into the write of an extension or parking action.
func withExtension(w transitionWrite, next caseRow) transitionWrite {
	x := next.ext
	var left *int64
	if x.left != nil {
		us := x.left.Microseconds()
		left = &us
	}
	var from *string
	if x.from != nil {
		s := string(*x.from)
		from = &s
	}
	w.sql = writeExtension(len(w.args))
	w.args = append(w.args, x.until, x.centre, x.reason, x.review, left, from, x.rowUntil, x.reasonCode)
	return w
}
