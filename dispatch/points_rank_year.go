package dispatch

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// The yearly summary (年度汇总, docs/points-market.md): per grid worker below a unit, what the
// year's rows booked there earned per rule category, lost (penalties), and spent in the
// supermarket, each net of its counter-entries, and the worker's balance at the year's end
// (every row booked up to December, wherever). The unit's totals are the sums of its rows.

// PointsYearRow is one worker's year, or the totals (MemberID 0).
type PointsYearRow struct {
	MemberID int64            `json:"member_id"`
	Name     string           `json:"name"`
	Grid     string           `json:"grid"`
	GridName string           `json:"grid_name"`
	Earned   map[string]int64 `json:"earned"` // by rule category
	Total    int64            `json:"earned_total"`
	Lost     int64            `json:"lost"`    // penalties, as a positive number
	Spent    int64            `json:"spent"`   // redeemed, as a positive number
	Balance  int64            `json:"balance"` // at the year's end
}

// PointsYear is a unit's year: its workers by name, the rule categories that occur, and the
// totals.
type PointsYear struct {
	Unit       string          `json:"unit"`
	Year       int             `json:"year"`
	Categories []string        `json:"categories"`
	Rows       []PointsYearRow `json:"rows"`
	Totals     PointsYearRow   `json:"totals"`
}

// yearRows: each row of the year below the unit with the kind, sign and rule category of the
// row it stands for (itself, or the row a counter-entry cancels), summed per member.
const yearRows = `
SELECT l.member_id, coalesce(o.kind, l.kind) AS kind, coalesce(o.points, l.points) > 0 AS gain,
       coalesce(r.category, '') AS category, sum(l.points)::bigint AS points
FROM point_ledger l LEFT JOIN point_ledger o ON o.id = l.reverses
LEFT JOIN point_rules r ON r.id = coalesce(o.rule_id, l.rule_id)
WHERE l.month >= $1 AND l.month < $2 AND l.unit_code LIKE $3
GROUP BY 1, 2, 3, 4`

// Year sums the year below unit.
func (f *PointsFigures) Year(ctx context.Context, unit string, year int) (PointsYear, error) {
	if year < 2000 || year > 2100 {
		return PointsYear{}, fmt.Errorf("%w: year: 2000 to 2100", ErrBadRanking)
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	out := PointsYear{Unit: unit, Year: year, Totals: PointsYearRow{Earned: map[string]int64{}}}
	byMember := map[int64]*PointsYearRow{}
	row := func(id int64) *PointsYearRow {
		r, ok := byMember[id]
		if !ok {
			r = &PointsYearRow{MemberID: id, Earned: map[string]int64{}}
			byMember[id] = r
		}
		return r
	}
	rows, err := f.pool.Query(ctx, yearRows, from, to, unit+"%")
	if err != nil {
		return PointsYear{}, rankReadError(err)
	}
	var member, points int64
	var kind, category string
	var gain bool
	categories := map[string]bool{}
	_, err = pgx.ForEachRow(rows, []any{&member, &kind, &gain, &category, &points}, func() error {
		r := row(member)
		switch {
		case kind == "redemption":
			r.Spent -= points
		case !gain:
			r.Lost -= points
		default:
			r.Earned[category] += points
			r.Total += points
			categories[category] = true
		}
		return nil
	})
	if err != nil {
		return PointsYear{}, rankReadError(err)
	}
	grids := map[int64]string{}
	wrows, err := f.pool.Query(ctx, rankCurrentWorkers, unit+"%")
	if err != nil {
		return PointsYear{}, rankReadError(err)
	}
	var grid string
	if _, err := pgx.ForEachRow(wrows, []any{&member, &grid}, func() error {
		row(member)
		if _, ok := grids[member]; !ok {
			grids[member] = grid
		}
		return nil
	}); err != nil {
		return PointsYear{}, rankReadError(err)
	}
	if err := f.yearEnd(ctx, unit, from, to, byMember, grids); err != nil {
		return PointsYear{}, err
	}
	for c := range categories {
		out.Categories = append(out.Categories, c)
	}
	sort.Strings(out.Categories)
	for _, r := range byMember {
		out.Rows = append(out.Rows, *r)
		for c, p := range r.Earned {
			out.Totals.Earned[c] += p
		}
		out.Totals.Total += r.Total
		out.Totals.Lost += r.Lost
		out.Totals.Spent += r.Spent
		out.Totals.Balance += r.Balance
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Grid != b.Grid {
			return a.Grid < b.Grid
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.MemberID < b.MemberID
	})
	return out, nil
}

// yearEnd fills in names, grids (the current one below the unit, else the first the year's
// rows were booked at) and balances at the year's end.
func (f *PointsFigures) yearEnd(ctx context.Context, unit string, from, to time.Time, byMember map[int64]*PointsYearRow, grids map[int64]string) error {
	ids := make([]int64, 0, len(byMember))
	for id := range byMember {
		ids = append(ids, id)
	}
	rows, err := f.pool.Query(ctx, `
SELECT m.id, m.name,
       coalesce((SELECT sum(points) FROM point_ledger l WHERE l.member_id = m.id AND l.month < $2), 0)::bigint,
       coalesce((SELECT min(unit_code) FROM point_ledger l WHERE l.member_id = m.id AND l.month >= $3 AND l.month < $2
                 AND l.unit_code LIKE $4), '')
FROM members m WHERE m.id = ANY($1)`, ids, to, from, unit+"%")
	if err != nil {
		return rankReadError(err)
	}
	var id, balance int64
	var name, first string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name, &balance, &first}, func() error {
		r := byMember[id]
		r.Name, r.Balance, r.Grid = name, balance, first
		if g, ok := grids[id]; ok {
			r.Grid = g
		}
		return nil
	}); err != nil {
		return rankReadError(err)
	}
	codes := make([]string, 0, len(byMember))
	for _, r := range byMember {
		codes = append(codes, r.Grid)
	}
	names, err := f.names(ctx, `SELECT code, name FROM units WHERE code = ANY($1)`, codes)
	if err != nil {
		return err
	}
	for _, r := range byMember {
		r.GridName = names[r.Grid]
	}
	return nil
}
