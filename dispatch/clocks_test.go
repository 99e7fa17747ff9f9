package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// The 国庆 2026 week as the shipped calendar has it (migration 018): 1-7 October are holidays,
// Sunday 20 September and Saturday 10 October are worked (调休), and a working day is 8:30-12:00
// and 14:30-17:30. The calendar read for a transition spans a year back from today, so these
// tests lean on the shipped 2026 data until October 2027.
func cst(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, dispatch.CalendarZone)
}

// clocked is a case fixture whose category's deadlines are set by sql, standing at at.
func clocked(t *testing.T, category, sql string, at time.Time) *caseFixture {
	t.Helper()
	fx := newCaseFixture(t, category)
	if _, err := fx.db.Pool.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
	fx.cases.SetClock(at)
	return fx
}

func (fx *caseFixture) times(t *testing.T, sql string, dest ...any) {
	t.Helper()
	if err := fx.db.Pool.QueryRow(context.Background(), sql, fx.caseID).Scan(dest...); err != nil {
		t.Fatal(err)
	}
}

func sameInstant(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Fatalf("%s: %v, want %v", what, got, want.In(dispatch.CalendarZone))
	}
}

// A regrade that sends a case up to the county gives it the county's deadline on the county's
// clock, at the grade's share: half of 2 working days is 1, and the day after 30 September that
// is worked is 8 October.
func TestRegradeUpCountsTheCountyClock(t *testing.T) {
	t.Parallel()
	fx := clocked(t, "neighbour", `UPDATE categories SET county_deadline_s = 172800, county_clock = 'working_days'
		WHERE code = 'neighbour'; UPDATE grade_rules SET deadline_pct = 50 WHERE grade = 'difficult'`, cst(9, 30, 10, 0))
	fx.must(t, fx.village, dispatch.ActAccept, "")
	v := fx.must(t, fx.village, dispatch.ActRegrade, "涉及多个部门", grade(dispatch.GradeDifficult, false))
	if v.Level != dispatch.TierCounty || v.State != dispatch.StateQueued {
		t.Fatalf("regraded: %+v", v)
	}
	sameInstant(t, "county deadline", v.DeadlineAt, cst(10, 8, 17, 30))
	var clock string
	fx.times(t, `SELECT deadline_clock FROM cases WHERE id = $1`, &clock)
	if clock != "working_days" {
		t.Fatalf("deadline clock %q, want working_days", clock)
	}
}

// Overruled (驳回退单), a case goes back to its village with a fresh deadline on the village's
// clock: 3 working hours from 16:30 on the eve of 国庆 are the last hour of that day and two on
// 8 October.
func TestDeclineOverruleCountsTheVillageClock(t *testing.T) {
	t.Parallel()
	fx := clocked(t, "neighbour", `UPDATE categories SET village_deadline_s = 10800, village_clock = 'working_hours'
		WHERE code = 'neighbour'`, cst(9, 30, 16, 30))
	fx.must(t, fx.village, dispatch.ActDecline, "不属于本村", reasonCode(dispatch.DeclineNotOurs))
	v := fx.must(t, fx.township, dispatch.ActDeclineOverrule, "属村调解范围")
	sameInstant(t, "deadline back at the village", v.DeadlineAt, cst(10, 8, 10, 30))
	var clock string
	fx.times(t, `SELECT deadline_clock FROM cases WHERE id = $1`, &clock)
	if clock != "working_hours" {
		t.Fatalf("deadline clock %q, want working_hours", clock)
	}
	// Upheld to the neighbouring village: the same clock there.
	fx.must(t, fx.village, dispatch.ActDecline, "当事人住邻村", reasonCode(dispatch.DeclineWrongAddress))
	v = fx.must(t, fx.township, dispatch.ActDeclineUphold, "改由邻村办理", toCentre("140802001002"))
	sameInstant(t, "deadline at the other village", v.DeadlineAt, cst(10, 8, 10, 30))
}

