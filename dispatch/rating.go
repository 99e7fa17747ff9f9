package dispatch

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Unit ratings, 五面红旗 / 五星支部 (docs/ratings.md). A scheme rates villages once per period
// with up to five marks (a red flag or a star each); a mark is earned when its passing
// indicators' weights reach its pass score, reviewed, shown in public (公示) and awarded by a
// recorded decision, and lost again (摘旗) by another when the village slips.

// Rating metrics: the figures of docs/metrics.md an indicator may be computed from.
const (
	MetricClosureRate      = "closure_rate"
	MetricOnTimeRate       = "on_time_rate"
	MetricSatisfactionRate = "satisfaction_rate"
	MetricSettledLowRate   = "settled_low_rate"
	MetricOverdue          = "overdue"
)

// RatingMetrics lists them, in the order the docs give them.
var RatingMetrics = []string{MetricClosureRate, MetricOnTimeRate, MetricSatisfactionRate, MetricSettledLowRate, MetricOverdue}

// Bounds of a scheme.
const (
	MaxRatingMarks      = 5
	MaxRatingIndicators = 250 // Yuncheng's scheme has 193
	MaxRatingNoticeDays = 30
	MaxRatingReason     = 500
	MaxRatingEntries    = MaxRatingIndicators
	MaxRatingPhotos     = 6
	maxRatingThreshold  = 1e9
	ratingVillageLevel  = 3
	maxRatingWeight     = 100
)

