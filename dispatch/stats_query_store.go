package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// Stats answers the figures of docs/metrics.md from case_stats: each question reads the month
// rows of the whole months in the period and the day rows of the days around them, of one unit
// (or of its children), and sums them.
type Stats struct {
	pool *pgxpool.Pool
}

// NewStats reads case_stats in pool.
func NewStats(pool *pgxpool.Pool) *Stats { return &Stats{pool: pool} }

// Columns read by each question: the whole vector, or all but the histogram.
var (
	allStatsCols  = statsCols(len(statsColumns))
	flatStatsCols = statsCols(histCol(1, 0))
)

func statsCols(n int) string {
	var sums []string
	for _, c := range statsColumns[:n] {
		sums = append(sums, fmt.Sprintf("coalesce(sum(%s), 0)::bigint", c))
	}
	return strings.Join(sums, ", ")
}

// inPeriod selects the rows of the period, given as $4-$9 (splitPeriod).
const inPeriod = `((span = 'm' AND period BETWEEN $4 AND $5)
    OR (span = 'd' AND (period BETWEEN $6 AND $7 OR period BETWEEN $8 AND $9)))`

func periodArgs(category string, level int, unit string, p periodSpans) []any {
	return []any{category, level, unit, p.monthFirst, p.monthLast, p.headFirst, p.headLast, p.tailFirst, p.tailLast}
}

// statsLevel checks a unit code for the figures: levels 1-4.
func statsLevel(unit string) (int, error) {
	l := grid.LevelOfCode(unit)
	if l < grid.County || l > grid.Grid {
		return 0, fmt.Errorf("%w: figures are kept for counties down to grids, not %q", ErrBadStatsQuery, unit)
	}
	return int(l), nil
}

// Summary sums the unit's subtree over the period.
func (s *Stats) Summary(ctx context.Context, f StatsFilter) (Counters, error) {
	level, err := statsLevel(f.Unit)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + allStatsCols + ` FROM case_stats WHERE category = $1 AND level = $2 AND unit_code = $3 AND ` + inPeriod
	c := NewCounters()
	if err := s.pool.QueryRow(ctx, q, periodArgs(f.Category, level, f.Unit, splitPeriod(f.From, f.To))...).Scan(counterPtrs(c)...); err != nil {
		return nil, fmt.Errorf("%w: statistics: %v", ErrRetryable, err)
	}
	return c, nil
}

// UnitCounters are the counters of one unit or category.
type UnitCounters struct {
	Code     string
	Counters Counters
}

// Children sums each child of the unit (the grid itself at a grid), by code. The children are
// found by skipping through the key's month rows (every day row has its month row), one
// descent per child, and each child's rows are then read by its own code: three short ranges.
// Reading the children's code range at once instead read every day of every child through
// the key, to keep the few in the period (176 index pages for a county's townships over two
// years on the 10-million-case database, 54 ms; 1.3 ms this way).
func (s *Stats) Children(ctx context.Context, f StatsFilter) ([]UnitCounters, error) {
	level, err := statsLevel(f.Unit)
	if err != nil {
		return nil, err
	}
	if level < int(grid.Grid) {
		level++
	}
	q := `WITH RECURSIVE child AS (
    SELECT min(unit_code) AS code FROM case_stats
    WHERE category = $1 AND span = 'm' AND level = $2 AND unit_code >= $3 AND unit_code < $3 || ':'
  UNION ALL
    SELECT (SELECT min(unit_code) FROM case_stats
            WHERE category = $1 AND span = 'm' AND level = $2 AND unit_code > child.code AND unit_code < $3 || ':')
    FROM child WHERE child.code IS NOT NULL)
SELECT child.code, sums.* FROM child CROSS JOIN LATERAL (
    SELECT ` + flatStatsCols + ` FROM case_stats
    WHERE category = $1 AND level = $2 AND unit_code = child.code AND ` + inPeriod + `
    HAVING count(*) > 0) sums
WHERE child.code IS NOT NULL ORDER BY child.code`
	return s.grouped(ctx, q, histCol(1, 0), periodArgs(f.Category, level, f.Unit, splitPeriod(f.From, f.To)))
}

// Categories sums the unit's subtree per category, for the categories with cases. Leaving out
// the rows of all categories (the empty category) lets PostgreSQL read them through
// case_stats_unit_period_idx (migration 026), the unit's rows of every category side by side,
// rather than through the key, category by category.
func (s *Stats) Categories(ctx context.Context, f StatsFilter) ([]UnitCounters, error) {
	level, err := statsLevel(f.Unit)
	if err != nil {
		return nil, err
	}
	q := `SELECT category, ` + flatStatsCols + ` FROM case_stats
WHERE category = ANY(ARRAY(SELECT code FROM categories)) AND category <> '' AND $1 = ''
    AND level = $2 AND unit_code = $3 AND ` + inPeriod + `
GROUP BY category ORDER BY category`
	return s.grouped(ctx, q, histCol(1, 0), periodArgs("", level, f.Unit, splitPeriod(f.From, f.To)))
}

