package dispatch

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
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

// rebuildStatements: one narrow row of facts per case (its key, its standing, and its
// transitions that count, from the history), then each family of rows in one sorted pass over
// the facts: the day rows of every level at once (a ROLLUP over the unit's levels, which nest),
// by category and for all, and the same for months.
func rebuildStatements() []string {
	cols := strings.Join(statsColumns, ", ")
	stmts := []string{
		`SET LOCAL work_mem = '512MB'`,
		`SET LOCAL enable_hashagg = off`, // sorted groups: the facts are narrow, the counters wide
		`LOCK TABLE case_history IN SHARE MODE`,
		`TRUNCATE case_stats, stats_applied`,
		`INSERT INTO stats_rebuilt (max_id) SELECT coalesce(max(id), 0) FROM case_history
		 ON CONFLICT (only_row) DO UPDATE SET max_id = excluded.max_id, rebuilt_at = now()`,
		`CREATE TEMP TABLE stats_case_facts ON COMMIT DROP AS ` + caseFactsSQL,
	}
	exprs := factExpressions()
	var sums []string
	for _, c := range statsColumns {
		sums = append(sums, fmt.Sprintf("nullif(sum(%s), 0)", exprs[c]))
	}
	units := []string{"u1", "u2", "u3", "u4"}
	for _, span := range []struct{ name, period string }{{"d", "day"}, {"m", "date_trunc('month', day)::date"}} {
		for _, catKey := range []string{"category", "''"} {
			levels := units // the unit codes nest: one ROLLUP gives every level
			// The level of a group is the deepest unit column in it; groups whose deepest unit is
			// NULL hold cases located above that level, which count only at the levels above.
			level := "CASE"
			for l := len(levels); l >= 1; l-- {
				level += fmt.Sprintf(" WHEN grouping(%s) = 0 THEN %d", levels[l-1], l)
			}
			level += " END"
			unit := "coalesce(" + reverseJoin(levels) + ")"
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO case_stats (category, span, level, unit_code, period, %s)
SELECT %s, '%s', %s, %s, %s, %s FROM stats_case_facts
GROUP BY %s ROLLUP (%s)
HAVING grouping(u1) = 0 AND %s IS NOT NULL AND length(%s) = (ARRAY[6, 9, 12, 15])[%s]`,
				cols, catKey, span.name, level, unit, span.period, strings.Join(sums, ", "),
				groupKeys(catKey, span.period), strings.Join(levels, ", "), unit, unit, level))
		}
	}
	return stmts
}

// groupKeys are the GROUP BY terms before the units' ROLLUP: the category (unless all), the period.
func groupKeys(cat, period string) string {
	if cat == "''" {
		return period + ","
	}
	return cat + ", " + period + ","
}

func reverseJoin(s []string) string {
	r := make([]string, len(s))
	for i, v := range s {
		r[len(s)-1-i] = v
	}
	return strings.Join(r, ", ")
}

// caseFactsSQL: per case, its category, its units at levels 1-4 (NULL below where it lies),
// its local opening day, its standing from its row, and the counts of its history rows that
// count (docs/metrics.md).
var caseFactsSQL = `
SELECT e.category, left(c.unit_code, 6) AS u1,
       CASE WHEN length(c.unit_code) >= 9 THEN left(c.unit_code, 9) END AS u2,
       CASE WHEN length(c.unit_code) >= 12 THEN left(c.unit_code, 12) END AS u3,
       CASE WHEN length(c.unit_code) >= 15 THEN left(c.unit_code, 15) END AS u4,
       (c.opened_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
       c.state = 'closed' AS closed, c.level, c.outcome, c.overdue_at IS NOT NULL AS overdue, c.late,
       c.rework_count > 0 AS reopened, c.leader_id IS NOT NULL AS led, g.case_id IS NOT NULL AS merged, c.state = 'parked' AS parked,
       width_bucket(extract(epoch FROM c.closed_at) - extract(epoch FROM c.opened_at), ARRAY[` + binEdges() + `]::numeric[]) AS bin,
       coalesce(t.reworks, 0) AS reworks, coalesce(t.verifications, 0) AS verifications,
       coalesce(t.unverified, 0) AS unverified, coalesce(t.callbacks, 0) AS callbacks,
       coalesce(t.callbacks_reached, 0) AS callbacks_reached, coalesce(t.satisfied, 0) AS satisfied,
       coalesce(t.arrived_1, 0) AS arrived_1, coalesce(t.arrived_2, 0) AS arrived_2,
       coalesce(t.arrived_3, 0) AS arrived_3, coalesce(t.arrived_4, 0) AS arrived_4,
       coalesce(t.escalated_1, 0) AS escalated_1, coalesce(t.escalated_2, 0) AS escalated_2,
       coalesce(t.escalated_3, 0) AS escalated_3, coalesce(t.escalated_4, 0) AS escalated_4
FROM cases c JOIN events e ON e.id = c.event_id
LEFT JOIN (
    SELECT h.case_id,
           count(*) FILTER (WHERE h.transition = 'rework') AS reworks,
           count(*) FILTER (WHERE h.transition IN ('verify', 'rework')) AS verifications,
           count(*) FILTER (WHERE h.transition = 'close_unverified') AS unverified,
           count(h.callback_result) AS callbacks,
           count(*) FILTER (WHERE h.callback_result IN ('satisfied', 'basic', 'dissatisfied')) AS callbacks_reached,
           count(*) FILTER (WHERE h.callback_result IN ('satisfied', 'basic')) AS satisfied,
           count(*) FILTER (WHERE h.level = 1 AND (h.from_state IS NULL OR h.from_level <> h.level)) AS arrived_1,
           count(*) FILTER (WHERE h.level = 2 AND (h.from_state IS NULL OR h.from_level <> h.level)) AS arrived_2,
           count(*) FILTER (WHERE h.level = 3 AND (h.from_state IS NULL OR h.from_level <> h.level)) AS arrived_3,
           count(*) FILTER (WHERE h.level = 4 AND (h.from_state IS NULL OR h.from_level <> h.level)) AS arrived_4,
           count(*) FILTER (WHERE h.transition = 'escalate' AND h.from_level = 1) AS escalated_1,
           count(*) FILTER (WHERE h.transition = 'escalate' AND h.from_level = 2) AS escalated_2,
           count(*) FILTER (WHERE h.transition = 'escalate' AND h.from_level = 3) AS escalated_3,
           count(*) FILTER (WHERE h.transition = 'escalate' AND h.from_level = 4) AS escalated_4
    FROM case_history h
    WHERE h.from_state IS NULL OR h.from_level <> h.level OR h.transition IN ('escalate', 'verify', 'rework', 'close_unverified')
       OR h.callback_result IS NOT NULL
    GROUP BY h.case_id
) t ON t.case_id = c.id
LEFT JOIN case_merges g ON g.case_id = c.id`

func binEdges() string {
	var edges []string
	for _, e := range CloseBins {
		edges = append(edges, fmt.Sprint(int64(e.Seconds())))
	}
	return strings.Join(edges, ",")
}

// factExpressions are each counter column as an expression over stats_case_facts.
func factExpressions() map[string]string {
	x := map[string]string{"received": "(NOT merged)::int", "reopened": "reopened::int", "reworks": "reworks",
		"verifications": "verifications", "unverified": "unverified", "led": "(NOT closed AND led)::int", "merged": "merged::int",
		"callbacks": "callbacks", "callbacks_reached": "callbacks_reached", "satisfied": "satisfied", "parked": "parked::int"}
	for t := 1; t <= statsTiers; t++ {
		closed := fmt.Sprintf("closed AND NOT merged AND level = %d", t)
		open := fmt.Sprintf("NOT closed AND level = %d", t)
		x[fmt.Sprintf("arrived_t%d", t)] = fmt.Sprintf("arrived_%d", t)
		x[fmt.Sprintf("escalated_t%d", t)] = fmt.Sprintf("escalated_%d", t)
		x[fmt.Sprintf("closed_t%d", t)] = fmt.Sprintf("(%s)::int", closed)
		x[fmt.Sprintf("on_time_t%d", t)] = fmt.Sprintf("(%s AND NOT late)::int", closed)
		x[fmt.Sprintf("mediated_t%d", t)] = fmt.Sprintf("(%s AND outcome IS NOT DISTINCT FROM 'mediated')::int", closed)
		x[fmt.Sprintf("unsettled_t%d", t)] = fmt.Sprintf("(%s AND outcome IS NOT DISTINCT FROM 'unsettled')::int", closed)
		x[fmt.Sprintf("open_t%d", t)] = fmt.Sprintf("(%s)::int", open)
		x[fmt.Sprintf("overdue_t%d", t)] = fmt.Sprintf("(%s AND overdue)::int", open)
		for b := 0; b < closeBinCount; b++ {
			x[fmt.Sprintf("h%d_%02d", t, b)] = fmt.Sprintf("(%s AND bin = %d)::int", closed, b)
		}
	}
	return x
}
