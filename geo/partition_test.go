package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// testParents are convex rings of the shapes the demo grid meets: a plain
// square (given clockwise, to exercise normalising), an irregular hexagon at
// the demo city, and a long thin diagonal sliver.
var testParents = []struct {
	name   string
	parent orb.Ring
}{
	{"square", orb.Ring{{111, 35}, {111, 35.1}, {111.1, 35.1}, {111.1, 35}, {111, 35}}},
	{"hexagon", orb.Ring{
		{110.93, 34.97}, {111.04, 34.95}, {111.11, 35.01},
		{111.09, 35.08}, {110.98, 35.1}, {110.91, 35.04}, {110.93, 34.97},
	}},
	{"thin", orb.Ring{{111, 35}, {111.5, 35.3}, {111.5, 35.305}, {111, 35.004}, {111, 35}}},
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

func TestSubdividePartitions(t *testing.T) {
	skipUnderRace(t)
	for _, tc := range testParents {
		for _, n := range []int{1, 2, 5, 12, 40} {
			t.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(t *testing.T) {
				t.Parallel()
				cells := Subdivide(tc.parent, n, 2, newRand(uint64(n)))
				if len(cells) != n {
					t.Fatalf("got %d cells, want %d", len(cells), n)
				}
				checkPartition(t, tc.parent, cells)
			})
		}
	}
}

func TestVoronoiCells(t *testing.T) {
	t.Parallel()
	unit := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	tests := []struct {
		name  string
		sites []orb.Point
		areas []float64 // nil ring expected where the area is 0
	}{
		{"one site takes all", []orb.Point{{0.3, 0.3}}, []float64{1}},
		{"two sites halve", []orb.Point{{0.25, 0.5}, {0.75, 0.5}}, []float64{0.5, 0.5}},
		{"far site is empty", []orb.Point{{0.5, 0.5}, {5, 0.5}}, []float64{1, 0}},
		{"site whose bisector is the edge is empty", []orb.Point{{0.5, 0.5}, {1.5, 0.5}}, []float64{1, 0}},
		{"outside site reaches in", []orb.Point{{0.25, 0.5}, {1.25, 0.5}}, []float64{0.75, 0.25}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cells := VoronoiCells(unit, tc.sites)
			for i, want := range tc.areas {
				if want == 0 {
					if cells[i] != nil {
						t.Errorf("cell %d = %v, want nil", i, cells[i])
					}
					continue
				}
				if got := planar.Area(cells[i]); math.Abs(got-want) > 1e-12 {
					t.Errorf("cell %d area = %v, want %v", i, got, want)
				}
			}
		})
	}
}

// TestVoronoiCellsNearest checks what the local scaling is for: a point lies
// in the cell of the site nearest to it once longitude is shrunk by cos(lat).
func TestVoronoiCellsNearest(t *testing.T) {
	t.Parallel()
	for _, lat := range []float64{35, 60} {
		t.Run(fmt.Sprintf("lat=%v", lat), func(t *testing.T) {
			parent := orb.Ring{{111, lat}, {111.2, lat}, {111.2, lat + 0.1}, {111, lat + 0.1}, {111, lat}}
			rng := newRand(7)
			sites := make([]orb.Point, 25)
			for i := range sites {
				sites[i] = randomInside(rng, parent)
			}
			cells := VoronoiCells(parent, sites)
			c, _ := planar.CentroidArea(parent)
			k := math.Cos(c[1] * math.Pi / 180)
			for range 2000 {
				p := randomInside(rng, parent)
				best, margin := nearestSite(k, p, sites)
				if margin < 1e-9 {
					continue
				}
				if d := edgeDistance(cells[best], p); d < -1e-12 {
					t.Fatalf("point %v lies %v outside the cell of its nearest site %d", p, -d, best)
				}
			}
		})
	}
}

func TestSubdivideDeterministic(t *testing.T) {
	t.Parallel()
	parent := testParents[1].parent
	first := Subdivide(parent, 12, 2, newRand(1))
	if again := Subdivide(parent, 12, 2, newRand(1)); !reflect.DeepEqual(first, again) {
		t.Error("the same seed gave different cells")
	}
	if other := Subdivide(parent, 12, 2, newRand(2)); reflect.DeepEqual(first, other) {
		t.Error("a different seed gave the same cells")
	}
}

