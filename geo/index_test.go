package geo

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// indexConfigs are the ways an index is built: as NewIndex does, with every
// ring long enough for slabs, and with none banded.
var indexConfigs = []struct {
	name     string
	minEdges int
}{
	{"default", slabMinEdges},
	{"all slabs", 2},
	{"no slabs", math.MaxInt32},
}

// skipUnderRace skips a test of pure computation under -race: geo starts no goroutines and these
// tests share nothing, so the detector has nothing to find in them, and its instrumentation made
// them 16 times slower (71 s of the package against 4 s). make test runs geo a second time
// without -race, where they run; TestIndexConcurrent, which reads one index from eight
// goroutines, stays under -race.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("pure computation: make test runs it in geo's pass without -race")
	}
}

func TestCoveringAgreesWithReference(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	polygons := testGrid(t, 2)
	ref := newRefIndex(polygons)
	rng := newRand(11)
	points := randomPoints(rng, enlarge(ref.all, 0.1), 50_000)
	want := ref.coverings(points)
	if !slices.Contains(want, -1) || !slices.ContainsFunc(want, func(id int) bool { return id >= 0 }) {
		t.Fatal("want points both inside and outside the grid")
	}
	for _, cfg := range indexConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			ix := newIndex(polygons, cfg.minEdges)
			for i, p := range points {
				if got := ix.Covering(p); got != want[i] {
					t.Fatalf("Covering(%v) = %d, reference %d", p, got, want[i])
				}
			}
		})
	}
}

// TestCoveringBorders asks for the points that lie on two or more polygons:
// vertices and midpoints of edges that neighbours share bit for bit, and
// every vertex of every polygon. The reference decides which ids cover each.
func TestCoveringBorders(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	polygons := testGrid(t, 3)
	ref := newRefIndex(polygons)
	owners := map[orb.Point][]int{}
	edges := map[[2]orb.Point]bool{}
	for id, mp := range polygons {
		r := mp[0][0]
		for j := 0; j+1 < len(r); j++ {
			owners[r[j]] = append(owners[r[j]], id)
			edges[[2]orb.Point{r[j], r[j+1]}] = true
		}
	}
	var shared, midpoints, vertices []orb.Point
	for v, ids := range owners {
		vertices = append(vertices, v)
		if len(ids) > 1 {
			shared = append(shared, v)
		}
	}
	for e := range edges {
		if _, ok := edges[[2]orb.Point{e[1], e[0]}]; ok {
			midpoints = append(midpoints, orb.Point{(e[0][0] + e[1][0]) / 2, (e[0][1] + e[1][1]) / 2})
		}
	}
	if len(shared) < 100 || len(midpoints) < 100 {
		t.Fatalf("only %d shared vertices and %d shared edges; the grid should have many", len(shared), len(midpoints))
	}
	tests := []struct {
		name   string
		points []orb.Point
	}{
		{"shared vertices", shared},
		{"shared edge midpoints", midpoints},
		{"all vertices", vertices},
	}
	for _, tc := range tests {
		want := ref.coverings(tc.points)
		for _, cfg := range indexConfigs {
			ix := newIndex(polygons, cfg.minEdges)
			t.Run(tc.name+"/"+cfg.name, func(t *testing.T) {
				for i, p := range tc.points {
					if want[i] < 0 {
						t.Fatalf("reference covers border point %v by nothing", p)
					}
					if got := ix.Covering(p); got != want[i] {
						t.Fatalf("Covering(%v) = %d, reference %d", p, got, want[i])
					}
				}
			})
		}
	}
}

