package dispatch

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// RebuildStats recomputes case_stats from the cases and their history, in one transaction:
// after a bulk load of past cases (demo load --history), or to repair the counters. It holds
// off new transitions while it runs (a SHARE lock on case_history) so that every transition is
// either in the rebuild, up to the recorded stats_rebuilt.max_id, or counted by the applier
// after it.
func RebuildStats(ctx context.Context, pool *pgxpool.Pool) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range rebuildStatements() {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", strings.Fields(q)[0], err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rebuild statistics: %w", err)
	}
	return nil
}

// rebuildStatements: the counters of every case summed per category, grid (or the deepest
// unit above it) and day, then rolled up level by level and into months, each family from the
// smallest table that holds it.
func rebuildStatements() []string {
	cols := strings.Join(statsColumns, ", ")
	stmts := []string{
		`SET LOCAL work_mem = '256MB'`,
		`LOCK TABLE case_history IN SHARE MODE`,
		`TRUNCATE case_stats, stats_applied`,
		`INSERT INTO stats_rebuilt (max_id) SELECT coalesce(max(id), 0) FROM case_history
		 ON CONFLICT (only_row) DO UPDATE SET max_id = excluded.max_id, rebuilt_at = now()`,
		`CREATE TEMP TABLE stats_grid_days ON COMMIT DROP AS ` +
			countersSQL([]string{"e.category", "left(c.unit_code, 15)", "d.day"}, []string{"category", "unit", "day"}, "true"),
	}
	sums := sumColumns()
	// Each family's day rows: from the grid days directly at the first level that keeps
	// categories (village) or not (grid), then each level from the one below plus the cases
	// located no deeper than it (a village without grids, a township without villages).
	for _, fam := range []struct {
		cat    string // "category" or "''"
		bottom grid.Level
	}{{"category", statsCategoryLevel}, {"''", grid.Grid}} {
		for l := fam.bottom; l >= grid.County; l-- {
			n := l.CodeLength()
			from := fmt.Sprintf(`SELECT category, unit, day, %s FROM stats_grid_days WHERE length(unit) >= %d`, cols, n)
			if l < fam.bottom {
				from = fmt.Sprintf(`SELECT %[1]s AS category, unit_code AS unit, period AS day, %[2]s FROM case_stats
WHERE span = 'd' AND level = %[3]d AND category %[4]s ''
UNION ALL
SELECT category, unit, day, %[2]s FROM stats_grid_days WHERE length(unit) >= %[5]d AND length(unit) < %[6]d`,
					fam.cat, cols, l+1, map[string]string{"category": "<>", "''": "="}[fam.cat], n, (l + 1).CodeLength())
			}
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO case_stats (category, span, level, unit_code, period, %s)
SELECT %s, 'd', %d, left(unit, %d), day, %s FROM (%s) r GROUP BY 1, 4, 5`, cols, fam.cat, l, n, sums, from))
		}
	}
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO case_stats (category, span, level, unit_code, period, %s)
SELECT category, 'm', level, unit_code, date_trunc('month', period)::date, %s FROM case_stats
WHERE span = 'd' GROUP BY category, level, unit_code, 5`, cols, sums))
	return stmts
}

func sumColumns() string {
	var sums []string
	for _, c := range statsColumns {
		sums = append(sums, fmt.Sprintf("nullif(sum(%s), 0)", c))
	}
	return strings.Join(sums, ", ")
}

