package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// MaxVertices bounds one feature's vertices so a hostile file cannot exhaust memory.
const MaxVertices = 1_000_000

// zeroAreaRatio is how small a ring's area may be next to its bounding box
// before it counts as a line: collinear points written in decimal rarely
// give exactly zero, and nothing real is a billion times longer than wide.
const zeroAreaRatio = 1e-9

// CheckMultiPolygon accepts an orb.Polygon or orb.MultiPolygon and returns it
// as a MultiPolygon, or an error wrapping ErrBadGeometry that says exactly what
// is wrong and where. It checks structure only (type, ring closure and size,
// coordinate ranges, zero area); OGC validity such as self-intersection is
// left to PostGIS.
func CheckMultiPolygon(g orb.Geometry) (orb.MultiPolygon, error) {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case nil:
		return nil, bad("geometry is missing")
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	default:
		return nil, bad("geometry is a %s; want Polygon or MultiPolygon", typeName(g))
	}
	rings, vertices := 0, 0
	for _, p := range mp {
		rings += len(p)
		for _, r := range p {
			vertices += len(r)
		}
	}
	if rings == 0 {
		return nil, bad("geometry is empty")
	}
	if vertices > MaxVertices {
		return nil, bad("geometry has %d vertices; at most %d allowed", vertices, MaxVertices)
	}
	for i, p := range mp {
		if len(p) == 0 {
			return nil, bad("polygon %d has no rings", i)
		}
		for j, r := range p {
			if problem := checkRing(r); problem != "" {
				return nil, bad("polygon %d ring %d %s", i, j, problem)
			}
		}
	}
	return mp, nil
}

// checkRing returns what is wrong with r, phrased to follow "polygon i ring j".
// Coordinates come before closure because NaN never equals itself.
func checkRing(r orb.Ring) string {
	if len(r) < 4 {
		return fmt.Sprintf("has %d points; a ring needs at least 4", len(r))
	}
	for k, p := range r {
		if problem := checkCoord("longitude", p[0], 180); problem != "" {
			return fmt.Sprintf("point %d: %s", k, problem)
		}
		if problem := checkCoord("latitude", p[1], 90); problem != "" {
			return fmt.Sprintf("point %d: %s", k, problem)
		}
	}
	if r[0] != r[len(r)-1] {
		return "is not closed"
	}
	b := r.Bound()
	if math.Abs(planar.Area(r)) <= zeroAreaRatio*(b.Max[0]-b.Min[0])*(b.Max[1]-b.Min[1]) {
		return "has zero area"
	}
	return ""
}

func checkCoord(name string, v, limit float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%s %v is not a finite number", name, v)
	}
	if v < -limit || v > limit {
		return fmt.Sprintf("%s %v is outside %v..%v", name, v, -limit, limit)
	}
	return ""
}

// typeName names g for the user; orb calls a Ring or Bound a "Polygon",
// which would make the refusal read as nonsense.
func typeName(g orb.Geometry) string {
	switch g.(type) {
	case orb.Ring:
		return "Ring"
	case orb.Bound:
		return "Bound"
	}
	return g.GeoJSONType()
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadGeometry, fmt.Sprintf(format, args...))
}
