package grid

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

var (
	cityOnce    sync.Once
	cityUnits   []locatorUnit
	cityGeoms   []orb.MultiPolygon
	cityBound   orb.Bound
	cityGenErr  error
	cityLeafCnt int
)

// demoCity generates the whole demo city in memory (no database), as the locator reads it.
func demoCity(b *testing.B) ([]locatorUnit, []orb.MultiPolygon) {
	b.Helper()
	cityOnce.Do(func() {
		counties, err := DemoCounties()
		if err != nil {
			cityGenErr = err
			return
		}
		var all []Unit
		for _, c := range counties {
			d, err := GenerateDemo(c, DemoSeed)
			if err != nil {
				cityGenErr = err
				return
			}
			all = append(all, d.Units...)
		}
		// Code order, as PostgreSQL returns them; parents before children.
		slicesSortUnits(all)
		pos := map[string]int32{}
		hasChild := map[string]bool{}
		for _, u := range all {
			hasChild[u.ParentCode] = true
		}
		cityBound = all[0].Geom.Bound()
		for _, u := range all {
			lu := locatorUnit{ref: UnitRef{Code: u.Code, Name: u.Name, NoCentre: u.NoCentre}, level: u.Level, parent: -1}
			if u.ParentCode != "" {
				lu.parent = pos[u.ParentCode]
			}
			pos[u.Code] = int32(len(cityUnits))
			cityUnits = append(cityUnits, lu)
			var g orb.MultiPolygon
			if !hasChild[u.Code] {
				g = u.Geom
				cityLeafCnt++
			}
			cityGeoms = append(cityGeoms, g)
			cityBound = cityBound.Union(u.Geom.Bound())
		}
	})
	if cityGenErr != nil {
		b.Fatal(cityGenErr)
	}
	return cityUnits, cityGeoms
}

// BenchmarkLocate locates random points inside the whole demo city (114,758 micro-grids) on
// one goroutine, through the same Locator the server uses.
func BenchmarkLocate(b *testing.B) {
	units, geoms := demoCity(b)
	loc := newLocator(units, geoms, DefaultNearMetres)
	rng := rand.New(rand.NewPCG(1, 1))
	var pts []orb.Point
	for len(pts) < 100_000 {
		p := orb.Point{cityBound.Min[0] + rng.Float64()*(cityBound.Max[0]-cityBound.Min[0]),
			cityBound.Min[1] + rng.Float64()*(cityBound.Max[1]-cityBound.Min[1])}
		if _, ok := loc.Locate(p[0], p[1]); ok {
			pts = append(pts, p)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := pts[i%len(pts)]
		loc.Locate(p[0], p[1])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "locates/s")
	b.ReportMetric(float64(cityLeafCnt), "leaves")
}

// BenchmarkNewLocator builds the city's locator from units already read.
func BenchmarkNewLocator(b *testing.B) {
	units, geoms := demoCity(b)
	b.ReportAllocs()
	for b.Loop() {
		newLocator(units, geoms, DefaultNearMetres)
	}
}

func slicesSortUnits(units []Unit) {
	slices.SortFunc(units, func(a, b Unit) int { return strings.Compare(a.Code, b.Code) })
}
