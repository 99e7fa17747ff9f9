package main

import (
	"context"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// demo load --history adds past cases; with --history-top-up, loading again adds none.
func TestDemoLoadHistory(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	out, _, err := run(t, "--database-url", db.URL, "demo", "load", "--county", "140802", "--history", "1500", "--history-top-up")
	if err != nil || !strings.Contains(out, "history: 1500 cases") {
		t.Fatalf("first load: %v\n%s", err, out)
	}
	out, _, err = run(t, "--database-url", db.URL, "demo", "load", "--county", "140802", "--history", "1500", "--history-top-up")
	if err != nil || !strings.Contains(out, "1500 cases stored already, none added") {
		t.Fatalf("second load: %v\n%s", err, out)
	}
	out, _, err = run(t, "--database-url", db.URL, "demo", "load", "--county", "140802", "--history", "500", "--history-days", "30")
	if err != nil || !strings.Contains(out, "history: 500 cases") {
		t.Fatalf("additive load: %v\n%s", err, out)
	}
	var cases, stats int
	if err := db.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM cases),
		(SELECT sum(received) FROM case_stats WHERE category = '' AND span = 'm' AND level = 1)`).Scan(&cases, &stats); err != nil {
		t.Fatal(err)
	}
	if cases != 2000 || stats != 2000 {
		t.Fatalf("%d cases, %d in the dashboard's figures; want 2000", cases, stats)
	}
	if _, _, err := run(t, "--database-url", db.URL, "demo", "load", "--county", "140802", "--history", "10", "--history-bulk", "sometimes"); err == nil {
		t.Fatal("--history-bulk sometimes accepted")
	}
}
