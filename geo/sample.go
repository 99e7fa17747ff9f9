package geo

import (
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Sampler draws random points inside a polygonal area: where the demo history places its events
// and loadgen its reports.
type Sampler struct {
	area  orb.MultiPolygon
	bound orb.Bound
}

// NewSampler samples area; its bounding box is computed once.
func NewSampler(area orb.MultiPolygon) Sampler {
	return Sampler{area: area, bound: area.Bound()}
}

// Point draws a point uniformly inside the area, by rejection from its bounding box: at most
// tries draws of two rng.Float64 each (x, then y), so that the same stream gives the same
// points. It reports false when no draw fell inside, which a sliver in a wide box can cause:
// the caller chooses what to fall back on. A point on an edge counts as inside (random points
// never land on one).
func (s Sampler) Point(rng *rand.Rand, tries int) (orb.Point, bool) {
	b := s.bound
	for range tries {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if planar.MultiPolygonContains(s.area, p) {
			return p, true
		}
	}
	return orb.Point{}, false
}

// Bound is the area's bounding box.
func (s Sampler) Bound() orb.Bound { return s.bound }
