package dispatch

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// Issue 5's second target: with 1,000,000 open cases carrying deadlines, overdue cases are
// handled (escalated, or flagged overdue) within 2 s of their deadline, none twice, with two
// processes running the timer and one of them restarted.
//
// BenchmarkEscalatorDeadlines is one fixed scenario, not a loop over b.N; run it once:
//
//	go test -run '^$' -bench EscalatorDeadlines -benchtime=1x -timeout 20m ./dispatch/
//
// It loads -escalator.cases open cases (events and cases by INSERT … SELECT FROM
// generate_series, all 32 categories, queued, accepted or mediating at their starting tier) with
// deadlines spread over 30 days from an hour ahead, so none falls due, and ANALYZEs them as a
// live database would be. It checks that the timer's query (selectDue) reads the partial index
// cases_due_idx in order, with nothing due, with 3,000 and with 100,000 cases overdue (in a
// transaction rolled back). Then it adds -escalator.stream cases falling due evenly over
// -escalator.over (4 in 5 neighbour disputes at the village, which escalate to the township; 1
// in 5 petitions at the township, which are only flagged) and -escalator.burst more all due at
// the same instant, two thirds of the way (40 s in). Two timers run, each with its own pool as
// two processes would, at the production EscalatorInterval; half-way (30 s in) the first is
// closed, which cancels its transaction in flight as a killed process's would end, and
// started again.
//
// For every handled case: "at" is the history row's time (the timer's transaction start) minus
// the deadline; "seen" is when a reader first saw the committed history row (polled every
// 25 ms, so it includes the commit and up to 25 ms of polling) minus the deadline. Reported:
// both as p50/p99/max in ms, cases handled, cases handled twice (must be 0), and cases touched
// that were not due (must be 0).
var (
	escalatorCases  = flag.Int("escalator.cases", 1_000_000, "open cases with deadlines far ahead")
	escalatorStream = flag.Int("escalator.stream", 20_000, "cases falling due evenly during the run")
	escalatorOver   = flag.Duration("escalator.over", 60*time.Second, "the stream's deadlines span this long")
	escalatorBurst  = flag.Int("escalator.burst", 3_000, "cases all due at the same instant, two thirds in (40 s of 60)")
	// Issue 16: with -escalator.clock working_hours every category's tiers count working hours,
	// so each escalation works out its next deadline on the working calendar; the run then also
	// checks that every deadline an escalation set falls in working time.
	escalatorClock = flag.String("escalator.clock", "calendar", "the categories' clock: calendar or working_hours")
)

