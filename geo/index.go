package geo

import (
	"math"
	"unsafe"

	"github.com/paulmach/orb"
)

// metresPerDegree is one degree of latitude on the WGS84 mean sphere.
const metresPerDegree = kmPerDegree * 1000

// Index answers which of a fixed set of polygons holds a point. It is
// immutable once built and safe for concurrent use.
//
// Polygons sit in a packed R-tree of their bounding boxes; their rings are
// copied into one flat array, and rings with many edges carry horizontal
// slabs so a test touches only the edges at the point's latitude.
// Point-in-polygon decisions are exact for the float64 coordinates given:
// a point is on an edge only if it is exactly collinear with it, and a point
// beside a shared edge is inside exactly one of the two polygons.
type Index struct {
	tree  rtree
	rings rings
	parts []int32 // part k of a slabbed polygon is slabs parts[k] .. parts[k+1]-1: an outer ring, then holes
	polys []int32 // slabbed polygon c is parts polys[c] .. polys[c+1]-1
	n     int
}

// leaf is one polygon, in the tree's order. Most are a single ring without
// slabs, pts[lo:hi]; for the rest hi is -1 and lo numbers them in polys.
// The tree keeps it beside the polygon's box.
type leaf struct {
	id, lo, hi int32
}

// NewIndex indexes polygons; polygon i has id i. Polygons are expected to
// partition an area (touching, not overlapping); on a shared border several
// cover a point and Covering returns the lowest id, so callers that number
// polygons in code order get deterministic answers.
//
// Rings may be open or closed and wound either way; empty rings and parts
// are ignored, and a polygon with no points covers nothing. Geometry is
// taken as planar in degrees, so a polygon must not cross the antimeridian.
// It panics if the input has 2^31 or more points, rings or polygons.
func NewIndex(polygons []orb.MultiPolygon) *Index {
	return newIndex(polygons, slabMinEdges)
}

// newIndex is NewIndex with rings banded only above minEdges edges, so
// tests and benchmarks can compare slabs with plain scans.
func newIndex(polygons []orb.MultiPolygon, minEdges int) *Index {
	if len(polygons) >= math.MaxInt32 {
		panic("geo: NewIndex needs fewer than 2^31 polygons")
	}
	nPts, nSlabs, nParts, nSlabbed := 0, 0, 0, 0
	bounds := make([]orb.Bound, 0, len(polygons))
	ids := make([]int32, 0, len(polygons))
	for id, mp := range polygons {
		rings, pts, _, b := shape(mp)
		if rings == 0 {
			continue
		}
		nPts += pts
		if !simple(rings, pts, minEdges) {
			nSlabs += rings
			nParts += len(mp)
			nSlabbed++
		}
		bounds = append(bounds, b)
		ids = append(ids, int32(id))
	}
	if nPts >= math.MaxInt32 {
		panic("geo: NewIndex needs fewer than 2^31 points")
	}

	ix := &Index{
		rings: rings{
			pts:   make([]orb.Point, 0, nPts),
			slabs: make([]slab, 0, nSlabs),
		},
		parts: append(make([]int32, 0, nParts+1), 0),
		polys: append(make([]int32, 0, nSlabbed+1), 0),
		n:     len(polygons),
	}
	var order []int32
	ix.tree, order = packRTree(bounds)
	for slot, i := range order {
		id := ids[i]
		mp := polygons[id]
		if rings, pts, only, _ := shape(mp); simple(rings, pts, minEdges) {
			sp := ix.rings.addRing(only)
			ix.tree.leaves[slot].leaf = leaf{id, sp.lo, sp.hi}
			continue
		}
		ix.tree.leaves[slot].leaf = leaf{id, int32(len(ix.polys) - 1), -1}
		for _, part := range mp {
			added := false
			for _, r := range part {
				if sp := ix.rings.addRing(r); sp.hi > sp.lo {
					ix.rings.guard(sp, minEdges)
					added = true
				}
			}
			if added {
				ix.parts = append(ix.parts, int32(len(ix.rings.slabs)))
			}
		}
		ix.polys = append(ix.polys, int32(len(ix.parts)-1))
	}
	return ix
}

// shape counts mp's non-empty rings and the points they will take closed,
// and bounds them; only is the ring when there is just one.
func shape(mp orb.MultiPolygon) (rings, pts int, only orb.Ring, b orb.Bound) {
	b = orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, part := range mp {
		for _, r := range part {
			if len(r) == 0 {
				continue
			}
			rings++
			only = r
			pts += len(r)
			if r[0] != r[len(r)-1] {
				pts++
			}
			for _, q := range r {
				b.Min = orb.Point{min(b.Min[0], q[0]), min(b.Min[1], q[1])}
				b.Max = orb.Point{max(b.Max[0], q[0]), max(b.Max[1], q[1])}
			}
		}
	}
	if rings != 1 {
		only = nil
	}
	return rings, pts, only, b
}

// simple says a polygon is one ring short enough to scan whole.
func simple(rings, pts, minEdges int) bool {
	return rings == 1 && pts-1 <= minEdges
}