// TestCoveringShapes covers what the demo grid lacks: holes, several parts,
// a part inside another's hole, and rings long enough for slabs.
func TestCoveringShapes(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	rng := newRand(5)
	star := starRing(orb.Point{111, 35}, 0.02, 0.05, 5000, rng)
	starHole := starRing(orb.Point{111, 35}, 0.008, 0.015, 200, rng)
	square := func(x, y, side float64) orb.Ring {
		return orb.Ring{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}
	}
	// Two parts: a square with a square hole, and an island in that hole.
	twoParts := orb.MultiPolygon{
		{square(111.06, 35.0, 0.02), square(111.065, 35.005, 0.01)},
		{square(111.067, 35.007, 0.006)},
	}
	// A neighbour sharing the star's edge and vertex positions would need
	// the star's own coordinates: fill its hole instead, exactly.
	filling := orb.MultiPolygon{{starHole}}
	open := orb.MultiPolygon{{orb.Ring{{111.1, 35.1}, {111.12, 35.1}, {111.11, 35.12}}}}
	polygons := []orb.MultiPolygon{{{star, starHole}}, twoParts, filling, open}
	ref := newRefIndex(polygons)

	boundary := slices.Concat(star[:len(star)-1], starHole[:len(starHole)-1])
	for _, p := range twoParts {
		for _, r := range p {
			boundary = append(boundary, r[:len(r)-1]...)
		}
	}
	var midpoints []orb.Point
	for _, r := range []orb.Ring{star, starHole} {
		for j := 0; j+1 < len(r); j++ {
			midpoints = append(midpoints, orb.Point{(r[j][0] + r[j+1][0]) / 2, (r[j][1] + r[j+1][1]) / 2})
		}
	}
	tests := []struct {
		name   string
		points []orb.Point
	}{
		{"random", randomPoints(rng, enlarge(ref.all, 0.1), 10_000)},
		{"random in star", randomPoints(rng, star.Bound(), 10_000)},
		{"random in two parts", randomPoints(rng, twoParts.Bound(), 2_000)},
		{"vertices", boundary},
		{"edge midpoints", midpoints},
		{"on a horizontal edge", []orb.Point{{111.07, 35.0}, {111.07, 35.005}, {111.07, 35.007}, {111.11, 35.1}}},
		{"in the island's lake", []orb.Point{{111.066, 35.006}}},
	}
	for _, tc := range tests {
		want := ref.coverings(tc.points)
		for _, cfg := range indexConfigs {
			ix := newIndex(polygons, cfg.minEdges)
			t.Run(tc.name+"/"+cfg.name, func(t *testing.T) {
				for i, p := range tc.points {
					if got := ix.Covering(p); got != want[i] {
						t.Fatalf("Covering(%v) = %d, reference %d", p, got, want[i])
					}
				}
			})
		}
	}
	t.Run("hole boundary is covered", func(t *testing.T) {
		ix := NewIndex(polygons[:2])
		for _, v := range starHole {
			if got := ix.Covering(v); got != 0 {
				t.Fatalf("Covering(hole vertex %v) = %d, want 0", v, got)
			}
		}
		if got := ix.Covering(orb.Point{111, 35}); got != -1 {
			t.Errorf("Covering(centre of the hole) = %d, want -1", got)
		}
		if got := ix.Covering(orb.Point{111.066, 35.006}); got != -1 {
			t.Errorf("Covering(lake around the island) = %d, want -1", got)
		}
		if got := ix.Covering(orb.Point{111.07, 35.01}); got != 1 {
			t.Errorf("Covering(island) = %d, want 1", got)
		}
	})
}

