package grid_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

func smallCountyUnits(t *testing.T) []grid.Unit {
	t.Helper()
	units, err := grid.ReadGeoJSON(bytes.NewReader(gridtest.SmallCounty))
	if err != nil {
		t.Fatal(err)
	}
	return units
}

// unitAt is the index of the unit with code.
func unitAt(t *testing.T, units []grid.Unit, code string) int {
	t.Helper()
	for i, u := range units {
		if u.Code == code {
			return i
		}
	}
	t.Fatalf("no unit %s", code)
	return -1
}

// kinds lists a report's problems as "code kind" lines.
func kinds(r grid.ImportReport) string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Code+" "+string(p.Kind))
	}
	return strings.Join(out, "; ")
}

// TestReadingReportsEveryProblemAtOnce: a file with three bad features is refused naming all
// three, not only the first.
func TestReadingReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	doc := readFixture(t)
	props(doc, 3)["code"] = "14080200100X"                          // malformed
	features(doc)[5].(map[string]any)["properties"] = props(doc, 4) // a duplicate of feature 4
	geometry(doc, 8)["coordinates"] = []any{[]any{[]any{1, 2}}}     // too few points
	_, err := grid.ReadGeoJSON(bytes.NewReader(encode(t, doc)))
	var all *grid.FeatureProblems
	if !errors.As(err, &all) || len(all.Problems) != 3 {
		t.Fatalf("%v; want the 3 problems at once", err)
	}
	for i, want := range []error{grid.ErrInvalidUnit, grid.ErrDuplicateCode, grid.ErrBadGeometry} {
		if !errors.Is(all.Problems[i], want) {
			t.Errorf("problem %d: %v; want %v", i, all.Problems[i], want)
		}
	}
	if !strings.Contains(err.Error(), "3 problems") || !errors.Is(err, grid.ErrDuplicateCode) {
		t.Fatalf("the report %q does not read as all three", err)
	}
}

