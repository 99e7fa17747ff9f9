package dispatch

import (
	"fmt"
	"time"
)

// The points of grid workers (积分制, issue 17; docs/points.md): one ledger row per point earned
// or lost (point_ledger, migration 027), derived from case events exactly once by the points
// consumer (points_applier.go), entered by hand and approved (points_items.go), cancelled by a
// counter-entry, and frozen month by month by the township's audit (points_months.go). The
// rules are data the county edits (points_rules.go).

// PointTrigger is what books a rule's points.
type PointTrigger string

// The triggers of point_rules.
const (
	TriggerReportAccepted PointTrigger = "report_accepted"  // the reporter's report accepted (受理) by a centre
	TriggerSettledAtGrid  PointTrigger = "settled_at_grid"  // the report closed on the spot by its grid (小事不出格)
	TriggerVerifiedOnTime PointTrigger = "verified_on_time" // the reporter verified the settled case before its due time
	TriggerReportInvalid  PointTrigger = "report_invalid"   // the report merged as a duplicate of the reporter's own (重复上报)
	TriggerManual         PointTrigger = "manual"           // entered by a grid leader, approved above
)

// PointTriggers lists the triggers in the admin app's order.
var PointTriggers = []PointTrigger{TriggerReportAccepted, TriggerSettledAtGrid, TriggerVerifiedOnTime, TriggerReportInvalid, TriggerManual}

// Cap periods of point_rules: a rule books at most its cap in a period (Asia/Shanghai).
var PointCapPeriods = []string{"day", "month", "quarter", "year"}

// pointZone is where the points' days and months are: the statistics' zone.
var pointZone = func() *time.Location {
	loc, err := time.LoadLocation(StatsZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

// pointDay is the day t falls on in Asia/Shanghai, as a date at UTC midnight (pgx's date).
func pointDay(t time.Time) time.Time {
	y, m, d := t.In(pointZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// monthOf is the first day of the month of day.
func monthOf(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// capWindow is the period of a rule's cap that day is in: [start, end).
func capWindow(period string, day time.Time) (time.Time, time.Time, error) {
	switch period {
	case "day":
		return day, day.AddDate(0, 0, 1), nil
	case "month":
		s := monthOf(day)
		return s, s.AddDate(0, 1, 0), nil
	case "quarter":
		s := time.Date(day.Year(), (day.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
		return s, s.AddDate(0, 3, 0), nil
	case "year":
		s := time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		return s, s.AddDate(1, 0, 0), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%w: cap period %q", ErrBadPointRule, period)
}
