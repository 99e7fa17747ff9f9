package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// The command line's change sets: a split drafted from a GeoJSON of the new grids is stored
// without changing the grid, previewed with its map, applied once, and listed as applied.
func TestGridChangeCommands(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	dir := t.TempDir()
	into := filepath.Join(dir, "new_grids.geojson")
	feature := func(code, name string, x0, x1 float64) string {
		return `{"type":"Feature","properties":{"code":"` + code + `","name":"` + name + `","level":4,"parent_code":"140802001001"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[` + ftoa(x0) + `,35],[` + ftoa(x1) + `,35],[` + ftoa(x1) + `,35.1],[` + ftoa(x0) + `,35.1],[` + ftoa(x0) + `,35]]]}}`
	}
	doc := `{"type":"FeatureCollection","features":[` + feature("140802001001003", "东阜村第3网格", 111.05, 111.075) + "," +
		feature("140802001001004", "东阜村第4网格", 111.075, 111.1) + `]}`
	if err := os.WriteFile(into, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := func(wantCode int, args ...string) string {
		t.Helper()
		out, _, err := run(t, append([]string{"--database-url", db.URL, "grid", "change"}, args...)...)
		if code := exitCode(err); code != wantCode {
			t.Fatalf("%v: exit %d (%v), output %q; want %d", args, code, err, out, wantCode)
		}
		return out
	}
	out := cli(0, "draft", "--title", "东阜村第2网格拆分", "--split", "140802001001002", "--into", into)
	if !strings.Contains(out, "drafted change 1 under 140802001001") || !strings.Contains(out, "retire  140802001001002 东阜村第2网格  successors 140802001001003,140802001001004") ||
		!strings.Contains(out, "change 1 can be applied") {
		t.Fatalf("draft: %q", out)
	}
	if n := countUnits(t, db); n != 9 {
		t.Fatalf("%d units after a draft; want the 9 as they were", n)
	}
	mapFile := filepath.Join(dir, "preview.geojson")
	if out := cli(0, "show", "1", "--map", mapFile); !strings.Contains(out, "add  140802001001004") {
		t.Fatalf("show: %q", out)
	}
	if b, err := os.ReadFile(mapFile); err != nil || !strings.Contains(string(b), `"change":"retired"`) {
		t.Fatalf("preview map: %v %.200s", err, b)
	}
	if out := cli(0, "apply", "1"); !strings.Contains(out, "applied change 1: 1 retired, 2 added") {
		t.Fatalf("apply: %q", out)
	}
	if out := cli(1, "apply", "1"); out != "" {
		t.Fatalf("apply again printed %q", out)
	}
	if out := cli(0, "list"); !strings.Contains(out, "applied") || !strings.Contains(out, "东阜村第2网格拆分") {
		t.Fatalf("list: %q", out)
	}
	// An invalid draft stores nothing and names each problem.
	out = cli(1, "draft", "--title", "错误", "--rename", "140802009=无此镇", "--rename", "140802001=")
	if !strings.Contains(out, "140802009") || !strings.Contains(out, "140802001") {
		t.Fatalf("invalid draft: %q", out)
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM grid_changes`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d change sets (%v)", n, err)
	}
	// A rename for a later day, scheduled for the server to apply then.
	later := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	cli(0, "draft", "--title", "更名", "--effective", later, "--rename", "140802002=大渠镇")
	if out := cli(0, "schedule", "2"); !strings.Contains(out, "will be applied when "+later+" begins") {
		t.Fatalf("schedule: %q", out)
	}
	if out := cli(0, "list"); !strings.Contains(out, "scheduled  effective "+later) {
		t.Fatalf("list after schedule: %q", out)
	}
	if out := cli(0, "unschedule", "2"); !strings.Contains(out, "not scheduled") {
		t.Fatalf("unschedule: %q", out)
	}
	cli(1, "unschedule", "2")
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
