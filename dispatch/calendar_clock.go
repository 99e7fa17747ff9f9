package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reading the working calendar where a deadline needs it. Each edit of the calendar renews its
// revision (calendar_settings.revision, a random uuid), and a transition reads the revision in
// the statement that locks the case; a calendar once read is kept by revision, so a process
// reads it again only after an edit (by any process), and a transition whose deadlines all run
// in calendar time never reads it at all.

// calendars keeps calendars read, by revision. Revisions are random, so two schemas or two
// databases that one process serves (tests do) never share an entry; a calendar is immutable.
var calendars = struct {
	sync.Mutex
	byRev map[string]*Calendar
}{byRev: map[string]*Calendar{}}

// maxCachedCalendars bounds calendars: revisions past are dropped wholesale.
const maxCachedCalendars = 16

const selectCalendarHours = `SELECT hours, revision::text FROM calendar_settings`

// selectCalendarDays reads the exceptions from ten years before to ten after now: more than the
// longest deadline (365 days, in working hours) reaches ahead, and far enough back that working
// time between past instants (and the tests standing on 国庆 2026) still counts the holidays.
// About 35 rows a year.
const selectCalendarDays = `SELECT to_char(day, 'YYYY-MM-DD'), kind, name FROM calendar_days
WHERE day BETWEEN current_date - 3660 AND current_date + 3660 ORDER BY day`

// loadCalendar returns the calendar of revision rev, reading it if not kept; rev "" reads the
// current one.
func loadCalendar(ctx context.Context, q querier, rev string) (*Calendar, string, error) {
	if rev != "" {
		calendars.Lock()
		c := calendars.byRev[rev]
		calendars.Unlock()
		if c != nil {
			return c, rev, nil
		}
	}
	var raw []byte
	if err := q.QueryRow(ctx, selectCalendarHours).Scan(&raw, &rev); err != nil {
		return nil, "", fmt.Errorf("working calendar: %w", err)
	}
	hours, err := parseHours(raw)
	if err != nil {
		return nil, "", err
	}
	rows, err := q.Query(ctx, selectCalendarDays)
	if err != nil {
		return nil, "", fmt.Errorf("working calendar: %w", err)
	}
	var days []CalendarDay
	var day, kind, name string
	if _, err := pgx.ForEachRow(rows, []any{&day, &kind, &name}, func() error {
		d, err := ParseDate(day)
		days = append(days, CalendarDay{Date: d, Kind: DayKind(kind), Name: name})
		return err
	}); err != nil {
		return nil, "", fmt.Errorf("working calendar: %w", err)
	}
	c, err := NewCalendar(hours, days)
	if err != nil {
		return nil, "", err
	}
	calendars.Lock()
	if len(calendars.byRev) >= maxCachedCalendars {
		clear(calendars.byRev)
	}
	calendars.byRev[rev] = c
	calendars.Unlock()
	return c, rev, nil
}

// parseHours reads calendar_settings.hours: [[start, end], ...] in minutes.
func parseHours(raw []byte) ([]Span, error) {
	var pairs [][2]int
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("%w: hours: %v", ErrBadCalendar, err)
	}
	hours := make([]Span, len(pairs))
	for i, p := range pairs {
		hours[i] = Span{p[0], p[1]}
	}
	return hours, nil
}

// readCalendarIfNeeded reads the calendar into next when the deadline the action sets runs on
// a working clock.
func readCalendarIfNeeded(ctx context.Context, q querier, a Action, next *caseRow) error {
	switch a {
	case ActEscalate, ActReturn, ActTransfer, ActRework, ActCallback: // callback: a re-do after 不满意
	case ActSettle, ActVerify: // the verification and callback deadlines, on the tier's clock
		if next.category.Deadlines.Clocks.clockFor(next.level).working() {
			return next.useCalendar(ctx, q)
		}
		return nil
	default:
		return nil
	}
	if !next.category.Deadlines.NeedsCalendar(next.level, next.severity) {
		return nil
	}
	c, _, err := loadCalendar(ctx, q, next.calendarRev)
	next.calendar = c
	return err
}

// clockArg is a deadline's clock as writeTransition stores it: NULL keeps the case's.
func clockArg(c *Clock) any {
	if c == nil {
		return nil
	}
	return string(*c)
}

// currentCalendar reads the calendar's revision, then the calendar unless it is kept.
func currentCalendar(ctx context.Context, q querier) (*Calendar, error) {
	var rev string
	if err := q.QueryRow(ctx, `SELECT revision::text FROM calendar_settings`).Scan(&rev); err != nil {
		return nil, fmt.Errorf("working calendar: %w", err)
	}
	c, _, err := loadCalendar(ctx, q, rev)
	return c, err
}

