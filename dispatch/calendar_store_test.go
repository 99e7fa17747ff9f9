package dispatch_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// calendarNow reads the calendar as stored, this year's and next year's days.
func calendarNow(t *testing.T, s *dispatch.CalendarStore) *dispatch.Calendar {
	t.Helper()
	var days []dispatch.CalendarDay
	var hours []dispatch.Span
	year := time.Now().In(dispatch.CalendarZone).Year()
	for _, y := range []int{year - 1, year, year + 1} {
		v, err := s.Year(context.Background(), y)
		if err != nil {
			t.Fatal(err)
		}
		days, hours = append(days, v.Days...), v.Hours
	}
	c, err := dispatch.NewCalendar(hours, days)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A case's first deadline and the one its escalation sets run on the clocks of their tiers, as
// the stored calendar counts them. Editing the calendar leaves deadlines already set alone (the
// parties were told them); the next deadline set counts on the new calendar.
func TestWorkingDeadlinesFollowTheCalendar(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	ctx := context.Background()
	store := dispatch.NewCalendarStore(fx.db.Pool)

	v, err := store.Year(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	shipped := map[string]dispatch.DayKind{}
	for _, d := range v.Days {
		shipped[d.Date.String()] = d.Kind
	}
	if shipped["2026-10-01"] != dispatch.DayHoliday || shipped["2026-10-10"] != dispatch.DayWorkday || len(v.Hours) != 2 {
		t.Fatalf("shipped 2026 calendar: %v, hours %v", shipped, v.Hours)
	}

	// The village's two days count working days; escalated, the township has two working hours.
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE categories SET village_deadline_s = 172800, village_clock = 'working_days',
		township_deadline_s = 7200, township_clock = 'working_hours', auto_escalate = true WHERE code = 'neighbour'`); err != nil {
		t.Fatal(err)
	}
	fx.intake.CatalogueChanged()
	report := func() int64 {
		rc, err := fx.intake.Submit(ctx, fx.report(t))
		if err != nil {
			t.Fatal(err)
		}
		return rc.CaseID
	}
	cal := calendarNow(t, store)
	id := report()
	var opened, due time.Time
	var clock string
	if err := fx.db.Pool.QueryRow(ctx, `SELECT opened_at, deadline_at, deadline_clock FROM cases WHERE id = $1`, id).
		Scan(&opened, &due, &clock); err != nil {
		t.Fatal(err)
	}
	if want := cal.Deadline(opened, dispatch.ClockWorkingDays, 48*time.Hour); !due.Equal(want) || clock != "working_days" {
		t.Fatalf("first deadline %s on %s; want %s on working_days (opened %s)", due, clock, want, opened)
	}

	escalate := func(id int64) (at, due time.Time) {
		t.Helper()
		if _, err := fx.db.Pool.Exec(ctx, `UPDATE cases SET deadline_at = now() - interval '1 second' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		gridtest.Eventually(t, "the escalation", func() bool {
			_, err := dispatch.EscalateDue(ctx, fx.db.Pool, 10)
			return err == nil && count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE actor_id IS NULL AND case_id = `+strconv.FormatInt(id, 10)) == 1
		})
		var clock string
		if err := fx.db.Pool.QueryRow(ctx, `SELECT h.at, c.deadline_at, c.deadline_clock FROM cases c
			JOIN case_history h ON h.case_id = c.id AND h.actor_id IS NULL WHERE c.id = $1`, id).Scan(&at, &due, &clock); err != nil {
			t.Fatal(err)
		}
		if clock != "working_hours" {
			t.Fatalf("case %d escalated: deadline on %s, want working_hours", id, clock)
		}
		return at, due
	}
	at, due := escalate(id)
	if want := cal.Deadline(at, dispatch.ClockWorkingHours, 2*time.Hour); !due.Equal(want) || !cal.InWorkingTime(due) {
		t.Fatalf("township deadline %s, want %s (escalated %s)", due, want, at)
	}

	// What the apps show as 剩余: the working time left, at most the two hours.
	before := time.Now()
	d, err := fx.cases.Detail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	if d.DeadlineClock != dispatch.ClockWorkingHours || d.WorkingLeft == nil || *d.WorkingLeft > cal.WorkingBetween(before, due) ||
		*d.WorkingLeft < cal.WorkingBetween(after, due)-time.Second {
		t.Fatalf("case page: clock %s, working time left %v; deadline %s", d.DeadlineClock, d.WorkingLeft, due)
	}

	// The day the deadline falls on becomes a holiday: the case keeps its deadline.
	day := dispatch.DateOf(due)
	if err := store.SetDay(ctx, dispatch.CalendarDay{Date: day, Kind: dispatch.DayHoliday, Name: "临时休假"}, &fx.supervisor.ID); err != nil {
		t.Fatal(err)
	}
	var kept time.Time
	if err := fx.db.Pool.QueryRow(ctx, `SELECT deadline_at FROM cases WHERE id = $1`, id).Scan(&kept); err != nil || !kept.Equal(due) {
		t.Fatalf("after the edit the open case's deadline is %s (%v); want it kept at %s", kept, err, due)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM audit_log WHERE action = 'calendar.day'`); n < 1 {
		t.Fatalf("calendar edit audited %d times", n)
	}
	// A new escalation counts on the edited calendar, past the new holiday.
	edited := calendarNow(t, store)
	at2, due2 := escalate(report())
	if want := edited.Deadline(at2, dispatch.ClockWorkingHours, 2*time.Hour); !due2.Equal(want) || dispatch.DateOf(due2) == day {
		t.Fatalf("after the edit: deadline %s, want %s, not on %s", due2, want, day)
	}

	if err := store.DeleteDay(ctx, dispatch.Date{Year: 2031, Month: 1, Day: 2}, &fx.supervisor.ID); !errors.Is(err, dispatch.ErrCalendarDayNotFound) {
		t.Fatalf("deleting a day never set: %v", err)
	}
	if err := store.SetHours(ctx, []dispatch.Span{{Start: 600, End: 500}}, &fx.supervisor.ID); !errors.Is(err, dispatch.ErrBadCalendar) {
		t.Fatalf("hours ending before they start: %v", err)
	}
}