func TestIndexEdgeCases(t *testing.T) {
	t.Parallel()
	square := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	tests := []struct {
		name     string
		polygons []orb.MultiPolygon
		p        orb.Point
		want     int
	}{
		{"no polygons", nil, orb.Point{0.5, 0.5}, -1},
		{"empty polygons keep their ids", []orb.MultiPolygon{nil, {}, {{}}, {{square}}}, orb.Point{0.5, 0.5}, 3},
		{"one polygon, inside", []orb.MultiPolygon{{{square}}}, orb.Point{0.5, 0.5}, 0},
		{"one polygon, corner", []orb.MultiPolygon{{{square}}}, orb.Point{1, 1}, 0},
		{"one polygon, outside", []orb.MultiPolygon{{{square}}}, orb.Point{1.5, 0.5}, -1},
		{"open clockwise ring", []orb.MultiPolygon{{{{{0, 0}, {0, 1}, {1, 1}, {1, 0}}}}}, orb.Point{1, 0.5}, 0},
		{"NaN", []orb.MultiPolygon{{{square}}}, orb.Point{math.NaN(), 0.5}, -1},
		{"overlap gives lowest id", []orb.MultiPolygon{{{square}}, {{square}}}, orb.Point{0.5, 0.5}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := NewIndex(tc.polygons)
			if ix.Len() != len(tc.polygons) {
				t.Errorf("Len() = %d, want %d", ix.Len(), len(tc.polygons))
			}
			if got := ix.Covering(tc.p); got != tc.want {
				t.Errorf("Covering(%v) = %d, want %d", tc.p, got, tc.want)
			}
			if id, m := ix.Nearest(tc.p, 0); id != tc.want || m != 0 {
				t.Errorf("Nearest(%v, 0) = %d, %v; want %d, 0", tc.p, id, m, tc.want)
			}
		})
	}
}

// TestNearestOffsets moves points on the grid's outline straight out by a
// known distance; the outline is convex, so that is the distance to the grid.
func TestNearestOffsets(t *testing.T) {
	t.Parallel()
	polygons := testGrid(t, 4)
	ref := newRefIndex(polygons)
	ix := NewIndex(polygons)
	outline := testOutline(4)
	rng := newRand(4)
	tests := []struct {
		name   string
		metres float64
		found  bool
	}{
		{"20 m out", 20, true},
		{"49 m out", 49, true},
		{"80 m out", 80, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for j := 0; j+1 < len(outline); j++ {
				for range 5 {
					// Stay clear of the corners, where the outward normals fan out.
					f := 0.1 + 0.8*rng.Float64()
					a, b := outline[j], outline[j+1]
					on := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
					p := offset(on, a, b, tc.metres)
					id, m := ix.Nearest(p, 50)
					if !tc.found {
						if id != -1 || m != 0 {
							t.Fatalf("Nearest(%v, 50) = %d, %v m; want -1, 0", p, id, m)
						}
						continue
					}
					if math.Abs(m-tc.metres) > 0.01*tc.metres {
						t.Fatalf("Nearest(%v, 50) = %d, %v m; want %v m", p, id, m, tc.metres)
					}
					if want, _ := ref.nearest(p, 50); id != want {
						t.Fatalf("Nearest(%v, 50) = %d, reference %d", p, id, want)
					}
				}
			}
		})
	}
}

func TestNearestAgreesWithReference(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	polygons := testGrid(t, 6)
	ref := newRefIndex(polygons)
	ix := NewIndex(polygons)
	// Points in a 200 m margin around the grid, plus some inside it.
	margin := 200 / metresPerDegree
	bound := ref.all
	bound.Min[0] -= margin / math.Cos(bound.Min[1]*math.Pi/180)
	bound.Max[0] += margin / math.Cos(bound.Max[1]*math.Pi/180)
	bound.Min[1] -= margin
	bound.Max[1] += margin
	points := randomPoints(newRand(6), bound, 3_000)
	for _, maxMetres := range []float64{50, 150, 1000} {
		t.Run(fmt.Sprintf("within %v m", maxMetres), func(t *testing.T) {
			found := 0
			for _, p := range points {
				id, m := ix.Nearest(p, maxMetres)
				want, wantM := ref.nearest(p, maxMetres)
				if (id < 0) != (want < 0) {
					t.Fatalf("Nearest(%v, %v) = %d, %v; reference %d, %v", p, maxMetres, id, m, want, wantM)
				}
				if id < 0 {
					continue
				}
				found++
				if wantM == 0 {
					if id != want || m != 0 {
						t.Fatalf("Nearest(%v, %v) = %d, %v; reference covers it by %d", p, maxMetres, id, m, want)
					}
					continue
				}
				// Ties within rounding may go either way: the id returned
				// must be as near as the reference's choice.
				if d := ref.distance(id, p); math.Abs(m-wantM) > 1e-6 || math.Abs(d-wantM) > 1e-6 {
					t.Fatalf("Nearest(%v, %v) = %d at %v m (reference measures it %v m); reference %d at %v m", p, maxMetres, id, m, d, want, wantM)
				}
			}
			if found == 0 {
				t.Error("no point found a polygon")
			}
		})
	}
}

