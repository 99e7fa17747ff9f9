package dispatch

import (
	"math/rand/v2"
	"testing"
	"time"
)

// calendar2026 is the State Council's 2026 arrangement around the holidays the tests cross.
func calendar2026(t testing.TB) *Calendar {
	t.Helper()
	var days []CalendarDay
	add := func(kind DayKind, name string, dates ...string) {
		for _, s := range dates {
			d, err := ParseDate(s)
			if err != nil {
				t.Fatal(err)
			}
			days = append(days, CalendarDay{Date: d, Kind: kind, Name: name})
		}
	}
	add(DayHoliday, "国庆节", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07")
	add(DayWorkday, "国庆节调休上班", "2026-09-20", "2026-10-10")
	add(DayHoliday, "中秋节", "2026-09-25", "2026-09-26", "2026-09-27")
	add(DayHoliday, "劳动节", "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05")
	add(DayWorkday, "劳动节调休上班", "2026-05-09")
	c, err := NewCalendar(DefaultHours, days)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(t testing.TB, s string) time.Time {
	v, err := time.ParseInLocation("2006-01-02 15:04", s, CalendarZone)
	if err != nil {
		panic(err)
	}
	return v
}

func TestCalendarDeadlineCases(t *testing.T) {
	t.Parallel()
	c := calendar2026(t)
	for _, tc := range []struct {
		name   string
		from   string
		clock  Clock
		amount time.Duration
		want   string
	}{
		{"calendar hours ignore the holiday", "2026-09-30 16:00", ClockCalendar, 24 * time.Hour, "2026-10-01 16:00"},
		{"working hours skip lunch", "2026-09-29 11:00", ClockWorkingHours, 2 * time.Hour, "2026-09-29 15:30"},
		{"working hours end at a period's close", "2026-09-29 11:00", ClockWorkingHours, time.Hour, "2026-09-29 12:00"},
		{"working hours from the evening start next morning", "2026-09-29 20:00", ClockWorkingHours, time.Hour, "2026-09-30 09:30"},
		// 9-30 16:00 has 1.5 h left; 10-01..07 are the 国庆 holiday, 10-08 (Thu) and 10-09 (Fri)
		// work, and 10-10 is a make-up Saturday.
		{"working hours across 国庆", "2026-09-30 16:00", ClockWorkingHours, 2 * time.Hour, "2026-10-08 09:00"},
		{"16 working hours reach the make-up Saturday", "2026-09-30 16:00", ClockWorkingHours, 16 * time.Hour, "2026-10-10 10:00"},
		{"one working day across 国庆", "2026-09-30 10:00", ClockWorkingDays, 24 * time.Hour, "2026-10-08 17:30"},
		{"three working days include the make-up Saturday", "2026-09-30 10:00", ClockWorkingDays, 72 * time.Hour, "2026-10-10 17:30"},
		{"a make-up Sunday counts", "2026-09-19 10:00", ClockWorkingDays, 24 * time.Hour, "2026-09-20 17:30"},
		{"a weekend arrival counts from Monday", "2026-10-17 10:00", ClockWorkingDays, 24 * time.Hour, "2026-10-19 17:30"},
		{"劳动节: half an hour, then 5-06 and 5-07", "2026-04-30 17:00", ClockWorkingHours, 7*time.Hour + 30*time.Minute, "2026-05-07 09:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Deadline(at(t, tc.from), tc.clock, tc.amount)
			if want := at(t, tc.want); !got.Equal(want) {
				t.Errorf("Deadline(%s, %s, %s) = %s, want %s", tc.from, tc.clock, tc.amount, got.In(CalendarZone), want)
			}
		})
	}
	if !c.Working(mustDate(t, "2026-10-10")) || c.Working(mustDate(t, "2026-10-05")) || c.Working(mustDate(t, "2026-10-11")) {
		t.Error("10-10 is a make-up working Saturday, 10-05 a holiday Monday, 10-11 an ordinary Sunday")
	}
}

func mustDate(t testing.TB, s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// randomInstant is a minute between 2026-04-01 and 2026-12-31, where the shipped holidays are.
func randomInstant(r *rand.Rand) time.Time {
	return at(nil, "2026-04-01 00:00").Add(time.Duration(r.IntN(275*24*60)) * time.Minute).
		Add(time.Duration(r.IntN(60)) * time.Second)
}

// TestCalendarProperties checks the arithmetic on seeded random instants and amounts: adding
// working hours then measuring gives the amount back; deadlines never fall outside working
// time; later starts and longer amounts never give earlier deadlines; working days end at the
// close of a working day.
func TestCalendarProperties(t *testing.T) {
	t.Parallel()
	c := calendar2026(t)
	r := rand.New(rand.NewPCG(16, 1))
	for i := range 20000 {
		from := randomInstant(r)
		amount := time.Duration(1+r.IntN(200*60)) * time.Minute // up to 200 working hours
		d := c.Deadline(from, ClockWorkingHours, amount)
		if got := c.WorkingBetween(from, d); got != amount {
			t.Fatalf("#%d: WorkingBetween(%s, Deadline(+%s) = %s) = %s", i, from, amount, d, got)
		}
		if !c.InWorkingTime(d) {
			t.Fatalf("#%d: deadline %s (from %s, +%s) is not in working time", i, d.In(CalendarZone), from, amount)
		}
		if !d.After(from) {
			t.Fatalf("#%d: deadline %s not after %s", i, d, from)
		}
		more := amount + time.Duration(r.IntN(600))*time.Minute
		if d2 := c.Deadline(from, ClockWorkingHours, more); d2.Before(d) {
			t.Fatalf("#%d: +%s gives %s, earlier than +%s's %s", i, more, d2, amount, d)
		}
		later := from.Add(time.Duration(r.IntN(72*60)) * time.Minute)
		if d3 := c.Deadline(later, ClockWorkingHours, amount); d3.Before(d) {
			t.Fatalf("#%d: from %s gives %s, earlier than from %s's %s", i, later, d3, from, d)
		}
		days := time.Duration(1+r.IntN(20)) * 24 * time.Hour
		wd := c.Deadline(from, ClockWorkingDays, days)
		if !c.InWorkingTime(wd) || wd.In(CalendarZone).Format("15:04") != "17:30" {
			t.Fatalf("#%d: %s working days from %s end at %s, not a working day's close", i, days, from, wd.In(CalendarZone))
		}
		n := 0
		for dd := DateOf(from).next(); !dd.midnight().After(wd); dd = dd.next() {
			if c.Working(dd) {
				n++
			}
		}
		if want := int(days / (24 * time.Hour)); n != want {
			t.Fatalf("#%d: %d working days after %s up to %s, want %d", i, n, from, wd, want)
		}
		if rem := c.Remaining(from, d, ClockWorkingHours); rem != amount {
			t.Fatalf("#%d: Remaining = %s, want %s", i, rem, amount)
		}
	}
}

func TestNewCalendarRejects(t *testing.T) {
	t.Parallel()
	d := mustDate(t, "2026-10-01")
	for _, tc := range []struct {
		name  string
		hours []Span
		days  []CalendarDay
	}{
		{"no hours", nil, nil},
		{"overlapping", []Span{{480, 720}, {700, 800}}, nil},
		{"past midnight", []Span{{480, 1500}}, nil},
		{"empty period", []Span{{480, 480}}, nil},
		{"unknown kind", DefaultHours, []CalendarDay{{Date: d, Kind: "maybe"}}},
		{"twice", DefaultHours, []CalendarDay{{Date: d, Kind: DayHoliday}, {Date: d, Kind: DayWorkday}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewCalendar(tc.hours, tc.days); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func BenchmarkCalendarDeadline(b *testing.B) {
	c := calendar2026(b)
	from := at(b, "2026-09-30 16:00")
	for b.Loop() {
		c.Deadline(from, ClockWorkingHours, 40*time.Hour)
		c.Deadline(from, ClockWorkingDays, 5*24*time.Hour)
	}
}
