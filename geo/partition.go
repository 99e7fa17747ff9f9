package geo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// dupTolerance is how close, in degrees, clipping may put two consecutive
// vertices before they count as one point: about 0.1 µm on the ground, far
// below any survey, yet well above float64 rounding at these magnitudes.
const dupTolerance = 1e-12

// kmPerDegree is one degree of latitude on the mean Earth sphere (6371.0088 km).
const kmPerDegree = 6371.0088 * math.Pi / 180

// VoronoiCells returns, for each site, the part of the convex ring parent
// closer to that site than to any other site. Cells are in site order, each a
// closed counter-clockwise orb.Ring (first point == last point) with positive
// area. parent must be convex (either orientation accepted); sites must be
// distinct. A site outside parent still gets its cell, which is nil when empty.
//
// Distances are measured with longitude scaled by the cosine of the parent's
// centroid latitude, so cells are not stretched east-west.
func VoronoiCells(parent orb.Ring, sites []orb.Point) []orb.Ring {
	cells := make([]orb.Ring, len(sites))
	base, area := normalise(parent)
	if area <= 0 {
		return cells
	}
	centroid, _ := planar.CentroidArea(closed(base))
	k := math.Cos(centroid[1] * math.Pi / 180)
	k2 := k * k

	others := make([]int, 0, len(sites))
	for i, s := range sites {
		others = others[:0]
		for j := range sites {
			if j != i {
				others = append(others, j)
			}
		}
		// Nearest sites first: they cut the most, and once a site is more
		// than twice the cell's reach away, no farther one can cut at all.
		slices.SortStableFunc(others, func(a, b int) int {
			return cmp.Compare(dist2(k2, s, sites[a]), dist2(k2, s, sites[b]))
		})
		cell := base
		for _, j := range others {
			if dist2(k2, s, sites[j]) > 4*reach2(k2, s, cell) {
				break
			}
			if cell = clip(cell, bisector(k2, sites, i, j)); len(cell) < 3 {
				break
			}
		}
		if len(cell) >= 3 && signedArea(cell) > 0 {
			cells[i] = closed(cell)
		}
	}
	return cells
}

// Subdivide splits the convex ring parent into n convex cells: n sites drawn
// uniformly inside parent from rng, moved lloyd times to their cell's centroid
// so cell sizes even out, then VoronoiCells. The same rng state gives the same
// cells. n == 1 returns parent itself, closed and counter-clockwise.
// It panics if n < 1 or parent has no area, as no cells could satisfy either.
func Subdivide(parent orb.Ring, n int, lloyd int, rng *rand.Rand) []orb.Ring {
	if n < 1 {
		panic("geo: Subdivide needs n >= 1")
	}
	base, area := normalise(parent)
	if area <= 0 {
		panic("geo: Subdivide of a parent with no area")
	}
	ring := closed(base)
	if n == 1 {
		return []orb.Ring{ring}
	}
	sites := sample(base, n, rng)
	for range lloyd {
		// Centroids of disjoint cells lie in disjoint interiors, so the
		// sites stay distinct and inside parent.
		for i, c := range VoronoiCells(ring, sites) {
			if c != nil {
				sites[i], _ = planar.CentroidArea(c)
			}
		}
	}
	return VoronoiCells(ring, sites)
}

// ConvexOutline returns a closed counter-clockwise convex ring around center:
// vertices points at even bearings with radii in km drawn from [minKm, maxKm],
// of which the convex hull keeps those that do not make a dent.
// It panics unless vertices >= 3 and 0 < minKm <= maxKm.
func ConvexOutline(center orb.Point, minKm, maxKm float64, vertices int, rng *rand.Rand) orb.Ring {
	if vertices < 3 || !(minKm > 0) || !(maxKm >= minKm) {
		panic("geo: ConvexOutline needs vertices >= 3 and 0 < minKm <= maxKm")
	}
	kmPerLon := kmPerDegree * math.Cos(center[1]*math.Pi/180)
	pts := make([]orb.Point, vertices)
	for i := range pts {
		bearing := 2 * math.Pi * float64(i) / float64(vertices)
		r := minKm + rng.Float64()*(maxKm-minKm)
		pts[i] = orb.Point{
			center[0] + r*math.Cos(bearing)/kmPerLon,
			center[1] + r*math.Sin(bearing)/kmPerDegree,
		}
	}
	return closed(hull(pts))
}