func BenchmarkEscalatorDeadlines(b *testing.B) {
	ctx := context.Background()
	db := dbtest.New(b)
	pool := escalatorBenchPool(b, db.URL)
	g := grid.NewStore(pool)
	gridtest.Import(b, g)
	reporter, err := g.CreateMember(ctx, "13900000001", "网格员")
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Assign(ctx, grid.Assignment{MemberID: reporter.ID, UnitCode: "140802001001001", Role: grid.RoleGridWorker}); err != nil {
		b.Fatal(err)
	}

	loadStart := time.Now()
	bulkOpenCases(b, pool, reporter.ID, *escalatorCases)
	if _, err := pool.Exec(ctx, `UPDATE categories SET village_clock = $1, township_clock = $1, county_clock = $1,
		urgent_clock = $1`, *escalatorClock); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d open cases in %s", *escalatorCases, time.Since(loadStart).Round(time.Second))
	checkDuePlan(b, pool)

	// The stream starts a few seconds from now, once its cases are in and the timers run.
	t0 := time.Now().Add(5 * time.Second).Truncate(time.Millisecond)
	due := dueStream(b, pool, reporter.ID, t0)
	b.Logf("%d cases fall due from %s over %s, %d of them at %s", len(due), t0.Format(time.TimeOnly),
		*escalatorOver, *escalatorBurst, t0.Add(burstAt()).Format(time.TimeOnly))

	b.ResetTimer()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	first, second := escalatorBenchPool(b, db.URL), escalatorBenchPool(b, db.URL)
	timerA := NewEscalator(first, logger, EscalatorInterval)
	if err := timerA.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	timerB := NewEscalator(second, logger, EscalatorInterval)
	if err := timerB.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	restarted := false
	seen := watchHandled(b, pool, due, t0.Add(*escalatorOver+90*time.Second), func() {
		if !restarted && time.Since(t0) >= *escalatorOver/2 {
			timerA.Close() // cancels its transaction in flight, as a killed process's would end
			timerA = NewEscalator(first, logger, EscalatorInterval)
			if err := timerA.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			restarted = true
		}
	})
	timerA.Close()
	timerB.Close()
	b.StopTimer()

	rows, err := pool.Query(ctx, `SELECT case_id, at FROM case_history WHERE actor_id IS NULL`)
	if err != nil {
		b.Fatal(err)
	}
	handled := map[int64]int{}
	var atLags, seenLags []time.Duration
	stray := 0
	var id int64
	var at time.Time
	if _, err := pgx.ForEachRow(rows, []any{&id, &at}, func() error {
		handled[id]++
		if deadline, ok := due[id]; !ok {
			stray++
		} else if handled[id] == 1 {
			atLags = append(atLags, at.Sub(deadline))
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	twice := 0
	for _, n := range handled {
		if n > 1 {
			twice++
		}
	}
	for id, at := range seen {
		seenLags = append(seenLags, at.Sub(due[id]))
	}
	b.ReportMetric(float64(len(handled)), "handled")
	b.ReportMetric(float64(len(due)-len(seen)), "missed")
	b.ReportMetric(float64(twice), "twice")
	b.ReportMetric(float64(stray), "not_due_touched")
	reportDeadlineLags(b, "at", atLags)
	reportDeadlineLags(b, "seen", seenLags)
	if *escalatorClock != "calendar" {
		b.ReportMetric(float64(offHoursDeadlines(b, pool)), "off_hours_deadlines")
	}
	if twice > 0 || stray > 0 || len(seen) < len(due) {
		b.Errorf("%d of %d due cases handled, %d twice, %d not due touched", len(seen), len(due), twice, stray)
	}
}

// burstAt is when the burst falls due, from the start of the stream.
func burstAt() time.Duration { return *escalatorOver * 2 / 3 }

// escalatorBenchPool is a pool of four connections, the default on this machine.
func escalatorBenchPool(b *testing.B, url string) *pgxpool.Pool {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// benchCategories are the catalogue's codes, in the order the bulk load cycles through them.
func benchCategories(b *testing.B, pool *pgxpool.Pool) []string {
	b.Helper()
	rows, err := pool.Query(context.Background(), `SELECT code FROM categories ORDER BY code`)
	if err != nil {
		b.Fatal(err)
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		b.Fatal(err)
	}
	return codes
}

// bulkOpenCases inserts n events at micro-grid 140802001001001001 and their open cases at the
// category's starting tier, with deadlines from an hour to 30 days ahead, then ANALYZEs.
func bulkOpenCases(b *testing.B, pool *pgxpool.Pool, reporter int64, n int) {
	b.Helper()
	ctx := context.Background()
	const chunk = 250_000
	categories := benchCategories(b, pool)
	for from := 1; from <= n; from += chunk {
		to := min(n, from+chunk-1)
		if _, err := pool.Exec(ctx, `
INSERT INTO events (client_id, reporter_id, category, severity, description, location, accuracy_m, happened_at,
                    received_at, unit_code)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, $1, ($2::text[])[1 + g % cardinality($2)],
       CASE WHEN g % 10 = 0 THEN 'urgent' ELSE 'normal' END, '两户因排水沟发生争执，需调解',
       ST_SetSRID(ST_MakePoint(111.02, 35.02), 4326), 8, now() - interval '1 day', now() - interval '1 day',
       '140802001001001001'
FROM generate_series($3::bigint, $4::bigint) g`, reporter, categories, from, to); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `
INSERT INTO cases (event_id, unit_code, state, level, centre_code, severity, opened_at, deadline_at)
SELECT e.id, e.unit_code, (ARRAY['queued', 'accepted', 'mediating'])[1 + e.id % 3], k.start_level,
       left(e.unit_code, CASE k.start_level WHEN 1 THEN 6 WHEN 2 THEN 9 ELSE 12 END), e.severity, e.received_at,
       now() + interval '1 hour' + (e.id % 1000003) * (interval '30 days' / 1000003)
FROM events e JOIN categories k ON k.code = e.category`); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE events; ANALYZE cases`); err != nil {
		b.Fatal(err)
	}
}

// checkDuePlan fails unless the timer's query reads the partial index cases_due_idx.
func checkDuePlan(b *testing.B, pool *pgxpool.Pool) {
	b.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, overdue := range []int{0, 3000, 100_000} {
		if _, err := tx.Exec(ctx, `UPDATE cases SET deadline_at = now() - interval '1 minute'
			WHERE id IN (SELECT id FROM cases ORDER BY id LIMIT $1)`, overdue); err != nil {
			b.Fatal(err)
		}
		rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+selectDue, escalateBatch)
		if err != nil {
			b.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			b.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		b.Logf("the timer's query over %d open cases, %d overdue:\n%s", *escalatorCases, overdue, plan)
		if !strings.Contains(plan, "cases_due_idx") || strings.Contains(plan, "Sort") {
			b.Fatal("selectDue does not read cases_due_idx in order")
		}
	}
}

// dueStream inserts the cases that fall due during the run and returns their deadlines.
func dueStream(b *testing.B, pool *pgxpool.Pool, reporter int64, t0 time.Time) map[int64]time.Time {
	b.Helper()
	ctx := context.Background()
	n, burst := *escalatorStream, *escalatorBurst
	step := *escalatorOver / time.Duration(max(1, n))
	rows, err := pool.Query(ctx, `
WITH d AS (
    SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid AS client_id, CASE WHEN g % 5 = 4 THEN 'petition' ELSE 'neighbour' END AS category,
           CASE WHEN g <= $4::int THEN $2::timestamptz + (g - 1) * $3::interval ELSE $2::timestamptz + $6::interval END AS deadline_at
    FROM generate_series(1, $4::int + $5::int) g
), e AS (
    INSERT INTO events (client_id, reporter_id, category, severity, description, location, accuracy_m, happened_at, unit_code)
    SELECT client_id, $1, category, 'normal', '排水沟纠纷',
           ST_SetSRID(ST_MakePoint(111.02, 35.02), 4326), 8, now() - interval '1 day', '140802001001001001'
    FROM d
    RETURNING id, client_id, category, unit_code
)
INSERT INTO cases (event_id, unit_code, state, level, centre_code, severity, deadline_at)
SELECT e.id, e.unit_code, 'queued', CASE e.category WHEN 'petition' THEN 2 ELSE 3 END,
       CASE e.category WHEN 'petition' THEN '140802001' ELSE '140802001001' END, 'normal', d.deadline_at
FROM e JOIN d USING (client_id)
RETURNING id, deadline_at`, reporter, t0, step, n, burst, burstAt())
	if err != nil {
		b.Fatal(err)
	}
	due := map[int64]time.Time{}
	var id int64
	var deadline time.Time
	if _, err := pgx.ForEachRow(rows, []any{&id, &deadline}, func() error {
		due[id] = deadline
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE cases`); err != nil {
		b.Fatal(err)
	}
	return due
}

// watchHandled polls, every 25 ms, which due cases have a committed history row by the timer,
// and notes when each was first seen, until all are or until the deadline. tick runs before
// every poll.
func watchHandled(b *testing.B, pool *pgxpool.Pool, due map[int64]time.Time, until time.Time, tick func()) map[int64]time.Time {
	b.Helper()
	ctx := context.Background()
	order := make([]int64, 0, len(due))
	for id := range due {
		order = append(order, id)
	}
	slices.SortFunc(order, func(x, y int64) int { return due[x].Compare(due[y]) })
	seen := make(map[int64]time.Time, len(due))
	next := 0 // order[:next] are due by now
	for len(seen) < len(due) && time.Now().Before(until) {
		time.Sleep(25 * time.Millisecond)
		tick()
		for now := time.Now(); next < len(order) && !due[order[next]].After(now); {
			next++
		}
		var open []int64
		for _, id := range order[:next] {
			if _, ok := seen[id]; !ok {
				open = append(open, id)
			}
		}
		if len(open) == 0 {
			continue
		}
		rows, err := pool.Query(ctx, `SELECT case_id FROM case_history WHERE actor_id IS NULL AND case_id = ANY($1)`, open)
		if err != nil {
			b.Fatal(err)
		}
		at := time.Now()
		var id int64
		if _, err := pgx.ForEachRow(rows, []any{&id}, func() error {
			if _, ok := seen[id]; !ok {
				seen[id] = at
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	return seen
}

func reportDeadlineLags(b *testing.B, name string, lags []time.Duration) {
	b.Helper()
	if len(lags) == 0 {
		return
	}
	slices.Sort(lags)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lags[len(lags)/2]), name+"_p50_ms")
	b.ReportMetric(ms(lags[min(len(lags)-1, len(lags)*99/100)]), name+"_p99_ms")
	b.ReportMetric(ms(lags[len(lags)-1]), name+"_max_ms")
	b.Log(fmt.Sprintf("%s: %d lags, min %.1f ms", name, len(lags), ms(lags[0])))
}

// offHoursDeadlines counts the deadlines the timer's escalations set outside working time, and
// fails if any is not on the working clock.
func offHoursDeadlines(b *testing.B, pool *pgxpool.Pool) int {
	ctx := context.Background()
	cal, err := currentCalendar(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT c.deadline_at, coalesce(c.deadline_clock, '') FROM cases c
		JOIN case_history h ON h.case_id = c.id AND h.actor_id IS NULL AND h.transition = 'escalate'`)
	if err != nil {
		b.Fatal(err)
	}
	off, n := 0, 0
	var at time.Time
	var clock string
	if _, err := pgx.ForEachRow(rows, []any{&at, &clock}, func() error {
		n++
		if clock != *escalatorClock {
			b.Errorf("an escalated case's deadline runs on %q", clock)
		}
		if !cal.InWorkingTime(at) {
			off++
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d escalations set deadlines on %s, %d outside working time", n, *escalatorClock, off)
	return off
}