func (s *Stats) grouped(ctx context.Context, q string, n int, args []any) ([]UnitCounters, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%w: statistics: %v", ErrRetryable, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (UnitCounters, error) {
		u := UnitCounters{Counters: NewCounters()}
		dest := append([]any{&u.Code}, counterPtrs(u.Counters[:n])...)
		return u, row.Scan(dest...)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: statistics: %v", ErrRetryable, err)
	}
	return out, nil
}

// TrendPoint is the counters of one week or month of the period.
type TrendPoint struct {
	Period   time.Time // the Monday of the week, or the first of the month
	Counters Counters
}

// Trend sums the unit's subtree per ISO week ("week") or calendar month ("month").
func (s *Stats) Trend(ctx context.Context, f StatsFilter, by string) ([]TrendPoint, error) {
	level, err := statsLevel(f.Unit)
	if err != nil {
		return nil, err
	}
	p := splitPeriod(f.From, f.To)
	if by == "week" { // weeks cut across months: days only
		p = daysOnly(f.From, f.To)
	} else if by != "month" {
		return nil, fmt.Errorf("%w: a trend is by week or by month", ErrBadStatsQuery)
	}
	q := `SELECT date_trunc($10, period::timestamp)::date, ` + flatStatsCols + ` FROM case_stats
WHERE category = $1 AND level = $2 AND unit_code = $3 AND ` + inPeriod + `
GROUP BY 1 ORDER BY 1`
	rows, err := s.pool.Query(ctx, q, append(periodArgs(f.Category, level, f.Unit, p), by)...)
	if err != nil {
		return nil, fmt.Errorf("%w: statistics: %v", ErrRetryable, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (TrendPoint, error) {
		t := TrendPoint{Counters: NewCounters()}
		dest := append([]any{&t.Period}, counterPtrs(t.Counters[:histCol(1, 0)])...)
		return t, row.Scan(dest...)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: statistics: %v", ErrRetryable, err)
	}
	return out, nil
}

// OpenByDay is how many cases received on each day of the period are open now, from day rows.
func (s *Stats) OpenByDay(ctx context.Context, f StatsFilter) (map[time.Time]int64, error) {
	level, err := statsLevel(f.Unit)
	if err != nil {
		return nil, err
	}
	q := `SELECT period, coalesce(sum(open_t1), 0) + coalesce(sum(open_t2), 0) + coalesce(sum(open_t3), 0)
    + coalesce(sum(open_t4), 0) FROM case_stats
WHERE category = $1 AND level = $2 AND unit_code = $3 AND span = 'd' AND period BETWEEN $4 AND $5
GROUP BY period`
	rows, err := s.pool.Query(ctx, q, f.Category, level, f.Unit, f.From, f.To)
	if err != nil {
		return nil, fmt.Errorf("%w: statistics: %v", ErrRetryable, err)
	}
	out := map[time.Time]int64{}
	var d time.Time
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&d, &n}, func() error {
		if n != 0 {
			out[d] = n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: statistics: %v", ErrRetryable, err)
	}
	return out, nil
}

// Aged is 积案 (docs/metrics.md): the open cases of the period flagged overdue, or received
// AgedDays or more local days before today, from day rows (a case overdue and old counts once).
func (s *Stats) Aged(ctx context.Context, f StatsFilter, today time.Time) (int64, error) {
	level, err := statsLevel(f.Unit)
	if err != nil {
		return 0, err
	}
	q := `SELECT (coalesce(sum(` + gauge("overdue") + `), 0) + coalesce(sum(` + gauge("open") + ` - (` + gauge("overdue") + `))
    FILTER (WHERE period <= $6), 0))::bigint FROM case_stats
WHERE category = $1 AND level = $2 AND unit_code = $3 AND span = 'd' AND period BETWEEN $4 AND $5`
	var n int64
	cutoff := today.AddDate(0, 0, -AgedDays)
	if err := s.pool.QueryRow(ctx, q, f.Category, level, f.Unit, f.From, f.To, cutoff).Scan(&n); err != nil {
		return 0, fmt.Errorf("%w: statistics: %v", ErrRetryable, err)
	}
	return n, nil
}

// gauge is the sum of a per-tier gauge's four columns, NULL standing for 0.
func gauge(name string) string {
	var cols []string
	for t := 1; t <= 4; t++ {
		cols = append(cols, fmt.Sprintf("coalesce(%s_t%d, 0)", name, t))
	}
	return strings.Join(cols, " + ")
}

func counterPtrs(c Counters) []any {
	p := make([]any, len(c))
	for i := range c {
		p[i] = &c[i]
	}
	return p
}
