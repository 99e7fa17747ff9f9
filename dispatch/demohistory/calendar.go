package demohistory

import (
	"math"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// When generated history happens (docs/demo-history.md): how many reports each category gets in
// a typical month, how that swings with the farming year and the Spring Festival, and the rhythm
// of a week and a day. Dates are local (local, as the dashboard's days).

// local is where the dashboard's days begin and end (dispatch.StatsZone): history's days are
// the same days.
var local = func() *time.Location {
	loc, err := time.LoadLocation(dispatch.StatsZone)
	if err != nil {
		panic(err) // dispatch embeds time/tzdata: cannot happen
	}
	return loc
}()

// historyCategoryWeights are each category's reports per thousand in a typical month: disputes
// are the most common matters (DOMAIN.md), then facilities, environment and livelihood.
// Categories not listed (added by an administrator) get their group's default.
var historyCategoryWeights = map[string]float64{
	"neighbour": 120, "marriage_family": 80, "homestead_land": 60, "forest_water": 15,
	"labour_wages": 30, "property_mgmt": 35, "land_requisition": 15, "medical": 8,
	"traffic_accident": 25, "consumer_contract": 30,
	"fire": 30, "workplace_safety": 12, "unsafe_housing": 12, "gas": 12, "flood": 6,
	"straw_burning": 20, "rubbish": 60, "sewage": 25, "illegal_building": 25,
	"road": 35, "water_main": 25, "street_light": 45, "heating": 15, "power": 20,
	"suspicious": 20, "vice": 5, "cult": 2,
	"assistance": 40, "elderly_care": 30, "jobs": 20, "insurance": 30,
	"petition": 30,
}

var historyGroupWeights = map[string]float64{"dispute": 20, "safety": 10, "environment": 15,
	"facility": 15, "order": 5, "livelihood": 15, "petition": 10}

func historyWeight(c dispatch.Category) float64 {
	if w, ok := historyCategoryWeights[c.Code]; ok {
		return w
	}
	if w, ok := historyGroupWeights[c.Group]; ok {
		return w
	}
	return 10
}

// monthly are multipliers by month (January first) for categories with a season.
var historyMonthly = map[string][12]float64{
	// Wheat is harvested in June and maize in late September and October: the stubble burns.
	"straw_burning": {0.15, 0.15, 0.2, 0.3, 1.0, 4.0, 0.4, 0.3, 1.5, 3.5, 1.0, 0.15},
	// The flood season (汛期) is June to September, worst in July and August.
	"flood": {0.2, 0.2, 0.25, 0.3, 0.5, 1.5, 3.5, 3.5, 1.5, 0.4, 0.2, 0.2},
	// Heating runs from mid-November to mid-March.
	"heating":    {2.6, 2.0, 1.0, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.5, 2.0, 2.6},
	"gas":        {1.6, 1.6, 1.1, 0.7, 0.6, 0.6, 0.6, 0.6, 0.7, 0.9, 1.5, 1.6},
	"water_main": {1.8, 1.4, 0.9, 0.7, 0.7, 0.9, 1.2, 1.1, 0.8, 0.7, 0.9, 1.6},
	"power":      {1.3, 1.1, 0.8, 0.7, 0.8, 1.1, 1.6, 1.6, 1.0, 0.7, 0.8, 1.2},
	// Dry winters and spring, and fireworks at the Spring Festival.
	"fire":     {1.5, 1.6, 1.4, 1.3, 0.9, 0.7, 0.7, 0.7, 0.8, 0.9, 1.0, 1.2},
	"rubbish":  {0.8, 0.9, 0.9, 1.0, 1.1, 1.3, 1.4, 1.4, 1.2, 1.0, 0.9, 0.8},
	"sewage":   {0.7, 0.7, 0.8, 0.9, 1.1, 1.3, 1.5, 1.5, 1.2, 0.9, 0.8, 0.7},
	"road":     {0.9, 0.9, 1.3, 1.1, 0.9, 1.0, 1.5, 1.5, 1.0, 0.8, 0.8, 0.9},
	"jobs":     {1.0, 1.8, 1.8, 1.1, 0.9, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0},
	"petition": {1.0, 1.0, 1.5, 1.0, 1.0, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.0}, // the two sessions (两会) in March
	// Spring is irrigation and building time.
	"forest_water":     {0.6, 0.6, 1.3, 1.8, 1.8, 1.2, 1.3, 1.0, 0.8, 0.7, 0.6, 0.5},
	"homestead_land":   {0.8, 0.8, 1.3, 1.3, 1.2, 1.0, 0.9, 0.9, 1.0, 1.0, 1.0, 0.8},
	"illegal_building": {0.6, 0.6, 1.2, 1.3, 1.3, 1.2, 1.1, 1.0, 1.1, 1.1, 0.9, 0.6},
	"land_requisition": {0.7, 0.7, 1.3, 1.3, 1.3, 1.3, 1.0, 1.0, 1.0, 1.0, 0.8, 0.6},
	"elderly_care":     {1.3, 1.1, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 0.9, 0.9, 1.0, 1.3},
	"assistance":       {1.3, 1.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 1.3},
}

// springFestivals are the dates of the lunar new year (春节).
var springFestivals = map[int][2]int{
	2018: {2, 16}, 2019: {2, 5}, 2020: {1, 25}, 2021: {2, 12}, 2022: {2, 1}, 2023: {1, 22},
	2024: {2, 10}, 2025: {1, 29}, 2026: {2, 17}, 2027: {2, 6}, 2028: {1, 26}, 2029: {2, 13},
	2030: {2, 3}, 2031: {1, 23}, 2032: {2, 11}, 2033: {1, 31}, 2034: {2, 19}, 2035: {2, 8},
}

// daysFromSpringFestival is how many days date lies after the nearest Spring Festival (negative
// before it). Years outside the table take 1 February.
func daysFromSpringFestival(date time.Time) int {
	best := math.MaxInt
	for y := date.Year() - 1; y <= date.Year()+1; y++ {
		md, ok := springFestivals[y]
		if !ok {
			md = [2]int{2, 1}
		}
		sf := time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, local)
		d := int(math.Round(date.Sub(sf).Hours() / 24))
		if math.Abs(float64(d)) < math.Abs(float64(best)) {
			best = d
		}
	}
	return best
}