// A parked case keeps the working time it had left, not the wall-clock interval: parked on
// Friday 18 September at 16:30 with a deadline at 10:30 on the make-up Sunday, it had 3 working
// hours (one that Friday, two that Sunday); unparked at 16:30 on the eve of 国庆, it is due at
// 10:30 on 8 October. On the working-days clock it is due at the close of the day the time runs
// out.
func TestUnparkKeepsWorkingTimeLeft(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		clock     string
		deadline  time.Time
		left      time.Duration
		unparkDue time.Time
	}{
		{"working_hours", cst(9, 20, 10, 30), 3 * time.Hour, cst(10, 8, 10, 30)},
		{"working_days", cst(9, 20, 17, 30), 7*time.Hour + 30*time.Minute, cst(10, 8, 17, 30)},
		{"calendar", cst(9, 20, 10, 30), 42 * time.Hour, cst(10, 2, 10, 30)},
	} {
		t.Run(tc.clock, func(t *testing.T) {
			ctx := context.Background()
			fx := clocked(t, "neighbour", `UPDATE categories SET village_clock = 'working_hours' WHERE code = 'neighbour'`,
				cst(9, 18, 16, 30))
			fx.must(t, fx.village, dispatch.ActAccept, "")
			if _, err := fx.db.Pool.Exec(ctx, `UPDATE cases SET deadline_at = $2, deadline_clock = $3 WHERE id = $1`,
				fx.caseID, tc.deadline, tc.clock); err != nil {
				t.Fatal(err)
			}
			fx.must(t, fx.village, dispatch.ActPark, "等待鉴定", until(cst(9, 29, 9, 0)))
			var leftUS int64
			var clock string
			fx.times(t, `SELECT (extract(epoch FROM park_left) * 1000000)::bigint, park_clock FROM cases WHERE id = $1`, &leftUS, &clock)
			if left := time.Duration(leftUS) * time.Microsecond; left != tc.left || clock != tc.clock {
				t.Fatalf("parked with %v left on %s; want %v on %s", left, clock, tc.left, tc.clock)
			}
			fx.cases.SetClock(cst(9, 30, 16, 30))
			v := fx.must(t, fx.village, dispatch.ActUnpark, "鉴定结果已出")
			sameInstant(t, "deadline unparked", v.DeadlineAt, tc.unparkDue)
			fx.times(t, `SELECT deadline_clock FROM cases WHERE id = $1`, &clock)
			if clock != tc.clock {
				t.Fatalf("unparked on %s, want %s", clock, tc.clock)
			}
		})
	}
}

// The verification deadlines and the callback deadline run on the category's clock of the
// case's tier: 3 working days from 30 September are 8, 9 and the make-up Saturday 10 October;
// twice that ends on 14 October; a callback's 2 days, on 9 October.
func TestVerifyAndCallbackCountTheTierClock(t *testing.T) {
	t.Parallel()
	fx := clocked(t, "neighbour", `UPDATE categories SET village_clock = 'working_days', verify_deadline_s = 259200,
		callback_deadline_s = 172800 WHERE code = 'neighbour'`, cst(9, 30, 10, 0))
	fx.must(t, fx.village, dispatch.ActAccept, "")
	fx.must(t, fx.village, dispatch.ActMediate, "双方到场")
	fx.must(t, fx.village, dispatch.ActSettle, "达成协议", outcome(dispatch.OutcomeMediated))
	var due, lapse, callback *time.Time
	fx.times(t, `SELECT verify_due_at, verify_lapse_at FROM cases WHERE id = $1`, &due, &lapse)
	sameInstant(t, "verify_due_at", due, cst(10, 10, 17, 30))
	sameInstant(t, "verify_lapse_at", lapse, cst(10, 14, 17, 30))
	fx.must(t, fx.worker, dispatch.ActVerify, "")
	fx.times(t, `SELECT callback_due_at FROM cases WHERE id = $1`, &callback)
	sameInstant(t, "callback_due_at", callback, cst(10, 9, 17, 30))
}

// A regrade at the same tier moves the deadline by the change of the grade's share on the
// deadline's clock: half of 6 working hours taken off 10:30 on 8 October is 16:30 on 30
// September (before 国庆), not 07:30 on 8 October; given back, it is 10:30 on 8 October again.
// On working days, half of 2 days taken off 8 October is the close of 30 September.
func TestRegradeRescalesOnTheTierClock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		clock, seconds   string
		deadline, simple time.Time
	}{
		{"working_hours", "21600", cst(10, 8, 10, 30), cst(9, 30, 16, 30)},
		{"working_days", "172800", cst(10, 8, 17, 30), cst(9, 30, 17, 30)},
	} {
		t.Run(tc.clock, func(t *testing.T) {
			fx := clocked(t, "neighbour", `UPDATE categories SET village_deadline_s = `+tc.seconds+`, village_clock = '`+tc.clock+`'
				WHERE code = 'neighbour'`, cst(9, 30, 10, 0))
			fx.must(t, fx.village, dispatch.ActAccept, "")
			if _, err := fx.db.Pool.Exec(context.Background(), `UPDATE cases SET deadline_at = $2, deadline_clock = $3 WHERE id = $1`,
				fx.caseID, tc.deadline, tc.clock); err != nil {
				t.Fatal(err)
			}
			v := fx.must(t, fx.village, dispatch.ActRegrade, "事实清楚", grade(dispatch.GradeSimple, false))
			sameInstant(t, "simple", v.DeadlineAt, tc.simple)
			v = fx.must(t, fx.village, dispatch.ActRegrade, "涉及多户", grade(dispatch.GradeComplex, false))
			sameInstant(t, "complex again", v.DeadlineAt, tc.deadline)
		})
	}
}
