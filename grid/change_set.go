package grid

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/geo"
)

// A change set (docs/grid.md, "Change sets") is one reviewable change of the grid while cases
// exist: split, merge, redraw, rename and retire units. It is stored in its primitive form, a
// list of ChangeOps, so that what a reviewer previews is exactly what applying does.

// ChangeOpKind is one primitive operation of a change set.
type ChangeOpKind string

// The primitive operations. Split and Merge are made of them.
const (
	OpAdd    ChangeOpKind = "add"    // a new unit, in force from when the set is applied
	OpRedraw ChangeOpKind = "redraw" // a new polygon for a current unit
	OpRename ChangeOpKind = "rename" // a new name for a current unit
	OpRetire ChangeOpKind = "retire" // the unit and its subtree leave the current grid, kept
)

// ChangeOp is one operation. Add uses every field but Successors; redraw Code and Geom; rename
// Code and Name; retire Code and Successors, the units that take over its area.
type ChangeOp struct {
	Op         ChangeOpKind
	Code       string
	ParentCode string // add: the parent's code; empty means the code's own prefix
	Name       string
	Geom       orb.MultiPolygon // WGS84
	Population *int
	Households *int
	NoCentre   bool
	Successors []string
}

// changeOpJSON is ChangeOp as the API and the grid_changes table hold it.
type changeOpJSON struct {
	Op         ChangeOpKind    `json:"op"`
	Code       string          `json:"code"`
	ParentCode string          `json:"parent_code,omitempty"`
	Name       string          `json:"name,omitempty"`
	Geometry   json.RawMessage `json:"geometry,omitempty"`
	Population *int            `json:"population,omitempty"`
	Households *int            `json:"households,omitempty"`
	NoCentre   bool            `json:"no_centre,omitempty"`
	Successors []string        `json:"successors,omitempty"`
}

// MarshalJSON writes the polygon as a GeoJSON geometry.
func (op ChangeOp) MarshalJSON() ([]byte, error) {
	j := changeOpJSON{Op: op.Op, Code: op.Code, ParentCode: op.ParentCode, Name: op.Name,
		Population: op.Population, Households: op.Households, NoCentre: op.NoCentre, Successors: op.Successors}
	if op.Geom != nil {
		g, err := json.Marshal(geo.EncodeMultiPolygon(op.Geom))
		if err != nil {
			return nil, err
		}
		j.Geometry = g
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a GeoJSON Polygon or MultiPolygon, checked as an import's are.
func (op *ChangeOp) UnmarshalJSON(b []byte) error {
	var j changeOpJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*op = ChangeOp{Op: j.Op, Code: j.Code, ParentCode: j.ParentCode, Name: j.Name,
		Population: j.Population, Households: j.Households, NoCentre: j.NoCentre, Successors: j.Successors}
	if len(j.Geometry) > 0 && string(j.Geometry) != "null" {
		mp, err := geo.DecodePolygonal(j.Geometry)
		if err != nil {
			return fmt.Errorf("%s %s: %w", j.Op, j.Code, err)
		}
		op.Geom = mp
	}
	return nil
}

// Split retires a unit in favour of new units that share its area between them.
func Split(code string, into []Unit) []ChangeOp {
	ops := []ChangeOp{{Op: OpRetire, Code: code, Successors: codesOfUnits(into)}}
	for _, u := range into {
		ops = append(ops, addOp(u))
	}
	return ops
}

// Merge retires units in favour of one that takes over their area: a new unit, or one of them
// redrawn (its code is among codes).
func Merge(codes []string, into Unit) []ChangeOp {
	var ops []ChangeOp
	if slices.Contains(codes, into.Code) {
		ops = append(ops, ChangeOp{Op: OpRedraw, Code: into.Code, Geom: into.Geom})
		if into.Name != "" {
			ops = append(ops, ChangeOp{Op: OpRename, Code: into.Code, Name: into.Name})
		}
	} else {
		ops = append(ops, addOp(into))
	}
	for _, c := range codes {
		if c != into.Code {
			ops = append(ops, ChangeOp{Op: OpRetire, Code: c, Successors: []string{into.Code}})
		}
	}
	return ops
}

func addOp(u Unit) ChangeOp {
	return ChangeOp{Op: OpAdd, Code: u.Code, ParentCode: u.ParentCode, Name: u.Name, Geom: u.Geom,
		Population: u.Population, Households: u.Households, NoCentre: u.NoCentre}
}

func codesOfUnits(units []Unit) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.Code
	}
	return out
}

