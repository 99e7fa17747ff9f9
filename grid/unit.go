package grid

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// Level is a unit's place in the five-level grid, 1 (county) to 5 (micro-grid).
type Level int

// The five levels (五级网格).
const (
	County    Level = 1 // 县(市、区), 一级网格
	Township  Level = 2 // 乡镇 / 街道, 二级网格
	Village   Level = 3 // 村 / 社区, 三级网格
	Grid      Level = 4 // 网格, 四级网格
	MicroGrid Level = 5 // 微网格, 五级网格
)

// codeLengths are the code lengths per level: the national statistical codes for the top three
// (6, 9, 12 digits), then three more digits for a grid and three more for a micro-grid. The
// migration's unit_code_length function holds the same table.
var codeLengths = [...]int{0, 6, 9, 12, 15, 18}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l >= County && l <= MicroGrid }

// CodeLength is the number of digits of a code at this level.
func (l Level) CodeLength() int {
	if !l.Valid() {
		return 0
	}
	return codeLengths[l]
}

// String names the level in English, for logs and errors.
func (l Level) String() string {
	switch l {
	case County:
		return "county"
	case Township:
		return "township"
	case Village:
		return "village"
	case Grid:
		return "grid"
	case MicroGrid:
		return "micro-grid"
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// Unit is one area of the grid: a county, township, village, grid or micro-grid.
type Unit struct {
	Code       string
	ParentCode string // empty for a county
	Level      Level
	Name       string
	Geom       orb.MultiPolygon
	Population *int // nil when unknown
	Households *int // nil when unknown
	// NoCentre marks a county, township or village without a mediation centre (a village
	// without a mediation room): its cases go to the centre of the tier above.
	NoCentre bool
}

// MaxNameLength bounds unit names, in characters (the schema checks the same).
const MaxNameLength = 100

// LevelOfCode infers the level from a code's length, or 0 when no level has that length.
func LevelOfCode(code string) Level {
	for l := County; l <= MicroGrid; l++ {
		if len(code) == l.CodeLength() {
			return l
		}
	}
	return 0
}

// CheckCode checks a code against its level and parent: digits only, the level's length, and
// the parent's code as prefix. A county has no parent.
func CheckCode(code string, level Level, parentCode string) error {
	if !level.Valid() {
		return fmt.Errorf("%w: level %d is not between 1 and 5", ErrInvalidUnit, int(level))
	}
	if code == "" || strings.Trim(code, "0123456789") != "" {
		return fmt.Errorf("%w: code %q must be digits only", ErrInvalidUnit, code)
	}
	if len(code) != level.CodeLength() {
		return fmt.Errorf("%w: code %q has %d digits; a %s code has %d", ErrInvalidUnit, code, len(code), level, level.CodeLength())
	}
	if level == County {
		if parentCode != "" {
			return fmt.Errorf("%w: county %s cannot have a parent (got %q)", ErrInvalidUnit, code, parentCode)
		}
		return nil
	}
	if parentCode == "" {
		return fmt.Errorf("%w: %s %s needs a parent code", ErrInvalidUnit, level, code)
	}
	if pl := LevelOfCode(parentCode); pl != level-1 {
		return fmt.Errorf("%w: parent %q of %s %s must be a %s code (%d digits)", ErrLevelOrder, parentCode, level, code, level-1, (level - 1).CodeLength())
	}
	if !strings.HasPrefix(code, parentCode) {
		return fmt.Errorf("%w: code %s does not start with its parent's code %s", ErrCodePrefix, code, parentCode)
	}
	return nil
}