// TestImportChecksBeforeCommit: a dry run reports, in one report, an invalid polygon with what
// ST_MakeValid would make of it, the overlap and the gap it leaves, and writes nothing; a real
// import refuses the same file; with MakeValid the polygon is repaired and what changed is said,
// and the topology problems still refuse it unless allowed; a clean file commits.
func TestImportChecksBeforeCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	s := grid.NewStore(db.Pool)
	stored := func() int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM units`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	units := smallCountyUnits(t)
	// Micro-grid 002 drawn as a bow tie over its own box: invalid, and leaving part of its grid
	// uncovered. Micro-grid 001, south of it, pushed north into it: the two overlap.
	bow := units[unitAt(t, units, "140802001001001002")]
	b := bow.Geom.Bound()
	bow.Geom = orb.MultiPolygon{{{b.Min, b.Max, {b.Max[0], b.Min[1]}, {b.Min[0], b.Max[1]}, b.Min}}}
	units[unitAt(t, units, "140802001001001002")] = bow
	first := &units[unitAt(t, units, "140802001001001001")]
	first.Geom = orb.Clone(first.Geom).(orb.MultiPolygon)
	for _, poly := range first.Geom {
		for _, ring := range poly {
			for i := range ring {
				if ring[i][1] >= b.Min[1]-1e-9 {
					ring[i][1] += (b.Max[1] - b.Min[1]) / 4
				}
			}
		}
	}

	rep, err := s.ImportWith(ctx, units, grid.ImportOptions{DryRun: true})
	got := kinds(rep)
	for _, want := range []string{"140802001001001002 invalid_geometry", "140802001001001001 overlap", "140802001001001 gap"} {
		if !strings.Contains(got, want) {
			t.Errorf("dry run: %s; want %s among them", got, want)
		}
	}
	if err != nil || rep.Committed || stored() != 0 {
		t.Fatalf("dry run: %v, committed %v, %d units stored", err, rep.Committed, stored())
	}
	invalid := rep.Problems[slicesIndex(rep, "140802001001001002 invalid_geometry")]
	if !strings.Contains(invalid.Detail, "Self-intersection") || !strings.Contains(invalid.Detail, "ST_MakeValid would give") {
		t.Fatalf("the invalid polygon's detail: %q", invalid.Detail)
	}

	if rep, err := s.ImportWith(ctx, units, grid.ImportOptions{}); !errors.Is(err, grid.ErrImportRefused) || rep.Committed || stored() != 0 {
		t.Fatalf("a real import of the same file: %v, committed %v, %d stored", err, rep.Committed, stored())
	}
	rep, err = s.ImportWith(ctx, units, grid.ImportOptions{MakeValid: true})
	if !errors.Is(err, grid.ErrImportRefused) || strings.Contains(kinds(rep), "invalid_geometry") || len(rep.Repairs) != 1 {
		t.Fatalf("with MakeValid: %v; problems %s; repairs %v", err, kinds(rep), rep.Repairs)
	}
	if r := rep.Repairs[0]; r.Code != "140802001001001002" || r.VerticesBefore != 5 || r.PartsAfter != 2 || !(r.AreaAfterM2 > 0) {
		t.Fatalf("the repair: %+v", r)
	}
	audited := func() (n int, units []string, detail map[string]any) {
		t.Helper()
		err := db.Pool.QueryRow(ctx, `SELECT count(*) OVER (), units, detail FROM audit_log WHERE action = 'grid.import'
			ORDER BY id DESC LIMIT 1`).Scan(&n, &units, &detail)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		return n, units, detail
	}
	if n, _, _ := audited(); n != 0 {
		t.Fatalf("%d imports audited after dry runs and refusals; want none", n)
	}
	rep, err = s.ImportWith(ctx, units, grid.ImportOptions{MakeValid: true, AllowTopologyProblems: true, Detail: map[string]any{"file": "county.geojson"}})
	if err != nil || !rep.Committed || stored() != 9 {
		t.Fatalf("with MakeValid and the topology allowed: %v, committed %v, %d stored", err, rep.Committed, stored())
	}
	n, where, detail := audited()
	if n != 1 || strings.Join(where, ",") != "140802" || detail["file"] != "county.geojson" || detail["inserted"] != 9.0 ||
		detail["repaired"] != 1.0 || detail["topology_problems_allowed"] == 0.0 {
		t.Fatalf("the import's audit entry: %d entries, units %v, detail %v", n, where, detail)
	}

	clean := grid.NewStore(dbtest.New(t).Pool)
	if rep, err := clean.ImportWith(ctx, smallCountyUnits(t), grid.ImportOptions{}); err != nil || !rep.Committed ||
		len(rep.Problems) != 0 || rep.Result.Inserted != 9 {
		t.Fatalf("a clean file: %v %+v", err, rep)
	}
}

func slicesIndex(r grid.ImportReport, line string) int {
	for i, p := range r.Problems {
		if p.Code+" "+string(p.Kind) == line {
			return i
		}
	}
	return -1
}

// TestImportReportsUnknownParentsAndFarUnits: a unit whose parent is nowhere, and one moved 500
// km off by a slip of a digit, are both in the report; the unknown parent refuses the import.
func TestImportReportsUnknownParentsAndFarUnits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := grid.NewStore(dbtest.New(t).Pool)
	units := smallCountyUnits(t)
	far := &units[unitAt(t, units, "140802001002")]
	far.Geom = orb.Clone(far.Geom).(orb.MultiPolygon)
	for _, poly := range far.Geom {
		for _, ring := range poly {
			for i := range ring {
				ring[i][0] += 5 // 111.x -> 116.x
			}
		}
	}
	orphan := units[unitAt(t, units, "140802002")]
	orphan.Code, orphan.ParentCode, orphan.Name = "140809002", "140809", "无主乡"
	units = append(units, orphan)
	rep, err := s.ImportWith(ctx, units, grid.ImportOptions{DryRun: true})
	got := kinds(rep)
	if err != nil || !strings.Contains(got, "140802001002 far_from_rest") || !strings.Contains(got, "140809002 unknown_parent") {
		t.Fatalf("dry run: %v; %s", err, got)
	}
	if _, err := s.ImportWith(ctx, units, grid.ImportOptions{AllowTopologyProblems: true}); !errors.Is(err, grid.ErrImportRefused) {
		t.Fatalf("an unknown parent: %v; want refused", err)
	}
	for _, line := range rep.Lines() {
		if line == "" {
			t.Error("an empty line in the report")
		}
	}
}

// TestDatabaseRefusesInvalidPolygons: whoever writes to units (GIS staff editing the layer in
// QGIS, say), an invalid polygon is refused by the database, naming the constraint.
func TestDatabaseRefusesInvalidPolygons(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	_, err := db.Pool.Exec(context.Background(), `UPDATE units
		SET geom = ST_Multi(ST_GeomFromText('POLYGON((111 35.1, 111.1 35.2, 111.1 35.1, 111 35.2, 111 35.1))', 4326))
		WHERE code = '140802001002'`)
	if err == nil || !strings.Contains(err.Error(), "units_geom_valid") {
		t.Fatalf("an invalid polygon written straight to units: %v; want the constraint units_geom_valid", err)
	}
}