func TestIndexConcurrent(t *testing.T) {
	t.Parallel()
	polygons := testGrid(t, 7)
	ix := NewIndex(polygons)
	points := randomPoints(newRand(7), enlarge(newRefIndex(polygons).all, 0.05), 2_000)
	type answer struct{ covering, nearest int }
	want := make([]answer, len(points))
	for i, p := range points {
		want[i].covering = ix.Covering(p)
		want[i].nearest, _ = ix.Nearest(p, 100)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range points {
				i := (i + g*len(points)/8) % len(points)
				p := points[i]
				if got := ix.Covering(p); got != want[i].covering {
					t.Errorf("goroutine %d: Covering(%v) = %d, want %d", g, p, got, want[i].covering)
					return
				}
				if got, _ := ix.Nearest(p, 100); got != want[i].nearest {
					t.Errorf("goroutine %d: Nearest(%v) = %d, want %d", g, p, got, want[i].nearest)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestIndexDoesNotAllocate(t *testing.T) {
	rng := newRand(8)
	polygons := append(testGrid(t, 8), orb.MultiPolygon{{starRing(orb.Point{112, 35}, 0.02, 0.05, 1000, rng)}})
	ix := NewIndex(polygons)
	points := randomPoints(rng, enlarge(newRefIndex(polygons).all, 0.1), 1000)
	tests := []struct {
		name string
		call func(p orb.Point)
	}{
		{"Covering", func(p orb.Point) { ix.Covering(p) }},
		{"Nearest", func(p orb.Point) { ix.Nearest(p, 500) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := 0
			allocs := testing.AllocsPerRun(len(points), func() {
				tc.call(points[i%len(points)])
				i++
			})
			if allocs != 0 {
				t.Errorf("%s allocates %v times per call", tc.name, allocs)
			}
		})
	}
}

func TestIndexBytes(t *testing.T) {
	t.Parallel()
	polygons := testGrid(t, 9)
	ix := NewIndex(polygons)
	points := 0
	for _, mp := range polygons {
		points += len(mp[0][0])
	}
	// At least the coordinates, and per polygon a box and where its points
	// are; the rest (nodes, offsets) is small beside them.
	low := points*16 + len(polygons)*(16+12)
	if b := ix.Bytes(); b < low || b > low*3/2 {
		t.Errorf("Bytes() = %d for %d polygons of %d points; want %d..%d", b, len(polygons), points, low, low*3/2)
	}
}

// TestOrient checks the predicate against exact rational arithmetic on
// points within rounding of a line, where the plain formula guesses.
func TestOrient(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	rng := newRand(10)
	a, b := orb.Point{111.123456789, 35.987654321}, orb.Point{111.3, 35.01}
	nonzero := 0
	for range 20_000 {
		f := rng.Float64()
		p := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		// Nudge by up to two ulps either way.
		toward := math.Inf(rng.IntN(2)*2 - 1)
		for range rng.IntN(3) {
			p[0] = math.Nextafter(p[0], toward)
		}
		want := refOrient(a, b, p)
		got := orient(a, b, p)
		if sign(got) != want {
			t.Fatalf("orient(%v, %v, %v) has sign %d, want %d", a, b, p, sign(got), want)
		}
		if want != 0 {
			nonzero++
		}
		if sign(orient(b, a, p)) != -want || sign(orient(p, a, b)) != want {
			t.Fatalf("orient is not antisymmetric at %v", p)
		}
	}
	if nonzero == 0 {
		t.Error("every point was collinear; the test proves nothing")
	}
}

// testOutline is the convex outline testGrid subdivides, about 6 km across.
func testOutline(seed uint64) orb.Ring {
	return ConvexOutline(orb.Point{111, 35}, 2.5, 3.5, 12, newRand(seed))
}

// testGrid is a partition of about 2,000 convex polygons (12 × 12 × 14),
// ids in generation order.
func testGrid(tb testing.TB, seed uint64) []orb.MultiPolygon {
	tb.Helper()
	return subdivideAll(testOutline(seed), []int{12, 12, 14}, newRand(seed+1000))
}

func subdivideAll(outline orb.Ring, counts []int, rng *rand.Rand) []orb.MultiPolygon {
	parents := []orb.Ring{outline}
	for _, n := range counts {
		next := make([]orb.Ring, 0, len(parents)*n)
		for _, p := range parents {
			next = append(next, Subdivide(p, n, 2, rng)...)
		}
		parents = next
	}
	out := make([]orb.MultiPolygon, len(parents))
	for i, r := range parents {
		out[i] = orb.MultiPolygon{{r}}
	}
	return out
}

// starRing is a closed ring of n vertices at even bearings around c,
// alternating between radii near inner and outer degrees: a spiky shape
// whose every horizontal line crosses many edges.
func starRing(c orb.Point, inner, outer float64, n int, rng *rand.Rand) orb.Ring {
	r := make(orb.Ring, n+1)
	for i := range n {
		rad := inner
		if i%2 == 1 {
			rad = outer
		}
		rad *= 0.9 + 0.2*rng.Float64()
		a := 2 * math.Pi * float64(i) / float64(n)
		r[i] = orb.Point{c[0] + rad*math.Cos(a), c[1] + rad*math.Sin(a)}
	}
	r[n] = r[0]
	return r
}

// offset moves on, a point of the segment a-b, by metres along the
// segment's right-hand normal (outward for a counter-clockwise ring).
func offset(on, a, b orb.Point, metres float64) orb.Point {
	k := math.Cos(on[1] * math.Pi / 180)
	dx, dy := (b[0]-a[0])*k, b[1]-a[1]
	l := math.Hypot(dx, dy)
	nx, ny := dy/l, -dx/l
	return orb.Point{on[0] + nx*metres/metresPerDegree/k, on[1] + ny*metres/metresPerDegree}
}

func randomPoints(rng *rand.Rand, b orb.Bound, n int) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{
			b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]),
			b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1]),
		}
	}
	return pts
}

