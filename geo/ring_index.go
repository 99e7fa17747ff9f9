package geo

// The rings of every indexed polygon, flattened for cache locality, with
// horizontal slabs for rings too long to scan edge by edge, and the exact
// orientation predicate the point-in-ring test rests on.

import (
	"math"

	"github.com/paulmach/orb"
)

// slabMinEdges is how many edges a ring may have and still be scanned
// whole. BenchmarkCoveringEdges puts the break-even between 16 and 32: a
// micro-grid's 4-10 edges scan faster than the lookup of a band.
const slabMinEdges = 32

// Outcomes of testing a point against one ring.
const (
	ringMiss  = iota // the ray from the point crosses the ring an even number of times
	ringCross        // an odd number of times
	ringOn           // the point lies on the ring
)

// rings holds every ring of every polygon, closed (last point == first)
// and back to back in pts, in the order of the tree's leaves so that
// neighbours on the ground are neighbours in memory. A polygon of one ring
// needing no slab is known by its span of pts alone; the rings of every
// other polygon also get a slab each, and are numbered by it.
type rings struct {
	pts   []orb.Point
	slabs []slab
	// bandStart and bandEdges are CSR arrays: band b of a slab holds the
	// edges (by the index in pts of their first point) listed in
	// bandEdges[bandStart[s.band0+b]:bandStart[s.band0+b+1]].
	bandStart []int32
	bandEdges []int32
}

// span is a range of pts.
type span struct{ lo, hi int32 }

// slab guards one ring: its box, and when it has more than slabMinEdges
// edges, bands of equal height each listing the edges whose y-range meets it.
type slab struct {
	minX, minY, maxX, maxY float64
	scale                  float64 // bands per degree of latitude
	span                   span    // the ring's points
	bands                  int32   // 0: no bands, scan every edge
	band0                  int32   // this ring's first entry in bandStart
}

// addRing appends r, closing it if it is open, and returns where it went;
// for an empty ring it stores nothing and returns an empty span.
func (rs *rings) addRing(r orb.Ring) span {
	lo := int32(len(rs.pts))
	if len(r) == 0 {
		return span{lo, lo}
	}
	rs.pts = append(rs.pts, r...)
	if r[0] != r[len(r)-1] {
		rs.pts = append(rs.pts, r[0])
	}
	return span{lo, int32(len(rs.pts))}
}

// guard gives the ring at sp a slab: its box, and bands if it has more
// than minEdges edges.
func (rs *rings) guard(sp span, minEdges int) {
	pts := rs.pts[sp.lo:sp.hi]
	s := slab{minX: pts[0][0], minY: pts[0][1], maxX: pts[0][0], maxY: pts[0][1], span: sp}
	for _, p := range pts {
		s.minX, s.maxX = min(s.minX, p[0]), max(s.maxX, p[0])
		s.minY, s.maxY = min(s.minY, p[1]), max(s.maxY, p[1])
	}
	if len(pts)-1 > minEdges && s.maxY > s.minY {
		rs.band(&s, int(sp.lo), pts)
	}
	rs.slabs = append(rs.slabs, s)
}

// band splits the ring's y-range into about one band per two edges, fewer
// if edges spanning many bands would list more than four entries per edge,
// so memory stays linear in the ring's size whatever its shape.
func (rs *rings) band(s *slab, lo int, pts []orb.Point) {
	edges := len(pts) - 1
	height := s.maxY - s.minY
	k := max(edges/2, 1)
	for ; ; k /= 2 {
		s.bands, s.scale = int32(k), float64(k)/height
		if math.IsInf(s.scale, 0) {
			s.bands = 0 // a ring too flat to band; its box still guards it
			return
		}
		total := 0
		for j := range edges {
			b0, b1 := s.bandRange(pts[j][1], pts[j+1][1])
			total += b1 - b0 + 1
		}
		if total <= 4*edges || k == 1 {
			break
		}
	}
	s.band0 = int32(len(rs.bandStart))
	first := len(rs.bandEdges)
	counts := make([]int32, k+1)
	for j := range edges {
		b0, b1 := s.bandRange(pts[j][1], pts[j+1][1])
		for b := b0; b <= b1; b++ {
			counts[b+1]++
		}
	}
	for b := range k {
		counts[b+1] += counts[b]
	}
	for _, c := range counts {
		rs.bandStart = append(rs.bandStart, int32(first)+c)
	}
	rs.bandEdges = append(rs.bandEdges, make([]int32, counts[k])...)
	fill := counts[:k] // reused as each band's next free slot
	for j := range edges {
		b0, b1 := s.bandRange(pts[j][1], pts[j+1][1])
		for b := b0; b <= b1; b++ {
			rs.bandEdges[first+int(fill[b])] = int32(lo + j)
			fill[b]++
		}
	}
}

// bandOf is monotone in y (a subtraction and a product by a positive
// constant both round monotonically), so an edge listed in the bands of its
// endpoints' y is listed in the band of every y between them.
func (s *slab) bandOf(y float64) int {
	b := int((y - s.minY) * s.scale)
	return min(max(b, 0), int(s.bands)-1)
}

func (s *slab) bandRange(y0, y1 float64) (int, int) {
	return s.bandOf(min(y0, y1)), s.bandOf(max(y0, y1))
}

// side tests p against the slabbed ring r, scanning only the edges that
// can matter.
func (rs *rings) side(r int32, p orb.Point) int {
	s := &rs.slabs[r]
	// A ray from outside the ring's box crosses it an even number of times.
	if !(p[0] >= s.minX && p[0] <= s.maxX && p[1] >= s.minY && p[1] <= s.maxY) {
		return ringMiss
	}
	if s.bands == 0 {
		return edgesSide(rs.pts[s.span.lo:s.span.hi], p)
	}
	b := int(s.band0) + s.bandOf(p[1])
	out := ringMiss
	for _, j := range rs.bandEdges[rs.bandStart[b]:rs.bandStart[b+1]] {
		switch edgeSide(rs.pts[j], rs.pts[j+1], p) {
		case ringOn:
			return ringOn
		case ringCross:
			out ^= ringCross
		}
	}
	return out
}

