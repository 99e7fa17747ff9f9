package dispatch

import (
	"strconv"

	"github.com/griddispatch/griddispatch/grid"
)

// Tier is where a case is: the level of the unit whose mediation centre holds it (1 county,
// 2 township, 3 village), or 4, the grid, for a case its grid worker closed on the spot. It is
// the case's level in the database (smallint) and on the wire (a JSON number), so the values
// are grid.Level's.
type Tier int16

// Tiers of mediation centres (三级矛调中心), and the grid below them.
const (
	TierCounty   Tier = 1
	TierTownship Tier = 2
	TierVillage  Tier = 3
	TierGrid     Tier = 4 // closed on the spot by the grid worker
)

// TierOf is the tier of a centre at level l.
func TierOf(l grid.Level) Tier { return Tier(l) }

// Level is the level of the units whose centres are at tier t.
func (t Tier) Level() grid.Level { return grid.Level(t) }

// Valid reports whether t is a tier a case can be at, the grid's included.
func (t Tier) Valid() bool { return t >= TierCounty && t <= TierGrid }

// HasCentre reports whether t is one of the three tiers of mediation centres.
func (t Tier) HasCentre() bool { return t >= TierCounty && t <= TierVillage }

// String is the tier's name: "county", "township", "village" or "grid".
func (t Tier) String() string {
	switch t {
	case TierCounty:
		return "county"
	case TierTownship:
		return "township"
	case TierVillage:
		return "village"
	case TierGrid:
		return "grid"
	}
	return "tier(" + strconv.Itoa(int(t)) + ")"
}

// ParseTier is the tier of a centre named by String: "county", "township" or "village".
func ParseTier(name string) (Tier, bool) {
	for t := TierCounty; t <= TierVillage; t++ {
		if t.String() == name {
			return t, true
		}
	}
	return 0, false
}