// RatingScheme is a scheme with its marks and their indicators.
type RatingScheme struct {
	ID         int64        `json:"-"`
	Code       string       `json:"code"`
	Name       string       `json:"name"`
	Kind       string       `json:"kind"`   // flag or star
	Period     string       `json:"period"` // quarter, half or year
	Level      int          `json:"level"`  // 3: villages and communities
	NoticeDays int          `json:"notice_days"`
	AwardLevel int          `json:"award_level"` // 1 the county awards, 2 the township
	Marks      []RatingMark `json:"marks"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

// RatingMark is one flag or star.
type RatingMark struct {
	Mark       int          `json:"mark"`
	Name       string       `json:"name"`
	PassScore  int          `json:"pass_score"`
	Indicators []RatingItem `json:"indicators"`
}

// RatingItem is an indicator.
type RatingItem struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	Source    string  `json:"source"` // computed or entered
	Metric    string  `json:"metric,omitempty"`
	UnitWord  string  `json:"unit_word"`
	Direction string  `json:"direction"` // at_least or at_most
	Threshold float64 `json:"threshold"`
	Weight    int     `json:"weight"`
}

// Check validates a scheme as an administrator sends it.
func (s *RatingScheme) Check() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadRatingScheme, fmt.Sprintf(format, a...))
	}
	switch {
	case !codeLike(s.Code, 2, 40):
		return bad("code: 2 to 40 lower-case letters, digits or _, beginning with a letter")
	case len([]rune(s.Name)) < 1 || len([]rune(s.Name)) > 60:
		return bad("name: 1 to 60 characters")
	case s.Kind != "flag" && s.Kind != "star":
		return bad(`kind: "flag" or "star"`)
	case s.Period != "quarter" && s.Period != "half" && s.Period != "year":
		return bad(`period: "quarter", "half" or "year"`)
	case s.NoticeDays < 0 || s.NoticeDays > MaxRatingNoticeDays:
		return bad("notice_days: 0 to %d", MaxRatingNoticeDays)
	case s.AwardLevel != 1 && s.AwardLevel != 2:
		return bad("award_level: 1 (the county awards) or 2 (the township)")
	case len(s.Marks) < 1 || len(s.Marks) > MaxRatingMarks:
		return bad("marks: 1 to %d", MaxRatingMarks)
	}
	s.Level = ratingVillageLevel
	codes := map[string]bool{}
	n := 0
	for i, m := range s.Marks {
		if m.Mark != i+1 {
			return bad("marks are numbered 1, 2, ... in order")
		}
		if len([]rune(m.Name)) < 1 || len([]rune(m.Name)) > 40 || m.PassScore < 1 || m.PassScore > 100 {
			return bad("mark %d: a name of 1 to 40 characters and a pass_score of 1 to 100", m.Mark)
		}
		if len(m.Indicators) == 0 {
			return bad("mark %d has no indicators", m.Mark)
		}
		for _, it := range m.Indicators {
			n++
			if err := it.check(); err != nil {
				return bad("mark %d, indicator %q: %v", m.Mark, it.Code, err)
			}
			if codes[it.Code] {
				return bad("indicator code %q twice", it.Code)
			}
			codes[it.Code] = true
		}
	}
	if n > MaxRatingIndicators {
		return bad("at most %d indicators", MaxRatingIndicators)
	}
	return nil
}

func (it RatingItem) check() error {
	switch {
	case !codeLike(it.Code, 1, 40):
		return errors.New("code: 1 to 40 lower-case letters, digits or _")
	case len([]rune(it.Name)) < 1 || len([]rune(it.Name)) > 80:
		return errors.New("name: 1 to 80 characters")
	case it.Source == "entered" && it.Metric != "":
		return errors.New("an entered indicator has no metric")
	case it.Source == "computed" && !isRatingMetric(it.Metric):
		return fmt.Errorf("metric: one of %v", RatingMetrics)
	case it.Source != "entered" && it.Source != "computed":
		return errors.New(`source: "computed" or "entered"`)
	case len([]rune(it.UnitWord)) > 8:
		return errors.New("unit_word: at most 8 characters")
	case it.Direction != "at_least" && it.Direction != "at_most":
		return errors.New(`direction: "at_least" or "at_most"`)
	case math.IsNaN(it.Threshold) || math.Abs(it.Threshold) > maxRatingThreshold:
		return errors.New("threshold: a number")
	case it.Weight < 1 || it.Weight > maxRatingWeight:
		return errors.New("weight: 1 to 100")
	}
	return nil
}

func isRatingMetric(m string) bool {
	for _, x := range RatingMetrics {
		if x == m {
			return true
		}
	}
	return false
}

func codeLike(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// RatingPeriod is the period of a scheme that holds day (a date at midnight UTC, like the
// figures' dates): its first and last days.
func RatingPeriod(kind string, day time.Time) (from, to time.Time) {
	months := map[string]int{"quarter": 3, "half": 6, "year": 12}[kind]
	if months == 0 {
		months = 12
	}
	m := (int(day.Month()) - 1) / months * months
	from = time.Date(day.Year(), time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, months, -1)
}

// metricValue is an indicator's computed value from the village's figures (docs/metrics.md):
// a rate in percent rounded half up to 0.01 in whole numbers, as PostgreSQL's round(numeric, 2)
// does it, so the reference SQL gives the same; nil when its denominator is 0.
func metricValue(metric string, f Figures) *float64 {
	pct := func(num, den int64) *float64 {
		if den == 0 {
			return nil
		}
		v := float64((20000*num+den)/(2*den)) / 100
		return &v
	}
	switch metric {
	case MetricClosureRate:
		return pct(f.Closed, f.Received)
	case MetricOnTimeRate:
		return pct(f.OnTime, f.Closed)
	case MetricSatisfactionRate:
		return pct(f.Satisfied, f.CallbacksReached)
	case MetricSettledLowRate:
		return pct(f.SettledLow, f.Closed)
	case MetricOverdue:
		v := float64(f.Overdue)
		return &v
	}
	return nil
}

// passes says whether a value meets an indicator's threshold.
func (it RatingItem) passes(v float64) bool {
	if it.Direction == "at_most" {
		return v <= it.Threshold
	}
	return v >= it.Threshold
}

// markScore is a mark's score: 100 × the weights of its passing indicators over the weights of
// its assessed ones. A computed rate without cases (nil) is not assessed; an entered indicator
// without an entry is assessed and fails. nil when nothing is assessed.
func markScore(items []SheetItem) *float64 {
	var pass, all int
	for _, it := range items {
		if it.Value == nil && it.Source == "computed" {
			continue
		}
		all += it.Weight
		if it.Pass {
			pass += it.Weight
		}
	}
	if all == 0 {
		return nil
	}
	v := math.Round(float64(pass)*10000/float64(all)) / 100
	return &v
}