// seasonFactor multiplies a category's weight on a local date. Around the Spring Festival
// migrant workers come home: family and neighbour disputes rise, wage claims peak in the weeks
// before it (年关讨薪), and during the holiday week other reports fall away.
func seasonFactor(c dispatch.Category, date time.Time, sf int) float64 {
	f := 1.0
	if m, ok := historyMonthly[c.Code]; ok {
		f = m[date.Month()-1]
	}
	switch {
	case c.Code == "labour_wages" && sf >= -45 && sf <= 0:
		f *= 3
	case (c.Code == "marriage_family" || c.Code == "neighbour") && sf >= -20 && sf <= 15:
		f *= 2
	case c.Code == "homestead_land" && sf >= -20 && sf <= 15:
		f *= 1.5
	case (c.Group == "order" || c.Code == "petition") && sf >= -15 && sf <= 15:
		f *= 1.3
	case c.Group != "dispute" && sf >= -1 && sf <= 6:
		f *= 0.6
	}
	return f
}

// weekdayFactor: Mondays gather what the weekend left, Sundays are quiet.
var weekdayFactor = [7]float64{time.Sunday: 0.55, time.Monday: 1.15, time.Tuesday: 1.05,
	time.Wednesday: 1.0, time.Thursday: 1.0, time.Friday: 0.95, time.Saturday: 0.7}

// hourWeights is when grid workers report, by local hour: patrols in the morning and afternoon.
var hourWeights = [24]float64{0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.6, 3.0,
	1.5, 1.3, 2.6, 3.2, 3.2, 2.8, 1.8, 1.2, 1.0, 0.8, 0.5, 0.3}

// trendFactor grows use of the platform over the period: from 0.75 on its first day to 1.15 on
// its last.
func trendFactor(day, days int) float64 {
	if days <= 1 {
		return 1
	}
	return 0.75 + 0.4*float64(day)/float64(days-1)
}

// elapsedShare is the share of a day's reports made before local time-of-day tod.
func elapsedShare(tod time.Duration) float64 {
	var total, before float64
	for h, w := range hourWeights {
		total += w
		start := time.Duration(h) * time.Hour
		switch {
		case tod >= start+time.Hour:
			before += w
		case tod > start:
			before += w * float64(tod-start) / float64(time.Hour)
		}
	}
	return before / total
}
