package geo

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestCheckMultiPolygon(t *testing.T) {
	t.Parallel()
	square := orb.Ring{{111, 35}, {111.1, 35}, {111.1, 35.1}, {111, 35.1}, {111, 35}}
	hole := orb.Ring{{111.02, 35.02}, {111.02, 35.08}, {111.08, 35.08}, {111.08, 35.02}, {111.02, 35.02}}
	with := func(i int, p orb.Point) orb.Ring {
		r := square.Clone()
		r[i] = p
		return r
	}
	tests := []struct {
		name    string
		g       orb.Geometry
		want    string // words the error must contain; "" for good geometry
		polygon int    // how many polygons a good geometry yields
	}{
		{"polygon", orb.Polygon{square}, "", 1},
		{"polygon with hole", orb.Polygon{square, hole}, "", 1},
		{"multipolygon", orb.MultiPolygon{{square}, {hole}}, "", 2},
		{"antimeridian and poles", orb.Polygon{{{-180, -90}, {180, -90}, {180, 90}, {-180, -90}}}, "", 1},
		{"missing", nil, "geometry is missing", 0},
		{"line string", orb.LineString{{111, 35}, {112, 36}}, "geometry is a LineString; want Polygon or MultiPolygon", 0},
		{"point", orb.Point{111, 35}, "geometry is a Point", 0},
		{"collection", orb.Collection{orb.Polygon{square}}, "geometry is a GeometryCollection", 0},
		{"bare ring", square, "geometry is a Ring", 0},
		{"empty polygon", orb.Polygon{}, "geometry is empty", 0},
		{"empty multipolygon", orb.MultiPolygon{{}, {}}, "geometry is empty", 0},
		{"polygon without rings", orb.MultiPolygon{{square}, {}}, "polygon 1 has no rings", 0},
		{"open ring", orb.MultiPolygon{{square}, {square}, {square[:4]}}, "polygon 2 ring 0 is not closed", 0},
		{"not closed", orb.MultiPolygon{{square}, {square}, {with(4, orb.Point{111, 35.0001})}}, "polygon 2 ring 0 is not closed", 0},
		{"short hole", orb.Polygon{square, hole[:3]}, "polygon 0 ring 1 has 3 points; a ring needs at least 4", 0},
		{"longitude out of range", orb.Polygon{with(2, orb.Point{181, 35})}, "polygon 0 ring 0 point 2: longitude 181 is outside -180..180", 0},
		{"latitude out of range", orb.Polygon{with(1, orb.Point{111, -90.5})}, "point 1: latitude -90.5 is outside -90..90", 0},
		{"latitude NaN", orb.Polygon{with(3, orb.Point{111, math.NaN()})}, "point 3: latitude NaN is not a finite number", 0},
		{"longitude infinite", orb.Polygon{with(0, orb.Point{math.Inf(1), 35})}, "point 0: longitude +Inf is not a finite number", 0},
		{"all points equal", orb.Polygon{{{111, 35}, {111, 35}, {111, 35}, {111, 35}}}, "polygon 0 ring 0 has zero area", 0},
		{"collinear decimals", orb.Polygon{{{111.1, 35.1}, {111.2, 35.2}, {111.3, 35.3}, {111.1, 35.1}}}, "has zero area", 0},
		{"too many vertices", orb.Polygon{make(orb.Ring, MaxVertices+1)}, "geometry has 1000001 vertices; at most 1000000 allowed", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp, err := CheckMultiPolygon(tc.g)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if len(mp) != tc.polygon {
					t.Errorf("got %d polygons, want %d", len(mp), tc.polygon)
				}
				return
			}
			if !errors.Is(err, ErrBadGeometry) {
				t.Fatalf("got error %v, want one wrapping ErrBadGeometry", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %q, want it to contain %q", err, tc.want)
			}
			if mp != nil {
				t.Errorf("got %v alongside the error, want nil", mp)
			}
		})
	}
}
