package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

func until(at time.Time) func(*dispatch.Transition) {
	return func(t *dispatch.Transition) { t.Until = &at }
}

func (fx *caseFixture) deadline(t *testing.T) *time.Time {
	t.Helper()
	var d *time.Time
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT deadline_at FROM cases WHERE id = $1`, fx.caseID).Scan(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// A centre asks for more time before its deadline; only a supervisor at the centre's unit or
// above decides, and the deadline moves only on approval.
func TestExtensionRequestedAndDecidedAbove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	fx.must(t, fx.village, dispatch.ActAccept, "")
	d0 := *fx.deadline(t)
	want := d0.Add(48 * time.Hour).Truncate(time.Microsecond)

	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActRequestExtension, "需等待鉴定结果")
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActRequestExtension, "", until(want))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActRequestExtension, "早于期限", until(d0.Add(-time.Hour)))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActRequestExtension, "太久", until(d0.Add(dispatch.MaxExtension+time.Hour)))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActMediate, "日期不属于调处", until(want))
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActRequestExtension, "not my centre", until(want))
	fx.refused(t, dispatch.ErrNoExtensionPending, fx.supervisor, dispatch.ActApproveExtension, "")

	v := fx.must(t, fx.village, dispatch.ActRequestExtension, "需等待鉴定结果", until(want))
	if v.DeadlineAt == nil || !v.DeadlineAt.Equal(d0) {
		t.Fatalf("a request moved the deadline: %v, was %v", v.DeadlineAt, d0)
	}
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActRequestExtension, "再申请", until(want))
	fx.refused(t, dispatch.ErrNotYours, fx.village, dispatch.ActApproveExtension, "") // not its own judge
	fx.refused(t, dispatch.ErrNotYours, fx.otherSupervisor, dispatch.ActApproveExtension, "")
	v = fx.must(t, fx.supervisor, dispatch.ActApproveExtension, "")
	if v.DeadlineAt == nil || !v.DeadlineAt.Equal(want) {
		t.Fatalf("approved: deadline %v, want %v", v.DeadlineAt, want)
	}
	if !fx.deadline(t).Equal(want) {
		t.Fatalf("approved: the case's deadline is %v, want %v", fx.deadline(t), want)
	}
	fx.refused(t, dispatch.ErrNoExtensionPending, fx.supervisor, dispatch.ActApproveExtension, "")

	// Refused: the deadline stays; a refusal needs a reason.
	fx.must(t, fx.village, dispatch.ActRequestExtension, "再延两天", until(want.Add(48*time.Hour)))
	fx.refused(t, dispatch.ErrBadTransition, fx.supervisor, dispatch.ActRefuseExtension, " ")
	v = fx.must(t, fx.supervisor, dispatch.ActRefuseExtension, "已延期一次，请按期办结")
	if !v.DeadlineAt.Equal(want) {
		t.Fatalf("refused: deadline %v, want %v", v.DeadlineAt, want)
	}

	// Each decision is one history row (with the date asked for) and one outbox row.
	var rows, dated, out int
	if err := fx.db.Pool.QueryRow(ctx, `SELECT count(*), count(until_at),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM outbox o WHERE (o.payload->>'transition_id')::bigint = h.id
		                               AND o.subject = 'case.' || h.transition || '.140802.001.001.001.001'))
		FROM case_history h WHERE transition LIKE 'extend_%'`).Scan(&rows, &dated, &out); err != nil {
		t.Fatal(err)
	}
	if rows != 4 || dated != 4 || out != 4 {
		t.Fatalf("extension rows %d, dated %d, published %d; want 4 each", rows, dated, out)
	}

	// Past the deadline it is too late to ask.
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE cases SET deadline_at = now() - interval '1 second' WHERE id = $1`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	fx.refused(t, dispatch.ErrPastDeadline, fx.village, dispatch.ActRequestExtension, "晚了", until(time.Now().Add(time.Hour)))

	// A request lapses once the case has moved to another centre.
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE cases SET deadline_at = now() + interval '1 day' WHERE id = $1`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	fx.must(t, fx.village, dispatch.ActRequestExtension, "申请", until(time.Now().Add(3*24*time.Hour)))
	fx.must(t, fx.village, dispatch.ActTransfer, "当事人住邻村", toCentre("140802001002"))
	fx.must(t, fx.neighbour, dispatch.ActAccept, "")
	fx.refused(t, dispatch.ErrNoExtensionPending, fx.supervisor, dispatch.ActApproveExtension, "")
}

// A supervisor below the centre (the township's, the case being at the county) may urge the case
// but not decide the county centre's time.
func TestExtensionNotDecidedBelowTheCentre(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "labour_wages") // starts at the township centre 140802001
	g := grid.NewStore(fx.db.Pool)
	above, err := g.CreateMember(ctx, "13900000021", "县督导")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Assign(ctx, grid.Assignment{MemberID: above.ID, UnitCode: "140802", Role: grid.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	fx.must(t, fx.township, dispatch.ActAccept, "")
	fx.must(t, fx.township, dispatch.ActMediate, "劳动监察介入")
	fx.must(t, fx.township, dispatch.ActEscalate, "涉及跨县企业")
	fx.must(t, fx.county, dispatch.ActAccept, "")
	fx.must(t, fx.county, dispatch.ActRequestExtension, "需跨县协调", until(fx.deadline(t).Add(24*time.Hour)))
	fx.refused(t, dispatch.ErrNotYours, fx.supervisor, dispatch.ActApproveExtension, "")
	fx.refused(t, dispatch.ErrNotYours, fx.supervisor, dispatch.ActRefuseExtension, "不同意")
	fx.must(t, fx.supervisor, dispatch.ActUrge, "抓紧") // below the centre, still a supervisor of the case
	fx.must(t, above, dispatch.ActApproveExtension, "同意")
}

// Parking stops the clock: no deadline while parked (the timer leaves it alone), nothing but
// unpark and urge, and unparked it has the time it had left.
func TestParkingStopsTheClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	fx.must(t, fx.village, dispatch.ActAccept, "")
	review := time.Now().Add(14 * 24 * time.Hour)
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActUnpark, "")
	fx.must(t, fx.village, dispatch.ActMediate, "第一次调解")
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActPark, "等待法院判决")
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActPark, "", until(review))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActPark, "过去", until(time.Now().Add(-time.Hour)))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActPark, "太久", until(time.Now().Add(dispatch.MaxParking+time.Hour)))
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActPark, "not mine", until(review))
	fx.refused(t, dispatch.ErrNotYours, fx.supervisor, dispatch.ActPark, "supervisors do not park", until(review))
	d0 := *fx.deadline(t)
	v := fx.must(t, fx.village, dispatch.ActPark, "等待法院判决", until(review))
	if v.State != dispatch.StateParked || v.DeadlineAt != nil {
		t.Fatalf("parked: %+v", v)
	}
	for _, a := range []dispatch.Action{dispatch.ActMediate, dispatch.ActEscalate, dispatch.ActReturn, dispatch.ActTransfer} {
		fx.refused(t, dispatch.ErrNotAllowed, fx.village, a, "parked", toCentre("140802001002"))
	}
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActPark, "again", until(time.Now().Add(-time.Hour))) // parked again: a new review date ahead (park_review_test.go)
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActSettle, "parked", outcome(dispatch.OutcomeMediated))
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActRequestExtension, "parked", until(d0.Add(time.Hour)))
	fx.must(t, fx.supervisor, dispatch.ActUrge, "挂账请按期复核")
	if _, err := dispatch.EscalateDue(ctx, fx.db.Pool, 100); err != nil {
		t.Fatal(err)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE actor_id IS NULL AND from_state IS NOT NULL`); n != 0 {
		t.Fatalf("the timer acted %d times on a parked case", n)
	}
	// Time passes while parked: pretend it was parked a week ago.
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE case_history SET at = at - interval '7 days' WHERE case_id = $1 AND transition IN ('park', 'urge')`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	v = fx.must(t, fx.village, dispatch.ActUnpark, "判决已出")
	if v.State != dispatch.StateMediating || v.DeadlineAt == nil {
		t.Fatalf("unparked: %+v", v)
	}
	// The deadline is as far from the unparking as it was from the parking.
	var parkedAt, unparkedAt time.Time
	if err := fx.db.Pool.QueryRow(ctx, `SELECT (SELECT at + interval '7 days' FROM case_history WHERE case_id = $1 AND transition = 'park'),
		(SELECT at FROM case_history WHERE case_id = $1 AND transition = 'unpark')`, fx.caseID).Scan(&parkedAt, &unparkedAt); err != nil {
		t.Fatal(err)
	}
	if left, now := d0.Sub(parkedAt), v.DeadlineAt.Sub(unparkedAt); left != now {
		t.Fatalf("time left when parked %v, after unparking %v", left, now)
	}
	var review2 *time.Time
	if err := fx.db.Pool.QueryRow(ctx, `SELECT park_review_at FROM cases WHERE id = $1`, fx.caseID).Scan(&review2); err != nil || review2 != nil {
		t.Fatalf("unparked, review date %v (%v)", review2, err)
	}
	fx.must(t, fx.village, dispatch.ActSettle, "判决后达成协议", outcome(dispatch.OutcomeMediated))
}
