package dispatch

import "time"

// RatingSheet is a village's indicator sheet for one period of a scheme: every indicator with
// its value, threshold and source, each mark's score, and what the village holds now.
type RatingSheet struct {
	Scheme     string            `json:"scheme"`
	Kind       string            `json:"kind"`
	Unit       string            `json:"unit"`
	UnitName   string            `json:"unit_name"`
	From       time.Time         `json:"-"`
	To         time.Time         `json:"-"`
	Assessment *RatingAssessment `json:"assessment"` // nil: the village has not begun this period's
	Marks      []SheetMark       `json:"marks"`
	Held       int               `json:"held"`
	Decisions  []RatingDecision  `json:"decisions"`
}

// RatingAssessment is the state of a village's assessment for a period.
type RatingAssessment struct {
	ID         int64      `json:"id"`
	State      string     `json:"state"` // draft, submitted, returned, notice or awarded
	NoticeEnds *time.Time `json:"notice_ends"`
}

// SheetMark is a mark of the sheet.
type SheetMark struct {
	Mark      int         `json:"mark"`
	Name      string      `json:"name"`
	PassScore int         `json:"pass_score"`
	Score     *float64    `json:"score"` // nil: nothing assessed
	Pass      bool        `json:"pass"`
	Held      bool        `json:"held"`
	Removed   bool        `json:"removed"` // awarded once, taken away (摘旗) and not restored
	Warned    bool        `json:"warned"`  // 预警: held, but its indicators fall below the pass score
	Items     []SheetItem `json:"items"`
}

// SheetItem is an indicator of the sheet: a computed value, or the village's entry.
type SheetItem struct {
	RatingItem
	Value     *float64   `json:"value"`
	Pass      bool       `json:"pass"`
	Note      string     `json:"note,omitempty"`
	Photos    []string   `json:"photos,omitempty"`
	EnteredBy string     `json:"entered_by,omitempty"`
	EnteredAt *time.Time `json:"entered_at,omitempty"`
}

// RatingEntry is an entered indicator's value with its evidence.
type RatingEntry struct {
	Code      string    `json:"code"`
	Value     float64   `json:"value"`
	Note      string    `json:"note"`
	Photos    []string  `json:"photos"`
	EnteredBy string    `json:"-"`
	EnteredAt time.Time `json:"-"`
}

// RatingDecision is a recorded step of the process.
type RatingDecision struct {
	ID        int64     `json:"id"`
	Action    string    `json:"action"`
	Mark      *int      `json:"mark"`
	FromState *string   `json:"from_state"`
	ToState   *string   `json:"to_state"`
	Reason    string    `json:"reason"`
	Actor     string    `json:"actor"`
	At        time.Time `json:"at"`
}

// holding is a mark's row in rating_holdings.
type holding struct{ held bool }

// buildMarks fills the scheme's marks from the village's figures, entries and holdings.
func buildMarks(s *RatingScheme, f Figures, entries map[string]RatingEntry, holds map[int]holding) []SheetMark {
	out := make([]SheetMark, 0, len(s.Marks))
	for _, m := range s.Marks {
		sm := SheetMark{Mark: m.Mark, Name: m.Name, PassScore: m.PassScore}
		for _, it := range m.Indicators {
			si := SheetItem{RatingItem: it}
			if it.Source == "computed" {
				si.Value = metricValue(it.Metric, f)
			} else if e, ok := entries[it.Code]; ok {
				v := e.Value
				si.Value, si.Note, si.Photos, si.EnteredBy = &v, e.Note, e.Photos, e.EnteredBy
				at := e.EnteredAt
				si.EnteredAt = &at
			}
			si.Pass = si.Value != nil && it.passes(*si.Value)
			sm.Items = append(sm.Items, si)
		}
		sm.Score = markScore(sm.Items)
		sm.Pass = sm.Score != nil && *sm.Score >= float64(m.PassScore)
		h, ok := holds[m.Mark]
		sm.Held = ok && h.held
		sm.Removed = ok && !h.held
		sm.Warned = sm.Held && !sm.Pass
		out = append(out, sm)
	}
	return out
}
