package dispatch

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// RebuildStats recomputes case_stats from the case history, in one transaction: after a bulk
// load of past cases (demo load --history), or to repair the counters. It holds off new
// transitions while it runs (a SHARE lock on case_history) so that every transition is either
// in the rebuild, up to the recorded stats_rebuilt.max_id, or counted by the applier after it.
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

// rebuildStatements: the facts of each case from its history (docs/metrics.md), summed per
// category, grid and day, then rolled up to every row of case_stats.
func rebuildStatements() []string {
	stmts := []string{
		`SET LOCAL work_mem = '256MB'`,
		`LOCK TABLE case_history IN SHARE MODE`,
		`TRUNCATE case_stats, stats_applied`,
		`INSERT INTO stats_rebuilt (max_id) SELECT coalesce(max(id), 0) FROM case_history
		 ON CONFLICT (only_row) DO UPDATE SET max_id = excluded.max_id, rebuilt_at = now()`,
		`CREATE TEMP TABLE stats_case_facts ON COMMIT DROP AS ` + caseFactsSQL,
		`CREATE TEMP TABLE stats_grid_days ON COMMIT DROP AS
		 SELECT category, unit4, day, ` + countersFromFacts() + `
		 FROM stats_case_facts GROUP BY category, unit4, day`,
	}
	var sums []string
	for _, c := range statsColumns {
		sums = append(sums, fmt.Sprintf("nullif(sum(%s), 0)", c))
	}
	for l := grid.County; l <= grid.Grid; l++ {
		n := l.CodeLength()
		for _, cat := range []string{"category", "''"} {
			for _, span := range []struct{ name, period string }{{"d", "day"}, {"m", "date_trunc('month', day)::date"}} {
				stmts = append(stmts, fmt.Sprintf(`INSERT INTO case_stats (category, span, level, unit_code, period, %s)
SELECT %s, '%s', %d, left(unit4, %d), %s, %s FROM stats_grid_days
WHERE length(unit4) >= %d GROUP BY 1, 4, 5`,
					strings.Join(statsColumns, ", "), cat, span.name, l, n, span.period, strings.Join(sums, ", "), n))
			}
		}
	}
	return stmts
}

// caseFactsSQL: one row per case, from its history rows in order. The case's unit and
// category never change, so they come from cases and events.
const caseFactsSQL = `
SELECT h.case_id, left(c.unit_code, 15) AS unit4, e.category,
       (min(h.at) FILTER (WHERE h.from_state IS NULL) AT TIME ZONE 'Asia/Shanghai')::date AS day,
       extract(epoch FROM max(h.at) FILTER (WHERE h.to_state = 'closed'))
         - extract(epoch FROM min(h.at) FILTER (WHERE h.from_state IS NULL)) AS close_s,
       (array_agg(h.to_state ORDER BY h.id DESC))[1] AS state,
       (array_agg(h.level ORDER BY h.id DESC))[1] AS level,
       bool_or(h.actor_id IS NULL AND h.transition IN ('overdue', 'escalate')) AS late,
       (array_agg(h.outcome ORDER BY h.id DESC) FILTER (WHERE h.transition = 'settle'))[1] AS outcome,
       coalesce((array_agg(h.transition ORDER BY h.id DESC)
                 FILTER (WHERE h.transition NOT IN ('accept', 'mediate', 'urge')))[1] = 'overdue', false) AS overdue,
       count(*) FILTER (WHERE h.from_state IS NULL) AS received,
       count(*) FILTER (WHERE h.transition = 'rework') AS reworks,
       count(*) FILTER (WHERE h.transition IN ('verify', 'rework')) AS verifications,
       count(*) FILTER (WHERE h.level = 1 AND (h.from_state IS NULL OR h.from_level <> h.level)) AS arrived_1,
       count(*) FILTER (WHERE h.level = 2 AND (h.from_state IS NULL OR h.from_level <> h.level)) AS arrived_2,
       count(*) FILTER (WHERE h.level = 3 AND (h.from_state IS NULL OR h.from_level <> h.level)) AS arrived_3,
       count(*) FILTER (WHERE h.level = 4 AND (h.from_state IS NULL OR h.from_level <> h.level)) AS arrived_4,
       count(*) FILTER (WHERE h.transition = 'escalate' AND h.from_level = 1) AS escalated_1,
       count(*) FILTER (WHERE h.transition = 'escalate' AND h.from_level = 2) AS escalated_2,
       count(*) FILTER (WHERE h.transition = 'escalate' AND h.from_level = 3) AS escalated_3,
       count(*) FILTER (WHERE h.transition = 'escalate' AND h.from_level = 4) AS escalated_4
FROM case_history h JOIN cases c ON c.id = h.case_id JOIN events e ON e.id = c.event_id
GROUP BY h.case_id, c.unit_code, e.category`

// countersFromFacts sums the facts of stats_case_facts into every counter column.
func countersFromFacts() string {
	var cols []string
	add := func(expr, name string) { cols = append(cols, fmt.Sprintf("sum(%s)::bigint AS %s", expr, name)) }
	add("received", "received")
	add("reworks", "reworks")
	add("verifications", "verifications")
	add("(reworks > 0)::int", "reopened")
	var edges []string
	for _, e := range CloseBins {
		edges = append(edges, fmt.Sprint(int64(e.Seconds())))
	}
	bin := "width_bucket(close_s, ARRAY[" + strings.Join(edges, ",") + "]::numeric[])"
	for m, name := range tierMetricNames {
		for t := 1; t <= statsTiers; t++ {
			closed := fmt.Sprintf("state = 'closed' AND level = %d", t)
			open := fmt.Sprintf("state <> 'closed' AND level = %d", t)
			var expr string
			switch m {
			case tArrived:
				expr = fmt.Sprintf("arrived_%d", t)
			case tEscalated:
				expr = fmt.Sprintf("escalated_%d", t)
			case tClosed:
				expr = fmt.Sprintf("(%s)::int", closed)
			case tOnTime:
				expr = fmt.Sprintf("(%s AND NOT late)::int", closed)
			case tMediated:
				expr = fmt.Sprintf("(%s AND outcome IS NOT DISTINCT FROM 'mediated')::int", closed)
			case tUnsettled:
				expr = fmt.Sprintf("(%s AND outcome IS NOT DISTINCT FROM 'unsettled')::int", closed)
			case tOpen:
				expr = fmt.Sprintf("(%s)::int", open)
			case tOverdue:
				expr = fmt.Sprintf("(%s AND overdue)::int", open)
			}
			add(expr, fmt.Sprintf("%s_t%d", name, t))
		}
	}
	for t := 1; t <= statsTiers; t++ {
		for b := 0; b < closeBinCount; b++ {
			add(fmt.Sprintf("(state = 'closed' AND level = %d AND %s = %d)::int", t, bin, b), fmt.Sprintf("h%d_%02d", t, b))
		}
	}
	return strings.Join(cols, ",\n       ")
}
