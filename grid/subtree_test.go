package grid_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

func TestSubtreeByPrefix(t *testing.T) {
	t.Parallel()
	s, db := loadDemoCounty(t)
	ctx := context.Background()
	const village = "140802002200"
	units, err := s.Subtree(ctx, village, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) < 1+4+16 || units[0].Code != village {
		t.Fatalf("subtree of %s: %d units, first %v", village, len(units), units[0].Code)
	}
	for _, u := range units {
		if !strings.HasPrefix(u.Code, village) {
			t.Fatalf("unit %s is outside the subtree of %s", u.Code, village)
		}
	}
	micro, err := s.Subtree(ctx, village, grid.MicroGrid)
	if err != nil {
		t.Fatal(err)
	}
	if len(micro) == 0 || len(micro) >= len(units) {
		t.Fatalf("micro-grids of %s: %d of %d units", village, len(micro), len(units))
	}
	if _, err := s.Subtree(ctx, "14%", 0); err == nil {
		t.Fatal("a LIKE pattern was accepted as a root code")
	}

	// The planner answers the prefix with the primary-key btree, not a scan of every unit.
	var raw []byte
	err = db.Pool.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT code FROM units WHERE code LIKE $1 || '%'`, village).Scan(&raw)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(raw) {
		t.Fatalf("plan is not JSON: %s", raw)
	}
	if !strings.Contains(string(raw), `"Index Name": "units_pkey"`) {
		t.Fatalf("prefix query does not use units_pkey:\n%s", raw)
	}
}
