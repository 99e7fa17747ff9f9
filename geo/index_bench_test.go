package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// benchCity is a city-sized partition, 13 × 12 × 15 × 6 × 8 = 112,320
// micro-grids in a convex outline some 35 km across, built once per process.
var benchCity = sync.OnceValues(func() (outline orb.Ring, polygons []orb.MultiPolygon) {
	rng := newRand(2024)
	outline = ConvexOutline(orb.Point{111, 35}, 12, 20, 24, rng)
	return outline, subdivideAll(outline, []int{13, 12, 15, 6, 8}, rng)
})

var benchCityIndex = sync.OnceValue(func() *Index {
	_, polygons := benchCity()
	return NewIndex(polygons)
})

// benchPoints are random points, precomputed so the benchmark times only
// the lookups: inside the city, or out of it by 0-50 m.
var benchPoints = sync.OnceValues(func() (inside, outside []orb.Point) {
	outline, _ := benchCity()
	rng := newRand(7)
	inside = make([]orb.Point, 1<<16)
	for i := range inside {
		inside[i] = randomInside(rng, outline)
	}
	outside = make([]orb.Point, 1<<12)
	for i := range outside {
		j := rng.IntN(len(outline) - 1)
		a, b := outline[j], outline[j+1]
		f := rng.Float64()
		on := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		outside[i] = offset(on, a, b, 50*rng.Float64())
	}
	return inside, outside
})

func BenchmarkCovering(b *testing.B) {
	ix := benchCityIndex()
	points, _ := benchPoints()
	i, missed := 0, 0
	b.ReportAllocs()
	runtime.GC() // so the garbage of building the city is not collected on the clock
	for b.Loop() {
		if ix.Covering(points[i&(len(points)-1)]) < 0 {
			missed++
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "locates/s")
	if missed > 0 {
		b.Fatalf("%d points inside the city were not covered", missed)
	}
}

func BenchmarkNearest(b *testing.B) {
	ix := benchCityIndex()
	_, points := benchPoints()
	i := 0
	b.ReportAllocs()
	runtime.GC()
	for b.Loop() {
		ix.Nearest(points[i&(len(points)-1)], 50)
		i++
	}
}

func BenchmarkNewIndex(b *testing.B) {
	_, polygons := benchCity()
	var ix *Index
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		ix = NewIndex(polygons)
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(len(polygons)), "polygons")
	b.ReportMetric(float64(ix.Bytes())/1e6, "index-MB")
	// Heap growth: what each build allocated, kept or not.
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "alloc-MB/build")
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1e6, "retained-MB")
	runtime.KeepAlive(ix)
}

// BenchmarkCoveringManyVertices locates points in one 10,000-vertex
// polygon with and without slabs: a wiggly boundary such as a surveyed
// district has, and the spiky star of the tests, on which any horizontal
// line crosses about a tenth of the spikes, so slabs can do little.
func BenchmarkCoveringManyVertices(b *testing.B) {
	rng := newRand(3)
	shapes := []struct {
		name string
		ring orb.Ring
	}{
		{"wiggly", wigglyRing(orb.Point{111, 35}, 0.05, 10_000, rng)},
		{"star", starRing(orb.Point{111, 35}, 0.02, 0.05, 10_000, rng)},
	}
	for _, sh := range shapes {
		polygons := []orb.MultiPolygon{{{sh.ring}}}
		points := randomPoints(rng, sh.ring.Bound(), 1<<12)
		for _, cfg := range []struct {
			name     string
			minEdges int
		}{
			{"slabs", slabMinEdges},
			{"no slabs", math.MaxInt32},
		} {
			b.Run(sh.name+"/"+cfg.name, func(b *testing.B) {
				ix := newIndex(polygons, cfg.minEdges)
				i := 0
				b.ReportAllocs()
				for b.Loop() {
					ix.Covering(points[i&(len(points)-1)])
					i++
				}
				b.ReportMetric(float64(ix.Bytes())/1e3, "index-kB")
			})
		}
	}
}

// wigglyRing is a closed ring of n vertices at even bearings around c,
// radius r degrees give or take 3% in a random walk, like a traced border.
func wigglyRing(c orb.Point, r float64, n int, rng *rand.Rand) orb.Ring {
	ring := make(orb.Ring, n+1)
	wiggle := 0.0
	for i := range n {
		wiggle = max(-0.03, min(0.03, wiggle+0.004*(rng.Float64()-0.5)))
		a := 2 * math.Pi * float64(i) / float64(n)
		ring[i] = orb.Point{c[0] + r*(1+wiggle)*math.Cos(a), c[1] + r*(1+wiggle)*math.Sin(a)}
	}
	ring[n] = ring[0]
	return ring
}

// BenchmarkCoveringEdges shows where slabs start to pay: a roughly round
// polygon of n edges, located with and without them.
func BenchmarkCoveringEdges(b *testing.B) {
	for _, n := range []int{8, 16, 32, 64, 128} {
		ring := wigglyRing(orb.Point{111, 35}, 0.05, n, newRand(1))
		polygons := []orb.MultiPolygon{{{ring}}}
		points := randomPoints(newRand(2), ring.Bound(), 1<<12)
		for _, cfg := range []struct {
			name     string
			minEdges int
		}{
			{"slabs", 2},
			{"no slabs", math.MaxInt32},
		} {
			b.Run(fmt.Sprintf("n=%d/%s", n, cfg.name), func(b *testing.B) {
				ix := newIndex(polygons, cfg.minEdges)
				i := 0
				for b.Loop() {
					ix.Covering(points[i&(len(points)-1)])
					i++
				}
			})
		}
	}
}
