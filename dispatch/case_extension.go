package dispatch

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Extension (延期) and parking (挂账), issue 16 point 2 (docs/cases.md, "Extension and parking").
//
// A centre asks for more time before its deadline (extend_request, with the date it wants and a
// reason); a supervisor at the centre's unit or above approves (extend_approve: the deadline
// moves to that date) or refuses (extend_refuse, with a reason: it does not). A centre parks a
// case (park, 挂账) that waits on something outside it, with a reason and a review date: the case
// leaves its state for StateParked and its clock stops (no deadline, so the timer never sees it);
// unpark gives it back its state and the time it had left, on the clock its deadline ran on
// (working time on a working clock: calendar_clock.go, parkedLeft and resumeDeadline). When its
// review date passes the timer records it (park_review_due, case_park_review.go), and the
// centre parks it again with a new review date, or unparks it.

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

func init() {
	open := []CaseState{StateAccepted, StateMediating} // a case its centre has taken on
	machine[ActRequestExtension] = rule{from: open, by: byCentre, needsText: true}
	machine[ActApproveExtension] = rule{from: open, by: bySupervisorAbove}
	machine[ActRefuseExtension] = rule{from: open, by: bySupervisorAbove, needsText: true}
	machine[ActPark] = rule{from: []CaseState{StateAccepted, StateMediating, StateParked}, to: StateParked, by: byCentre, needsText: true} // from parked: a new review date
	machine[ActUnpark] = rule{from: []CaseState{StateParked}, by: byCentre}                                                                // to: the state it was parked from
	urge := machine[ActUrge]
	urge.from = append(urge.from, StateParked) // a supervisor may still press a parked case
	machine[ActUrge] = urge
}

// extensionActions are the actions of this file, in the console's order.
var extensionActions = []Action{ActRequestExtension, ActApproveExtension, ActRefuseExtension, ActPark, ActUnpark}

// caseExtension is the case's pending extension and parking, as these actions read and leave them.
type caseExtension struct {
	until     *time.Time // requested deadline, while a request waits
	centre    *string    // the centre that asked; a request lapses once the case has moved
	reason    *string
	review    *time.Time     // parked: when to look at it again
	left      *time.Duration // parked: the time the case had left when parked
	from      *CaseState     // parked: the state to go back to
	rowUntil  *time.Time     // the history row's until_at: the requested date or the review date
	clock     *Clock         // parked: the clock of the deadline it had, on which left counts (calendar_clock.go)
	reviewDue *time.Time     // parked: when the timer recorded the review date as passed (park_review_due)

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
	var from, clock, dlClock *string
	err := tx.QueryRow(ctx, `SELECT extension_until, extension_centre, extension_reason, park_review_at,
		(extract(epoch FROM park_left) * 1000000)::bigint, park_from_state, park_clock, park_review_due_at, deadline_clock
		FROM cases WHERE id = $1`, t.CaseID).
		Scan(&x.until, &x.centre, &x.reason, &x.review, &leftUS, &from, &clock, &x.reviewDue, &dlClock)
	if err != nil {
		return err
	}
	if leftUS != nil {
		l := time.Duration(*leftUS) * time.Microsecond
		x.left = &l
	}
	if from != nil {
		s := CaseState(*from)
		x.from = &s
	}
	if clock != nil {
		k := Clock(*clock)
		x.clock = &k
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
		u := t.Until.UTC()
		x.review, x.reviewDue, x.rowUntil = &u, nil, &u
		if c.state == StateParked {
			break // parked again (复核后继续挂账): a new review date; the time left and the state to go back to stay
		}
		k := ClockCalendar
		if dlClock != nil {
			k = Clock(*dlClock)
		}
		l, err := parkedLeft(ctx, tx, c, next, k)
		if err != nil {
			return err
		}
		s := c.state
		x.left, x.from, x.clock = &l, &s, &k
		// The clock stops: no deadline, and no overdue flag while parked (a parked case is counted
		// apart, not as overdue). Time already overrun is kept in left: unparked, the case is due
		// at once and the timer flags or escalates it again.
		next.deadlineAt, next.overdueAt = nil, nil
	case ActParkReviewDue: // case_park_review.go
		if x.review == nil || x.review.After(c.now) || x.reviewDue != nil {
			return fmt.Errorf("%w: the review date has not passed, or was recorded", ErrNotAllowed)
		}
		now := c.now
		x.reviewDue, x.rowUntil = &now, x.review
	case ActUnpark:
		if x.from == nil || x.left == nil {
			return fmt.Errorf("%w: the case is not parked", ErrNotAllowed)
		}
		next.state = *x.from
		k := ClockCalendar
		if x.clock != nil {
			k = *x.clock
		}
		if err := resumeDeadline(ctx, tx, next, k, *x.left); err != nil {
			return err
		}
		x.review, x.left, x.from, x.clock, x.reviewDue = nil, nil, nil, nil, nil
	}
	next.ext = &x
	return nil
}

// extensionArgs are writeTransition's parameters $32 to $42 for x: whether to write the case's
// extension and parking columns, their values, and the history row's until_at and reason_code.
// A nil x (an action that sets none of them) keeps the columns as they are.
func extensionArgs(x *caseExtension) []any {
	if x == nil {
		return []any{false, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil}
	}
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
	return []any{true, x.until, x.centre, x.reason, x.review, left, from, clockArg(x.clock), x.reviewDue, x.rowUntil, x.reasonCode}
}