// TestSubdivideLloydEvensAreas averages over seeds so that one unlucky draw
// cannot make it flake.
func TestSubdivideLloydEvensAreas(t *testing.T) {
	t.Parallel()
	const seeds = 8
	parent := testParents[1].parent
	var raw, relaxed float64
	for seed := range uint64(seeds) {
		raw += areaCV(Subdivide(parent, 40, 0, newRand(seed))) / seeds
		relaxed += areaCV(Subdivide(parent, 40, 3, newRand(seed))) / seeds
	}
	t.Logf("mean coefficient of variation of cell areas: lloyd=0 %.3f, lloyd=3 %.3f", raw, relaxed)
	if relaxed >= raw {
		t.Errorf("lloyd=3 gave CV %.3f, not below lloyd=0's %.3f", relaxed, raw)
	}
}

// TestSubdivideRecursive builds the demo's shape: county, townships,
// villages, grids. Each level must tile its parent again.
func TestSubdivideRecursive(t *testing.T) {
	t.Parallel()
	rng := newRand(42)
	county := ConvexOutline(orb.Point{111, 35}, 12, 20, 24, rng)
	parents := []orb.Ring{county}
	for _, n := range []int{13, 12, 15} {
		var next []orb.Ring
		for _, parent := range parents {
			cells := Subdivide(parent, n, 2, rng)
			checkAreaSum(t, parent, cells)
			for _, c := range cells {
				checkCell(t, c)
			}
			next = append(next, cells...)
		}
		parents = next
	}
	if want := 13 * 12 * 15; len(parents) != want {
		t.Errorf("got %d grids, want %d", len(parents), want)
	}
}

func TestConvexOutline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		center         orb.Point
		minKm, maxKm   float64
		vertices       int
		keepsAllPoints bool
	}{
		{"demo city", orb.Point{111, 35}, 12, 20, 24, false},
		{"triangle", orb.Point{111, 35}, 1, 3, 3, true},
		{"circle", orb.Point{111, 35}, 5, 5, 64, true},
		{"far north", orb.Point{25, 65}, 2, 8, 16, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ConvexOutline(tc.center, tc.minKm, tc.maxKm, tc.vertices, newRand(3))
			checkCell(t, r)
			n := len(r) - 1
			if n < 3 || n > tc.vertices || (tc.keepsAllPoints && n != tc.vertices) {
				t.Errorf("got %d vertices from %d points", n, tc.vertices)
			}
			kmPerLon := kmPerDegree * math.Cos(tc.center[1]*math.Pi/180)
			for _, p := range r {
				d := math.Hypot((p[0]-tc.center[0])*kmPerLon, (p[1]-tc.center[1])*kmPerDegree)
				if d < tc.minKm-1e-6 || d > tc.maxKm+1e-6 {
					t.Errorf("vertex %v is %v km from the center, want %v..%v", p, d, tc.minKm, tc.maxKm)
				}
			}
			if d := edgeDistance(r, tc.center); d <= 0 {
				t.Errorf("center is not inside the outline (edge distance %v)", d)
			}
		})
	}
}

func BenchmarkSubdivide(b *testing.B) {
	parent := testParents[1].parent
	rng := newRand(1)
	for b.Loop() {
		Subdivide(parent, 8, 2, rng)
	}
}

// checkPartition asserts that cells tile parent: areas add up, each cell is
// a proper convex CCW ring within parent, and random interior points fall in
// exactly one cell.
func checkPartition(t *testing.T, parent orb.Ring, cells []orb.Ring) {
	t.Helper()
	checkAreaSum(t, parent, cells)
	parent = ccw(parent)
	for i, c := range cells {
		checkCell(t, c)
		for _, v := range c {
			if d := edgeDistance(parent, v); d < -1e-12 {
				t.Errorf("cell %d vertex %v lies %v outside the parent", i, v, -d)
			}
		}
	}
	if t.Failed() {
		return
	}
	rng := newRand(99)
	skipped := 0
	for range 20_000 {
		p := randomInside(rng, parent)
		in, nearEdge := 0, false
		for _, c := range cells {
			d := edgeDistance(c, p)
			nearEdge = nearEdge || math.Abs(d) <= 1e-9
			if d > 1e-9 {
				in++
			}
		}
		if nearEdge {
			skipped++
			continue
		}
		if in != 1 {
			t.Fatalf("point %v lies in %d cells", p, in)
		}
	}
	if skipped > 200 {
		t.Errorf("%d of 20000 points skipped as near an edge; the check is too weak", skipped)
	}
}

