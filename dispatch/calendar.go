package dispatch

import (
	"fmt"
	"slices"
	"time"
)

// Working-day clocks (docs/routing.md, "Working time"). A county's calendar says which days are
// worked: Monday to Friday, except public holidays, plus the weekend days worked to make up for
// a holiday (调休); and the working hours of a worked day. A deadline may run in calendar time,
// in working hours or in working days; it is worked out once, at the transition that sets it,
// and stored as a timestamp, so the timer's query never reads the calendar.

// Clock is how a deadline's time runs.
type Clock string

const (
	ClockCalendar     Clock = "calendar"      // wall-clock hours, nights and holidays included
	ClockWorkingHours Clock = "working_hours" // only the working hours of working days count
	ClockWorkingDays  Clock = "working_days"  // whole working days; due at the close of the last one
)

// Valid reports whether c is a known clock; "" is the calendar clock.
func (c Clock) Valid() bool {
	return c == "" || c == ClockCalendar || c == ClockWorkingHours || c == ClockWorkingDays
}

// DayKind is what the calendar says of a date against the weekday rule.
type DayKind string

const (
	DayHoliday DayKind = "holiday" // not worked, though a weekday
	DayWorkday DayKind = "workday" // worked, though a weekend day (调休)
)

// Span is a working period of a day, in minutes after midnight: [Start, End).
type Span struct{ Start, End int }

// DefaultHours are a county office's usual hours, 8:30-12:00 and 14:30-17:30.
var DefaultHours = []Span{{8*60 + 30, 12 * 60}, {14*60 + 30, 17*60 + 30}}

// CalendarZone is China Standard Time; China has no daylight saving, so a fixed zone is exact
// and needs no tzdata on the host.
var CalendarZone = time.FixedZone("CST", 8*60*60)

// Date is a civil date in the calendar's zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is t's date in the calendar's zone.
func DateOf(t time.Time) Date {
	y, m, d := t.In(CalendarZone).Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, CalendarZone)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date %q is not YYYY-MM-DD", ErrBadCalendar, s)
	}
	return DateOf(t), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// midnight is the start of d.
func (d Date) midnight() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, CalendarZone)
}

// next is the day after d.
func (d Date) next() Date { return DateOf(d.midnight().AddDate(0, 0, 1)) }

// CalendarDay is an exception to the weekday rule.
type CalendarDay struct {
	Date Date
	Kind DayKind
	Name string // 国庆节, 国庆节调休上班, ...
}

// Calendar is a county's working calendar. The zero value is not usable: build one with
// NewCalendar, which checks it.
type Calendar struct {
	days  map[Date]CalendarDay
	hours []Span
	daily time.Duration // working time of a working day
}

// maxCalendarDays bounds the walk of a deadline across days: a year of deadline in working
// hours is a few years of working days.
const maxCalendarDays = 10 * 366

// NewCalendar checks hours (sorted, not overlapping, within a day, at least one) and days (one
// entry per date).
func NewCalendar(hours []Span, days []CalendarDay) (*Calendar, error) {
	if len(hours) == 0 || len(hours) > 8 {
		return nil, fmt.Errorf("%w: between 1 and 8 working periods a day", ErrBadCalendar)
	}
	c := &Calendar{days: make(map[Date]CalendarDay, len(days)), hours: slices.Clone(hours)}
	last := -1
	for _, s := range c.hours {
		if s.Start < 0 || s.End > 24*60 || s.Start >= s.End || s.Start < last {
			return nil, fmt.Errorf("%w: working periods must be in order, within the day, not overlapping", ErrBadCalendar)
		}
		last = s.End
		c.daily += time.Duration(s.End-s.Start) * time.Minute
	}
	for _, d := range days {
		if d.Kind != DayHoliday && d.Kind != DayWorkday {
			return nil, fmt.Errorf("%w: day kind %q", ErrBadCalendar, d.Kind)
		}
		if _, dup := c.days[d.Date]; dup {
			return nil, fmt.Errorf("%w: %s listed twice", ErrBadCalendar, d.Date)
		}
		c.days[d.Date] = d
	}
	return c, nil
}

