package grid

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ChangeReport is what trying a change set did and found: for a draft or a preview what
// applying would do, for an apply what it did.
type ChangeReport struct {
	Change          ChangeSet
	Problems        []Problem
	EarlierProblems int // topology problems already under the root before the change: not its own
	Retired         []RetiredUnit
	Added           []string
	Redrawn         []string
	Renamed         []Renaming
	Moved           []AssignmentMove // assignments of retired units moved to their successors
	Flagged         []AssignmentMove // left on a retired unit for an administrator to move
	OpenCasesKept   int              // open cases that stay under retired grids and micro-grids
	// Map is a GeoJSON FeatureCollection for the preview: each feature's property change is
	// retired, added, before or after (a redrawn unit's two polygons), or context (a sibling).
	Map     json.RawMessage
	Applied bool

	before map[string]unitBefore
}

// RetiredUnit is a unit a change set retires, with its subtree; Successors is empty for the
// units retired with an ancestor.
type RetiredUnit struct {
	Code       string   `json:"code" db:"code"`
	Name       string   `json:"name" db:"name"`
	Level      int16    `json:"level" db:"level"`
	HasCentre  bool     `json:"-" db:"has_centre"`
	Successors []string `json:"successors,omitempty" db:"successors"`
}

// Renaming is a rename, with the name it replaces.
type Renaming struct {
	Code string `json:"code"`
	From string `json:"from"`
	To   string `json:"to"`
}

// AssignmentMove is an assignment of a retired unit: moved to To, or flagged (To empty).
type AssignmentMove struct {
	MemberID int64  `json:"member_id" db:"member_id"`
	Name     string `json:"name" db:"name"`
	Role     Role   `json:"role" db:"role"`
	From     string `json:"from" db:"from_code"`
	To       string `json:"to,omitempty" db:"to_code"`
}

type unitBefore struct {
	Name     string          `json:"name"`
	Geometry json.RawMessage `json:"geometry"`
}

// refusesAlways are the problems no option lets through.
func refusesAlways(k ProblemKind) bool {
	switch k {
	case InvalidChange, StaleChange, OpenCases, InvalidGeometry, UnknownParent:
		return true
	}
	return false
}

// Refusing counts the problems that stop the change set from being applied with o.
func (r ChangeReport) Refusing(o ChangeOptions) int {
	n := 0
	for _, p := range r.Problems {
		switch {
		case refusesAlways(p.Kind):
			n++
		case p.Kind == OutsideParent || p.Kind == Overlap || p.Kind == Gap:
			if !o.AllowTopologyProblems {
				n++
			}
		}
	}
	return n
}

// invalid: the set cannot even be tried as written.
func (r ChangeReport) invalid() bool {
	for _, p := range r.Problems {
		if p.Kind == InvalidChange {
			return true
		}
	}
	return false
}

func (r ChangeReport) firstInvalid() string {
	for _, p := range r.Problems {
		if p.Kind == InvalidChange {
			return p.Detail
		}
	}
	return ""
}

// changeOutcome is what grid_changes.outcome keeps of an applied set: enough to see, and to
// undo by hand, what it changed.
type changeOutcome struct {
	Retired []RetiredUnit         `json:"retired"`
	Added   []string              `json:"added"`
	Before  map[string]unitBefore `json:"before"` // redrawn and renamed units as they were
	Renamed []Renaming            `json:"renamed"`
	Moved   []AssignmentMove      `json:"moved"`
	Flagged []AssignmentMove      `json:"flagged"`
}

func (r ChangeReport) outcome() changeOutcome {
	return changeOutcome{Retired: r.Retired, Added: r.Added, Before: r.before, Renamed: r.Renamed,
		Moved: r.Moved, Flagged: r.Flagged}
}

// Lines is the report for the command line.
func (r ChangeReport) Lines() []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.String())
	}
	for _, u := range r.Retired {
		line := fmt.Sprintf("retire  %s %s", u.Code, u.Name)
		if len(u.Successors) > 0 {
			line += "  successors " + strings.Join(u.Successors, ",")
		} else {
			line += "  with its parent"
		}
		out = append(out, line)
	}
	for _, c := range r.Added {
		out = append(out, "add  "+c)
	}
	for _, c := range r.Redrawn {
		out = append(out, "redraw  "+c)
	}
	for _, n := range r.Renamed {
		out = append(out, fmt.Sprintf("rename  %s  %s -> %s", n.Code, n.From, n.To))
	}
	for _, a := range r.Moved {
		out = append(out, fmt.Sprintf("move  %s (%d) %s  %s -> %s", a.Name, a.MemberID, a.Role, a.From, a.To))
	}
	for _, a := range r.Flagged {
		out = append(out, fmt.Sprintf("flagged  %s (%d) %s  stays at retired %s until moved", a.Name, a.MemberID, a.Role, a.From))
	}
	if r.OpenCasesKept > 0 {
		out = append(out, fmt.Sprintf("%d open cases stay reported under the retired units, worked by their centres as before", r.OpenCasesKept))
	}
	if r.EarlierProblems > 0 {
		out = append(out, fmt.Sprintf("%d topology problems were already under %s before this change (grid validate lists them)", r.EarlierProblems, r.Change.RootCode))
	}
	return out
}

// selectChangeMap draws the units a change touches ($1, with their change) and their current
// siblings, for the preview map.
const selectChangeMap = `
WITH touched AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(code text, change text))
SELECT u.code, u.name, u.level, coalesce(t.change, 'context'), ST_AsGeoJSON(u.geom, 6)::jsonb
FROM units u LEFT JOIN touched t ON t.code = u.code
WHERE t.code IS NOT NULL
   OR (u.retired_at IS NULL AND u.parent_code IN (
        SELECT p.parent_code FROM units p JOIN touched x ON x.code = p.code))
ORDER BY u.code`

// changeMap builds the preview map inside the transaction that did the change.
func changeMap(ctx context.Context, tx pgx.Tx, rep *ChangeReport) (json.RawMessage, error) {
	type touched struct {
		Code   string `json:"code"`
		Change string `json:"change"`
	}
	var ts []touched
	for _, u := range rep.Retired {
		ts = append(ts, touched{u.Code, "retired"})
	}
	for _, c := range rep.Added {
		ts = append(ts, touched{c, "added"})
	}
	for _, c := range rep.Redrawn {
		ts = append(ts, touched{c, "after"})
	}
	for _, n := range rep.Renamed {
		if slices.Contains(rep.Redrawn, n.Code) {
			continue // drawn once, as after
		}
		ts = append(ts, touched{n.Code, "renamed"})
	}
	type feature struct {
		Type       string          `json:"type"`
		Properties map[string]any  `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	}
	features := []feature{}
	for _, c := range rep.Redrawn {
		b := rep.before[c]
		features = append(features, feature{"Feature", map[string]any{"code": c, "name": b.Name, "level": int(LevelOfCode(c)), "change": "before"}, b.Geometry})
	}
	rows, err := tx.Query(ctx, selectChangeMap, ts)
	if err != nil {
		return nil, fmt.Errorf("change map: %w", err)
	}
	var code, name, change string
	var level int16
	var geom json.RawMessage
	if _, err := pgx.ForEachRow(rows, []any{&code, &name, &level, &change, &geom}, func() error {
		features = append(features, feature{"Feature", map[string]any{"code": code, "name": name, "level": int(level), "change": change},
			append(json.RawMessage(nil), geom...)})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("change map: %w", err)
	}
	return json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
}
