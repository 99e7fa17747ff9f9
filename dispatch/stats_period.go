package dispatch

import (
	"time"
)

// StatsFilter selects the cases whose figures are summed: received in [From, To] (local days,
// inclusive) at Unit or below, of Category ("" for every category).
type StatsFilter struct {
	Unit     string
	Category string
	From, To time.Time // dates: midnight UTC of the local day
}

// MaxStatsDays bounds a period, so that no request sums more than ten years of days.
const MaxStatsDays = 3660

// periodSpans splits [from, to] into the whole months it covers, read from month rows, and
// the days before and after them, read from day rows. Empty ranges have first > last.
type periodSpans struct {
	monthFirst, monthLast time.Time // first days of the first and last whole months
	headFirst, headLast   time.Time // days before the first whole month
	tailFirst, tailLast   time.Time // days after the last whole month
}

func splitPeriod(from, to time.Time) periodSpans {
	none := daysOnly(from, to)
	first := from
	if first.Day() != 1 {
		first = time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	}
	afterLast := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC) // first day of to's month
	if to.AddDate(0, 0, 1).Month() != to.Month() {
		afterLast = afterLast.AddDate(0, 1, 0) // to is the last day of its month: that month is whole
	}
	if !first.Before(afterLast) {
		return none
	}
	return periodSpans{
		monthFirst: first, monthLast: afterLast.AddDate(0, -1, 0),
		headFirst: from, headLast: first.AddDate(0, 0, -1),
		tailFirst: afterLast, tailLast: to,
	}
}

// ParseStatsDate reads YYYY-MM-DD as a date.
func ParseStatsDate(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

// StatsToday is the local date now, at midnight UTC like every date here.
func StatsToday(now time.Time) time.Time {
	l := now.In(statsLocation)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// daysOnly reads [from, to] from day rows alone.
func daysOnly(from, to time.Time) periodSpans {
	return periodSpans{monthFirst: to.AddDate(0, 0, 1), monthLast: from,
		headFirst: from, headLast: to, tailFirst: to.AddDate(0, 0, 1), tailLast: to}
}