// Hours are the working periods of a working day.
func (c *Calendar) Hours() []Span { return slices.Clone(c.hours) }

// Working reports whether d is a working day.
func (c *Calendar) Working(d Date) bool {
	if e, ok := c.days[d]; ok {
		return e.Kind == DayWorkday
	}
	wd := d.midnight().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// span is the i-th working period of d as instants.
func (c *Calendar) span(d Date, i int) (time.Time, time.Time) {
	m := d.midnight()
	return m.Add(time.Duration(c.hours[i].Start) * time.Minute), m.Add(time.Duration(c.hours[i].End) * time.Minute)
}

// Deadline is from plus amount on clock. Working hours end inside a working period, or at its
// close; working days end at the close of the amount-th working day after from's day (the day
// a case arrives does not count, as with 期间 in Chinese administrative law), and amount is then
// whole days (24 h each, rounded up). A zero or negative amount is from.
func (c *Calendar) Deadline(from time.Time, clock Clock, amount time.Duration) time.Time {
	if amount <= 0 {
		return from
	}
	switch clock {
	case ClockWorkingHours:
		return c.addWorking(from, amount)
	case ClockWorkingDays:
		n := int((amount + 24*time.Hour - 1) / (24 * time.Hour))
		d := DateOf(from)
		for i := 0; n > 0 && i < maxCalendarDays; i++ {
			d = d.next()
			if c.Working(d) {
				n--
			}
		}
		_, end := c.span(d, len(c.hours)-1)
		return end
	default:
		return from.Add(amount)
	}
}

// addWorking walks working periods from from until amount of working time has passed.
func (c *Calendar) addWorking(from time.Time, amount time.Duration) time.Time {
	d := DateOf(from)
	for range maxCalendarDays {
		if c.Working(d) {
			if dayStart, _ := c.span(d, 0); !from.After(dayStart) && amount > c.daily {
				amount -= c.daily // the whole day is ahead: skip it at once
			} else {
				for i := range c.hours {
					s, e := c.span(d, i)
					if from.After(s) {
						s = from
					}
					if !e.After(s) {
						continue
					}
					if left := e.Sub(s); amount <= left {
						return s.Add(amount)
					} else {
						amount -= left
					}
				}
			}
		}
		d = d.next()
		from = d.midnight()
	}
	return from
}

// WorkingBetween is the working time from a to b; zero if b is not after a.
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	var total time.Duration
	for d, i := DateOf(a), 0; !d.midnight().After(b) && i < maxCalendarDays; d, i = d.next(), i+1 {
		if !c.Working(d) {
			continue
		}
		for j := range c.hours {
			s, e := c.span(d, j)
			s, e = maxTime(s, a), minTime(e, b)
			if e.After(s) {
				total += e.Sub(s)
			}
		}
	}
	return total
}

// InWorkingTime reports whether t is within a working period of a working day, its close
// included (a deadline at 12:00 is the end of the morning's work, not the lunch break).
func (c *Calendar) InWorkingTime(t time.Time) bool {
	d := DateOf(t)
	if !c.Working(d) {
		return false
	}
	for i := range c.hours {
		s, e := c.span(d, i)
		if t.After(s) && !t.After(e) {
			return true
		}
	}
	return false
}

// Remaining is the time left until deadline as the clock counts it: working time for the
// working clocks, so that the 剩余 a console shows on a Friday evening does not tick over the
// weekend. Negative when overdue (calendar time past the deadline).
func (c *Calendar) Remaining(now, deadline time.Time, clock Clock) time.Duration {
	if c == nil || clock == "" || clock == ClockCalendar || !deadline.After(now) {
		return deadline.Sub(now)
	}
	return c.WorkingBetween(now, deadline)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
