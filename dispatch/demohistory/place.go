package demohistory

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
)

// Where generated history happens and who takes part: the grid's leaves, weighted so that some
// villages and grids are busier than others, and for each the grid workers who report there, the
// supervisors who urge, and the mediators of every centre.

type historyPlace struct {
	path        *grid.Path
	sampler     geo.Sampler
	inside      orb.Point
	reporters   []int64
	supervisors []int64 // of the nearest unit above with any: who urges
}

func (h *History) preparePlaces(w World) error {
	byUnit := map[string][]int64{} // grid workers under each unit
	var workers []int64
	for _, s := range w.Staff {
		switch s.Role {
		case grid.RoleGridWorker:
			workers = append(workers, s.MemberID)
			for l := grid.County; l <= grid.MicroGrid && l.CodeLength() <= len(s.UnitCode); l++ {
				code := s.UnitCode[:l.CodeLength()]
				byUnit[code] = append(byUnit[code], s.MemberID)
			}
		case grid.RoleMediator:
			h.mediators[s.UnitCode] = append(h.mediators[s.UnitCode], s.MemberID)
		case grid.RoleSupervisor:
			h.supervisors[s.UnitCode] = append(h.supervisors[s.UnitCode], s.MemberID)
		}
	}
	if len(workers) == 0 {
		return ErrNoReporter
	}
	if len(h.mediators) == 0 {
		return ErrNoMediator
	}
	exactMediators, exactSupervisors := h.mediators, h.supervisors
	h.mediators = map[string][]int64{}
	places := slices.Clone(w.Places)
	slices.SortFunc(places, func(a, b Place) int {
		return strings.Compare(a.Path.Units[a.Path.Level].Code, b.Path.Units[b.Path.Level].Code)
	})
	// Some villages, and some grids within them, are busier than others.
	rng := rand.New(rand.NewPCG(h.opts.Seed, 0))
	factor := map[string]float64{}
	busy := func(code string, sigma float64) float64 {
		f, ok := factor[code]
		if !ok {
			f = math.Exp(sigma * rng.NormFloat64())
			factor[code] = f
		}
		return f
	}
	seen := map[string]bool{}
	var total float64
	for _, p := range places {
		path := p.Path
		hp := historyPlace{path: path, sampler: geo.NewSampler(p.Geom), inside: p.Inside}
		// A grid worker of the place's grid reports; else one of the nearest unit above that has one.
		for l := path.Level; l >= grid.County && hp.reporters == nil; l-- {
			hp.reporters = byUnit[path.Units[l].Code]
		}
		if hp.reporters == nil {
			hp.reporters = workers
		}
		for l := path.Level; l >= grid.County && hp.supervisors == nil; l-- {
			hp.supervisors = exactSupervisors[path.Units[l].Code]
		}
		for l := grid.County; l <= min(grid.Village, path.Level); l++ {
			h.resolveMediators(path.Units[l].Code, exactMediators)
		}
		weight := float64(max(p.Households, 5))
		for l := grid.Village; l <= min(grid.Grid, path.Level); l++ {
			weight *= busy(path.Units[l].Code, 0.6)
		}
		total += weight
		h.places = append(h.places, hp)
		h.placeCum = append(h.placeCum, total)
		if v := path.Units[grid.Village]; path.Level >= grid.Village && !v.NoCentre && !seen[v.Code] {
			seen[v.Code] = true
			town := path.Units[grid.Township].Code
			h.villages[town] = append(h.villages[town], v.Code)
		}
	}
	return nil
}

// resolveMediators finds who works the cases of the centre at code: its own mediators; failing
// those (a grid imported without staff), the nearest centre's above, or else any mediator.
func (h *History) resolveMediators(code string, exact map[string][]int64) {
	if _, done := h.mediators[code]; done {
		return
	}
	for l := grid.LevelOfCode(code); l >= grid.County; l-- {
		if m := exact[code[:l.CodeLength()]]; len(m) > 0 {
			h.mediators[code] = m
			return
		}
	}
	codes := slices.Sorted(maps.Keys(exact))
	h.mediators[code] = exact[codes[0]]
}

// point draws a point inside the place: 30 draws from its bounding box, else the point PostGIS
// found surely inside.
func (p *historyPlace) point(rng *rand.Rand) orb.Point {
	if pt, ok := p.sampler.Point(rng, 30); ok {
		return pt
	}
	return p.inside
}
