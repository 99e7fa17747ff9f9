package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestGridChangeReachesServerOverNATS imports into the database from a separate command, as an
// operator would, and waits for the running server's locator to see it: the units trigger
// writes an outbox row, the relay publishes it to JetStream, and the server rebuilds.
func TestGridChangeReachesServerOverNATS(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	fixture := gridtest.File(t)
	if _, _, err := run(t, "--database-url", db.URL, "grid", "import", fixture); err != nil {
		t.Fatal(err)
	}
	m := startMain(t, db.URL)
	const lon, lat = 111.15, 35.15 // township 140802002, which has no villages yet
	if got, ok := m.Locator().Locate(lon, lat); !ok || got.Unit().Code != "140802002" {
		t.Fatalf("before: %+v %v", got.Unit(), ok)
	}

	village := filepath.Join(t.TempDir(), "village.geojson")
	err := os.WriteFile(village, []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"code":"140802002001","name":"新村","level":3,"parent_code":"140802002"},
		 "geometry":{"type":"Polygon","coordinates":[[[111.1,35.0],[111.2,35.0],[111.2,35.2],[111.1,35.2],[111.1,35.0]]]}}]}`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "--database-url", db.URL, "grid", "import", village); err != nil {
		t.Fatal(err)
	}
	gridtest.Eventually(t, "the server to locate the imported village", func() bool {
		got, ok := m.Locator().Locate(lon, lat)
		return ok && got.Unit().Code == "140802002001" && got.Level == grid.Village && got.Units[grid.Township].Code == "140802002"
	})
}
