package demohistory

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// Writing generated history (docs/demo-history.md): the grid, staff and catalogue are read, every
// day is generated once to count its rows, ids are reserved for all of them in one short
// transaction, and the days are generated again and written with binary COPY on several
// connections, one transaction per day. Nothing goes to the outbox: history is not published.

// Result is what Load wrote and how long each part took.
type Result struct {
	Cases, Rows int64
	Bulk        bool          // constraints were dropped for the load and restored after
	Count       time.Duration // generating every day once to count its rows
	Write       time.Duration // generating again and copying
	Restore     time.Duration // making the dropped constraints and indexes again
	Stats       time.Duration // ANALYZE, and rebuilding the dashboard's figures from the history
}

// Bulk says when to load without the constraints and indexes that slow a big load down
// (bulk_store.go).
type Bulk int

const (
	// BulkAuto drops them for loads of BulkCases or more, when no other client is
	// connected to the database.
	BulkAuto Bulk = iota
	BulkNever
	BulkAlways // whoever else is connected
)

// BulkCases is the smallest load BulkAuto loads in bulk: restoring scans the whole
// tables, which a small load into a big database would not repay.
const BulkCases = 500_000

// Writer says how to write: over how many connections, in bulk or not, and whom to tell
// how far it got.
type Writer struct {
	Conns    int // parallel COPY connections; 0: 2
	Bulk     Bulk
	Progress func(days, of int) // called after each day is committed, one call at a time; may be nil
	// Phase is told when each part is done: "count", "write", "restore", "analyze", "stats". May be nil.
	Phase func(name string, took time.Duration)
}

func (w Writer) phase(name string, took time.Duration) {
	if w.Phase != nil {
		w.Phase(name, took)
	}
}

// Load generates o.Cases cases over every leaf unit of the grid, writes them, and rebuilds
// the dashboard's figures from the history (dispatch.RebuildStats). It adds to what is there. Days are
// committed one by one: a failure leaves the days written before it.
func Load(ctx context.Context, pool *pgxpool.Pool, o Options, w Writer) (res Result, err error) {
	if _, err := RestoreAfterLoad(ctx, pool); err != nil {
		return res, err
	}
	if o.Cases == 0 {
		return res, nil
	}
	world, err := ReadWorld(ctx, pool)
	if err != nil {
		return res, err
	}
	h, err := New(world, o)
	if err != nil {
		return res, err
	}
	start := time.Now()
	counts := make([]IDs, h.Days()) // per day: events, cases, rows
	err = parallelDays(ctx, h.Days(), runtime.GOMAXPROCS(0), func(i int) error {
		d := h.Day(i)
		counts[i] = IDs{Event: int64(len(d.Events)), Case: int64(len(d.Cases)), Row: int64(len(d.Rows))}
		return nil
	})
	if err != nil {
		return res, err
	}
	var total IDs
	firsts := make([]IDs, h.Days())
	for i, c := range counts {
		firsts[i] = total
		total.Event, total.Case, total.Row = total.Event+c.Event, total.Case+c.Case, total.Row+c.Row
	}
	res.Count = time.Since(start)
	w.phase("count", res.Count)
	base, err := reserveHistoryIDs(ctx, pool, total)
	if err != nil {
		return res, err
	}
	if res.Bulk, err = startBulk(ctx, pool, w.Bulk, o.Cases); err != nil {
		return res, err
	}
	if res.Bulk {
		defer func() {
			start := time.Now()
			// Restored even when the load failed or was interrupted.
			rerr := restoreAfterBulk(context.WithoutCancel(ctx), pool)
			res.Restore = time.Since(start)
			w.phase("restore", res.Restore)
			err = errors.Join(err, rerr)
			if err == nil {
				res.Stats, err = finishHistory(ctx, pool, w)
			}
		}()
	}
	start = time.Now()
	conns := w.Conns
	if conns <= 0 {
		conns = 2
	}
	var progressMu sync.Mutex
	done := 0
	err = parallelDays(ctx, h.Days(), conns, func(i int) error {
		if counts[i].Case == 0 {
			return nil
		}
		d := h.Day(i)
		d.Number(IDs{Event: base.Event + firsts[i].Event, Case: base.Case + firsts[i].Case, Row: base.Row + firsts[i].Row})
		if err := writeHistoryDay(ctx, pool, &d); err != nil {
			if ctx.Err() != nil { // pgx cuts a COPY short by closing the connection: say why
				err = ctx.Err()
			}
			return fmt.Errorf("history of %s: %w", d.Date.Format(time.DateOnly), err)
		}
		if w.Progress != nil {
			progressMu.Lock()
			done++
			w.Progress(done, h.Days())
			progressMu.Unlock()
		}
		return nil
	})
	res.Write = time.Since(start)
	w.phase("write", res.Write)
	if err != nil {
		return res, err
	}
	res.Cases, res.Rows = total.Case, total.Row
	if !res.Bulk {
		res.Stats, err = finishHistory(ctx, pool, w)
	}
	return res, err
}

