package grid_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/grid"
)

// TestLocatorAgreesWithPostGIS draws points over the demo county, inside, outside, on shared
// edges and on vertices, and compares the index with PostGIS. A point is "on a border" when
// more than one leaf lies within 1e-9° (0.1 mm) of it, or one does without covering it (the
// grid's outer edge, where float rounding puts an edge's midpoint a hair outside): there the
// index must answer one of them. Everywhere else it must answer exactly what ST_Covers says.
func TestLocatorAgreesWithPostGIS(t *testing.T) {
	t.Parallel()
	s, db := loadDemoCounty(t)
	ctx := context.Background()
	loc, err := s.NewLocator(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	micro, err := s.Subtree(ctx, "140802", grid.MicroGrid)
	if err != nil {
		t.Fatal(err)
	}
	if loc.Leaves() != len(micro) {
		t.Fatalf("index has %d leaves; the demo county has %d micro-grids", loc.Leaves(), len(micro))
	}

	rng := rand.New(rand.NewPCG(1, 2))
	var points []orb.Point
	b := orb.MultiPolygon{}
	for _, u := range micro {
		b = append(b, u.Geom...)
	}
	bound := b.Bound().Pad(0.02) // some points fall outside the county
	for range 150_000 {
		points = append(points, orb.Point{
			bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]),
			bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])})
	}
	for i := 0; i < len(micro); i += 7 { // vertices and edge midpoints of every 7th micro-grid
		ring := micro[i].Geom[0][0]
		for j := 0; j+1 < len(ring); j++ {
			points = append(points, ring[j], orb.Point{(ring[j][0] + ring[j+1][0]) / 2, (ring[j][1] + ring[j+1][1]) / 2})
		}
	}

	const query = `
SELECT coalesce(array_agg(u.code ORDER BY u.code) FILTER (WHERE ST_Covers(u.geom, p.g)), '{}'),
       coalesce(array_agg(u.code ORDER BY u.code) FILTER (WHERE u.code IS NOT NULL), '{}')
FROM (SELECT i, ST_SetSRID(ST_MakePoint(x, y), 4326) AS g
      FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS q(x, y, i)) p
LEFT JOIN units u ON u.level = 5 AND ST_DWithin(u.geom, p.g, 1e-9)
GROUP BY p.i
ORDER BY p.i`
	var inside, outside, border int
	for start := 0; start < len(points); start += 10_000 {
		batch := points[start:min(start+10_000, len(points))]
		xs, ys := make([]float64, len(batch)), make([]float64, len(batch))
		for i, p := range batch {
			xs[i], ys[i] = p[0], p[1]
		}
		rows, err := db.Pool.Query(ctx, query, xs, ys)
		if err != nil {
			t.Fatal(err)
		}
		type answer struct{ covers, near []string }
		answers, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (answer, error) {
			var a answer
			err := r.Scan(&a.covers, &a.near)
			return a, err
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range answers {
			covers, near := a.covers, a.near
			p := batch[i]
			got, ok := loc.Locate(p[0], p[1])
			again, _ := loc.Locate(p[0], p[1])
			if got != again {
				t.Fatalf("point %v located twice differently: %v, %v", p, got.Unit(), again.Unit())
			}
			switch {
			case len(near) == 0:
				outside++
				if ok {
					t.Fatalf("point %v: index says %s; PostGIS has no unit within 0.1 mm", p, got.Unit().Code)
				}
			case len(near) == 1 && len(covers) == 1:
				inside++
				if !ok || got.Unit().Code != covers[0] {
					t.Fatalf("point %v: index says %q (ok %v); PostGIS ST_Covers says %v", p, got.Unit().Code, ok, covers)
				}
			default: // on a border, or within 0.1 mm of the grid's edge
				border++
				if !ok || !contains(near, got.Unit().Code) {
					t.Fatalf("border point %v: index says %v (ok %v); units within 0.1 mm: %v, covering: %v", p, got.Unit().Code, ok, near, covers)
				}
			}
		}
		i := len(answers)
		if i != len(batch) {
			t.Fatalf("PostGIS answered %d of %d points", i, len(batch))
		}
	}
	t.Logf("%d points: %d inside, %d outside, %d on borders", len(points), inside, outside, border)
	if inside < 50_000 || outside < 1000 || border < 10_000 {
		t.Fatalf("the sample does not exercise every case: %d inside, %d outside, %d on borders", inside, outside, border)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// metresWest moves a point west by m metres at its latitude.
func metresWest(p orb.Point, m float64) orb.Point {
	return orb.Point{p[0] - m/(111_319.49*math.Cos(p[1]*math.Pi/180)), p[1]}
}

func TestLocatorLevelsAndNearest(t *testing.T) {
	s := storeWithGoodGrid(t)
	ctx := context.Background()
	loc, err := s.NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		t.Fatal(err)
	}
	westEdge := orb.Point{111.0, 35.02}
	cases := []struct {
		name      string
		p         orb.Point
		wantOK    bool
		wantCode  string
		wantLevel grid.Level
		wantM     float64
	}{
		{"micro-grid", orb.Point{111.02, 35.02}, true, "140802001001001001", grid.MicroGrid, 0},
		{"grid without micro-grids", orb.Point{111.07, 35.05}, true, "140802001001002", grid.Grid, 0},
		{"village without grids", orb.Point{111.05, 35.15}, true, "140802001002", grid.Village, 0},
		{"township without villages", orb.Point{111.15, 35.1}, true, "140802002", grid.Township, 0},
		{"shared border: lower code", orb.Point{111.05, 35.02}, true, "140802001001001001", grid.MicroGrid, 0},
		{"shared vertex: lower code", orb.Point{111.1, 35.1}, true, "140802001001002", grid.Grid, 0},
		{"20 m outside the county", metresWest(westEdge, 20), true, "140802001001001001", grid.MicroGrid, 20},
		{"80 m outside the county", metresWest(westEdge, 80), false, "", 0, 0},
		{"far away", orb.Point{116.4, 39.9}, false, "", 0, 0},
		{"longitude out of range", orb.Point{200, 35}, false, "", 0, 0},
		{"not a number", orb.Point{math.NaN(), 35}, false, "", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := loc.Locate(tc.p[0], tc.p[1])
			if ok != tc.wantOK || got.Unit().Code != tc.wantCode || got.Level != tc.wantLevel {
				t.Fatalf("Locate(%v) = %+v, %v; want %s at level %d", tc.p, got, ok, tc.wantCode, tc.wantLevel)
			}
			if math.Abs(got.Metres-tc.wantM) > 0.01*tc.wantM+1e-9 {
				t.Fatalf("distance %.3f m; want %.1f", got.Metres, tc.wantM)
			}
			if ok && (got.Units[grid.County].Code != "140802" || got.Units[grid.County].Name != "盐湖区") {
				t.Fatalf("county of %v: %+v", tc.p, got.Units[grid.County])
			}
		})
	}
	allocs := testing.AllocsPerRun(1000, func() { loc.Locate(111.02, 35.02) })
	if allocs != 0 {
		t.Fatalf("Locate allocates %.1f times per call", allocs)
	}
}
