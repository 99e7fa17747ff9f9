package dispatch

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ApplyStats counts a batch of case events into case_stats in one transaction, each transition
// once: those a rebuild already counted (id up to stats_rebuilt.max_id) or an earlier batch
// recorded in stats_applied are skipped. It returns the units (grid, or the deepest level above
// it) whose figures changed.
func ApplyStats(ctx context.Context, pool *pgxpool.Pool, events []CaseEvent) ([]string, error) {
	if len(events) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.TransitionID
	}
	var changed []string
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, claimTransitions, ids)
		if err != nil {
			return err
		}
		fresh, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		isFresh := make(map[int64]bool, len(fresh))
		for _, id := range fresh {
			isFresh[id] = true
		}
		sums := map[statsKey]Counters{}
		units := map[string]bool{}
		for _, e := range events {
			if !isFresh[e.TransitionID] {
				continue
			}
			isFresh[e.TransitionID] = false // the same message twice in one batch
			d := statsDelta(e)
			keys := statsKeys(e)
			for _, k := range keys {
				if sums[k] == nil {
					sums[k] = NewCounters()
				}
				sums[k].add(d)
			}
			if len(keys) > 0 {
				units[keys[len(keys)-1].unit] = true
			}
		}
		if err := upsertStats(ctx, tx, sums); err != nil {
			return err
		}
		for u := range units {
			changed = append(changed, u)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: apply statistics: %v", ErrRetryable, err)
	}
	sort.Strings(changed)
	return changed, nil
}

// claimTransitions records the transitions not counted yet and returns them.
const claimTransitions = `
INSERT INTO stats_applied (transition_id)
SELECT id FROM unnest($1::bigint[]) AS id
WHERE id > coalesce((SELECT max_id FROM stats_rebuilt), 0)
ON CONFLICT DO NOTHING
RETURNING transition_id`

// upsertStatsSQL adds one row of deltas per key, given as one array per column. Zero is
// stored as NULL so that sparse rows stay small.
var upsertStatsSQL = func() string {
	var cols, sel, set []string
	for i, c := range statsColumns {
		cols = append(cols, c)
		sel = append(sel, fmt.Sprintf("nullif(c%d, 0)", i))
		set = append(set, fmt.Sprintf("%s = nullif(coalesce(s.%s, 0) + coalesce(excluded.%s, 0), 0)", c, c, c))
	}
	var args []string
	for i := range statsColumns {
		args = append(args, fmt.Sprintf("$%d::bigint[]", i+6))
	}
	var names []string
	for i := range statsColumns {
		names = append(names, fmt.Sprintf("c%d", i))
	}
	return `INSERT INTO case_stats AS s (category, span, level, unit_code, period, ` + strings.Join(cols, ", ") + `)
SELECT k_category, k_span::"char", k_level, k_unit, k_period, ` + strings.Join(sel, ", ") + `
FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::date[], ` + strings.Join(args, ", ") + `)
    AS u(k_category, k_span, k_level, k_unit, k_period, ` + strings.Join(names, ", ") + `)
ON CONFLICT (category, span, level, unit_code, period) DO UPDATE SET ` + strings.Join(set, ", ")
}()

func upsertStats(ctx context.Context, tx pgx.Tx, sums map[statsKey]Counters) error {
	keys := make([]statsKey, 0, len(sums))
	for k, c := range sums {
		if !c.zero() {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	// One order for every process, so two batches never wait on each other's rows in a cycle.
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	args := make([]any, 5+len(statsColumns))
	cats, spans, levels, units, periods := make([]string, len(keys)), make([]string, len(keys)),
		make([]int16, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	cols := make([][]int64, len(statsColumns))
	for i := range cols {
		cols[i] = make([]int64, len(keys))
	}
	for i, k := range keys {
		cats[i], spans[i], levels[i], units[i], periods[i] = k.category, string(k.span), int16(k.level), k.unit, k.period
		for j, v := range sums[k] {
			cols[j][i] = v
		}
	}
	args[0], args[1], args[2], args[3], args[4] = cats, spans, levels, units, periods
	for j := range cols {
		args[5+j] = cols[j]
	}
	_, err := tx.Exec(ctx, upsertStatsSQL, args...)
	return err
}

func (k statsKey) less(o statsKey) bool {
	if k.category != o.category {
		return k.category < o.category
	}
	if k.span != o.span {
		return k.span < o.span
	}
	if k.level != o.level {
		return k.level < o.level
	}
	if k.unit != o.unit {
		return k.unit < o.unit
	}
	return k.period < o.period
}

// PruneStatsApplied forgets transitions counted longer ago than NATS keeps messages, which can
// therefore not be delivered again.
func PruneStatsApplied(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	tag, err := pool.Exec(ctx, `DELETE FROM stats_applied WHERE applied_at < now() - interval '8 days'`)
	if err != nil {
		return 0, fmt.Errorf("%w: prune statistics: %v", ErrRetryable, err)
	}
	return tag.RowsAffected(), nil
}
