package web

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// The weekly bulletin (一周一通报, docs/dashboard.md item 11): one Monday-to-Sunday week of a
// unit, as a document with an issuing office, a number and a date, a summary paragraph written
// from the figures, and tables. It is built here once; the dashboard shows its JSON, and the
// route and `griddispatch stats bulletin` write it as a PDF (bulletin_pdf.go).

// BulletinUnits names units and lists their children; grid.Store is one.
type BulletinUnits interface {
	Refs(ctx context.Context, codes []string) (map[string]grid.UnitRef, error)
	ChildrenDuring(ctx context.Context, code string, from, to time.Time) ([]grid.ChildUnit, error)
}

// BulletinCategories names the categories; dispatch.Intake is one.
type BulletinCategories interface {
	Categories(ctx context.Context) ([]dispatch.Category, error)
}

// BulletinSource is what bulletins are built from.
type BulletinSource struct {
	Stats      Stats
	Units      BulletinUnits
	Categories BulletinCategories
	Figures    FiguresOptions // RankingMinCases: the fewest received cases for a unit to be ranked

	// PointsFigures writes the points section (bulletin_points.go); nil: none.
	PointsFigures *dispatch.PointsFigures
	// Ratings lists the week's flags and stars (bulletin_rating.go); nil: none.
	Ratings BulletinRatings
}

// Bulletin is one week's bulletin of a unit (docs/stats-api.md).
type Bulletin struct {
	Unit     statsUnitJSON `json:"unit"`
	Lang     string        `json:"lang"`
	Office   string        `json:"office"` // the issuing office, from the unit's name
	Title    string        `json:"title"`
	Year     int           `json:"year"`   // the ISO year of the week
	Issue    int           `json:"issue"`  // the ISO week number: one bulletin a week
	Number   string        `json:"number"` // "2026年第49期", "No. 49, 2026"
	Date     string        `json:"date"`   // of issue: the Monday after the week, or today for this week
	DateText string        `json:"date_text"`
	From     string        `json:"from"`
	To       string        `json:"to"`
	Period   string        `json:"period"` // the week in words: "2026年11月30日至12月6日"
	Before   bulletinWeek  `json:"before"` // the week the figures are compared with

	Figures []bulletinFigure `json:"figures"`
	Summary string           `json:"summary"`

	RankingMinCases int            `json:"ranking_min_cases"`
	Ranked          int            `json:"ranked"`   // children with enough cases to be ranked
	Unranked        int            `json:"unranked"` // children with cases, but fewer than the minimum
	RankingNote     string         `json:"ranking_note"`
	Best            []bulletinUnit `json:"best"`  // 前五: the highest closure rates, best first
	Worst           []bulletinUnit `json:"worst"` // 后五: the lowest, worst first, none of the best
	MostOverdue     []bulletinUnit `json:"most_overdue"`
	Categories      []bulletinRow  `json:"categories"`

	Points  *bulletinPoints         `json:"points,omitempty"` // 积分 (bulletin_points.go)
	Ratings []dispatch.RatingChange `json:"ratings"`          // flags and stars awarded, removed, restored (bulletin_rating.go)

	level        grid.Level
	overdueUnits int // children with overdue cases
	week         dispatch.Figures
	prev         dispatch.Figures
}

type bulletinWeek struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// bulletinFigure is a headline figure with the week before's and the change: for a rate, in
// percentage points to one decimal, as the rates are shown; nil when either week has none.
type bulletinFigure struct {
	Key    string   `json:"key"`
	Rate   bool     `json:"rate"`
	Good   int      `json:"good"` // which way is better: 1 up, -1 down, 0 neither
	Value  *float64 `json:"value"`
	Before *float64 `json:"before"`
	Change *float64 `json:"change"`
}

// bulletinRow is a unit's or a category's figures in a table.
type bulletinRow struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Received    int64    `json:"received"`
	Closed      int64    `json:"closed"`
	ClosureRate *float64 `json:"closure_rate"`
	Open        int64    `json:"open"`
	Overdue     int64    `json:"overdue"`
}

// bulletinUnit is a unit's row with its place among the ranked units (0: not ranked).
type bulletinUnit struct {
	bulletinRow
	Rank int `json:"rank"`
}

