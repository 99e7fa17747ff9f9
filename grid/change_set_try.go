package grid

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// namedUnit is a unit a change set names, as stored, locked for the transaction.
type namedUnit struct {
	Code      string
	Level     int16
	Name      string
	HasCentre bool
	RetiredAt *time.Time
	RetiredBy *int64
	UpdatedAt time.Time
}

const lockNamedUnits = `
SELECT code, level, name, has_centre, retired_at, retired_by, updated_at
FROM units WHERE code = ANY($1) ORDER BY code FOR UPDATE`

// tryChange does the change set's operations in tx and reports what they did and what they
// broke. It never commits: the caller decides.
func tryChange(ctx context.Context, tx pgx.Tx, cs ChangeSet, o ChangeOptions) (ChangeReport, error) {
	tol, err := o.Tolerance.orDefault()
	if err != nil {
		return ChangeReport{}, err
	}
	rep := ChangeReport{Change: cs, before: map[string]unitBefore{}}
	named, err := lockNamed(ctx, tx, cs)
	if err != nil {
		return rep, err
	}
	rep.Problems = checkAgainstGrid(cs, named)
	if rep.invalid() {
		return rep, nil
	}
	earlier, err := validateTx(ctx, tx, cs.RootCode, tol)
	if err != nil {
		return rep, err
	}
	staged, err := stageChangeGeometries(ctx, tx, cs, named)
	if err != nil {
		return rep, err
	}
	invalid, _, _, err := checkStagedPolygons(ctx, tx, false)
	if err != nil {
		return rep, err
	}
	if rep.Problems = append(rep.Problems, invalid...); len(invalid) > 0 {
		return rep, nil // an invalid polygon cannot go in, even to be checked (units_geom_valid)
	}
	if err := rep.doOperations(ctx, tx, cs, staged); err != nil {
		return rep, err
	}
	if err := rep.checkOpenCases(ctx, tx, cs, named); err != nil {
		return rep, err
	}
	if err := rep.moveAssignments(ctx, tx, cs); err != nil {
		return rep, err
	}
	after, err := validateTx(ctx, tx, cs.RootCode, tol)
	if err != nil {
		return rep, err
	}
	rep.Problems = append(rep.Problems, newProblems(earlier, after)...)
	rep.EarlierProblems = len(earlier)
	sortProblems(rep.Problems)
	rep.Map, err = changeMap(ctx, tx, &rep)
	return rep, err
}