// setWorkingDeadlines works out the first deadline of each report in a batch whose category
// counts working time at its starting tier, counted from now (the statement's now() differs by
// the time to send it). The calendar is read once a batch, and only when one needs it.
func setWorkingDeadlines(ctx context.Context, q querier, batch []*write) error {
	var cal *Calendar
	now := time.Now()
	for _, w := range batch {
		w.workingDeadline = nil
		if w.deadline <= 0 || !w.deadlines.NeedsCalendar(w.level, w.report.Severity) {
			continue
		}
		if cal == nil {
			var err error
			if cal, err = currentCalendar(ctx, q); err != nil {
				return err
			}
		}
		d, clock := w.deadlines.At(w.level, w.report.Severity, now, cal)
		w.workingDeadline, w.clock = &d, clock
	}
	return nil
}

// stored is the clock as the catalogue stores it: "" is calendar time.
func (c Clock) stored() Clock {
	if c == "" {
		return ClockCalendar
	}
	return c
}

// checkClocks refuses unknown clocks, and working days that are not whole days.
func (d Deadlines) checkClocks() error {
	for _, k := range []struct {
		name   string
		clock  Clock
		amount time.Duration
	}{{"village", d.Clocks.Village, d.Village}, {"township", d.Clocks.Township, d.Township},
		{"county", d.Clocks.County, d.County}, {"urgent", d.Clocks.Urgent, d.Urgent}} {
		switch {
		case !k.clock.Valid():
			return fmt.Errorf("%w: clocks.%s must be calendar, working_hours or working_days", ErrInvalidCategory, k.name)
		case k.clock == ClockWorkingDays && k.amount%(24*time.Hour) != 0:
			return fmt.Errorf("%w: deadlines.%s_s on working_days must be whole days (multiples of 86400)", ErrInvalidCategory, k.name)
		}
	}
	return nil
}

// setWorkingLeft sets the working time left of the cases whose deadline, still ahead, runs on
// a working clock, reading the calendar once (and only if one does).
func setWorkingLeft(ctx context.Context, q querier, list []CaseSummary) error {
	var cal *Calendar
	now := time.Now()
	for i := range list {
		s := &list[i]
		if s.DeadlineAt == nil || s.DeadlineClock == ClockCalendar || s.DeadlineClock == "" || !s.DeadlineAt.After(now) {
			continue
		}
		if cal == nil {
			var err error
			if cal, err = currentCalendar(ctx, q); err != nil {
				return err
			}
		}
		left := cal.Remaining(now, *s.DeadlineAt, s.DeadlineClock)
		s.WorkingLeft = &left
	}
	return nil
}

// useCalendar reads the calendar into next, unless it has it: for a deadline that an action
// works out in its own rules (a regrade, a ruling, unparking) rather than in nextTimes.
func (next *caseRow) useCalendar(ctx context.Context, q querier) error {
	if next.calendar != nil {
		return nil
	}
	c, _, err := loadCalendar(ctx, q, next.calendarRev)
	next.calendar = c
	return err
}

// freshDeadline gives next a fresh deadline at its tier, counted from now on the category's
// clock of that tier, scaled by its grade's share: what a case gets when it arrives at a centre
// by a regrade or a ruling, as by an escalation (nextTimes).
func freshDeadline(ctx context.Context, q querier, next *caseRow) error {
	if next.category.Deadlines.NeedsCalendar(next.level, next.severity) {
		if err := next.useCalendar(ctx, q); err != nil {
			return err
		}
	}
	d, clock := next.category.Deadlines.AtScaled(next.level, next.severity, next.now, next.calendar, next.gradePct)
	next.deadlineAt, next.overdueAt, next.deadlineClock = &d, nil, &clock
	return nil
}

// working reports whether c counts working time.
func (c Clock) working() bool { return c == ClockWorkingHours || c == ClockWorkingDays }

// parkedLeft is the time c has left when it is parked, on its deadline's clock k: working time
// on a working clock (the evening, the weekend and a holiday before the deadline do not count);
// wall-clock time on the calendar clock, or when the deadline has already passed (the overrun,
// negative); zero without a deadline.
func parkedLeft(ctx context.Context, q querier, c caseRow, next *caseRow, k Clock) (time.Duration, error) {
	switch {
	case c.deadlineAt == nil:
		return 0, nil
	case !k.working() || !c.deadlineAt.After(c.now):
		return c.deadlineAt.Sub(c.now), nil
	}
	if err := next.useCalendar(ctx, q); err != nil {
		return 0, err
	}
	return next.calendar.WorkingBetween(c.now, *c.deadlineAt), nil
}