// ChangeState is where a change set is in its life: drafted, then applied or discarded.
type ChangeState string

// The states of a change set.
const (
	ChangeDraft     ChangeState = "draft"
	ChangeApplied   ChangeState = "applied"
	ChangeDiscarded ChangeState = "discarded"
)

// ChangeRequest is a change set as proposed; Store.DraftChange checks and stores it.
type ChangeRequest struct {
	Title       string     `json:"title"`
	EffectiveOn string     `json:"effective_on"` // YYYY-MM-DD in the county's time; "" is today
	Operations  []ChangeOp `json:"operations"`
	// Moves names where the assignments of a retired unit go (retired code -> unit code, of
	// the same level). Without one, a retired unit's assignments follow its only successor, or
	// stay where they are, flagged for an administrator.
	Moves map[string]string `json:"moves"`
	By    *int64            `json:"-"` // the member proposing it; nil for the command line
}

// ChangeSet is a stored change set.
type ChangeSet struct {
	ID          int64
	RootCode    string
	Title       string
	Operations  []ChangeOp
	Moves       map[string]string
	EffectiveOn string
	State       ChangeState
	CreatedBy   *int64
	CreatedAt   time.Time
	DecidedBy   *int64
	DecidedAt   *time.Time
	// ScheduledAt is set while a draft waits to be applied by the server on its effective day
	// (Store.ScheduleChange); ScheduleError says why the last scheduled apply was refused.
	ScheduledBy   *int64
	ScheduledAt   *time.Time
	ScheduleError string
}

// MaxChangeOps bounds the operations of one change set: a township's worth of grids.
const MaxChangeOps = 2000

// maxChangeTitle bounds a change set's title, in characters (the schema checks the same).
const maxChangeTitle = 200

// countyTime is the county's clock: a change set's day begins at midnight in China.
var countyTime = time.FixedZone("Asia/Shanghai", 8*3600)

// CountyToday is today's date in the county, as YYYY-MM-DD.
func CountyToday(now time.Time) string { return now.In(countyTime).Format(time.DateOnly) }

// Problems only a change set has.
const (
	InvalidChange ProblemKind = "invalid_change" // an operation that cannot be done as written
	StaleChange   ProblemKind = "stale_change"   // a unit it changes was changed after it was drafted
	OpenCases     ProblemKind = "open_cases"     // a unit with a centre retired while cases are open
)