// startBulk drops the constraints for a bulk load if the mode and the circumstances allow.
func startBulk(ctx context.Context, pool *pgxpool.Pool, mode Bulk, cases int) (bool, error) {
	switch {
	case mode == BulkNever, mode == BulkAuto && cases < BulkCases:
		return false, nil
	case mode == BulkAuto:
		if ok, err := alone(ctx, pool); err != nil || !ok {
			return false, err
		}
	}
	return dropForBulk(ctx, pool)
}

// finishHistory updates the planner's statistics of the tables it grew and rebuilds the
// dashboard's figures from the history, which no consumer has counted: it is not published.
func finishHistory(ctx context.Context, pool *pgxpool.Pool, w Writer) (time.Duration, error) {
	start := time.Now()
	if _, err := pool.Exec(ctx, `ANALYZE events, cases, case_history`); err != nil {
		return 0, fmt.Errorf("analyze: %w", err)
	}
	w.phase("analyze", time.Since(start))
	t := time.Now()
	err := dispatch.RebuildStats(ctx, pool)
	w.phase("stats", time.Since(t))
	return time.Since(start), err
}

// parallelDays calls fn for days 0..n-1 on workers goroutines, stopping at the first error.
func parallelDays(ctx context.Context, n, workers int, fn func(int) error) error {
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// reserveHistoryIDs takes n ids from each table's identity sequence. The tables are locked
// against inserts while it does, so nobody else's row takes an id in between.
func reserveHistoryIDs(ctx context.Context, pool *pgxpool.Pool, n IDs) (IDs, error) {
	var first IDs
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE events, cases, case_history IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		for _, r := range []struct {
			table string
			n     int64
			first *int64
		}{{"events", n.Event, &first.Event}, {"cases", n.Case, &first.Case}, {"case_history", n.Row, &first.Row}} {
			if r.n == 0 {
				continue
			}
			if err := tx.QueryRow(ctx, `SELECT first, setval(s, first + $2 - 1)
				FROM pg_get_serial_sequence($1, 'id') AS s, nextval(s) AS first`, r.table, r.n).Scan(r.first, new(int64)); err != nil {
				return fmt.Errorf("reserve %s ids: %w", r.table, err)
			}
		}
		return nil
	})
	return first, err
}

// selectHistoryUnits reads every unit, with the polygon and a point surely inside of the leaves.
const selectHistoryUnits = `
SELECT code, name, has_centre, coalesce(households, 0), leaf,
       CASE WHEN leaf THEN ST_AsBinary(geom) END,
       CASE WHEN leaf THEN ST_X(ST_PointOnSurface(geom)) END, CASE WHEN leaf THEN ST_Y(ST_PointOnSurface(geom)) END
FROM (SELECT u.*, NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_code = u.code AND c.retired_at IS NULL) AS leaf
      FROM units u WHERE u.retired_at IS NULL) u
ORDER BY code`

// selectHistoryStaff reads who reports, mediates and supervises, in a stable order.
const selectHistoryStaff = `
SELECT member_id, unit_code, role FROM assignments
WHERE role IN ('grid_worker', 'mediator', 'supervisor')
ORDER BY unit_code, role, member_id`