// edgesSide is the crossing-number test over the closed ring pts. It is
// edgeSide for every edge, with the commonest cases decided inline by
// comparisons alone: an edge wholly right of p that straddles its y is
// crossed, and one wholly left of it is not.
func edgesSide(pts []orb.Point, p orb.Point) int {
	px, py := p[0], p[1]
	out := ringMiss
	a := pts[0]
	above := a[1] > py // carried along, so each vertex is compared once
	for _, b := range pts[1:] {
		bAbove := b[1] > py
		if above != bAbove {
			if a[0] > px && b[0] > px {
				out ^= ringCross
			} else if a[0] >= px || b[0] >= px {
				switch edgeSide(a, b, p) {
				case ringOn:
					return ringOn
				case ringCross:
					out ^= ringCross
				}
			}
		} else if a[1] == py && edgeSide(a, b, p) == ringOn {
			return ringOn
		}
		a, above = b, bAbove
	}
	return out
}

// edgeSide tests p against the edge a-b: whether p lies on it, or whether
// the ray from p towards +x crosses it. Edges are half-open in y (the lower
// end counts, the upper does not), so a ray through a vertex is counted once.
// Only the a end is checked for lying on the edge outside the straddling
// case: in a closed ring every vertex is the a of some edge, and a slab
// lists that edge in the point's band as well.
func edgeSide(a, b, p orb.Point) int {
	if (a[1] > p[1]) != (b[1] > p[1]) {
		o := orient(a, b, p)
		if o == 0 {
			return ringOn // collinear and strictly between the ends' y
		}
		if (o > 0) == (b[1] > a[1]) {
			return ringCross
		}
		return ringMiss
	}
	if a[1] == p[1] && p[0] >= min(a[0], b[0]) && p[0] <= max(a[0], b[0]) && orient(a, b, p) == 0 {
		return ringOn
	}
	return ringMiss
}

// orientBound is Shewchuk's ccwerrboundA: if |det| exceeds it times the
// sum of the two products' magnitudes, det's sign is certain.
const orientBound = (3 + 16*epsilon) * epsilon

const epsilon = 0x1p-53 // half a unit in the last place of 1

// orient returns a value with the exact sign of (b-a)×(p-a): positive when
// p lies left of a→b, zero only when a, b and p are exactly collinear.
// Rounded float64 arithmetic decides almost every case; the rest, points
// within a few ulps of the line, are settled exactly by orientExact, so that
// a point on a border is on it for both neighbours and a point beside it is
// inside exactly one of them.
func orient(a, b, p orb.Point) float64 {
	// Conversions force each product to be rounded on its own: Go may
	// otherwise fuse a*b-c*d into an FMA, and the error bound assumes not.
	l := float64((a[0] - p[0]) * (b[1] - p[1]))
	r := float64((a[1] - p[1]) * (b[0] - p[0]))
	det := l - r
	var sum float64
	switch {
	case l > 0:
		if r <= 0 {
			return det
		}
		sum = l + r
	case l < 0:
		if r >= 0 {
			return det
		}
		sum = -l - r
	default:
		return det
	}
	if det >= orientBound*sum || -det >= orientBound*sum {
		return det
	}
	return orientExact(a, b, p)
}

// orientExact evaluates (a-p)×(b-p) exactly as a sum of float64 terms
// (Shewchuk's expansion arithmetic) and returns its largest term, whose sign
// is the sum's. Exact unless a product underflows, which coordinates in
// degrees cannot make happen.
func orientExact(a, b, p orb.Point) float64 {
	ax, axe := twoSum(a[0], -p[0])
	by, bye := twoSum(b[1], -p[1])
	ay, aye := twoSum(a[1], -p[1])
	bx, bxe := twoSum(b[0], -p[0])
	var e expansion
	e.addProduct(ax, by)
	e.addProduct(ax, bye)
	e.addProduct(axe, by)
	e.addProduct(axe, bye)
	e.addProduct(-ay, bx)
	e.addProduct(-ay, bxe)
	e.addProduct(-aye, bx)
	e.addProduct(-aye, bxe)
	if e.n == 0 {
		return 0
	}
	return e.terms[e.n-1]
}

// expansion is a sum of non-overlapping float64 terms in increasing
// magnitude, without zeros, in a fixed array so that nothing escapes.
type expansion struct {
	terms [16]float64
	n     int
}

func (e *expansion) addProduct(x, y float64) {
	hi := x * y
	e.add(math.FMA(x, y, -hi))
	e.add(hi)
}

// add is Shewchuk's GROW-EXPANSION with zero elimination; it adds at most
// one term, so sixteen adds fit.
func (e *expansion) add(v float64) {
	k := 0
	for i := range e.n {
		var lo float64
		v, lo = twoSum(v, e.terms[i])
		if lo != 0 {
			e.terms[k] = lo
			k++
		}
	}
	if v != 0 || k == 0 {
		e.terms[k] = v
		k++
	}
	e.n = k
	if e.n == 1 && e.terms[0] == 0 {
		e.n = 0
	}
}

// twoSum returns s = fl(a+b) and the rounding error, so a+b == s+err exactly.
func twoSum(a, b float64) (s, err float64) {
	s = a + b
	bv := s - a
	av := s - bv
	return s, (a - av) + (b - bv)
}
