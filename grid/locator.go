package grid

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/geo"
)

// DefaultNearMetres is how far outside the grid a GPS point may drift and still be placed in
// the nearest unit: phone GPS in villages is often off by tens of metres.
const DefaultNearMetres = 50

// crackMetres closes the cracks float rounding leaves between neighbours whose shared edge was
// computed twice (~1e-10 m wide): a point that close to a unit is in it, whatever nearMetres.
const crackMetres = 1e-4

// UnitRef names a unit in a Location.
type UnitRef struct {
	Code     string `db:"code"`
	Name     string `db:"name"`
	NoCentre bool   `db:"no_centre"` // no mediation centre works here (Unit.NoCentre)
}

// Path is a leaf unit with its ancestors, indexed by level (Units[County] is the county).
// Levels below Level are empty. Paths are built with the index and never change.
type Path struct {
	Units [MicroGrid + 1]UnitRef
	Level Level // the deepest level: MicroGrid, or higher where a unit has no children
}

// Location is where a point lies: the path of the deepest unit holding it, shared with every
// other point in that unit, and how far outside the grid the point was (0 when inside).
type Location struct {
	*Path
	Metres float64
}

// outsidePath is the empty path of a Location outside the grid, so reading it never panics.
var outsidePath = &Path{}

// Unit is the deepest unit of the location; empty outside the grid.
func (l Location) Unit() UnitRef {
	if l.Path == nil {
		return UnitRef{}
	}
	return l.Units[l.Level]
}

// Locator places points in the grid from an in-memory index of the leaf units (those without
// children). It is immutable; LiveLocator swaps in a new one when the grid changes.
type Locator struct {
	index      *geo.Index
	paths      []Path // per index polygon id: the leaf and its ancestors
	nearMetres float64
	builtAt    time.Time
	buildTime  time.Duration
}

type locatorUnit struct {
	ref    UnitRef
	level  Level
	parent int32 // position in units, -1 for a county
}

// Locate places (lon, lat). Inside a leaf unit it returns that unit; within nearMetres outside
// every unit it returns the nearest one with the distance; otherwise ok is false and the caller
// keeps the event as unlocated. It does not allocate.
func (l *Locator) Locate(lon, lat float64) (Location, bool) {
	if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) { // also rejects NaN
		return Location{Path: outsidePath}, false
	}
	p := orb.Point{lon, lat}
	var metres float64
	id := l.index.Covering(p)
	if id < 0 {
		id, metres = l.index.Nearest(p, max(l.nearMetres, crackMetres))
		if id < 0 {
			return Location{Path: outsidePath}, false
		}
	}
	return Location{Path: &l.paths[id], Metres: metres}, true
}

// Leaves is the number of units in the index.
func (l *Locator) Leaves() int { return l.index.Len() }

// IndexBytes estimates the index's memory.
func (l *Locator) IndexBytes() int { return l.index.Bytes() }

// BuildTime is how long loading and indexing took.
func (l *Locator) BuildTime() time.Duration { return l.buildTime }

// BuiltAt is when the grid was read.
func (l *Locator) BuiltAt() time.Time { return l.builtAt }

// newLocator indexes units given in code order (parents before children); geoms[i] is the
// polygon of units[i] if it is a leaf, nil otherwise. Leaves are numbered in code order, so on
// a border shared by two units the index answers the one with the lower code.
func newLocator(units []locatorUnit, geoms []orb.MultiPolygon, nearMetres float64) *Locator {
	leaves := 0
	for _, g := range geoms {
		if g != nil {
			leaves++
		}
	}
	l := &Locator{nearMetres: nearMetres, paths: make([]Path, 0, leaves)}
	polygons := make([]orb.MultiPolygon, 0, leaves)
	for i, g := range geoms {
		if g == nil {
			continue
		}
		polygons = append(polygons, g)
		var path Path
		path.Level = units[i].level
		for u := int32(i); u >= 0; u = units[u].parent {
			path.Units[units[u].level] = units[u].ref
		}
		l.paths = append(l.paths, path)
	}
	l.index = geo.NewIndex(polygons)
	return l
}
