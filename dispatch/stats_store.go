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
// recorded in stats_applied are skipped. A transition that changes no counter (an accept, an
// attempt, an urge) is neither recorded nor counted: counting it twice would change nothing.
// It returns the units (grid, or the deepest level above it) whose figures changed.
func ApplyStats(ctx context.Context, pool *pgxpool.Pool, events []CaseEvent) ([]string, error) {
	type counted struct {
		event CaseEvent
		delta Counters
	}
	deltas := make(map[int64]counted, len(events))
	var ids []int64
	for _, e := range events {
		if _, dup := deltas[e.TransitionID]; dup {
			continue
		}
		if d := statsDelta(e); !d.zero() {
			deltas[e.TransitionID] = counted{e, d}
			ids = append(ids, e.TransitionID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	units := map[string]bool{}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		clear(units)
		rows, err := tx.Query(ctx, claimTransitions, ids)
		if err != nil {
			return err
		}
		fresh, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		sums := map[statsKey]Counters{}
		for _, id := range fresh {
			e, d := deltas[id].event, deltas[id].delta
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
		return upsertStats(ctx, tx, sums)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: apply statistics: %v", ErrRetryable, err)
	}
	changed := make([]string, 0, len(units))
	for u := range units {
		changed = append(changed, u)
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

// upsertStatsSQL adds one row of deltas per key, for the counter columns cols only (those a
// batch changes: a handful of the 121, which is what keeps a batch cheap), given as one array
// per column. Zero is stored as NULL so that sparse rows stay small.
func upsertStatsSQL(cols []int) string {
	names := []string{"k_category", "k_span", "k_level", "k_unit", "k_period"}
	args := []string{"$1::text[]", "$2::text[]", "$3::smallint[]", "$4::text[]", "$5::date[]"}
	var target, sel, set []string
	for i, c := range cols {
		name := statsColumns[c]
		names = append(names, fmt.Sprintf("c%d", i))
		args = append(args, fmt.Sprintf("$%d::bigint[]", i+6))
		target = append(target, name)
		sel = append(sel, fmt.Sprintf("nullif(c%d, 0)", i))
		set = append(set, fmt.Sprintf("%s = nullif(coalesce(s.%s, 0) + coalesce(excluded.%s, 0), 0)", name, name, name))
	}
	return `INSERT INTO case_stats AS s (category, span, level, unit_code, period, ` + strings.Join(target, ", ") + `)
SELECT k_category, k_span::"char", k_level, k_unit, k_period, ` + strings.Join(sel, ", ") + `
FROM unnest(` + strings.Join(args, ", ") + `) AS u(` + strings.Join(names, ", ") + `)
ON CONFLICT (category, span, level, unit_code, period) DO UPDATE SET ` + strings.Join(set, ", ")
}

func upsertStats(ctx context.Context, tx pgx.Tx, sums map[statsKey]Counters) error {
	keys := make([]statsKey, 0, len(sums))
	changed := make([]bool, len(statsColumns))
	for k, c := range sums {
		if c.zero() {
			continue
		}
		keys = append(keys, k)
		for i, v := range c {
			changed[i] = changed[i] || v != 0
		}
	}
	if len(keys) == 0 {
		return nil
	}
	var cols []int
	for i, ch := range changed {
		if ch {
			cols = append(cols, i)
		}
	}
	// One order for every process, so two batches never wait on each other's rows in a cycle.
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	cats, spans, levels, units, periods := make([]string, len(keys)), make([]string, len(keys)),
		make([]int16, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	vals := make([][]int64, len(cols))
	for j := range vals {
		vals[j] = make([]int64, len(keys))
	}
	for i, k := range keys {
		cats[i], spans[i], levels[i], units[i], periods[i] = k.category, string(k.span), int16(k.level), k.unit, k.period
		for j, c := range cols {
			vals[j][i] = sums[k][c]
		}
	}
	args := []any{cats, spans, levels, units, periods}
	for _, v := range vals {
		args = append(args, v)
	}
	_, err := tx.Exec(ctx, upsertStatsSQL(cols), args...)
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
