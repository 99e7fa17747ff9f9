package dispatch_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// A grid split while one of its cases is open: the case stays reported under the retired grid
// and is worked as before, the village's figures of the period are those it had, listed under
// the retired grid, and a new report at the same place goes to the new grid. The village itself,
// whose centre holds the case, cannot be retired until the case is closed.
func TestSplitGridKeepsItsCasesAndPastFigures(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour") // open at the village, reported in grid 140802001001001
	ctx := context.Background()
	g := grid.NewStore(fx.db.Pool)
	stats := dispatch.NewStats(fx.db.Pool)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	period := dispatch.StatsFilter{Unit: "140802001001", From: today.AddDate(0, 0, -7), To: today.AddDate(0, 0, 1)}
	figures := func() []dispatch.UnitCounters {
		if err := dispatch.RebuildStats(ctx, fx.db.Pool); err != nil {
			t.Fatal(err)
		}
		sums, err := stats.Children(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		return sums
	}
	before := figures()
	if len(before) != 1 || before[0].Code != "140802001001001" || before[0].Counters.Figures().Received != 1 {
		t.Fatalf("figures before: %+v", before)
	}

	village := []grid.ChangeOp{
		{Op: grid.OpRetire, Code: "140802001001", Successors: []string{"140802001002"}},
		{Op: grid.OpRedraw, Code: "140802001002", Geom: rect(111.0, 35.0, 111.1, 35.2)},
	}
	rep, err := g.DraftChange(ctx, grid.ChangeRequest{Title: "撤村并居", Operations: village})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.ApplyChange(ctx, rep.Change.ID, nil, grid.ChangeOptions{AllowTopologyProblems: true}); !errors.Is(err, grid.ErrChangeRefused) {
		t.Fatalf("a village with an open case retired: %v", err)
	}
	if p := rep.Problems; len(p) == 0 || p[0].Kind != grid.OpenCases || p[0].Code != "140802001001" {
		t.Fatalf("problems %v; want the open case named", p)
	}

	split := grid.Split("140802001001001", []grid.Unit{
		{Code: "140802001001003", Name: "东阜村第3网格", Geom: rect(111.0, 35.0, 111.05, 35.05)},
		{Code: "140802001001004", Name: "东阜村第4网格", Geom: rect(111.0, 35.05, 111.05, 35.1)},
	})
	rep, err = g.DraftChange(ctx, grid.ChangeRequest{Title: "拆分第1网格", Operations: split,
		Moves: map[string]string{"140802001001001": "140802001001003"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err = g.ApplyChange(ctx, rep.Change.ID, nil, grid.ChangeOptions{}); err != nil {
		t.Fatalf("split: %v %v", err, rep.Problems)
	}
	if rep.OpenCasesKept != 1 || len(rep.Retired) != 3 { // the grid and its two micro-grids
		t.Fatalf("kept %d open cases, retired %v", rep.OpenCasesKept, rep.Retired)
	}
	if after := figures(); !reflect.DeepEqual(after, before) {
		t.Fatalf("the period's figures changed with the grid:\nbefore %+v\nafter  %+v", before, after)
	}
	listed, err := g.ChildrenDuring(ctx, "140802001001", period.From, period.To)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 4 || listed[0].Code != "140802001001001" || listed[0].RetiredOn != grid.CountyToday(time.Now()) {
		t.Fatalf("the period lists %+v; want the retired grid with its date, then 002, 003, 004", listed)
	}
	lastYear, err := g.ChildrenDuring(ctx, "140802001001", today.AddDate(-1, 0, 0), today.AddDate(-1, 0, 7))
	if err != nil || len(lastYear) != 2 || lastYear[0].RetiredOn == "" || lastYear[1].Code != "140802001001002" {
		t.Fatalf("a past period lists %+v (%v); want the grids as they were", lastYear, err)
	}

	// The open case goes on at its centre, under the unit it was reported in.
	fx.must(t, fx.village, dispatch.ActAccept, "")
	var unit string
	if err := fx.db.Pool.QueryRow(ctx, `SELECT unit_code FROM cases WHERE id = $1`, fx.caseID).Scan(&unit); err != nil || unit != "140802001001001001" {
		t.Fatalf("the case is under %q (%v)", unit, err)
	}
	loc, err := g.NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := loc.Locate(111.02, 35.02); !ok || got.Unit().Code != "140802001001003" {
		t.Fatalf("a new report at the same place is located in %v", got.Unit())
	}
}

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}
