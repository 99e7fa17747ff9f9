package dispatch

import (
	"fmt"
	"sort"
	"time"
)

// Rankings of points (积分排名, docs/points-market.md): what grid workers earned in a month, a
// quarter or a year, per worker or summed per grid, village or township, with ties ranked
// equal (1, 1, 3). Earned is what the case and manual rules gave, less their counter-entries;
// what was spent in the supermarket, and its cancellations, is not earning. Rows are booked at
// the worker's grid (point_ledger.unit_code), so a unit's points are its grids' whatever the
// workers hold now; a unit's workers, for points per worker, are its grid workers now.

// PointsRankLevel is what a ranking ranks.
type PointsRankLevel string

const (
	PointsRankWorker   PointsRankLevel = "worker"
	PointsRankGrid     PointsRankLevel = "grid"
	PointsRankVillage  PointsRankLevel = "village"
	PointsRankTownship PointsRankLevel = "township"
)

// codeLength is the length of the level's unit codes; 0 for workers.
func (l PointsRankLevel) codeLength() int {
	switch l {
	case PointsRankGrid:
		return 15
	case PointsRankVillage:
		return 12
	case PointsRankTownship:
		return 9
	}
	return 0
}

// Valid reports whether l is one of the levels.
func (l PointsRankLevel) Valid() bool { return l == PointsRankWorker || l.codeLength() > 0 }

// PointsPeriod is a month, a quarter or a year of booked months: [From, To).
type PointsPeriod struct {
	Kind     string // "month", "quarter" or "year"
	From, To time.Time
}

// NewPointsPeriod is the month, quarter or year holding month (any day of it).
func NewPointsPeriod(kind string, month time.Time) (PointsPeriod, error) {
	y, m := month.Year(), month.Month()
	p := PointsPeriod{Kind: kind}
	switch kind {
	case "month":
		p.From = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		p.To = p.From.AddDate(0, 1, 0)
	case "quarter":
		p.From = time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
		p.To = p.From.AddDate(0, 3, 0)
	case "year":
		p.From = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		p.To = p.From.AddDate(1, 0, 0)
	default:
		return PointsPeriod{}, fmt.Errorf("%w: period: month, quarter or year", ErrBadRanking)
	}
	if y < 2000 || y > 2100 {
		return PointsPeriod{}, fmt.Errorf("%w: month: a year from 2000 to 2100", ErrBadRanking)
	}
	return p, nil
}

// Label names the period as the dashboard and the sheets do: 2026-12, 2026-Q4, 2026.
func (p PointsPeriod) Label() string {
	switch p.Kind {
	case "quarter":
		return fmt.Sprintf("%d-Q%d", p.From.Year(), (int(p.From.Month())-1)/3+1)
	case "year":
		return fmt.Sprintf("%d", p.From.Year())
	}
	return p.From.Format("2006-01")
}

// PointsRankQuery asks for a ranking below Unit (the whole subtree: a county, township, village or
// grid), of Level, over Period; PerCapita ranks units by points per worker.
type PointsRankQuery struct {
	Unit      string
	Level     PointsRankLevel
	Period    PointsPeriod
	PerCapita bool
}

// Check refuses a ranking that cannot be made.
func (q PointsRankQuery) Check() error {
	if !q.Level.Valid() {
		return fmt.Errorf("%w: level: worker, grid, village or township", ErrBadRanking)
	}
	if n := q.Level.codeLength(); n > 0 && n <= len(q.Unit) {
		return fmt.Errorf("%w: level: below the unit (a %d-digit unit has no %ss below it)", ErrBadRanking, len(q.Unit), q.Level)
	}
	if q.PerCapita && q.Level == PointsRankWorker {
		return fmt.Errorf("%w: per_capita: units only", ErrBadRanking)
	}
	return nil
}

// PointsRankRow is one line of a ranking. For a worker, MemberID and their grid (Code, Name the
// worker's name); for a unit, its code and name and its workers.
type PointsRankRow struct {
	Rank      int      `json:"rank"`
	Code      string   `json:"code"` // the unit's; the worker's grid
	Name      string   `json:"name"` // the unit's; the worker's
	MemberID  int64    `json:"member_id,omitempty"`
	GridName  string   `json:"grid_name,omitempty"`
	Points    int64    `json:"points"`
	Workers   int      `json:"workers"`
	PerCapita *float64 `json:"per_capita"` // points per worker; nil without workers
}

// rankPointsRows sorts rows best first and ranks them, ties equal: by points, or by points per
// worker (those without workers last, unranked by it: they share the last rank).
func rankPointsRows(rows []PointsRankRow, perCapita bool) {
	key := func(r PointsRankRow) (bool, float64) {
		if perCapita {
			if r.PerCapita == nil {
				return false, 0
			}
			return true, *r.PerCapita
		}
		return true, float64(r.Points)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		hi, vi := key(rows[i])
		hj, vj := key(rows[j])
		if hi != hj {
			return hi
		}
		if vi != vj {
			return vi > vj
		}
		if rows[i].Code != rows[j].Code {
			return rows[i].Code < rows[j].Code
		}
		return rows[i].MemberID < rows[j].MemberID
	})
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 {
			hp, vp := key(rows[i-1])
			h, v := key(rows[i])
			if hp == h && vp == v {
				rows[i].Rank = rows[i-1].Rank
			}
		}
	}
}
