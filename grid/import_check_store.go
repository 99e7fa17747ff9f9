package grid

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// stagedInvalid finds every staged polygon PostGIS considers invalid, with what ST_MakeValid
// would make of it, as Validate reports a stored one.
const stagedInvalid = `
SELECT s.idx, s.code, s.name, s.level, ST_IsValidReason(s.g) AS reason, ST_GeometryType(r.fixed) AS fixed_type,
       ST_NumGeometries(ST_CollectionExtract(r.fixed, 3)) AS parts,
       ST_Area(ST_CollectionExtract(r.fixed, 3)) AS fixed_deg2, ST_Area(s.g) AS stored_deg2,
       ST_NPoints(s.g) AS vertices, ST_NPoints(ST_CollectionExtract(r.fixed, 3)) AS fixed_vertices,
       (ST_YMin(s.g) + ST_YMax(s.g)) / 2 AS lat
FROM (SELECT idx, code, name, level, ST_GeomFromWKB(wkb, 4326) AS g FROM unit_staging) s
CROSS JOIN LATERAL (SELECT ST_MakeValid(s.g) AS fixed) r
WHERE NOT ST_IsValid(s.g)
ORDER BY s.idx`

// stagedInvalidRow is a row of stagedInvalid: Validate's row of an invalid polygon, with where
// it is in the file and its vertices before and after the repair.
type stagedInvalidRow struct {
	Idx int32
	invalidRow
	Vertices      int32
	FixedVertices int32
}

// repairStaged replaces the staged polygons that are invalid by the polygons of their
// ST_MakeValid repair.
const repairStaged = `
UPDATE unit_staging SET wkb = ST_AsBinary(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromWKB(wkb, 4326)), 3)))
WHERE idx = ANY($1)`

// ImportWith checks units read from a file before committing them, all at once: unknown
// parents, invalid polygons (with what ST_MakeValid would make of them, or makes of them with
// MakeValid), and, with the units in place inside the transaction, units outside their
// parents, overlapping siblings and gaps in the subtree the file touches, and units far from
// the rest. A dry run then rolls back; a real import commits unless a problem refuses it
// (ImportOptions.refusing), returning ErrImportRefused with the report.
func (s *Store) ImportWith(ctx context.Context, units []Unit, o ImportOptions) (ImportReport, error) {
	tol, err := o.Tolerance.orDefault()
	if err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		parents, err := unknownParents(ctx, tx, units)
		if err != nil {
			return err
		}
		rep.Problems = append(rep.Problems, parents...)
		if err := stage(ctx, tx, units); err != nil {
			return err
		}
		retired, err := stagedRetired(ctx, tx)
		if err != nil {
			return err
		}
		rep.Problems = append(rep.Problems, retired...)
		invalid, repairs, unrepairable, err := checkStagedPolygons(ctx, tx, o.MakeValid)
		if err != nil {
			return err
		}
		rep.Problems, rep.Repairs = append(rep.Problems, invalid...), repairs
		rep.Problems = append(rep.Problems, farFromTheRest(units)...)
		// The units go in, inside this transaction, to be checked in place; invalid polygons go in
		// repaired (the database stores no invalid polygon), as Validate checks around them.
		if len(parents) == 0 && len(retired) == 0 && !unrepairable {
			if rep.Result, err = upsertStagedUnits(ctx, tx); err != nil {
				return err
			}
			topology, err := validateTx(ctx, tx, checkRootOf(units), tol)
			if err != nil {
				return err
			}
			for _, p := range topology {
				if p.Kind != InvalidGeometry { // reported above, from the file
					rep.Problems = append(rep.Problems, p)
				}
			}
		}
		sortProblems(rep.Problems)
		if o.DryRun {
			return errDryRun
		}
		allowed := 0
		for _, p := range rep.Problems {
			if o.refusing(p) {
				return fmt.Errorf("%w: %s", ErrImportRefused, rep.summary())
			}
			if p.Kind == OutsideParent || p.Kind == Overlap || p.Kind == Gap {
				allowed++
			}
		}
		detail := map[string]any{"units": len(units), "inserted": rep.Result.Inserted, "updated": rep.Result.Updated,
			"repaired": len(rep.Repairs), "topology_problems_allowed": allowed}
		for k, v := range o.Detail {
			detail[k] = v
		}
		return audit(ctx, tx, o.By, "grid.import", nil, importedRoots(units), detail)
	})
	switch {
	case errors.Is(err, errDryRun):
		return rep, nil
	case err != nil:
		rep.Result = ImportResult{}
		return rep, err
	}
	rep.Committed = true
	return rep, nil
}