// Covering returns the lowest id among the polygons that cover p (interior
// or boundary, like PostGIS ST_Covers), or -1. It does not allocate.
func (ix *Index) Covering(p orb.Point) int {
	best := int32(math.MaxInt32)
	ix.tree.search(p, func(l *leaf) {
		if l.id < best && ix.covers(l, p) {
			best = l.id
		}
	})
	if best == math.MaxInt32 {
		return -1
	}
	return int(best)
}

// covers is the crossing-number test, with any ring's boundary covered.
// Parity is kept per part, so a part lying in another part's hole counts.
func (ix *Index) covers(l *leaf, p orb.Point) bool {
	if l.hi >= 0 {
		return edgesSide(ix.rings.pts[l.lo:l.hi], p) != ringMiss
	}
	for k := ix.polys[l.lo]; k < ix.polys[l.lo+1]; k++ {
		in := false
		for r := ix.parts[k]; r < ix.parts[k+1]; r++ {
			switch ix.rings.side(r, p) {
			case ringOn:
				return true
			case ringCross:
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

// Nearest returns the polygon whose boundary is nearest to p within
// maxMetres, with that distance in metres; 0 and the Covering id if some
// polygon covers p; (-1, 0) if none is within maxMetres. On a tie it returns
// the lowest id. It does not allocate.
//
// Distances are planar in a local equirectangular projection at p's
// latitude on the sphere of the WGS84 mean radius (6371.0088 km). Within d
// km of p this is off from the spherical distance by about tan|lat|·d/6371
// (0.05% at 35° and 5 km), and the sphere is off from the WGS84 ellipsoid
// by at most 0.56% (north-south at the equator), under 0.5% beyond 15° of
// latitude and 0.23% at 35°. See docs/geo-index.md.
func (ix *Index) Nearest(p orb.Point, maxMetres float64) (id int, metres float64) {
	if c := ix.Covering(p); c >= 0 {
		return c, 0
	}
	if !(maxMetres >= 0) || !(math.Abs(p[0]) <= 180 && math.Abs(p[1]) <= 90) {
		return -1, 0
	}
	ky := metresPerDegree
	kx := ky * math.Cos(p[1]*math.Pi/180)
	best, d2 := ix.tree.nearest(p, kx, ky, maxMetres*maxMetres, func(l *leaf, bound2 float64) float64 {
		return ix.dist2(l, p, kx, ky, bound2)
	})
	if best < 0 {
		return -1, 0
	}
	return int(best), math.Sqrt(d2)
}

// dist2 is the squared distance in metres from p to the polygon's boundary,
// or some value above bound2 when that is all it can be.
func (ix *Index) dist2(l *leaf, p orb.Point, kx, ky, bound2 float64) float64 {
	rs := &ix.rings
	if l.hi >= 0 {
		return spanDist2(rs.pts[l.lo:l.hi], p, kx, ky)
	}
	best := math.Inf(1)
	for r := ix.parts[ix.polys[l.lo]]; r < ix.parts[ix.polys[l.lo+1]]; r++ {
		s := &rs.slabs[r]
		dx := max(s.minX-p[0], 0, p[0]-s.maxX) * kx
		dy := max(s.minY-p[1], 0, p[1]-s.maxY) * ky
		if d := dx*dx + dy*dy; d <= bound2 && d <= best {
			best = min(best, spanDist2(rs.pts[s.span.lo:s.span.hi], p, kx, ky))
		}
	}
	return best
}

func spanDist2(pts []orb.Point, p orb.Point, kx, ky float64) float64 {
	best := math.Inf(1)
	for j := 0; j+1 < len(pts); j++ {
		best = min(best, segmentDist2(pts[j], pts[j+1], p, kx, ky))
	}
	return best
}

// segmentDist2 is the squared distance in metres from p to the segment a-b,
// measured from p so that the scaled differences stay small and exact-ish.
func segmentDist2(a, b, p orb.Point, kx, ky float64) float64 {
	ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
	dx, dy := (b[0]-p[0])*kx-ax, (b[1]-p[1])*ky-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = min(max(-(ax*dx+ay*dy)/l2, 0), 1)
	}
	x, y := ax+t*dx, ay+t*dy
	return x*x + y*y
}

// Len is the number of polygons.
func (ix *Index) Len() int { return ix.n }

// Bytes estimates the index's memory: everything it holds, including its
// copy of the coordinates.
func (ix *Index) Bytes() int {
	rs := &ix.rings
	int32s := cap(ix.tree.kids) + cap(rs.bandStart) + cap(rs.bandEdges) + cap(ix.parts) + cap(ix.polys)
	return int(unsafe.Sizeof(*ix)) +
		cap(ix.tree.leaves)*int(unsafe.Sizeof(leafBox{})) +
		cap(ix.tree.nodes)*int(unsafe.Sizeof(box32{})) +
		cap(rs.pts)*int(unsafe.Sizeof(orb.Point{})) +
		cap(rs.slabs)*int(unsafe.Sizeof(slab{})) +
		int32s*4
}