func enlarge(b orb.Bound, by float64) orb.Bound {
	dx, dy := (b.Max[0]-b.Min[0])*by/2, (b.Max[1]-b.Min[1])*by/2
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// refIndex is the brute-force reference: every polygon in id order, tested
// with exact rational arithmetic and a formula of its own (the ray's
// crossing abscissa), sharing no code with Index.
type refIndex struct {
	polygons []orb.MultiPolygon
	bounds   []orb.Bound
	all      orb.Bound
}

func newRefIndex(polygons []orb.MultiPolygon) refIndex {
	ref := refIndex{polygons: polygons, bounds: make([]orb.Bound, len(polygons))}
	for i, mp := range polygons {
		ref.bounds[i] = mp.Bound()
		if i == 0 {
			ref.all = ref.bounds[i]
		} else {
			ref.all = ref.all.Union(ref.bounds[i])
		}
	}
	return ref
}

// covering is the lowest id of a polygon covering p, or -1.
func (ref refIndex) covering(p orb.Point) int {
	for id, mp := range ref.polygons {
		if ref.bounds[id].Contains(p) && refCovers(mp, p) {
			return id
		}
	}
	return -1
}

func (ref refIndex) coverings(points []orb.Point) []int {
	ids := make([]int, len(points))
	for i, p := range points {
		ids[i] = ref.covering(p)
	}
	return ids
}

func refCovers(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		crossings := 0
		for _, r := range poly {
			n := len(r)
			for j := range n {
				a, b := r[j], r[(j+1)%n] // works for open rings too
				if refOnSegment(a, b, p) {
					return true
				}
				if refCrosses(a, b, p) {
					crossings++
				}
			}
		}
		if crossings%2 == 1 {
			return true
		}
	}
	return false
}

