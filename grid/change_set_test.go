package grid_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

func box(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

type changeFixture struct {
	db     *dbtest.DB
	store  *grid.Store
	worker grid.Member // grid worker of 东阜村第2网格 (140802001001002)
}

func newChangeFixture(t *testing.T) changeFixture {
	t.Helper()
	db := dbtest.New(t)
	s := grid.NewStore(db.Pool)
	gridtest.Import(t, s)
	w, err := s.CreateMember(context.Background(), "13900000031", "网格员甲")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Assign(context.Background(), grid.Assignment{MemberID: w.ID, UnitCode: "140802001001002", Role: grid.RoleGridWorker}); err != nil {
		t.Fatal(err)
	}
	return changeFixture{db: db, store: s, worker: w}
}

// splitSecondGrid halves 东阜村第2网格 (111.05-111.10 x 35.0-35.1) into grids 003 and 004.
func splitSecondGrid(westEnd float64) []grid.ChangeOp {
	return grid.Split("140802001001002", []grid.Unit{
		{Code: "140802001001003", Name: "东阜村第3网格", Geom: box(111.05, 35.0, westEnd, 35.1)},
		{Code: "140802001001004", Name: "东阜村第4网格", Geom: box(111.075, 35.0, 111.1, 35.1)},
	})
}

func (fx changeFixture) draft(t *testing.T, ops []grid.ChangeOp, moves map[string]string) grid.ChangeReport {
	t.Helper()
	rep, err := fx.store.DraftChange(context.Background(), grid.ChangeRequest{Title: "拆分网格", Operations: ops, Moves: moves})
	if err != nil {
		t.Fatalf("draft: %v %v", err, rep.Problems)
	}
	return rep
}

func problemKinds(ps []grid.Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code+" "+string(p.Kind))
	}
	return strings.Join(out, "; ")
}

// A split while the grid has staff: the old grid is kept, retired, with its successors; the
// locator places its area in the new grids; the worker, whose grid has two successors, is
// flagged rather than dropped, until the change set says where they go.
func TestSplitRetiresTheGridAndKeepsItsPeople(t *testing.T) {
	t.Parallel()
	fx := newChangeFixture(t)
	ctx := context.Background()
	draft := fx.draft(t, splitSecondGrid(111.075), nil)
	if len(draft.Problems) != 0 || len(draft.Flagged) != 1 || draft.Flagged[0].MemberID != fx.worker.ID {
		t.Fatalf("draft: problems %v, flagged %v", draft.Problems, draft.Flagged)
	}
	// A draft changes nothing.
	if u, err := fx.store.Unit(ctx, "140802001001002"); err != nil || u.Name != "东阜村第2网格" {
		t.Fatalf("after the draft: %v %v", u.Name, err)
	}
	rep, err := fx.store.ApplyChange(ctx, draft.Change.ID, nil, grid.ChangeOptions{})
	if err != nil || !rep.Applied {
		t.Fatalf("apply: %v %v", err, rep.Problems)
	}
	var retiredBy int64
	var successors []string
	if err := fx.db.Pool.QueryRow(ctx, `SELECT retired_by, successors FROM units WHERE code = '140802001001002'`).Scan(&retiredBy, &successors); err != nil {
		t.Fatal(err)
	}
	if retiredBy != draft.Change.ID || strings.Join(successors, ",") != "140802001001003,140802001001004" {
		t.Fatalf("retired by %d, successors %v", retiredBy, successors)
	}
	if _, err := fx.store.Unit(ctx, "140802001001002"); !errors.Is(err, grid.ErrNotFound) {
		t.Fatalf("a retired unit is not current: %v", err)
	}
	refs, err := fx.store.Refs(ctx, []string{"140802001001002"})
	if err != nil || refs["140802001001002"].Name != "东阜村第2网格" {
		t.Fatalf("a retired unit is still named, for its cases: %v %v", refs, err)
	}
	loc, err := fx.store.NewLocator(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		lon  float64
		want string
	}{{111.06, "140802001001003"}, {111.09, "140802001001004"}} {
		if got, ok := loc.Locate(p.lon, 35.05); !ok || got.Unit().Code != p.want {
			t.Errorf("(%v, 35.05) located in %v; want %s", p.lon, got.Unit(), p.want)
		}
		if code, err := fx.store.PostGISLocate(ctx, p.lon, 35.05); err != nil || code != p.want {
			t.Errorf("PostGIS: (%v, 35.05) in %q; want %s (%v)", p.lon, code, p.want, err)
		}
	}
	var flagged *int64
	if err := fx.db.Pool.QueryRow(ctx, `SELECT flagged_by FROM assignments WHERE member_id = $1`, fx.worker.ID).Scan(&flagged); err != nil {
		t.Fatal(err)
	}
	if flagged == nil || *flagged != draft.Change.ID {
		t.Fatalf("the worker's assignment is flagged by %v; want change %d", flagged, draft.Change.ID)
	}
	if problems, err := fx.store.Validate(ctx, "140802", grid.Tolerance{}); err != nil || len(problems) != 0 {
		t.Fatalf("the grid after the split: %v %v", problems, err)
	}
	// The set is decided; the code is never used again, by a change set or an import.
	if _, err := fx.store.ApplyChange(ctx, draft.Change.ID, nil, grid.ChangeOptions{}); !errors.Is(err, grid.ErrChangeDecided) {
		t.Fatalf("applied twice: %v", err)
	}
	again, err := fx.store.DraftChange(ctx, grid.ChangeRequest{Title: "恢复", Operations: []grid.ChangeOp{
		{Op: grid.OpAdd, Code: "140802001001002", Name: "东阜村第2网格", Geom: box(111.05, 35.0, 111.1, 35.1)}}})
	if !errors.Is(err, grid.ErrChangeInvalid) || !strings.Contains(problemKinds(again.Problems), "140802001001002 invalid_change") {
		t.Fatalf("re-adding a retired code: %v %v", err, again.Problems)
	}
	units := smallCountyUnits(t)
	imp, err := fx.store.ImportWith(ctx, units, grid.ImportOptions{})
	if !errors.Is(err, grid.ErrImportRefused) || !strings.Contains(kinds(imp), "140802001001002 retired_code") {
		t.Fatalf("importing over a retired unit: %v %s", err, kinds(imp))
	}
}

