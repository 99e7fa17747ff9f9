package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestSamplerPoint(t *testing.T) {
	square := orb.Ring{{111, 35}, {111.1, 35}, {111.1, 35.1}, {111, 35.1}, {111, 35}}
	hole := orb.Ring{{111.02, 35.02}, {111.02, 35.08}, {111.08, 35.08}, {111.08, 35.02}, {111.02, 35.02}}
	// Two triangles far apart, the second with three times the first's area.
	small := orb.Ring{{111, 35}, {111.01, 35}, {111, 35.01}, {111, 35}}
	big := orb.Ring{{111.5, 35}, {111.53, 35}, {111.5, 35.01}, {111.5, 35}}
	inHole := func(p orb.Point) bool { return p[0] > 111.02 && p[0] < 111.08 && p[1] > 35.02 && p[1] < 35.08 }
	tests := []struct {
		name   string
		area   orb.MultiPolygon
		inside func(orb.Point) bool // an independent test of where points may fall
		share  func(orb.Point) bool // points expected to make up wantShare of the draws
		want   float64
	}{
		{"square with a hole", orb.MultiPolygon{{square, hole}},
			func(p orb.Point) bool {
				return p[0] >= 111 && p[0] <= 111.1 && p[1] >= 35 && p[1] <= 35.1 && !inHole(p)
			},
			func(p orb.Point) bool { return p[0] < 111.05 }, 0.5},
		{"two triangles", orb.MultiPolygon{{small}, {big}},
			func(p orb.Point) bool {
				return p[1] >= 35 && (p[0] >= 111 && (p[0]-111)/0.01+(p[1]-35)/0.01 <= 1 ||
					p[0] >= 111.5 && (p[0]-111.5)/0.03+(p[1]-35)/0.01 <= 1)
			},
			func(p orb.Point) bool { return p[0] >= 111.5 }, 0.75},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSampler(tc.area)
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 4000
			in := 0
			for range n {
				p, ok := s.Point(rng, 1000)
				if !ok {
					t.Fatal("no point drawn in 1000 tries")
				}
				if !tc.inside(p) {
					t.Fatalf("%v is outside the area", p)
				}
				if tc.share(p) {
					in++
				}
			}
			// Uniform: the share is within five standard deviations of what the areas give.
			got, sd := float64(in)/n, math.Sqrt(tc.want*(1-tc.want)/n)
			if math.Abs(got-tc.want) > 5*sd {
				t.Errorf("share %.3f; want %.3f ± %.3f", got, tc.want, 5*sd)
			}
		})
	}
}

// The draws are the bound scaled by two Float64 each, x first: callers that replay a seed (the
// demo history) depend on the stream being consumed exactly so.
func TestSamplerPointStream(t *testing.T) {
	square := orb.MultiPolygon{{{{111, 35}, {111.1, 35}, {111.1, 35.2}, {111, 35.2}, {111, 35}}}}
	rng, twin := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	s := NewSampler(square)
	for range 100 {
		p, ok := s.Point(rng, 30)
		want := orb.Point{111 + twin.Float64()*0.1, 35 + twin.Float64()*0.2}
		if !ok || math.Abs(p[0]-want[0]) > 1e-12 || math.Abs(p[1]-want[1]) > 1e-12 {
			t.Fatalf("%v %v; want %v", p, ok, want)
		}
	}
	// An area with nothing inside (a flat triangle) uses up its tries and says so.
	flat := NewSampler(orb.MultiPolygon{{{{111, 35}, {111.1, 35.1}, {111.2, 35.2}, {111, 35}}}})
	if p, ok := flat.Point(rng, 30); ok {
		t.Fatalf("%v drawn inside a flat triangle", p)
	}
	for range 60 {
		twin.Float64()
	}
	if a, b := rng.Uint64(), twin.Uint64(); a != b {
		t.Fatal("a failed draw did not use exactly two numbers a try")
	}
	if b := flat.Bound(); b.Min != (orb.Point{111, 35}) || b.Max != (orb.Point{111.2, 35.2}) {
		t.Fatalf("bound %v", b)
	}
}