func lockNamed(ctx context.Context, tx pgx.Tx, cs ChangeSet) (map[string]namedUnit, error) {
	var codes []string
	for _, op := range cs.Operations {
		codes = append(codes, op.Code, op.parent())
		codes = append(codes, op.Successors...)
	}
	for from, to := range cs.Moves {
		codes = append(codes, from, to)
	}
	rows, err := tx.Query(ctx, lockNamedUnits, codes)
	if err != nil {
		return nil, fmt.Errorf("lock units of change %d: %w", cs.ID, err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[namedUnit])
	if err != nil {
		return nil, fmt.Errorf("lock units of change %d: %w", cs.ID, err)
	}
	named := make(map[string]namedUnit, len(found))
	for _, u := range found {
		named[u.Code] = u
	}
	return named, nil
}

// checkAgainstGrid checks each operation against the grid as stored: what it changes must be
// current and unchanged since the draft, what it adds new (a retired code is never used again),
// parents and successors current or added by the set itself.
func checkAgainstGrid(cs ChangeSet, named map[string]namedUnit) []Problem {
	added, retired := map[string]bool{}, map[string]bool{}
	for _, op := range cs.Operations {
		switch op.Op {
		case OpAdd:
			added[op.Code] = true
		case OpRetire:
			retired[op.Code] = true
		}
	}
	retiredBySet := func(code string) bool { return underAny(code, retired) }
	var ps []Problem
	bad := func(kind ProblemKind, code, format string, args ...any) {
		ps = append(ps, Problem{Code: code, Level: LevelOfCode(code), Name: named[code].Name, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
	// current: a unit that is in the grid now and stays in it with this set.
	current := func(code string) bool {
		u, ok := named[code]
		return added[code] || ok && u.RetiredAt == nil && !retiredBySet(code)
	}
	for _, op := range cs.Operations {
		if LevelOfCode(op.Code) == 0 {
			continue // not a code: checkRequest says so
		}
		u, stored := named[op.Code]
		switch {
		case op.Op == OpAdd && stored && u.RetiredAt != nil:
			bad(InvalidChange, op.Code, "add: code %s was retired on %s by change %d; a retired code is never used again",
				op.Code, CountyToday(*u.RetiredAt), *u.RetiredBy)
		case op.Op == OpAdd && stored:
			bad(InvalidChange, op.Code, "add: %s %s is already in the grid; redraw or rename it instead", u.Name, op.Code)
		case op.Op == OpAdd && !current(op.parent()):
			bad(InvalidChange, op.Code, "add: parent %s is not a current unit that this change set keeps", op.parent())
		case op.Op != OpAdd && !stored:
			bad(InvalidChange, op.Code, "%s: %s is not in the grid", op.Op, op.Code)
		case op.Op != OpAdd && u.RetiredAt != nil:
			bad(InvalidChange, op.Code, "%s: %s was retired on %s by change %d", op.Op, op.Code, CountyToday(*u.RetiredAt), *u.RetiredBy)
		case op.Op != OpRetire && op.Op != OpAdd && retiredBySet(op.Code):
			bad(InvalidChange, op.Code, "%s: %s is retired by this same change set", op.Op, op.Code)
		case op.Op != OpAdd && cs.ID != 0 && u.UpdatedAt.After(cs.CreatedAt):
			bad(StaleChange, op.Code, "%s: %s changed at %s, after this change set was drafted; draft it again",
				op.Op, op.Code, u.UpdatedAt.In(countyTime).Format(time.DateTime))
		}
		for _, s := range op.Successors {
			if s == op.Code || !current(s) {
				bad(InvalidChange, op.Code, "retire: successor %s is not a unit that stays in or joins the grid", s)
			}
		}
	}
	for from, to := range cs.Moves {
		if !current(to) {
			bad(InvalidChange, from, "moves: %s is not a unit that stays in or joins the grid", to)
		}
	}
	return ps
}

// stageChangeGeometries stages the polygons the set adds and redraws, for the validity check
// and the statements that store them; it returns the staging index of each op that has one.
func stageChangeGeometries(ctx context.Context, tx pgx.Tx, cs ChangeSet, named map[string]namedUnit) (map[int]int, error) {
	var units []Unit
	staged := map[int]int{}
	for i, op := range cs.Operations {
		if op.Op != OpAdd && op.Op != OpRedraw {
			continue
		}
		u := Unit{Code: op.Code, ParentCode: op.parent(), Level: LevelOfCode(op.Code), Name: op.Name, Geom: op.Geom,
			Population: op.Population, Households: op.Households, NoCentre: op.NoCentre}
		if op.Op == OpRedraw {
			u.Name = named[op.Code].Name
		}
		if u.Level == County {
			u.ParentCode = ""
		}
		staged[i] = len(units)
		units = append(units, u)
	}
	return staged, stage(ctx, tx, units)
}

const retireUnits = `
WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(code text, successors text[]))
UPDATE units u SET retired_at = now(), retired_by = $2, updated_at = now(),
    successors = (SELECT r.successors FROM r WHERE r.code = u.code)
WHERE u.retired_at IS NULL AND EXISTS (SELECT 1 FROM r WHERE u.code LIKE r.code || '%')
RETURNING u.code, u.name, u.level, u.has_centre, coalesce(u.successors, '{}') AS successors`

const addUnits = `
INSERT INTO units (code, parent_code, level, name, geom, population, households, has_centre, valid_from, added_by)
SELECT code, parent_code, level, name, ST_Multi(ST_GeomFromWKB(wkb, 4326)), population, households, has_centre, now(), $2
FROM unit_staging WHERE idx = ANY($1)
ORDER BY level, code`

const redrawUnits = `
UPDATE units u SET geom = ST_Multi(ST_GeomFromWKB(s.wkb, 4326)), updated_at = now()
FROM unit_staging s WHERE s.code = u.code AND s.idx = ANY($1)`

const renameUnits = `
UPDATE units u SET name = r.name, updated_at = now()
FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text) WHERE u.code = r.code`

const selectBefore = `SELECT code, name, ST_AsGeoJSON(geom, 7)::jsonb FROM units WHERE code = ANY($1)`

// doOperations does every operation, one statement per kind, so a set announces few grid
// changes however many units it touches; it records names and polygons as they were.
func (rep *ChangeReport) doOperations(ctx context.Context, tx pgx.Tx, cs ChangeSet, staged map[int]int) error {
	type retire struct {
		Code       string   `json:"code"`
		Successors []string `json:"successors"`
	}
	type rename struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	var retires []retire
	var renames []rename
	var adds, redraws []int32
	var changed []string
	for i, op := range cs.Operations {
		switch op.Op {
		case OpRetire:
			retires = append(retires, retire{op.Code, op.Successors})
		case OpAdd:
			adds = append(adds, int32(staged[i]))
			rep.Added = append(rep.Added, op.Code)
		case OpRedraw:
			redraws = append(redraws, int32(staged[i]))
			rep.Redrawn = append(rep.Redrawn, op.Code)
			changed = append(changed, op.Code)
		case OpRename:
			renames = append(renames, rename{op.Code, op.Name})
			changed = append(changed, op.Code)
		}
	}
	rows, err := tx.Query(ctx, selectBefore, changed)
	if err != nil {
		return fmt.Errorf("read units before change: %w", err)
	}
	var code, name string
	var geom json.RawMessage
	if _, err := pgx.ForEachRow(rows, []any{&code, &name, &geom}, func() error {
		rep.before[code] = unitBefore{Name: name, Geometry: slices.Clone(geom)}
		return nil
	}); err != nil {
		return fmt.Errorf("read units before change: %w", err)
	}
	for _, r := range renames {
		rep.Renamed = append(rep.Renamed, Renaming{Code: r.Code, From: rep.before[r.Code].Name, To: r.Name})
	}
	if len(retires) > 0 {
		rows, err := tx.Query(ctx, retireUnits, retires, cs.ID)
		if err != nil {
			return fmt.Errorf("retire units: %w", err)
		}
		rep.Retired, err = pgx.CollectRows(rows, pgx.RowToStructByName[RetiredUnit])
		if err != nil {
			return fmt.Errorf("retire units: %w", err)
		}
		slices.SortFunc(rep.Retired, func(a, b RetiredUnit) int { return strings.Compare(a.Code, b.Code) })
	}
	steps := []struct {
		what string
		sql  string
		args []any
		do   bool
	}{
		{"add units", addUnits, []any{adds, cs.ID}, len(adds) > 0},
		{"redraw units", redrawUnits, []any{redraws}, len(redraws) > 0},
		{"rename units", renameUnits, []any{renames}, len(renames) > 0},
	}
	for _, st := range steps {
		if !st.do {
			continue
		}
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}
	return nil
}

// openCasesUnder counts the open cases reported under each unit, or waiting at its centre.
// The range on the "C"-collated code is served by the cases' unit index.
const openCasesUnder = `
SELECT r.code, count(c.id)
FROM unnest($1::text[]) AS r(code)
JOIN cases c ON c.state <> 'closed' AND (
    (c.unit_code >= r.code COLLATE "C" AND c.unit_code < (r.code || ':') COLLATE "C") OR c.centre_code = r.code COLLATE "C")
GROUP BY r.code`

// checkOpenCases refuses to retire a county, township or village while cases under it are
// open: routing would still send cases to its centre, or through it. Open cases of retired
// grids and micro-grids stay where they were reported, worked by the centres above as before.
func (rep *ChangeReport) checkOpenCases(ctx context.Context, tx pgx.Tx, cs ChangeSet, named map[string]namedUnit) error {
	var codes []string
	for _, op := range cs.Operations {
		if op.Op == OpRetire {
			codes = append(codes, op.Code)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, openCasesUnder, codes)
	if err != nil {
		return fmt.Errorf("count open cases: %w", err)
	}
	var code string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&code, &n}, func() error {
		if LevelOfCode(code) > Village {
			rep.OpenCasesKept += int(n)
			return nil
		}
		rep.Problems = append(rep.Problems, Problem{Code: code, Name: named[code].Name, Level: LevelOfCode(code), Kind: OpenCases,
			Detail: fmt.Sprintf("%d open cases lie under it or wait at its centre; close or transfer them before it is retired", n)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("count open cases: %w", err)
	}
	return nil
}

const selectRetiredAssignments = `
SELECT a.member_id, m.name, a.role, a.unit_code AS from_code, '' AS to_code
FROM assignments a JOIN members m ON m.id = a.member_id
WHERE a.unit_code = ANY($1)
ORDER BY a.unit_code, m.name, a.role`

const moveAssignments = `
WITH moved AS (
    DELETE FROM assignments a USING unnest($1::text[], $2::text[]) AS mv(from_code, to_code)
    WHERE a.unit_code = mv.from_code COLLATE "C"
    RETURNING a.member_id, mv.to_code, a.role
)
INSERT INTO assignments (member_id, unit_code, role)
SELECT member_id, to_code, role FROM moved
ON CONFLICT DO NOTHING`

// moveAssignments moves the assignments of retired units as the set says, or to a retired
// unit's only successor; the others stay on the retired unit, flagged with the change set.
func (rep *ChangeReport) moveAssignments(ctx context.Context, tx pgx.Tx, cs ChangeSet) error {
	target := map[string]string{}
	for _, op := range cs.Operations {
		if op.Op == OpRetire && len(op.Successors) == 1 {
			target[op.Code] = op.Successors[0]
		}
	}
	for from, to := range cs.Moves {
		target[from] = to
	}
	codes := make([]string, len(rep.Retired))
	for i, u := range rep.Retired {
		codes[i] = u.Code
	}
	rows, err := tx.Query(ctx, selectRetiredAssignments, codes)
	if err != nil {
		return fmt.Errorf("assignments of retired units: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[AssignmentMove])
	if err != nil {
		return fmt.Errorf("assignments of retired units: %w", err)
	}
	var from, to, flagged []string
	for _, a := range found {
		if t, ok := target[a.From]; ok {
			a.To = t
			rep.Moved = append(rep.Moved, a)
			if !slices.Contains(from, a.From) {
				from, to = append(from, a.From), append(to, t)
			}
			continue
		}
		rep.Flagged = append(rep.Flagged, a)
		flagged = append(flagged, a.From)
	}
	if len(from) > 0 {
		if _, err := tx.Exec(ctx, moveAssignments, from, to); err != nil {
			return fmt.Errorf("move assignments: %w", err)
		}
	}
	if len(flagged) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE assignments SET flagged_by = $2 WHERE unit_code = ANY($1)`, flagged, cs.ID); err != nil {
			return fmt.Errorf("flag assignments: %w", err)
		}
	}
	return nil
}

// newProblems are the problems of after that were not already in before: those the change
// makes. A problem is the same when its kind and units are.
func newProblems(before, after []Problem) []Problem {
	type key struct {
		kind        ProblemKind
		code, other string
	}
	had := map[key]bool{}
	for _, p := range before {
		had[key{p.Kind, p.Code, p.Other}] = true
	}
	var out []Problem
	for _, p := range after {
		if !had[key{p.Kind, p.Code, p.Other}] {
			out = append(out, p)
		}
	}
	return out
}
