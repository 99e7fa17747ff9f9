package dispatch_test

import (
	"context"
	"flag"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
)

// Issue 6's second target: keeping the statistics current costs under 10% of case-transition
// throughput (figures in docs/benchmarks.md).
//
// BenchmarkStatsCost runs the same saturating load twice, on a fresh schema each: -stats.cases
// cases queued at a village centre, received over the past year, each taken through accept,
// mediate, settle and the reporter's verify by -relay.workers goroutines as fast as they go,
// with the relay publishing, as `serve` runs it. "without" has no stats applier; "with" binds
// one and its time runs until every transition is counted. The ratio of the two throughputs is
// the cost.
//
//	go test -run '^$' -bench StatsCost -benchtime 1x ./dispatch/
var statsCases = flag.Int("stats.cases", 5000, "cases taken through four transitions each in BenchmarkStatsCost")

func BenchmarkStatsCost(b *testing.B) {
	for _, withStats := range []bool{false, true} {
		name := "without"
		if withStats {
			name = "with"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				rate := statsCostRun(b, withStats)
				b.ReportMetric(rate, "transitions/s")
			}
		})
	}
}

func statsCostRun(b *testing.B, withStats bool) float64 {
	b.StopTimer()
	ctx := context.Background()
	pool, mediator := relayBenchDB(b)
	ids := bulkQueuedCases(b, pool, *statsCases)
	bus, _ := relayBenchBus(b)
	relay := dispatch.NewRelay(pool, bus, benchLogger())
	if err := relay.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer relay.Close()
	if withStats {
		applier := dispatch.NewStatsApplier(pool, bus, benchLogger())
		if err := applier.Start(ctx); err != nil {
			b.Fatal(err)
		}
		defer applier.Close()
	}
	var reporter int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM members`).Scan(&reporter); err != nil {
		b.Fatal(err)
	}
	cases := dispatch.NewCases(pool)
	steps := []struct {
		action  dispatch.Action
		actor   int64
		outcome dispatch.Outcome
	}{{dispatch.ActAccept, mediator, ""}, {dispatch.ActMediate, mediator, ""},
		{dispatch.ActSettle, mediator, dispatch.OutcomeMediated}, {dispatch.ActVerify, reporter, ""}}
	work := make(chan int64, len(ids))
	for _, id := range ids {
		work <- id
	}
	close(work)
	cpu := startCPU(b, pool)
	b.StartTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range *relayWorkers {
		wg.Go(func() {
			for id := range work {
				for i, s := range steps {
					if _, err := cases.Apply(ctx, dispatch.Transition{CaseID: id, Version: i + 1, Action: s.action,
						ActorID: s.actor, Reason: "处理意见", Outcome: s.outcome}); err != nil {
						b.Errorf("case %d %s: %v", id, s.action, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	n := len(ids) * len(steps)
	if withStats { // until every closure is counted (the other three change no counter)
		deadline := time.Now().Add(2 * time.Minute)
		for counted(b, pool) < len(ids) {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d closures counted", counted(b, pool), len(ids))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	took := time.Since(start)
	b.StopTimer()
	cpu.report(b, n)
	return float64(n) / took.Seconds()
}

func counted(b *testing.B, pool *pgxpool.Pool) int {
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM stats_applied`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// bulkQueuedCases inserts n cases queued at the village centre 140802001001, received at random
// times over the past year by the first member, with their first history row, and returns them.
func bulkQueuedCases(b *testing.B, pool *pgxpool.Pool, n int) []int64 {
	b.Helper()
	rows, err := pool.Query(context.Background(), `
WITH e AS (
    INSERT INTO events (client_id, reporter_id, category, severity, description, location, accuracy_m, happened_at, unit_code)
    SELECT gen_random_uuid(), (SELECT min(id) FROM members), 'neighbour', 'normal', '两户因排水沟发生争执',
           ST_SetSRID(ST_MakePoint(111.02, 35.02), 4326), 8, now() - interval '1 hour', '140802001001001001'
    FROM generate_series(1, $1)
    RETURNING id, unit_code
), c AS (
    INSERT INTO cases (event_id, unit_code, state, level, centre_code, severity, deadline_at, opened_at)
    SELECT id, unit_code, 'queued', 3, '140802001001', 'normal', now() + interval '7 days',
           now() - random() * interval '365 days' FROM e
    RETURNING id, opened_at, deadline_at
)
INSERT INTO case_history (case_id, at, actor_id, to_state, level, centre_code, deadline_at)
SELECT id, opened_at, (SELECT min(id) FROM members), 'queued', 3, '140802001001', deadline_at FROM c
RETURNING case_id`, n)
	return analyzedIDs(b, pool, rows, err)
}