// Moves say where a retired unit's staff go; a unit with one successor takes its staff itself.
func TestMergeMovesAssignments(t *testing.T) {
	t.Parallel()
	fx := newChangeFixture(t)
	ctx := context.Background()
	officer, err := fx.store.CreateMember(ctx, "13900000032", "信息员")
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.store.Assign(ctx, grid.Assignment{MemberID: officer.ID, UnitCode: "140802001001001002", Role: grid.RoleInfoOfficer}); err != nil {
		t.Fatal(err)
	}
	// The two micro-grids of grid 001 become one, 003; the split grid's worker goes to 004.
	ops := grid.Merge([]string{"140802001001001001", "140802001001001002"},
		grid.Unit{Code: "140802001001001003", Name: "东阜村第1网格合并微网格", Geom: box(111.0, 35.0, 111.05, 35.1)})
	ops = append(ops, splitSecondGrid(111.075)...)
	draft := fx.draft(t, ops, map[string]string{"140802001001002": "140802001001004"})
	rep, err := fx.store.ApplyChange(ctx, draft.Change.ID, nil, grid.ChangeOptions{})
	if err != nil {
		t.Fatalf("apply: %v %v", err, rep.Problems)
	}
	if len(rep.Flagged) != 0 || len(rep.Moved) != 2 {
		t.Fatalf("moved %v, flagged %v", rep.Moved, rep.Flagged)
	}
	for member, want := range map[int64]string{officer.ID: "140802001001001003", fx.worker.ID: "140802001001004"} {
		as, err := fx.store.Assignments(ctx, member)
		if err != nil || len(as) != 1 || as[0].UnitCode != want {
			t.Fatalf("member %d: %v %v; want at %s", member, as, err, want)
		}
	}
	if rep.Change.RootCode != "140802001001" {
		t.Fatalf("root %s; want the village that holds every change", rep.Change.RootCode)
	}
}

