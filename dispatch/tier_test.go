package dispatch_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestTier: names, validity and the levels of the three tiers and the grid.
func TestTier(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tier      dispatch.Tier
		name      string
		level     grid.Level
		valid     bool
		hasCentre bool
	}{
		{dispatch.TierCounty, "county", grid.County, true, true},
		{dispatch.TierTownship, "township", grid.Township, true, true},
		{dispatch.TierVillage, "village", grid.Village, true, true},
		{dispatch.TierGrid, "grid", grid.Grid, true, false},
		{0, "tier(0)", 0, false, false},
		{5, "tier(5)", grid.MicroGrid, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tier.String() != tc.name || tc.tier.Level() != tc.level || tc.tier.Valid() != tc.valid || tc.tier.HasCentre() != tc.hasCentre {
				t.Errorf("%d: %q level %d valid %v centre %v", tc.tier, tc.tier, tc.tier.Level(), tc.tier.Valid(), tc.tier.HasCentre())
			}
			if tc.valid && dispatch.TierOf(tc.level) != tc.tier {
				t.Errorf("TierOf(%d) = %d", tc.level, dispatch.TierOf(tc.level))
			}
			got, ok := dispatch.ParseTier(tc.name)
			if ok != tc.hasCentre || (ok && got != tc.tier) {
				t.Errorf("ParseTier(%q) = %d, %v", tc.name, got, ok)
			}
		})
	}
}

// TestTierWire: a tier is a number on the wire, as a case's level always was ("level": 3 in
// a case frame and the outbox payload), and a smallint in the database, read and written.
func TestTierWire(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(dispatch.CaseEvent{Level: dispatch.TierVillage, FromLevel: dispatch.TierGrid})
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	json.Unmarshal(b, &back)
	if back["level"] != 3.0 || back["from_level"] != 4.0 {
		t.Fatalf("levels encoded as %v, %v; want the numbers 3 and 4", back["level"], back["from_level"])
	}
	var ev dispatch.CaseEvent
	if err := json.Unmarshal([]byte(`{"level": 2, "from_level": 1}`), &ev); err != nil || ev.Level != dispatch.TierTownship || ev.FromLevel != dispatch.TierCounty {
		t.Fatalf("decoded %+v, %v", ev, err)
	}

	db := dbtest.New(t)
	ctx := context.Background()
	var tier, doubled dispatch.Tier
	var none *dispatch.Tier
	err = db.Pool.QueryRow(ctx, `SELECT $1::smallint, $1::smallint * 2 - 5, NULL::smallint`, dispatch.TierVillage).Scan(&tier, &doubled, &none)
	if err != nil || tier != dispatch.TierVillage || doubled != 1 || none != nil {
		t.Fatalf("read %d, %d, %v: %v", tier, doubled, none, err)
	}
	// Under every query mode: a text-format parameter must be the number, not the name.
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec, pgx.QueryExecModeDescribeExec} {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT $1::int`, mode, dispatch.TierTownship).Scan(&n); err != nil || n != 2 {
			t.Fatalf("mode %v: %d, %v", mode, n, err)
		}
	}
}
