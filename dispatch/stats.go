package dispatch

import (
	"fmt"
	"time"
	_ "time/tzdata" // the statistics' day boundaries are Asia/Shanghai's, whatever the host has

	"github.com/griddispatch/griddispatch/grid"
)

// Closure statistics (docs/metrics.md). A case belongs to the cohort of the local day it was
// received; every counter of a cohort says what has become of its cases so far. Each
// transition changes the counters of the case's cohort by a delta computed from its event
// alone, so the counters can be kept from the bus in any order, and equal what the reference
// SQL over case_history computes.

// StatsZone is where days begin and end for the figures: the county's local time.
const StatsZone = "Asia/Shanghai"

var statsLocation = mustLoadLocation(StatsZone)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: cannot happen
	}
	return loc
}

// Tiers of the figures: 1 county ... 4 grid, as case levels.
const statsTiers = 4

// CloseBins are the upper edges of the time-to-close bins; the last bin is open-ended. A
// median or percentile is reported as the bin that holds it (docs/metrics.md).
var CloseBins = []time.Duration{
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 12 * time.Hour,
	day, 2 * day, 3 * day, 5 * day, 7 * day, 10 * day, 15 * day, 20 * day, 30 * day,
	45 * day, 60 * day, 90 * day, 180 * day, 365 * day,
}

const day = 24 * time.Hour

// closeBinCount is the number of bins: one per edge, and the open-ended last.
var closeBinCount = len(CloseBins) + 1

// CloseBin is the bin of a time to close: the number of edges at or below it.
func CloseBin(d time.Duration) int {
	b := 0
	for b < len(CloseBins) && d >= CloseBins[b] {
		b++
	}
	return b
}

// Counter columns of case_stats, in the order of a Counters vector.
const (
	cReceived = iota
	cReworks
	cVerifications
	cReopened
	cUnverified // closed as not verified: the verification deadline lapsed twice over
	cLed        // open and owned by a county leader (领导包案, case_grade.go)
	cMerged     // merged into a main case (并单): counted here instead of received
	cCallbacks  // callbacks ended (回访): reached, unreachable or lapsed
	cReached    // callbacks that reached the party
	cSatisfied  // of which satisfied or basically satisfied
	cParked     // parked now (挂账): open, its clock stopped, counted apart (case_extension.go)
	cTierBase   // then the tier metrics, 4 columns each, then the histogram
)

// Tier metrics, each a column per tier.
const (
	tArrived = iota
	tEscalated
	tClosed
	tOnTime
	tMediated
	tUnsettled
	tOpen
	tOverdue
	tierMetricCount
)

var tierMetricNames = [tierMetricCount]string{"arrived", "escalated", "closed", "on_time", "mediated", "unsettled", "open", "overdue"}

// tierCol is the index of a tier metric's column for tier (1-4).
func tierCol(metric int, tier Tier) int { return cTierBase + metric*statsTiers + int(tier) - 1 }

// histCol is the index of the histogram column of tier (1-4) and bin.
func histCol(tier Tier, bin int) int {
	return cTierBase + tierMetricCount*statsTiers + int(tier-1)*closeBinCount + bin
}

// statsColumns names every counter column, indexed like Counters.
var statsColumns = func() []string {
	cols := []string{"received", "reworks", "verifications", "reopened", "unverified", "led", "merged", "callbacks", "callbacks_reached", "satisfied", "parked"}
	for _, m := range tierMetricNames {
		for t := 1; t <= statsTiers; t++ {
			cols = append(cols, fmt.Sprintf("%s_t%d", m, t))
		}
	}
	for t := 1; t <= statsTiers; t++ {
		for b := 0; b < closeBinCount; b++ {
			cols = append(cols, fmt.Sprintf("h%d_%02d", t, b))
		}
	}
	return cols
}()

// Counters is one vector of case_stats counters.
type Counters []int64

// NewCounters is a vector of zeros.
func NewCounters() Counters { return make(Counters, len(statsColumns)) }