// checkRequest checks what can be checked without the database: the title, the date, each
// operation's shape, and that no code is added or retired twice. It returns every problem.
func checkRequest(r ChangeRequest) []Problem {
	var ps []Problem
	bad := func(code, format string, args ...any) {
		ps = append(ps, Problem{Code: code, Level: LevelOfCode(code), Kind: InvalidChange, Detail: fmt.Sprintf(format, args...)})
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Title)); n == 0 || n > maxChangeTitle {
		bad("", "a change set needs a title of 1 to %d characters", maxChangeTitle)
	}
	if r.EffectiveOn != "" {
		if _, err := time.Parse(time.DateOnly, r.EffectiveOn); err != nil {
			bad("", "effective date %q is not a date YYYY-MM-DD", r.EffectiveOn)
		}
	}
	switch n := len(r.Operations); {
	case n == 0:
		bad("", "a change set needs at least one operation")
	case n > MaxChangeOps:
		bad("", "%d operations; one change set holds at most %d", n, MaxChangeOps)
	}
	seen := map[string]ChangeOpKind{}
	retired := map[string]bool{}
	for _, op := range r.Operations {
		level := LevelOfCode(op.Code)
		if level == 0 || strings.Trim(op.Code, "0123456789") != "" {
			bad(op.Code, "%s: %q is not a unit code", op.Op, op.Code)
			continue
		}
		if prev, ok := seen[op.Code]; ok && (prev == OpAdd || prev == OpRetire || op.Op == OpAdd || op.Op == OpRetire) {
			bad(op.Code, "%s and %s of one unit in one change set", prev, op.Op)
		}
		seen[op.Code] = op.Op
		retired[op.Code] = retired[op.Code] || op.Op == OpRetire
		switch op.Op {
		case OpAdd:
			if level == County {
				bad(op.Code, "add: a county is imported (grid import), not added")
			} else if err := CheckCode(op.Code, level, op.parent()); err != nil {
				bad(op.Code, "add: %v", err)
			}
			checkName(op, bad)
			checkGeom(op, bad)
		case OpRedraw:
			checkGeom(op, bad)
		case OpRename:
			checkName(op, bad)
		case OpRetire:
			if level == County {
				bad(op.Code, "retire: a county is not retired by a change set")
			}
			if len(op.Successors) == 0 {
				bad(op.Code, "retire: name the units that take over its area (successors)")
			}
			for _, s := range op.Successors {
				if LevelOfCode(s) != level {
					bad(op.Code, "retire: successor %q is not a %s code", s, level)
				}
			}
		default:
			bad(op.Code, "unknown operation %q: want add, redraw, rename or retire", op.Op)
		}
	}
	for from, to := range r.Moves {
		if !underAny(from, retired) {
			bad(from, "moves: %s is not retired by this change set", from)
		} else if LevelOfCode(to) != LevelOfCode(from) {
			bad(from, "moves: assignments of %s go to a unit of its level, not %q", from, to)
		}
	}
	return ps
}

// underAny reports whether code or one of its ancestors is in set: a unit retired by a change
// set with its subtree.
func underAny(code string, set map[string]bool) bool {
	for l := LevelOfCode(code); l >= County; l-- {
		if set[code[:l.CodeLength()]] {
			return true
		}
	}
	return false
}

// parent is the parent code an added unit asks for, or its code's own prefix.
func (op ChangeOp) parent() string {
	if op.ParentCode != "" {
		return op.ParentCode
	}
	if l := LevelOfCode(op.Code); l > County {
		return op.Code[:(l - 1).CodeLength()]
	}
	return ""
}

func checkName(op ChangeOp, bad func(string, string, ...any)) {
	if n := utf8.RuneCountInString(op.Name); strings.TrimSpace(op.Name) == "" || n > MaxNameLength || !utf8.ValidString(op.Name) {
		bad(op.Code, "%s: a name of 1 to %d characters is needed", op.Op, MaxNameLength)
	}
}

func checkGeom(op ChangeOp, bad func(string, string, ...any)) {
	if len(op.Geom) == 0 {
		bad(op.Code, "%s: a polygon is needed", op.Op)
		return
	}
	if _, err := geo.CheckPolygonal(op.Geom); err != nil {
		bad(op.Code, "%s: %v", op.Op, err)
	}
}

// changeRoot is the deepest unit whose subtree holds everything the operations touch: the
// parents of added and retired units, and of redrawn and renamed ones (a county for itself),
// since siblings' overlaps and parents' gaps are what a change can break.
func changeRoot(ops []ChangeOp) string {
	parents := make([]string, len(ops))
	for i, op := range ops {
		parents[i] = op.parent()
		if op.Op != OpAdd {
			if l := LevelOfCode(op.Code); l > County {
				parents[i] = op.Code[:(l - 1).CodeLength()]
			} else {
				parents[i] = op.Code
			}
		}
	}
	return commonAncestor(parents)
}