// resumeDeadline gives an unparked case its deadline: left from now on clock k. Working time
// left runs through working hours; on the working-days clock the deadline is then the close of
// the working day on which that time runs out, as a working-days deadline always is.
func resumeDeadline(ctx context.Context, q querier, next *caseRow, k Clock, left time.Duration) error {
	d := next.now.Add(left)
	if k.working() && left > 0 {
		if err := next.useCalendar(ctx, q); err != nil {
			return err
		}
		d = next.calendar.Resume(next.now, k, left)
	}
	next.deadlineAt, next.overdueAt, next.deadlineClock = &d, nil, &k
	return nil
}

// Resume is the deadline of a clock stopped with left of working time, started again at from:
// left of working hours on; on the working-days clock, the close of the working day where they
// run out.
func (c *Calendar) Resume(from time.Time, clock Clock, left time.Duration) time.Time {
	d := c.addWorking(from, left)
	if clock == ClockWorkingDays {
		_, d = c.span(DateOf(d), len(c.hours)-1)
	}
	return d
}

// onTierClock is amount from now on the category's clock of the case's tier (not the urgent
// one): the clock of the verification and callback deadlines (docs/routing.md, "Working time").
// A working-days clock rounds amount up to whole days.
func (next *caseRow) onTierClock(amount time.Duration) time.Time {
	k := next.category.Deadlines.Clocks.clockFor(next.level)
	if !k.working() || next.calendar == nil {
		return next.now.Add(amount)
	}
	return next.calendar.Deadline(next.now, k, amount)
}

// verifyClocks are Deadlines.VerifyClocks on the tier's clock: from when staff may verify a
// case settled now, and when the timer closes it as not verified.
func (next *caseRow) verifyClocks() (staffFrom, lapse time.Time) {
	v := next.category.Deadlines.Verify
	return next.onTierClock(v), next.onTierClock(2 * v)
}

// rescaleDeadline moves c's deadline by the change of its grade's share (from c.gradePct to pct)
// of the tier's amount, on that amount's clock: working time is added after the deadline, or
// taken off before it, through working hours; working days move it by whole working days.
// The amount is the one Deadlines.For picks (an urgent case's when shorter).
func rescaleDeadline(ctx context.Context, q querier, c caseRow, next *caseRow, pct int) error {
	d := c.category.Deadlines
	base, k := d.tier(c.level), d.Clocks.clockFor(c.level)
	if c.severity == SeverityUrgent && d.Urgent < base {
		base, k = d.Urgent, d.Clocks.Urgent
	}
	delta := scaleDeadline(base, pct) - scaleDeadline(base, c.gradePct)
	at := c.deadlineAt.Add(delta)
	if k.working() {
		if err := next.useCalendar(ctx, q); err != nil {
			return err
		}
		if k == ClockWorkingDays { // each share rounds up to whole days, as Calendar.Deadline does
			delta = wholeDays(scaleDeadline(base, pct)) - wholeDays(scaleDeadline(base, c.gradePct))
		}
		at = next.calendar.Shift(*c.deadlineAt, k, delta)
	}
	next.deadlineAt = &at
	return nil
}

// wholeDays is d rounded up to whole days.
func wholeDays(d time.Duration) time.Duration {
	return (d + 24*time.Hour - 1) / (24 * time.Hour) * (24 * time.Hour)
}

// Shift moves a deadline t by delta on a working clock: later by Deadline, earlier by walking
// back through working hours (working_hours) or working days (working_days: the close of the
// working day that many working days before t's).
func (c *Calendar) Shift(t time.Time, clock Clock, delta time.Duration) time.Time {
	switch {
	case delta > 0:
		return c.Deadline(t, clock, delta)
	case delta == 0:
		return t
	case clock == ClockWorkingDays:
		n, d := int(-delta/(24*time.Hour)), DateOf(t)
		for i := 0; n > 0 && i < maxCalendarDays; i++ {
			d = d.prev()
			if c.Working(d) {
				n--
			}
		}
		_, end := c.span(d, len(c.hours)-1)
		return end
	}
	return c.subWorking(t, -delta)
}

// subWorking walks working periods back from to until amount of working time lies between.
func (c *Calendar) subWorking(to time.Time, amount time.Duration) time.Time {
	d := DateOf(to)
	for range maxCalendarDays {
		if c.Working(d) {
			for i := len(c.hours) - 1; i >= 0; i-- {
				s, e := c.span(d, i)
				if to.Before(e) {
					e = to
				}
				if !e.After(s) {
					continue
				}
				if left := e.Sub(s); amount <= left {
					return e.Add(-amount)
				} else {
					amount -= left
				}
			}
		}
		to = d.midnight()
		d = d.prev()
	}
	return to
}

// prev is the day before d.
func (d Date) prev() Date { return DateOf(d.midnight().AddDate(0, 0, -1)) }