func (c Counters) add(o Counters) {
	for i, v := range o {
		c[i] += v
	}
}

func (c Counters) zero() bool {
	for _, v := range c {
		if v != 0 {
			return false
		}
	}
	return true
}

// statsDelta is what one transition changes in its case's cohort.
func statsDelta(e CaseEvent) Counters {
	d := NewCounters()
	open := func(s CaseState) bool { return s != "" && s != StateClosed }
	first := e.FromState == ""
	if first {
		d[cReceived]++
	}
	if validTier(e.Level) && (first || e.FromLevel != e.Level) {
		d[tierCol(tArrived, e.Level)]++
	}
	if e.Action == string(ActEscalate) && validTier(e.FromLevel) {
		d[tierCol(tEscalated, e.FromLevel)]++
	}
	if e.Action == string(ActMerge) {
		d[cReceived]-- // a merged report is no case of its own: it counts apart
		d[cMerged]++
	}
	if e.State == StateClosed && e.FromState != StateClosed && validTier(e.Level) && e.Action != string(ActMerge) {
		d[tierCol(tClosed, e.Level)]++
		if !e.Late {
			d[tierCol(tOnTime, e.Level)]++
		}
		if e.Outcome != nil {
			switch *e.Outcome {
			case "mediated":
				d[tierCol(tMediated, e.Level)]++
			case "unsettled":
				d[tierCol(tUnsettled, e.Level)]++
			}
		}
		d[histCol(e.Level, CloseBin(e.At.Sub(e.OpenedAt)))]++
	}
	switch Action(e.Action) {
	case ActCloseUnverified:
		d[cUnverified]++
	case ActVerify:
		d[cVerifications]++
	case ActRework:
		d[cVerifications]++
		d[cReworks]++
		if e.Reworks == 1 {
			d[cReopened]++
		}
	}
	if e.Leader != 0 { // led after the transition: before it, the case was led too unless this is lead
		if open(e.FromState) && e.Action != string(ActLead) {
			d[cLed]--
		}
		if open(e.State) {
			d[cLed]++
		}
	}
	if e.Action == string(ActLeadRelease) && open(e.FromState) { // given up (case_leader.go): led before, not after
		d[cLed]--
	}
	callbackDelta(e, d)
	if e.State == StateParked && e.FromState != StateParked {
		d[cParked]++
	} else if e.FromState == StateParked && e.State != StateParked {
		d[cParked]--
	}
	if open(e.FromState) && validTier(e.FromLevel) {
		d[tierCol(tOpen, e.FromLevel)]--
		if e.FromOverdue {
			d[tierCol(tOverdue, e.FromLevel)]--
		}
	}
	if open(e.State) && validTier(e.Level) {
		d[tierCol(tOpen, e.Level)]++
		if e.Overdue {
			d[tierCol(tOverdue, e.Level)]++
		}
	}
	return d
}

func validTier(t Tier) bool { return t >= 1 && t <= statsTiers }

// statsKey is one case_stats row: a unit at levels 1-4, a category ("" for all), a span and
// its first day.
type statsKey struct {
	category string
	span     byte // 'd' or 'm'
	level    int
	unit     string
	period   string // YYYY-MM-DD
}

// statsKeys are the rows a case's transitions count in: the case's ancestors at levels 1-4,
// with its category and with "", by day and by month of its opening. The last key is the
// deepest unit's.
func statsKeys(e CaseEvent) []statsKey {
	local := e.OpenedAt.In(statsLocation)
	dayStr := local.Format(time.DateOnly)
	monthStr := local.Format("2006-01") + "-01"
	var keys []statsKey
	for l := grid.County; l <= grid.Grid && len(e.Unit) >= l.CodeLength(); l++ {
		code := e.Unit[:l.CodeLength()]
		for _, cat := range []string{e.Category, ""} {
			keys = append(keys,
				statsKey{category: cat, span: 'd', level: int(l), unit: code, period: dayStr},
				statsKey{category: cat, span: 'm', level: int(l), unit: code, period: monthStr})
		}
	}
	return keys
}