// A split that leaves a gap is refused, with the gap, unless topology problems are allowed; an
// invalid polygon is refused always; a preview changes nothing and draws the change.
func TestChangeSetChecksBeforeItApplies(t *testing.T) {
	t.Parallel()
	fx := newChangeFixture(t)
	ctx := context.Background()
	gappy := fx.draft(t, splitSecondGrid(111.07), nil) // 111.07-111.075 covered by neither
	if got := problemKinds(gappy.Problems); got != "140802001001 gap" {
		t.Fatalf("problems %q; want the village's gap", got)
	}
	preview, err := fx.store.PreviewChange(ctx, gappy.Change.ID, grid.ChangeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features []struct {
			Properties struct{ Code, Change string }
		}
	}
	if err := json.Unmarshal(preview.Map, &m); err != nil {
		t.Fatal(err)
	}
	drawn := map[string]string{}
	for _, f := range m.Features {
		drawn[f.Properties.Code] = f.Properties.Change
	}
	if drawn["140802001001002"] != "retired" || drawn["140802001001003"] != "added" || drawn["140802001001001"] != "context" {
		t.Fatalf("preview map: %v", drawn)
	}
	if _, err := fx.store.ApplyChange(ctx, gappy.Change.ID, nil, grid.ChangeOptions{}); !errors.Is(err, grid.ErrChangeRefused) {
		t.Fatalf("a gap applied: %v", err)
	}
	if units, _ := fx.store.Subtree(ctx, "140802001001", grid.Grid); len(units) != 2 || units[1].Code != "140802001001002" {
		t.Fatalf("a refused change changed the grid: %v", units)
	}
	if _, err := fx.store.ApplyChange(ctx, gappy.Change.ID, nil, grid.ChangeOptions{AllowTopologyProblems: true}); err != nil {
		t.Fatalf("allowed: %v", err)
	}

	bowtie := orb.MultiPolygon{{{{111.1, 35.1}, {111.2, 35.2}, {111.2, 35.1}, {111.1, 35.15}, {111.1, 35.1}}}}
	bad := fx.draft(t, []grid.ChangeOp{{Op: grid.OpRedraw, Code: "140802002", Geom: bowtie}}, nil)
	if got := problemKinds(bad.Problems); got != "140802002 invalid_geometry" {
		t.Fatalf("problems %q", got)
	}
	if _, err := fx.store.ApplyChange(ctx, bad.Change.ID, nil, grid.ChangeOptions{AllowTopologyProblems: true}); !errors.Is(err, grid.ErrChangeRefused) {
		t.Fatalf("an invalid polygon applied: %v", err)
	}
}

// What cannot be tried is refused at once, every problem named; a change drafted before
// someone else changed its units is refused as stale; one effective later waits for its day.
func TestChangeSetRefusals(t *testing.T) {
	t.Parallel()
	fx := newChangeFixture(t)
	ctx := context.Background()
	rep, err := fx.store.DraftChange(ctx, grid.ChangeRequest{Title: "错误", Operations: []grid.ChangeOp{
		{Op: grid.OpRetire, Code: "140802001001009", Successors: []string{"140802001001001"}}, // no such unit
		{Op: grid.OpRetire, Code: "140802001001002"},                                          // no successors
		{Op: grid.OpAdd, Code: "140802001001001", Name: "重复", Geom: box(111.0, 35.0, 111.1, 35.1)},
		{Op: grid.OpRename, Code: "140802002", Name: ""},
	}})
	if !errors.Is(err, grid.ErrChangeInvalid) || len(rep.Problems) != 4 {
		t.Fatalf("%v %v; want the four problems, of the request and against the grid, at once", err, rep.Problems)
	}
	var n int
	if err := fx.db.Pool.QueryRow(ctx, `SELECT count(*) FROM grid_changes`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d change sets stored (%v); an invalid one is not", n, err)
	}

	stale := fx.draft(t, []grid.ChangeOp{{Op: grid.OpRename, Code: "140802002", Name: "大渠镇"}}, nil)
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE units SET name = '大渠街道（QGIS）', updated_at = now() WHERE code = '140802002'`); err != nil {
		t.Fatal(err)
	}
	rep, err = fx.store.ApplyChange(ctx, stale.Change.ID, nil, grid.ChangeOptions{})
	if !errors.Is(err, grid.ErrChangeRefused) || problemKinds(rep.Problems) != "140802002 stale_change" {
		t.Fatalf("stale: %v %v", err, rep.Problems)
	}

	later := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	due, err := fx.store.DraftChange(ctx, grid.ChangeRequest{Title: "元旦起更名", EffectiveOn: later,
		Operations: []grid.ChangeOp{{Op: grid.OpRename, Code: "140802002", Name: "大渠镇"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.store.ApplyChange(ctx, due.Change.ID, nil, grid.ChangeOptions{}); !errors.Is(err, grid.ErrChangeNotDue) {
		t.Fatalf("applied before its day: %v", err)
	}
	if err := fx.store.DiscardChange(ctx, due.Change.ID, &fx.worker.ID); err != nil {
		t.Fatal(err)
	}
	if cs, err := fx.store.Change(ctx, due.Change.ID); err != nil || cs.State != grid.ChangeDiscarded || *cs.DecidedBy != fx.worker.ID {
		t.Fatalf("discarded: %+v %v", cs, err)
	}
}
