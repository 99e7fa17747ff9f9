package dispatch

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// TestDuplicateSuggestionLatency measures the suggestion query (docs/benchmarks.md) against a
// database holding demo history, named by DUPES_BENCH_URL (skipped without it): for the open
// cases the console asks about, and for cases drawn from the whole history as if they were
// open (the query's work is the same; only the case's own state check is left out). It prints
// the plan and p50/p99/max over DUPES_BENCH_N cases each (default 2000), one at a time.
func TestDuplicateSuggestionLatency(t *testing.T) {
	t.Parallel()
	url := os.Getenv("DUPES_BENCH_URL")
	if url == "" {
		t.Skip("DUPES_BENCH_URL not set")
	}
	n := 2000
	if s := os.Getenv("DUPES_BENCH_N"); s != "" {
		fmt.Sscan(s, &n)
	}
	ctx := context.Background()
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	pc.ConnConfig.RuntimeParams["jit"] = "off" // as the server's own pool (cmd/griddispatch/app.go)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var total, open int64
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state <> 'closed') FROM cases`).Scan(&total, &open); err != nil {
		t.Fatal(err)
	}
	t.Logf("cases: %d (%d open)", total, open)
	w := DefaultDuplicateWindow
	asIfOpen := strings.Replace(selectDuplicates, "WHERE c.id = $3 AND c.state <> 'closed') x", "WHERE c.id = $3) x", 1)
	if asIfOpen == selectDuplicates {
		t.Fatal("query changed: update the benchmark")
	}
	var maxID int64
	if err := pool.QueryRow(ctx, `SELECT max(id) FROM cases`).Scan(&maxID); err != nil {
		t.Fatal(err)
	}
	openIDs, err := ids(ctx, pool, `SELECT id FROM cases WHERE state <> 'closed' ORDER BY random() LIMIT $1`, n)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var anyIDs []int64
	for range n {
		anyIDs = append(anyIDs, 1+rng.Int64N(maxID))
	}
	for _, run := range []struct {
		name, sql string
		ids       []int64
	}{{"open cases", selectDuplicates, openIDs}, {"any case of the history, as if open", asIfOpen, anyIDs}} {
		rows, err := pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+run.sql, w.Metres, w.Within, run.ids[0], MaxDuplicates)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		t.Logf("%s: plan\n%s", run.name, strings.Join(plan, "\n"))
		var lat []time.Duration
		found := 0
		for _, id := range run.ids {
			start := time.Now()
			rows, err := pool.Query(ctx, run.sql, w.Metres, w.Within, id, MaxDuplicates)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				found++
			}
			if rows.Err() != nil {
				t.Fatal(rows.Err())
			}
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		t.Logf("%s: %d queries, %d suggestions; p50 %v, p90 %v, p99 %v, max %v", run.name, len(lat), found,
			q(0.5).Round(10*time.Microsecond), q(0.9).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	}
}

func ids(ctx context.Context, pool *pgxpool.Pool, sql string, n int) ([]int64, error) {
	rows, err := pool.Query(ctx, sql, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
