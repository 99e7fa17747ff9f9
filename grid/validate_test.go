package grid

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// wktUnit is a unit of a validate fixture; the parent and level follow from the code.
type wktUnit struct{ code, name, wkt string }

// readValidateFixture reads testdata/validate/*.txt: code, name and WKT separated by tabs.
func readValidateFixture(tb testing.TB, path string) []wktUnit {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var units []wktUnit
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			tb.Fatalf("%s: want code, name and WKT separated by tabs: %q", path, line)
		}
		units = append(units, wktUnit{fields[0], fields[1], fields[2]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return units
}

// withEdits replaces the units of base that edits name by code and appends the others.
func withEdits(base, edits []wktUnit) []wktUnit {
	out := append([]wktUnit(nil), base...)
	for _, e := range edits {
		replaced := false
		for i := range out {
			if out[i].code == e.code {
				out[i], replaced = e, true
			}
		}
		if !replaced {
			out = append(out, e)
		}
	}
	return out
}

// newValidateStore stores units, parents first, in a schema of the test's own, straight
// into the table: Validate must cope with whatever QGIS users leave there.
func newValidateStore(tb testing.TB, units []wktUnit) *Store {
	tb.Helper()
	db := dbtest.New(tb)
	ctx := context.Background()
	// Validate finds what was stored before the database checked polygons (migration 014);
	// these grids are stored as if then, so that invalid polygons and what they hide are tested.
	if _, err := db.Pool.Exec(ctx, `ALTER TABLE units DROP CONSTRAINT units_geom_valid`); err != nil {
		tb.Fatal(err)
	}
	for l := County; l <= MicroGrid; l++ {
		for _, u := range units {
			if LevelOfCode(u.code) != l {
				continue
			}
			var parent *string
			if l > County {
				p := u.code[:(l - 1).CodeLength()]
				parent = &p
			}
			_, err := db.Pool.Exec(ctx, `
				INSERT INTO units (code, parent_code, level, name, geom)
				VALUES ($1, $2, $3, $4, ST_Multi(ST_GeomFromText($5, 4326)))`,
				u.code, parent, int16(l), u.name, u.wkt)
			if err != nil {
				tb.Fatalf("insert %s: %v", u.code, err)
			}
		}
	}
	return NewStore(db.Pool)
}

// m2 is an independent estimate of an area of deg2 square degrees at latitude lat, on a
// sphere of the Earth's mean radius: within half a percent of the ellipsoid near 35°N.
func m2(deg2, lat float64) float64 {
	const metresPerDegree = 6371008.8 * math.Pi / 180
	return deg2 * metresPerDegree * metresPerDegree * math.Cos(lat*math.Pi/180)
}

func rect(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf("POLYGON((%[1]v %[2]v, %[3]v %[2]v, %[3]v %[4]v, %[1]v %[4]v, %[1]v %[2]v))", x0, y0, x1, y1)
}

// wantProblem is what a test expects of a problem: the area within 2% (exactly 0 if 0) and
// each of detail in its Detail.
type wantProblem struct {
	kind   ProblemKind
	code   string
	other  string
	areaM2 float64
	detail []string
}

func checkProblems(t *testing.T, got []Problem, want []wantProblem) {
	t.Helper()
	for _, p := range got {
		t.Logf("%s", p)
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:", len(got), len(want))
		for _, p := range got {
			t.Errorf("  %s", p)
		}
		return
	}
	for i, w := range want {
		p := got[i]
		if p.Kind != w.kind || p.Code != w.code || p.Other != w.other {
			t.Errorf("problem %d: %s; want %s of %s (other %q)", i, p, w.kind, w.code, w.other)
			continue
		}
		if w.areaM2 == 0 && p.AreaM2 != 0 || math.Abs(p.AreaM2-w.areaM2) > 0.02*w.areaM2 {
			t.Errorf("problem %d: %s: area %.1f m², want %.1f m² ± 2%%", i, p, p.AreaM2, w.areaM2)
		}
		for _, d := range w.detail {
			if !strings.Contains(p.Detail, d) {
				t.Errorf("problem %d: detail %q lacks %q", i, p.Detail, d)
			}
		}
		if p.Level != LevelOfCode(p.Code) || p.Name == "" {
			t.Errorf("problem %d: %s: level or name wrong", i, p)
		}
	}
}

func TestValidate(t *testing.T) {
	clean := readValidateFixture(t, "testdata/validate/clean.txt")
	bowTie := "POLYGON((111.00 35.10, 111.10 35.20, 111.10 35.10, 111.00 35.20, 111.00 35.10))"
	withHole := "POLYGON((111.00 35.10, 111.10 35.10, 111.10 35.20, 111.00 35.20, 111.00 35.10)," +
		"(111.02 35.12, 111.03 35.12, 111.03 35.13, 111.02 35.13, 111.02 35.12))"
	cases := []struct {
		name   string
		edits  []wktUnit
		rotate bool // rotate every polygon by 0.3 rad about 111°E 35°N: slanted edges 20 km long
		tol    Tolerance
		want   []wantProblem
	}{
		{name: "clean"},
		{name: "clean rotated", rotate: true},
		{
			name:  "self-intersecting village",
			edits: []wktUnit{{"140802001002", "北村", bowTie}},
			want: []wantProblem{
				// ST_MakeValid keeps the west and east triangles of the bow-tie; its
				// township is missing the north and south ones.
				{kind: Gap, code: "140802001", areaM2: m2(0.005, 35.15), detail: []string{"not covered by its 2 villages"}},
				{kind: InvalidGeometry, code: "140802001002", areaM2: m2(0.005, 35.15),
					detail: []string{"Self-intersection[111.05 35.15]", "ST_MakeValid would give a MultiPolygon of 2 parts", "(was 0.0 m²)"}},
			},
		},
		{
			name:  "invalid coordinate",
			edits: []wktUnit{{"140802001002", "北村", "POLYGON((111.00 35.10, 111.10 35.10, NaN 35.20, 111.00 35.20, 111.00 35.10))"}},
			want: []wantProblem{
				{kind: Gap, code: "140802001", areaM2: m2(0.005, 35.167)},
				{kind: InvalidGeometry, code: "140802001002", detail: []string{"Invalid Coordinate", "MultiPolygon of 1 part"}},
			},
		},
		{
			name:  "village outside its township",
			edits: []wktUnit{{"140802001001", "南村", rect(111.00, 34.99, 111.10, 35.10)}},
			want: []wantProblem{
				{kind: OutsideParent, code: "140802001001", areaM2: m2(0.001, 34.995),
					detail: []string{"outside its township 140802001 西城街道 near 111.0", ",34.99"}},
			},
		},
		{
			name:  "overlapping villages",
			edits: []wktUnit{{"140802001001", "南村", rect(111.00, 35.00, 111.10, 35.11)}},
			want: []wantProblem{
				{kind: Overlap, code: "140802001001", other: "140802001002", areaM2: m2(0.001, 35.105), detail: []string{"北村"}},
			},
		},
		{
			name:  "overlapping counties",
			edits: []wktUnit{{"140821", "临猗县", rect(111.19, 35.00, 111.40, 35.20)}},
			want: []wantProblem{
				{kind: Overlap, code: "140802", other: "140821", areaM2: m2(0.002, 35.10)},
			},
		},
		{
			name:  "hole in a township",
			edits: []wktUnit{{"140802001002", "北村", withHole}},
			want: []wantProblem{
				{kind: Gap, code: "140802001", areaM2: m2(0.0001, 35.125), detail: []string{"near 111.02", ",35.12"}},
			},
		},
		{
			name: "gap between micro-grids",
			edits: []wktUnit{{"140802002002001002", "西北社区第1网格第2微网格",
				"POLYGON((111.10 35.08, 111.12 35.14, 111.10 35.20, 111.10 35.08))"}},
			want: []wantProblem{
				{kind: Gap, code: "140802002002001", areaM2: m2(0.005*0.12/2, 35.14), detail: []string{"2 micro-grids"}},
			},
		},
		{
			name:  "overlap below the default tolerance",
			edits: []wktUnit{{"140802001001", "南村", rect(111.00, 35.00, 111.10, 35.1000000001)}}, // 0.1 m²
		},
		{
			name:  "overlap above a small tolerance",
			edits: []wktUnit{{"140802001001", "南村", rect(111.00, 35.00, 111.10, 35.1000000001)}},
			tol:   Tolerance{AreaM2: 0.01},
			want: []wantProblem{
				{kind: Overlap, code: "140802001001", other: "140802001002", areaM2: m2(0.1*0.0000000001, 35.1)},
			},
		},
		{
			name:  "overlap below a chosen tolerance",
			edits: []wktUnit{{"140802001001", "南村", rect(111.00, 35.00, 111.10, 35.1000001)}}, // 100 m²
			tol:   Tolerance{AreaM2: 200},
		},
		{
			name:  "overlap above a chosen tolerance",
			edits: []wktUnit{{"140802001001", "南村", rect(111.00, 35.00, 111.10, 35.1000001)}},
			tol:   Tolerance{AreaM2: 50},
			want: []wantProblem{
				{kind: Overlap, code: "140802001001", other: "140802001002", areaM2: m2(0.1*0.0000001, 35.1)},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newValidateStore(t, withEdits(clean, c.edits))
			ctx := context.Background()
			if c.rotate {
				if _, err := s.pool.Exec(ctx, `UPDATE units SET geom = ST_Rotate(geom, 0.3, 111, 35)`); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Validate(ctx, "", c.tol)
			if err != nil {
				t.Fatal(err)
			}
			checkProblems(t, got, c.want)
		})
	}
}

func TestValidateRoot(t *testing.T) {
	t.Parallel()
	s := newValidateStore(t, withEdits(readValidateFixture(t, "testdata/validate/clean.txt"), []wktUnit{
		// 南村 overlaps 北村, 西北社区第2网格 leaves a gap in 西北社区, 临猗县 overlaps 盐湖区.
		{"140802001001", "南村", rect(111.00, 35.00, 111.10, 35.11)},
		{"140802002002002", "西北社区第2网格", "POLYGON((111.15 35.09, 111.15 35.20, 111.11 35.20, 111.15 35.09))"},
		{"140821", "临猗县", rect(111.19, 35.00, 111.40, 35.20)},
	}))
	ctx := context.Background()
	all, err := s.Validate(ctx, "", Tolerance{})
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, all, []wantProblem{
		{kind: Overlap, code: "140802", other: "140821", areaM2: m2(0.002, 35.10)},
		{kind: Overlap, code: "140802001001", other: "140802001002", areaM2: m2(0.001, 35.105)},
		{kind: Gap, code: "140802002002", areaM2: m2(0.05*0.12/2-0.04*0.11/2, 35.15)},
	})

	// A subtree's problems are the whole grid's whose units (both, for an overlap) lie in it.
	for _, root := range []string{"140802", "140802001", "140802001001", "140802002", "140802002002", "140821", "140802002002001001"} {
		got, err := s.Validate(ctx, root, Tolerance{})
		if err != nil {
			t.Fatalf("root %s: %v", root, err)
		}
		var want []string
		for _, p := range all {
			if strings.HasPrefix(p.Code, root) && strings.HasPrefix(p.Other, root) || strings.HasPrefix(p.Code, root) && p.Other == "" {
				want = append(want, p.String())
			}
		}
		var gotLines []string
		for _, p := range got {
			gotLines = append(gotLines, p.String())
		}
		if strings.Join(gotLines, "\n") != strings.Join(want, "\n") {
			t.Errorf("root %s:\n got %q\nwant %q", root, gotLines, want)
		}
	}

	// With one connection the shards cannot run side by side; the answer is the same.
	cfg := s.pool.Config()
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if n := validateShards(pool); n != 1 {
		t.Fatalf("%d shards on one connection", n)
	}
	alone, err := NewStore(pool).Validate(ctx, "", Tolerance{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(alone) != fmt.Sprint(all) {
		t.Errorf("on one connection:\n got %v\nwant %v", alone, all)
	}

	for _, root := range []string{"14080%", "1408_2", "14080a", " 140802", "140802'"} {
		if _, err := s.Validate(ctx, root, Tolerance{}); !errors.Is(err, ErrInvalidUnit) {
			t.Errorf("root %q: error %v, want %v", root, err, ErrInvalidUnit)
		}
	}
	if _, err := s.Validate(ctx, "140803", Tolerance{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown root: error %v, want %v", err, ErrNotFound)
	}
	for _, tol := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := s.Validate(ctx, "", Tolerance{AreaM2: tol}); !errors.Is(err, ErrInvalidTolerance) {
			t.Errorf("tolerance %v: error %v, want %v", tol, err, ErrInvalidTolerance)
		}
	}
}

func TestProblemString(t *testing.T) {
	t.Parallel()
	p := Problem{Code: "140802001001001", Name: "西街社区第1网格", Level: Grid, Kind: Overlap, AreaM2: 52.34,
		Other: "140802001001002", Detail: "overlaps grid 西街社区第2网格 near 111.00250,35.00550"}
	want := "140802001001001  西街社区第1网格  grid  overlap  with 140802001001002  52.3 m²  overlaps grid 西街社区第2网格 near 111.00250,35.00550"
	if got := p.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	bad := Problem{Code: "140802001002", Name: "北村", Level: Village, Kind: InvalidGeometry, Detail: "Invalid Coordinate[nan 35.2]"}
	if got, want := bad.String(), "140802001002  北村  village  invalid_geometry  Invalid Coordinate[nan 35.2]"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSquareMetres(t *testing.T) {
	t.Parallel()
	// Square metres per square degree, from the exact area of a 0.01° × 0.01° cell of the
	// WGS 84 ellipsoid centred at each latitude (the authalic-latitude formula).
	for _, c := range []struct{ lat, want float64 }{{0, 12309072064}, {35, 10127561973}, {60, 6216805807}} {
		if got := squareMetres(1, c.lat); math.Abs(got-c.want) > 1e-6*c.want {
			t.Errorf("a square degree at %v°: %.0f m², want %.0f", c.lat, got, c.want)
		}
	}
}

// BenchmarkValidate validates a lattice of squares, rotated so that children's vertices lie
// on their parents' edges only up to rounding, as in real data. "county" is the size of a
// demo county (12 townships, 144 villages, 864 grids, 6,912 micro-grids), "city" 13 of them.
func BenchmarkValidate(b *testing.B) {
	for _, bc := range []struct {
		name     string
		counties int
	}{{"county", 1}, {"city", 13}} {
		b.Run(bc.name, func(b *testing.B) {
			s, n := newLatticeStore(b, bc.counties)
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				problems, err := s.Validate(ctx, "", Tolerance{})
				if err != nil {
					b.Fatal(err)
				}
				if len(problems) > 0 {
					b.Fatalf("%d problems in a clean lattice, first %s", len(problems), problems[0])
				}
			}
			b.ReportMetric(float64(n), "units")
			b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N)/float64(n), "µs/unit")
		})
	}
}

// latticeLevel subdivides each unit of one level into nx × ny rectangles, computing shared
// edges from both sides so that they agree only up to rounding.
const latticeLevel = `
INSERT INTO units (code, parent_code, level, name, geom)
SELECT p.code || lpad((j * $2 + i + 1)::text, 3, '0'), p.code, p.level + 1, 'u' || (j * $2 + i + 1),
       ST_Multi(ST_MakeEnvelope(
           x0 + i * (x1 - x0) / $2, y1 - ($3 - j) * (y1 - y0) / $3,
           x1 - ($2 - i - 1) * (x1 - x0) / $2, y0 + (j + 1) * (y1 - y0) / $3, 4326))
FROM (SELECT code, level, ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1
      FROM units WHERE level = $1) p,
     generate_series(0, $2 - 1) i, generate_series(0, $3 - 1) j`

func newLatticeStore(b *testing.B, counties int) (*Store, int) {
	b.Helper()
	db := dbtest.New(b)
	ctx := context.Background()
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO units (code, level, name, geom)
		SELECT (140801 + i)::text, 1, 'county ' || i, ST_Multi(ST_MakeEnvelope(110 + i * 0.4, 35, 110.4 + i * 0.4, 35.4, 4326))
		FROM generate_series(0, $1 - 1) i`, counties)
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range []struct{ level, nx, ny int }{{1, 4, 3}, {2, 4, 3}, {3, 3, 2}, {4, 4, 2}} {
		if _, err := db.Pool.Exec(ctx, latticeLevel, l.level, l.nx, l.ny); err != nil {
			b.Fatal(err)
		}
	}
	var n int
	err = db.Pool.QueryRow(ctx, `
		WITH r AS (UPDATE units SET geom = ST_Rotate(geom, 0.3, 111, 35) RETURNING 1) SELECT count(*) FROM r`).Scan(&n)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE units`); err != nil {
		b.Fatal(err)
	}
	return NewStore(db.Pool), n
}
