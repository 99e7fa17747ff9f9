package dispatch

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Shifting a deadline back by working time undoes shifting it forward (rescaling a regraded
// case's deadline, calendar_clock.go): over random instants across 2026's holidays, for an
// instant in working time, t forward then back is t, and the working time between the shifted
// instant and t is the amount; working days back land on a working day's close.
func TestCalendarShiftProperties(t *testing.T) {
	t.Parallel()
	c := calendar2026(t)
	r := rand.New(rand.NewPCG(16, 23))
	for i := 0; i < 5000; i++ {
		from := randomInstant(r)
		amount := time.Duration(1+r.IntN(40*60)) * time.Minute
		if c.InWorkingTime(from) {
			if back := c.Shift(c.Shift(from, ClockWorkingHours, amount), ClockWorkingHours, -amount); !back.Equal(from) {
				t.Fatalf("%s + %v - %v = %s", from, amount, amount, back)
			}
		}
		earlier := c.Shift(from, ClockWorkingHours, -amount)
		if got := c.WorkingBetween(earlier, from); got != amount || earlier.After(from) {
			t.Fatalf("%s - %v = %s, %v of working time before it", from, amount, earlier, got)
		}
		days := 1 + r.IntN(10)
		due := c.Deadline(from, ClockWorkingDays, time.Duration(days+3)*24*time.Hour)
		if back := c.Shift(due, ClockWorkingDays, -time.Duration(3)*24*time.Hour); !back.Equal(c.Deadline(from, ClockWorkingDays, time.Duration(days)*24*time.Hour)) {
			t.Fatalf("%d+3 working days from %s less 3: %s", days, from, back)
		}
	}
}