// bulletinHeadlines are the headline figures, in order.
var bulletinHeadlines = []struct {
	key  string
	rate bool
	good int
	of   func(f dispatch.Figures) *float64
}{
	{"received", false, 0, func(f dispatch.Figures) *float64 { return count(f.Received) }},
	{"closed", false, 0, func(f dispatch.Figures) *float64 { return count(f.Closed) }},
	{"closure_rate", true, 1, func(f dispatch.Figures) *float64 { return f.ClosureRate }},
	{"on_time_rate", true, 1, func(f dispatch.Figures) *float64 { return f.OnTimeRate }},
	{"mediation_success_rate", true, 1, func(f dispatch.Figures) *float64 { return f.MediationSuccessRate }},
	{"settled_low_rate", true, 1, func(f dispatch.Figures) *float64 { return f.SettledLowRate }},
	{"overdue", false, -1, func(f dispatch.Figures) *float64 { return count(f.Overdue) }},
	{"open", false, -1, func(f dispatch.Figures) *float64 { return count(f.Open) }},
	// 回访 (bulletin_callback.go)
	{"callback_rate", true, 1, func(f dispatch.Figures) *float64 { return f.CallbackRate }},
	{"satisfaction_rate", true, 1, func(f dispatch.Figures) *float64 { return f.SatisfactionRate }},
}

func count(n int64) *float64 {
	v := float64(n)
	return &v
}

// pointsChange is the change of a rate as shown, to one decimal of a percent: 95.1 % after
// 93.9 % is 1.2 points exactly, whatever the digits beyond.
func pointsChange(cur, prev *float64) *float64 {
	if cur == nil || prev == nil {
		return nil
	}
	d := (math.Round(*cur*1000) - math.Round(*prev*1000)) / 10
	return &d
}

// BulletinWeekOf is the Monday of the ISO week holding day.
func BulletinWeekOf(day time.Time) time.Time {
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// Build writes the bulletin of unit for the week holding day, in lang (zh or en); today is
// the county's date, to date a bulletin of a week not yet over.
func (src BulletinSource) Build(ctx context.Context, unit string, day time.Time, lang string, today time.Time) (*Bulletin, error) {
	if lang != "en" {
		lang = "zh"
	}
	from := BulletinWeekOf(day)
	to := from.AddDate(0, 0, 6)
	refs, err := src.Units.Refs(ctx, []string{unit})
	if err != nil {
		return nil, err
	}
	ref, ok := refs[unit]
	if !ok {
		return nil, fmt.Errorf("%w: no unit %s", ErrNotFound, unit)
	}
	b := newBulletin(ref, from, today, lang, src.Figures.RankingMinCases)
	week := dispatch.StatsFilter{Unit: unit, From: from, To: to}
	prev := dispatch.StatsFilter{Unit: unit, From: from.AddDate(0, 0, -7), To: to.AddDate(0, 0, -7)}
	cur, err := src.Stats.Summary(ctx, week)
	if err != nil {
		return nil, err
	}
	before, err := src.Stats.Summary(ctx, prev)
	if err != nil {
		return nil, err
	}
	b.setFigures(cur.Figures(), before.Figures())
	units, err := src.units(ctx, week, b.level, ref, lang)
	if err != nil {
		return nil, err
	}
	if b.level < grid.Grid { // a grid has no units below it to rank, only itself
		b.rank(units)
	} else {
		b.rank(nil)
		b.MostOverdue = b.overdueOf(units)
	}
	if b.Categories, err = src.categories(ctx, week, lang); err != nil {
		return nil, err
	}
	if src.PointsFigures != nil {
		if b.Points, err = src.pointsSection(ctx, unit, to, lang); err != nil {
			return nil, err
		}
	}
	b.Ratings = []dispatch.RatingChange{}
	if src.Ratings != nil && b.level <= grid.Village {
		if b.Ratings, err = src.Ratings.Changes(ctx, unit, from, to); err != nil {
			return nil, err
		}
	}
	b.write()
	b.Summary += b.ratingSentence() // bulletin_rating.go: at the end, whatever the week's cases
	return b, nil
}

// newBulletin is the bulletin of unit for the week from (a Monday), without figures yet.
func newBulletin(ref grid.UnitRef, from, today time.Time, lang string, minCases int) *Bulletin {
	to := from.AddDate(0, 0, 6)
	level := grid.LevelOfCode(ref.Code)
	b := &Bulletin{Unit: statsUnitJSON{Code: ref.Code, Name: ref.Name, Level: int(level)}, Lang: lang,
		From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), level: level,
		Before:          bulletinWeek{from.AddDate(0, 0, -7).Format(time.DateOnly), to.AddDate(0, 0, -7).Format(time.DateOnly)},
		RankingMinCases: minCases}
	b.Year, b.Issue = from.ISOWeek()
	issued := to.AddDate(0, 0, 1)
	if issued.After(today) {
		issued = today
	}
	b.Date = issued.Format(time.DateOnly)
	return b
}

// setFigures sets the headline figures of the week and the week before.
func (b *Bulletin) setFigures(cur, prev dispatch.Figures) {
	b.week, b.prev = cur, prev
	for _, h := range bulletinHeadlines {
		f := bulletinFigure{Key: h.key, Rate: h.rate, Good: h.good, Value: h.of(cur), Before: h.of(prev)}
		if h.rate {
			f.Change = pointsChange(f.Value, f.Before)
		} else {
			f.Change = count(int64(*f.Value - *f.Before))
		}
		b.Figures = append(b.Figures, f)
	}
}