// countersSQL sums the counters (docs/metrics.md) of the cases selected by where, an
// expression over c (cases) and e (events), grouped by keys, expressions over c, e and the
// case's local opening day "day", named as names. A case's standing (state, tier, outcome,
// overdue, late, time to close) is read from its row, which every transition updates with its
// history row; what counts transitions (arrivals, escalations, verifications, reworks) is read
// from the history rows that can count.
func countersSQL(keys, names []string, where string) string {
	perCase := map[string]string{"received": "1", "reopened": "(c.rework_count > 0)::int"}
	perTransition := map[string]string{"reworks": "(h.transition = 'rework')::int",
		"verifications": "(h.transition IN ('verify', 'rework'))::int"}
	var edges []string
	for _, e := range CloseBins {
		edges = append(edges, fmt.Sprint(int64(e.Seconds())))
	}
	bin := "d.bin" // computed once per case, below
	for t := 1; t <= statsTiers; t++ {
		closed := fmt.Sprintf("c.state = 'closed' AND c.level = %d", t)
		open := fmt.Sprintf("c.state <> 'closed' AND c.level = %d", t)
		perTransition[fmt.Sprintf("arrived_t%d", t)] = fmt.Sprintf("(h.level = %d AND (h.from_state IS NULL OR h.from_level <> h.level))::int", t)
		perTransition[fmt.Sprintf("escalated_t%d", t)] = fmt.Sprintf("(h.transition = 'escalate' AND h.from_level = %d)::int", t)
		perCase[fmt.Sprintf("closed_t%d", t)] = fmt.Sprintf("(%s)::int", closed)
		perCase[fmt.Sprintf("on_time_t%d", t)] = fmt.Sprintf("(%s AND NOT c.late)::int", closed)
		perCase[fmt.Sprintf("mediated_t%d", t)] = fmt.Sprintf("(%s AND c.outcome IS NOT DISTINCT FROM 'mediated')::int", closed)
		perCase[fmt.Sprintf("unsettled_t%d", t)] = fmt.Sprintf("(%s AND c.outcome IS NOT DISTINCT FROM 'unsettled')::int", closed)
		perCase[fmt.Sprintf("open_t%d", t)] = fmt.Sprintf("(%s)::int", open)
		perCase[fmt.Sprintf("overdue_t%d", t)] = fmt.Sprintf("(%s AND c.overdue_at IS NOT NULL)::int", open)
		for b := 0; b < closeBinCount; b++ {
			perCase[fmt.Sprintf("h%d_%02d", t, b)] = fmt.Sprintf("(%s AND %s = %d)::int", closed, bin, b)
		}
	}
	var keyCols, caseCols, transCols, sums []string
	for i, k := range keys {
		keyCols = append(keyCols, fmt.Sprintf("%s AS %s", k, names[i]))
	}
	for _, c := range statsColumns {
		caseExpr, transExpr := "0", "0"
		if e, ok := perCase[c]; ok {
			caseExpr = e
		} else {
			transExpr = perTransition[c]
		}
		caseCols = append(caseCols, fmt.Sprintf("%s AS %s", caseExpr, c))
		transCols = append(transCols, transExpr)
		sums = append(sums, fmt.Sprintf("coalesce(sum(%s), 0)::bigint AS %s", c, c))
	}
	from := `FROM cases c JOIN events e ON e.id = c.event_id
    CROSS JOIN LATERAL (SELECT (c.opened_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
        width_bucket(extract(epoch FROM c.closed_at) - extract(epoch FROM c.opened_at),
                     ARRAY[` + strings.Join(edges, ",") + `]::numeric[]) AS bin) d`
	caseRows := `SELECT ` + strings.Join(append(keyCols, caseCols...), ", ") + "\n" + from + "\nWHERE " + where
	transRows := `SELECT ` + strings.Join(append(keyCols, transCols...), ", ") + "\n" + from + `
    JOIN case_history h ON h.case_id = c.id
WHERE (` + where + `) AND (h.from_state IS NULL OR h.from_level <> h.level OR h.transition IN ('escalate', 'verify', 'rework'))`
	q := `SELECT ` + strings.Join(append(append([]string{}, names...), sums...), ", ") +
		"\nFROM (" + caseRows + "\nUNION ALL\n" + transRows + ") x"
	if len(names) > 0 {
		q += "\nGROUP BY " + strings.Join(names, ", ")
	}
	return q
}
