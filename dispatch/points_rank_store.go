package dispatch

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PointsFigures reads the rankings and the yearly summary of points from the ledger
// (migration 027): one pass over the period's rows of a subtree (the index on month and unit),
// rolled up to the level here. docs/points-market.md has the reference SQL that
// TestPointsFiguresEqualReferenceSQL holds them to.
type PointsFigures struct{ pool *pgxpool.Pool }

// NewPointsFigures reads the ledger in pool.
func NewPointsFigures(pool *pgxpool.Pool) *PointsFigures { return &PointsFigures{pool: pool} }

// rankEarnedRows sums the rows a ranking counts, per member and grid: case and manual rows and
// the counter-entries of such rows, in the period's months, below the unit.
const rankEarnedRows = `
SELECT l.member_id, l.unit_code, sum(l.points)::bigint AS points
FROM point_ledger l LEFT JOIN point_ledger o ON o.id = l.reverses
WHERE l.month >= $1 AND l.month < $2 AND l.unit_code LIKE $3
  AND (l.kind IN ('case', 'manual') OR o.kind IN ('case', 'manual'))
GROUP BY l.member_id, l.unit_code`

// rankCurrentWorkers are the active grid workers below the unit and their grids.
const rankCurrentWorkers = `
SELECT a.member_id, a.unit_code FROM assignments a JOIN members m ON m.id = a.member_id
WHERE a.role = 'grid_worker' AND m.deactivated_at IS NULL AND a.unit_code LIKE $1
ORDER BY a.member_id, a.unit_code`

type rankMemberGrid struct {
	member int64
	grid   string
}

// Ranking ranks q.Level below q.Unit over q.Period.
func (f *PointsFigures) Ranking(ctx context.Context, q PointsRankQuery) ([]PointsRankRow, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	like := q.Unit + "%"
	earned := map[rankMemberGrid]int64{}
	var mg rankMemberGrid
	var pts int64
	rows, err := f.pool.Query(ctx, rankEarnedRows, q.Period.From, q.Period.To, like)
	if err != nil {
		return nil, rankReadError(err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&mg.member, &mg.grid, &pts}, func() error { earned[mg] += pts; return nil }); err != nil {
		return nil, rankReadError(err)
	}
	var workers []rankMemberGrid
	if rows, err = f.pool.Query(ctx, rankCurrentWorkers, like); err != nil {
		return nil, rankReadError(err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&mg.member, &mg.grid}, func() error { workers = append(workers, mg); return nil }); err != nil {
		return nil, rankReadError(err)
	}
	var out []PointsRankRow
	if q.Level == PointsRankWorker {
		out, err = f.rankWorkers(ctx, earned, workers)
	} else {
		out, err = f.rankUnits(ctx, q, earned, workers)
	}
	if err != nil {
		return nil, err
	}
	rankPointsRows(out, q.PerCapita)
	return out, nil
}

// rankWorkers: every worker who earned below the unit or works there now, shown at their
// grid there now (the first, by code), else the first grid they earned at.
func (f *PointsFigures) rankWorkers(ctx context.Context, earned map[rankMemberGrid]int64, workers []rankMemberGrid) ([]PointsRankRow, error) {
	byMember := map[int64]*PointsRankRow{}
	for _, w := range workers { // ordered by member and grid: the first is kept
		if _, ok := byMember[w.member]; !ok {
			byMember[w.member] = &PointsRankRow{MemberID: w.member, Code: w.grid, Workers: 1}
		}
	}
	earnedAt := map[int64]string{}
	for k, p := range earned {
		r, ok := byMember[k.member]
		if !ok {
			r = &PointsRankRow{MemberID: k.member, Workers: 1}
			byMember[k.member] = r
		}
		r.Points += p
		if g, ok := earnedAt[k.member]; !ok || k.grid < g {
			earnedAt[k.member] = k.grid
		}
	}
	ids := make([]int64, 0, len(byMember))
	codes := make([]string, 0, len(byMember))
	for id, r := range byMember {
		if r.Code == "" {
			r.Code = earnedAt[id]
		}
		ids, codes = append(ids, id), append(codes, r.Code)
	}
	names, err := f.names(ctx, `SELECT id::text, name FROM members WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	grids, err := f.names(ctx, `SELECT code, name FROM units WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, err
	}
	out := make([]PointsRankRow, 0, len(byMember))
	for id, r := range byMember {
		r.Name, r.GridName = names[strconv.FormatInt(id, 10)], grids[r.Code]
		out = append(out, *r)
	}
	return out, nil
}

// rankUnits: every current unit of the level below the unit, and any retired one with
// points in the period.
func (f *PointsFigures) rankUnits(ctx context.Context, q PointsRankQuery, earned map[rankMemberGrid]int64, workers []rankMemberGrid) ([]PointsRankRow, error) {
	n := q.Level.codeLength()
	names, err := f.names(ctx, `SELECT code, name FROM units WHERE code LIKE $1 AND length(code) = $2 AND retired_at IS NULL`, q.Unit+"%", n)
	if err != nil {
		return nil, err
	}
	byCode := map[string]*PointsRankRow{}
	for code, name := range names {
		byCode[code] = &PointsRankRow{Code: code, Name: name}
	}
	var retired []string
	for k, p := range earned {
		code := k.grid[:n]
		r, ok := byCode[code]
		if !ok {
			r = &PointsRankRow{Code: code}
			byCode[code] = r
			retired = append(retired, code)
		}
		r.Points += p
	}
	if len(retired) > 0 {
		more, err := f.names(ctx, `SELECT code, name FROM units WHERE code = ANY($1)`, retired)
		if err != nil {
			return nil, err
		}
		for code, name := range more {
			byCode[code].Name = name
		}
	}
	counted := map[string]map[int64]bool{}
	for _, w := range workers {
		code := w.grid[:n]
		if counted[code] == nil {
			counted[code] = map[int64]bool{}
		}
		counted[code][w.member] = true
	}
	out := make([]PointsRankRow, 0, len(byCode))
	for code, r := range byCode {
		if r.Workers = len(counted[code]); r.Workers > 0 {
			pc := float64(r.Points) / float64(r.Workers)
			r.PerCapita = &pc
		}
		out = append(out, *r)
	}
	return out, nil
}

// names reads code -> name pairs.
func (f *PointsFigures) names(ctx context.Context, sql string, args ...any) (map[string]string, error) {
	rows, err := f.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, rankReadError(err)
	}
	out := map[string]string{}
	var code, name string
	if _, err := pgx.ForEachRow(rows, []any{&code, &name}, func() error { out[code] = name; return nil }); err != nil {
		return nil, rankReadError(err)
	}
	return out, nil
}

func rankReadError(err error) error {
	return fmt.Errorf("%w: points figures: %v", ErrRetryable, err)
}