// units are the rows of the unit's children in the week (of the grid itself at a grid), every
// child listed, as GET /api/stats/units has them.
func (src BulletinSource) units(ctx context.Context, f dispatch.StatsFilter, level grid.Level, ref grid.UnitRef, lang string) ([]bulletinRow, error) {
	sums, err := src.Stats.Children(ctx, f)
	if err != nil {
		return nil, err
	}
	children := []grid.ChildUnit{{UnitRef: ref}}
	if level < grid.Grid {
		if children, err = src.Units.ChildrenDuring(ctx, f.Unit, f.From, f.To); err != nil {
			return nil, err
		}
	}
	byCode := map[string]dispatch.Counters{}
	for _, u := range sums {
		byCode[u.Code] = u.Counters
	}
	rows := make([]bulletinRow, 0, len(children))
	for _, ch := range children {
		c := byCode[ch.Code]
		if c == nil {
			c = dispatch.NewCounters()
		}
		name := ch.Name
		if ch.RetiredOn != "" {
			name += retiredMark(lang, ch.RetiredOn)
		}
		rows = append(rows, rowOf(ch.Code, name, c.Figures()))
	}
	return rows, nil
}

func rowOf(code, name string, f dispatch.Figures) bulletinRow {
	return bulletinRow{Code: code, Name: name, Received: f.Received, Closed: f.Closed, ClosureRate: f.ClosureRate,
		Open: f.Open, Overdue: f.Overdue}
}

// categories are the categories with cases in the week, the most received first.
func (src BulletinSource) categories(ctx context.Context, f dispatch.StatsFilter, lang string) ([]bulletinRow, error) {
	sums, err := src.Stats.Categories(ctx, f)
	if err != nil {
		return nil, err
	}
	cats, err := src.Categories.Categories(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, k := range cats {
		names[k.Code] = k.NameZH
		if lang == "en" && k.NameEN != "" {
			names[k.Code] = k.NameEN
		}
	}
	rows := make([]bulletinRow, 0, len(sums))
	for _, u := range sums {
		name := names[u.Code]
		if name == "" {
			name = u.Code
		}
		rows = append(rows, rowOf(u.Code, name, u.Counters.Figures()))
	}
	slices.SortStableFunc(rows, func(a, b bulletinRow) int {
		return cmp.Or(cmp.Compare(b.Received, a.Received), cmp.Compare(a.Code, b.Code))
	})
	return rows, nil
}

// rank picks the best and worst five among the children with at least RankingMinCases
// received cases (and a closure rate, so at least one), and the five with the most overdue
// cases. The worst five are never among the best: with fewer than ten ranked units, the
// better half are the best and the rest the worst.
func (b *Bulletin) rank(rows []bulletinRow) {
	var ranked []bulletinRow
	for _, r := range rows {
		switch {
		case r.ClosureRate != nil && r.Received >= int64(b.RankingMinCases):
			ranked = append(ranked, r)
		case r.Received > 0:
			b.Unranked++
		}
	}
	// As the dashboard's ranking (ranking.ts byRate): rate, then the most received, then code.
	slices.SortFunc(ranked, func(x, y bulletinRow) int {
		return cmp.Or(cmp.Compare(*y.ClosureRate, *x.ClosureRate), cmp.Compare(y.Received, x.Received), cmp.Compare(x.Code, y.Code))
	})
	n := len(ranked)
	b.Ranked = n
	worst := min(5, n/2)
	best := min(5, n-worst)
	b.Best, b.Worst = []bulletinUnit{}, []bulletinUnit{}
	for i := range best {
		b.Best = append(b.Best, bulletinUnit{ranked[i], i + 1})
	}
	for i := n - 1; i >= n-worst; i-- {
		b.Worst = append(b.Worst, bulletinUnit{ranked[i], i + 1})
	}
	b.MostOverdue = b.overdueOf(rows)
	for i, r := range b.MostOverdue {
		b.MostOverdue[i].Rank = slices.IndexFunc(ranked, func(x bulletinRow) bool { return x.Code == r.Code }) + 1
	}
}

// overdueOf are the five rows with the most overdue cases (then the most open), and counts the
// rows with any.
func (b *Bulletin) overdueOf(rows []bulletinRow) []bulletinUnit {
	over := slices.DeleteFunc(slices.Clone(rows), func(r bulletinRow) bool { return r.Overdue == 0 })
	slices.SortFunc(over, func(x, y bulletinRow) int {
		return cmp.Or(cmp.Compare(y.Overdue, x.Overdue), cmp.Compare(y.Open, x.Open), cmp.Compare(x.Code, y.Code))
	})
	b.overdueUnits = len(over)
	out := []bulletinUnit{}
	for _, r := range over[:min(5, len(over))] {
		out = append(out, bulletinUnit{bulletinRow: r})
	}
	return out
}