// importedRoots are where an import happened, for the audit log: the deepest unit holding every
// unit of the file, or each county of a file that spans several.
func importedRoots(units []Unit) []string {
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	if root := commonAncestor(codes); root != "" {
		return []string{root}
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range codes {
		if county := c[:min(len(c), County.CodeLength())]; !seen[county] {
			seen[county] = true
			out = append(out, county)
		}
	}
	return out
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// unknownParents are the units whose parent is neither in the file nor stored, as problems.
func unknownParents(ctx context.Context, tx pgx.Tx, units []Unit) ([]Problem, error) {
	idx, err := orphans(ctx, tx, units)
	if err != nil {
		return nil, err
	}
	out := make([]Problem, len(idx))
	for i, j := range idx {
		u := units[j]
		out[i] = Problem{Code: u.Code, Name: u.Name, Level: u.Level, Kind: UnknownParent,
			Detail: fmt.Sprintf("parent %s is neither in the file nor stored", u.ParentCode)}
	}
	return out, nil
}

// checkStagedPolygons finds the staged polygons that are invalid and repairs them in the
// staging table with ST_MakeValid. With makeValid it reports what each repair changed; without,
// each stays a problem (that refuses a real import), with what the repair would be. A polygon
// that ST_MakeValid turns into lines or points cannot be repaired: unrepairable says so.
func checkStagedPolygons(ctx context.Context, tx pgx.Tx, makeValid bool) (problems []Problem, repairs []Repair, unrepairable bool, err error) {
	rows, err := tx.Query(ctx, stagedInvalid)
	if err != nil {
		return nil, nil, false, fmt.Errorf("check geometry validity: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[stagedInvalidRow])
	if err != nil {
		return nil, nil, false, fmt.Errorf("check geometry validity: %w", err)
	}
	var repair []int32
	for _, r := range found {
		if r.Parts > 0 {
			repair = append(repair, r.Idx)
		} else {
			unrepairable = true
		}
		if makeValid && r.Parts > 0 {
			fixed, stored := r.areas()
			repairs = append(repairs, Repair{Code: r.Code, Name: r.Name, VerticesBefore: int(r.Vertices),
				VerticesAfter: int(r.FixedVertices), AreaBeforeM2: stored, AreaAfterM2: fixed, PartsAfter: int(r.Parts), Reason: r.Reason})
			continue
		}
		problems = append(problems, r.problem())
	}
	if len(repair) > 0 {
		if _, err := tx.Exec(ctx, repairStaged, repair); err != nil {
			return nil, nil, false, fmt.Errorf("repair polygons: %w", err)
		}
	}
	return problems, repairs, unrepairable, nil
}

// validateTx is Validate inside a transaction that sees the import's units: on one connection,
// since other connections cannot see what the transaction has not committed.
func validateTx(ctx context.Context, tx pgx.Tx, root string, tol Tolerance) ([]Problem, error) {
	problems, err := invalidGeometries(ctx, tx, root)
	if err != nil {
		return nil, err
	}
	invalid := codesOf(problems)
	args := []any{root, invalid, squareDegrees(tol.AreaM2), 1, 0}
	for _, query := range []string{selectCoverage, selectOutside} {
		ps, err := defects(ctx, tx, query, args, tol)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
	}
	return problems, nil
}

// stagedRetired are the staged units whose code belongs to a retired unit, as problems: a
// retired unit keeps its cases and figures under its code, so an import cannot bring it back or
// redraw it (docs/grid.md, "Change sets").
func stagedRetired(ctx context.Context, tx pgx.Tx) ([]Problem, error) {
	rows, err := tx.Query(ctx, `
		SELECT s.code, s.name, s.level, to_char(u.retired_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), u.retired_by
		FROM unit_staging s JOIN units u ON u.code = s.code
		WHERE u.retired_at IS NOT NULL ORDER BY s.idx`)
	if err != nil {
		return nil, fmt.Errorf("look up retired codes: %w", err)
	}
	var ps []Problem
	var code, name, on string
	var level int16
	var by int64
	_, err = pgx.ForEachRow(rows, []any{&code, &name, &level, &on, &by}, func() error {
		ps = append(ps, Problem{Code: code, Name: name, Level: Level(level), Kind: RetiredCode,
			Detail: fmt.Sprintf("retired on %s by change %d; a retired code is never used again", on, by)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("look up retired codes: %w", err)
	}
	return ps, nil
}