// ReadWorld reads what history is generated over: every leaf unit with its path, the
// staff, and the active categories.
func ReadWorld(ctx context.Context, pool *pgxpool.Pool) (World, error) {
	var w World
	rows, err := pool.Query(ctx, selectHistoryUnits)
	if err != nil {
		return w, fmt.Errorf("read units: %w", err)
	}
	refs := map[string]grid.UnitRef{}
	var (
		code, name string
		has, leaf  bool
		households int32
		geom       []byte
		x, y       *float64
		leaves     []Place
		leafCodes  []string
	)
	_, err = pgx.ForEachRow(rows, []any{&code, &name, &has, &households, &leaf, &geom, &x, &y}, func() error {
		refs[code] = grid.UnitRef{Code: code, Name: name, NoCentre: !has}
		if !leaf {
			return nil
		}
		g, err := wkb.Unmarshal(geom)
		if err != nil {
			return fmt.Errorf("unit %s: %w", code, err)
		}
		mp, ok := g.(orb.MultiPolygon)
		if !ok {
			return fmt.Errorf("unit %s: not a multipolygon", code)
		}
		leaves = append(leaves, Place{Geom: mp, Inside: orb.Point{*x, *y}, Households: int(households)})
		leafCodes = append(leafCodes, code)
		return nil
	})
	if err != nil {
		return w, fmt.Errorf("read units: %w", err)
	}
	for i, code := range leafCodes {
		p := &grid.Path{}
		for l := grid.County; l <= grid.MicroGrid && l.CodeLength() <= len(code); l++ {
			if u, ok := refs[code[:l.CodeLength()]]; ok {
				p.Units[l], p.Level = u, l
			}
		}
		leaves[i].Path = p
	}
	w.Places = leaves

	rows, err = pool.Query(ctx, selectHistoryStaff)
	if err != nil {
		return w, fmt.Errorf("read staff: %w", err)
	}
	w.Staff, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Staff, error) {
		var s Staff
		err := row.Scan(&s.MemberID, &s.UnitCode, &s.Role)
		return s, err
	})
	if err != nil {
		return w, fmt.Errorf("read staff: %w", err)
	}
	cats, err := dispatch.NewCatalogue(pool).List(ctx)
	if err != nil {
		return w, err
	}
	slices.SortFunc(cats, func(a, b dispatch.Category) int { return strings.Compare(a.Code, b.Code) })
	w.Categories = cats
	return w, nil
}

// The columns each COPY writes, in the order writeHistoryDay encodes them.
const (
	copyEvents = `COPY events (id, client_id, reporter_id, category, severity, description, location, accuracy_m,
	happened_at, received_at, unit_code, handled_on_spot, on_spot_note) FROM STDIN (FORMAT binary)`
	copyCases = `COPY cases (id, event_id, unit_code, state, level, centre_code, version, opened_at, closed_at, outcome,
	rework_count, urged_at, severity, deadline_at, overdue_at, late, verify_due_at, verify_lapse_at) FROM STDIN (FORMAT binary)`
	copyHistory = `COPY case_history (id, case_id, at, actor_id, from_state, to_state, level, from_level, centre_code,
	transition, reason, outcome, parties, deadline_at) FROM STDIN (FORMAT binary)`
)

// copyBufs are reused from day to day: a day of ten million cases' history is megabytes.
var copyBufs = sync.Pool{New: func() any { return new(copyBuf) }}

// writeHistoryDay copies a day's events, cases and history in one transaction.
func writeHistoryDay(ctx context.Context, pool *pgxpool.Pool, d *Day) error {
	b := copyBufs.Get().(*copyBuf)
	defer copyBufs.Put(b)
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, c := range []struct {
			sql    string
			encode func(*copyBuf, *Day)
			rows   int
		}{{copyEvents, encodeEvents, len(d.Events)}, {copyCases, encodeCases, len(d.Cases)}, {copyHistory, encodeHistory, len(d.Rows)}} {
			b.reset()
			c.encode(b, d)
			b.end()
			tag, err := tx.Conn().PgConn().CopyFrom(ctx, b, c.sql)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != int64(c.rows) {
				return fmt.Errorf("copied %d rows of %d", tag.RowsAffected(), c.rows)
			}
		}
		return nil
	})
}

// CaseCount is how many cases the database holds.
func CaseCount(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var n int64
	err := pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&n)
	if err != nil {
		err = fmt.Errorf("count cases: %w", err)
	}
	return n, err
}