// refOnSegment: p within the segment's box and exactly collinear with it.
func refOnSegment(a, b, p orb.Point) bool {
	if p[0] < min(a[0], b[0]) || p[0] > max(a[0], b[0]) || p[1] < min(a[1], b[1]) || p[1] > max(a[1], b[1]) {
		return false
	}
	return refOrient(a, b, p) == 0
}

// refCrosses: the edge spans p's y half-open, and the exact x where it
// meets that y lies right of p. Rounding moves the float x by far less than
// refMargin degrees; only closer calls are worked out in rationals.
func refCrosses(a, b, p orb.Point) bool {
	lo, hi := a, b
	if lo[1] > hi[1] {
		lo, hi = hi, lo
	}
	if !(lo[1] <= p[1] && p[1] < hi[1]) {
		return false
	}
	if x := lo[0] + (p[1]-lo[1])*(hi[0]-lo[0])/(hi[1]-lo[1]); math.Abs(x-p[0]) > refMargin {
		return x > p[0]
	}
	// x = lo.x + (p.y-lo.y)(hi.x-lo.x)/(hi.y-lo.y)
	x := new(big.Rat).Sub(rat(p[1]), rat(lo[1]))
	x.Mul(x, new(big.Rat).Sub(rat(hi[0]), rat(lo[0])))
	x.Quo(x, new(big.Rat).Sub(rat(hi[1]), rat(lo[1])))
	x.Add(x, rat(lo[0]))
	return x.Cmp(rat(p[0])) > 0
}

// refMargin is a million times the rounding error of a crossing abscissa or
// cross product of coordinates in degrees.
const refMargin = 1e-9

// refOrient is the sign of (b-a)×(p-a).
func refOrient(a, b, p orb.Point) int {
	l, r := (b[0]-a[0])*(p[1]-a[1]), (b[1]-a[1])*(p[0]-a[0])
	if math.Abs(l-r) > refMargin*(math.Abs(l)+math.Abs(r)) {
		return sign(l - r)
	}
	lr := new(big.Rat).Mul(new(big.Rat).Sub(rat(b[0]), rat(a[0])), new(big.Rat).Sub(rat(p[1]), rat(a[1])))
	rr := new(big.Rat).Mul(new(big.Rat).Sub(rat(b[1]), rat(a[1])), new(big.Rat).Sub(rat(p[0]), rat(a[0])))
	return lr.Cmp(rr)
}

func rat(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }

// nearest is the polygon whose boundary is nearest p within maxMetres (the
// covering one at 0), lowest id on a tie, or -1.
func (ref refIndex) nearest(p orb.Point, maxMetres float64) (int, float64) {
	if id := ref.covering(p); id >= 0 {
		return id, 0
	}
	best, bestM := -1, maxMetres
	for id := range ref.polygons {
		if d := ref.distance(id, p); d <= bestM && (best < 0 || d < bestM) {
			best, bestM = id, d
		}
	}
	if best < 0 {
		return -1, 0
	}
	return best, bestM
}

// distance is from p to polygon id's boundary in metres, projecting every
// vertex to local east/north metres at p's latitude.
func (ref refIndex) distance(id int, p orb.Point) float64 {
	toXY := func(q orb.Point) (float64, float64) {
		return (q[0] - p[0]) * math.Cos(p[1]*math.Pi/180) * 6371008.8 * math.Pi / 180,
			(q[1] - p[1]) * 6371008.8 * math.Pi / 180
	}
	best := math.Inf(1)
	for _, poly := range ref.polygons[id] {
		for _, r := range poly {
			for j := 0; j+1 < len(r); j++ {
				ax, ay := toXY(r[j])
				bx, by := toXY(r[j+1])
				ex, ey := bx-ax, by-ay
				t := 0.0
				if l2 := ex*ex + ey*ey; l2 > 0 {
					t = math.Max(0, math.Min(1, -(ax*ex+ay*ey)/l2))
				}
				best = math.Min(best, math.Hypot(ax+t*ex, ay+t*ey))
			}
		}
	}
	return best
}
