package geo

// Convex-polygon helpers for the partition: half-plane clipping, hull, areas, sampling.

import (
	"cmp"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
)

// halfPlane keeps the points p with n·(p-o) <= 0. Measuring from o, a point
// on the boundary, avoids cancellation against coordinates near 111 and 35.
type halfPlane struct {
	nx, ny float64
	o      orb.Point
}

func (h halfPlane) eval(p orb.Point) float64 {
	return h.nx*(p[0]-h.o[0]) + h.ny*(p[1]-h.o[1])
}

// bisector keeps the side of sites[i] against sites[j] in the scaled plane,
// written back in degrees (the scaling is linear, so the line stays a line).
// Both cells of a pair evaluate one expression, one of them negated, which is
// exact: no vertex can be judged outside both cells.
func bisector(k2 float64, sites []orb.Point, i, j int) halfPlane {
	a, b, sign := sites[i], sites[j], 1.0
	if j < i {
		a, b, sign = b, a, -1
	}
	return halfPlane{
		nx: sign * k2 * (b[0] - a[0]),
		ny: sign * (b[1] - a[1]),
		o:  orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2},
	}
}

// clip is one Sutherland–Hodgman step. It returns a new slice and copies kept
// vertices verbatim: only the crossing points are computed.
func clip(poly []orb.Point, h halfPlane) []orb.Point {
	out := make([]orb.Point, 0, len(poly)+1)
	prev := poly[len(poly)-1]
	fp := h.eval(prev)
	for _, cur := range poly {
		fc := h.eval(cur)
		if (fp < 0 && fc > 0) || (fp > 0 && fc < 0) {
			t := fp / (fp - fc)
			out = append(out, orb.Point{prev[0] + t*(cur[0]-prev[0]), prev[1] + t*(cur[1]-prev[1])})
		}
		if fc <= 0 {
			out = append(out, cur)
		}
		prev, fp = cur, fc
	}
	return dedupe(out)
}

// normalise returns the ring's distinct vertices, open and counter-clockwise,
// in a new slice, with their signed area (negative only if degenerate).
func normalise(r orb.Ring) ([]orb.Point, float64) {
	pts := dedupe(slices.Clone(r))
	area := signedArea(pts)
	if area < 0 {
		slices.Reverse(pts)
		area = -area
	}
	return pts, area
}

// dedupe drops, in place, each vertex too close to the one kept before it,
// including the wrap from last to first (so a closing point goes too).
func dedupe(pts []orb.Point) []orb.Point {
	out := pts[:0]
	for _, p := range pts {
		if len(out) == 0 || !near(out[len(out)-1], p) {
			out = append(out, p)
		}
	}
	for len(out) > 1 && near(out[len(out)-1], out[0]) {
		out = out[:len(out)-1]
	}
	return out
}

func near(p, q orb.Point) bool {
	dx, dy := p[0]-q[0], p[1]-q[1]
	return dx*dx+dy*dy < dupTolerance*dupTolerance
}

// closed returns a new ring of pts with the first point repeated at the end;
// copying keeps callers from appending into a slice another cell shares.
func closed(pts []orb.Point) orb.Ring {
	r := make(orb.Ring, len(pts), len(pts)+1)
	copy(r, pts)
	return append(r, pts[0])
}

// signedArea is the shoelace area of an open ring, measured from its first
// vertex to avoid cancellation; positive when counter-clockwise.
func signedArea(pts []orb.Point) float64 {
	if len(pts) < 3 {
		return 0
	}
	o, sum := pts[0], 0.0
	for i := 1; i+1 < len(pts); i++ {
		sum += cross(o, pts[i], pts[i+1])
	}
	return sum / 2
}

// cross is the z of (a-o) × (b-o): positive when o, a, b turn left.
func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

func dist2(k2 float64, p, q orb.Point) float64 {
	dx, dy := p[0]-q[0], p[1]-q[1]
	return k2*dx*dx + dy*dy
}

// reach2 is the squared scaled distance from s to the farthest vertex of poly.
func reach2(k2 float64, s orb.Point, poly []orb.Point) float64 {
	m := 0.0
	for _, p := range poly {
		m = max(m, dist2(k2, s, p))
	}
	return m
}

// sample draws n distinct points strictly inside the convex CCW poly by
// rejection in its bound.
func sample(poly []orb.Point, n int, rng *rand.Rand) []orb.Point {
	b := orb.MultiPoint(poly).Bound()
	seen := make(map[orb.Point]bool, n)
	sites := make([]orb.Point, 0, n)
	for len(sites) < n {
		p := orb.Point{
			b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]),
			b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1]),
		}
		if strictlyInside(poly, p) && !seen[p] {
			seen[p] = true
			sites = append(sites, p)
		}
	}
	return sites
}

func strictlyInside(poly []orb.Point, p orb.Point) bool {
	prev := poly[len(poly)-1]
	for _, cur := range poly {
		if cross(prev, cur, p) <= 0 {
			return false
		}
		prev = cur
	}
	return true
}

// hull is Andrew's monotone chain: the open CCW convex hull of pts, without
// collinear points, which is the one place exact collinearity is free to see.
func hull(pts []orb.Point) []orb.Point {
	pts = slices.Clone(pts)
	slices.SortFunc(pts, func(a, b orb.Point) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	h := make([]orb.Point, 0, 2*len(pts))
	for pass := 0; pass < 2; pass++ {
		floor := len(h) + 2
		for _, p := range pts {
			for len(h) >= floor && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
				h = h[:len(h)-1]
			}
			h = append(h, p)
		}
		h = h[:len(h)-1]
		slices.Reverse(pts)
	}
	return h
}
