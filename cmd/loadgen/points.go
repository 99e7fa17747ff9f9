package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/geo"
)

// outsideShift moves a point this many degrees of longitude east: from Yuncheng (~111°E) into
// Henan and Shandong, hundreds of kilometres outside the demo grid, so the report is unlocated.
const outsideShift = 5.0

// pointIn draws a point uniformly inside the area (geo.Sampler). Grids are convex cells, so
// nearly every draw is kept; the bound's centre only guards a sliver.
func pointIn(rng *rand.Rand, area orb.MultiPolygon) orb.Point {
	s := geo.NewSampler(area)
	if p, ok := s.Point(rng, 1000); ok {
		return p
	}
	return s.Bound().Center()
}

// outside is a point far outside the grid, near the given one.
func outside(p orb.Point) orb.Point { return orb.Point{p[0] + outsideShift, p[1]} }

// newUUID is a random (version 4) UUID, as a phone makes for each report's client_id.
func newUUID(rng *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newReportBody makes a new report from a random point of the member's grid, or with
// probability outsideShare from far outside the demo city (it must be kept unlocated).
func newReportBody(rng, ids *rand.Rand, m *member, cats []string, outsideShare float64) (reportBody, bool) {
	pt := pointIn(rng, m.Area)
	isOutside := rng.Float64() < outsideShare
	if isOutside {
		pt = outside(pt)
	}
	severity := "normal"
	if rng.IntN(10) == 0 {
		severity = "urgent"
	}
	return reportBody{ClientID: newUUID(ids), Category: cats[rng.IntN(len(cats))], Severity: severity,
		Description: "负载测试：网格员巡查发现的问题", Lon: pt[0], Lat: pt[1], AccuracyM: float64(5 + rng.IntN(30)),
		HappenedAt: time.Now().Add(-time.Duration(rng.IntN(3600)) * time.Second).Truncate(time.Second)}, isOutside
}
