package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Category is an entry of the catalogue: what kind of matter, where its cases start, how long
// each tier has for them and what happens when that time runs out (docs/routing.md).
type Category struct {
	Code         string    `db:"code"`
	Group        string    `db:"group_code"`
	NameZH       string    `db:"name_zh"`
	NameEN       string    `db:"name_en"`
	StartLevel   Tier      `db:"start_level"`    // the tier of the first centre: village, township or county
	GridMayClose bool      `db:"grid_may_close"` // a grid worker may handle it on the spot and close it
	Deadlines    Deadlines `db:"-"`              // categoryRow's columns
	AutoEscalate bool      `db:"auto_escalate"`  // an overdue case goes up a tier by itself; otherwise it is flagged
	Active       bool      `db:"active"`
}

// Deadlines are the time each tier has for a case, the shorter time for an urgent one, and the
// time a settled case waits for its reporter's verification (then as long again for staff's,
// before the timer closes it as not verified).
type Deadlines struct {
	Village, Township, County, Urgent, Verify time.Duration
	Clocks                                    TierClocks // how each runs; verification runs in calendar time
}

// For is the deadline at a tier for a case of this severity.
func (d Deadlines) For(tier Tier, severity string) time.Duration {
	t := d.tier(tier)
	if severity == SeverityUrgent {
		t = min(t, d.Urgent)
	}
	return t
}

// tier is the deadline at a tier, whatever the severity.
func (d Deadlines) tier(tier Tier) time.Duration {
	switch tier {
	case TierCounty:
		return d.County
	case TierTownship:
		return d.Township
	}
	return d.Village
}

// TierClocks are the clocks of a category's deadlines (docs/routing.md, "Working time"); ""
// is calendar time.
type TierClocks struct{ Village, Township, County, Urgent Clock }

// clockFor is the clock of the deadline at a tier.
func (c TierClocks) clockFor(tier Tier) Clock {
	switch tier {
	case TierCounty:
		return c.County
	case TierTownship:
		return c.Township
	}
	return c.Village
}

// NeedsCalendar reports whether the deadline at a tier for a case of this severity counts
// working time, so the working calendar must be read to set it.
func (d Deadlines) NeedsCalendar(tier Tier, severity string) bool {
	working := func(c Clock) bool { return c != "" && c != ClockCalendar }
	return working(d.Clocks.clockFor(tier)) || severity == SeverityUrgent && working(d.Clocks.Urgent)
}

// At is the deadline at a tier for a case of this severity whose clock starts at from, and the
// clock it runs on: an urgent case's is the earlier of the tier's and the urgent one. cal may
// be nil when NeedsCalendar is false.
func (d Deadlines) At(tier Tier, severity string, from time.Time, cal *Calendar) (time.Time, Clock) {
	return d.AtScaled(tier, severity, from, cal, 100)
}

// AtScaled is At with each amount scaled to pct percent: a risk grade's share of the category's
// deadline (case_grade.go); working days round up to whole days.
func (d Deadlines) AtScaled(tier Tier, severity string, from time.Time, cal *Calendar, pct int) (time.Time, Clock) {
	at := func(c Clock, amount time.Duration) (time.Time, Clock) {
		amount = scaleDeadline(amount, pct)
		if c == "" || cal == nil {
			c = ClockCalendar
		}
		if c == ClockCalendar {
			return from.Add(amount), c
		}
		return cal.Deadline(from, c, amount), c
	}
	due, clock := at(d.Clocks.clockFor(tier), d.tier(tier))
	if severity == SeverityUrgent {
		if u, uc := at(d.Clocks.Urgent, d.Urgent); u.Before(due) {
			due, clock = u, uc
		}
	}
	return due, clock
}

// VerifyClocks are when staff may verify a case settled at settled (the reporter has had their
// time) and when the timer closes it as not verified (staff have had as long again).
func (d Deadlines) VerifyClocks(settled time.Time) (staffFrom, lapse time.Time) {
	return settled.Add(d.Verify), settled.Add(2 * d.Verify)
}

// Severities of an event.
const (
	SeverityNormal = "normal"
	SeverityUrgent = "urgent"
)

// MaxDeadline bounds every deadline (the schema checks the same).
const MaxDeadline = 365 * 24 * time.Hour

const selectCategories = `SELECT code, group_code, name_zh, name_en, start_level, grid_may_close,
	village_deadline_s, township_deadline_s, county_deadline_s, urgent_deadline_s, verify_deadline_s, auto_escalate, active,
	village_clock, township_clock, county_clock, urgent_clock
FROM categories ORDER BY code`

// categoryRow is a row of selectCategories, read by name: the category, and its deadlines in
// seconds with their clocks.
type categoryRow struct {
	Category
	Village       int32 `db:"village_deadline_s"`
	Township      int32 `db:"township_deadline_s"`
	County        int32 `db:"county_deadline_s"`
	Urgent        int32 `db:"urgent_deadline_s"`
	Verify        int32 `db:"verify_deadline_s"`
	VillageClock  Clock `db:"village_clock"`
	TownshipClock Clock `db:"township_clock"`
	CountyClock   Clock `db:"county_clock"`
	UrgentClock   Clock `db:"urgent_clock"`
}

func scanCategory(row pgx.CollectableRow) (Category, error) {
	r, err := pgx.RowToStructByName[categoryRow](row)
	c := r.Category
	c.Deadlines = Deadlines{Village: seconds(r.Village), Township: seconds(r.Township), County: seconds(r.County),
		Urgent: seconds(r.Urgent), Verify: seconds(r.Verify),
		Clocks: TierClocks{Village: r.VillageClock, Township: r.TownshipClock, County: r.CountyClock, Urgent: r.UrgentClock}}
	return c, err
}

func seconds(s int32) time.Duration { return time.Duration(s) * time.Second }

// loadCategories reads the whole catalogue, inactive entries too (old cases refer to them).
func loadCategories(ctx context.Context, pool *pgxpool.Pool) (map[string]Category, error) {
	rows, err := pool.Query(ctx, selectCategories)
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanCategory)
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	m := make(map[string]Category, len(list))
	for _, c := range list {
		m[c.Code] = c
	}
	return m, nil
}