func checkAreaSum(t *testing.T, parent orb.Ring, cells []orb.Ring) {
	t.Helper()
	want, got := math.Abs(planar.Area(parent)), 0.0
	for _, c := range cells {
		got += planar.Area(c)
	}
	if math.Abs(got-want) > 1e-9*want {
		t.Errorf("cell areas sum to %v, parent area is %v (relative error %.2g)", got, want, math.Abs(got-want)/want)
	}
}

// checkCell asserts c is closed, CCW with positive area, and convex: no
// reflex turn beyond rounding, and the turns add up to exactly one loop.
func checkCell(t *testing.T, c orb.Ring) {
	t.Helper()
	if len(c) < 4 || c[0] != c[len(c)-1] {
		t.Fatalf("cell %v is not a closed ring of at least 3 points", c)
	}
	if a := planar.Area(c); a <= 0 {
		t.Fatalf("cell %v has area %v, want positive (CCW)", c, a)
	}
	n, turning := len(c)-1, 0.0
	for i := range n {
		a, b, d := c[i], c[(i+1)%n], c[(i+2)%n]
		e1x, e1y, e2x, e2y := b[0]-a[0], b[1]-a[1], d[0]-b[0], d[1]-b[1]
		sin := (e1x*e2y - e1y*e2x) / (math.Hypot(e1x, e1y) * math.Hypot(e2x, e2y))
		if sin < -1e-9 {
			t.Fatalf("cell %v turns right at %v (sin %v)", c, b, sin)
		}
		turning += math.Atan2(e1x*e2y-e1y*e2x, e1x*e2x+e1y*e2y)
	}
	if math.Abs(turning-2*math.Pi) > 1e-6 {
		t.Fatalf("cell %v turns %v radians in all, want 2π", c, turning)
	}
}

// edgeDistance is the least signed distance, in degrees, from p to the lines
// of the CCW ring r's edges, positive inside; for a convex ring it is how
// deep p lies.
func edgeDistance(r orb.Ring, p orb.Point) float64 {
	least := math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		ex, ey := b[0]-a[0], b[1]-a[1]
		least = min(least, (ex*(p[1]-a[1])-ey*(p[0]-a[0]))/math.Hypot(ex, ey))
	}
	return least
}

// ccw returns r, reversed if it is clockwise, so edgeDistance can use it.
func ccw(r orb.Ring) orb.Ring {
	r = r.Clone()
	if planar.Area(r) < 0 {
		r.Reverse()
	}
	return r
}

// randomInside draws a point strictly inside the convex CCW ring r.
func randomInside(rng *rand.Rand, r orb.Ring) orb.Point {
	b := r.Bound()
	for {
		p := orb.Point{
			b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]),
			b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1]),
		}
		if edgeDistance(r, p) > 0 {
			return p
		}
	}
}

// nearestSite returns the index of the site nearest p with longitude scaled
// by k, and by how much the runner-up is farther.
func nearestSite(k float64, p orb.Point, sites []orb.Point) (int, float64) {
	best, first, second := -1, math.Inf(1), math.Inf(1)
	for i, s := range sites {
		d := math.Hypot(k*(p[0]-s[0]), p[1]-s[1])
		switch {
		case d < first:
			best, first, second = i, d, first
		case d < second:
			second = d
		}
	}
	return best, second - first
}

func areaCV(cells []orb.Ring) float64 {
	var sum, sumSq float64
	for _, c := range cells {
		a := planar.Area(c)
		sum += a
		sumSq += a * a
	}
	n := float64(len(cells))
	mean := sum / n
	return math.Sqrt(sumSq/n-mean*mean) / mean
}
