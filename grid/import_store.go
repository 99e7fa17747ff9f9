package grid

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"
)

// Units are written through a temporary staging table fed by COPY: one round trip for any
// number of units, and the checks that need PostGIS run on the staged rows before anything
// touches the units table.
const createStaging = `
CREATE TEMP TABLE unit_staging (
    idx         integer NOT NULL,
    code        text COLLATE "C" NOT NULL,
    parent_code text COLLATE "C",
    level       smallint NOT NULL,
    name        text NOT NULL,
    wkb         bytea NOT NULL,
    population  integer,
    households  integer,
    has_centre  boolean NOT NULL
) ON COMMIT DROP`

var stagingColumns = []string{"idx", "code", "parent_code", "level", "name", "wkb", "population", "households", "has_centre"}

// firstInvalid finds the first staged geometry PostGIS considers invalid (self-intersection,
// ring self-touch, ...); structural problems were caught earlier by geo.CheckMultiPolygon.
const firstInvalid = `
SELECT idx, ST_IsValidReason(g)
FROM (SELECT idx, ST_GeomFromWKB(wkb, 4326) AS g FROM unit_staging) s
WHERE NOT ST_IsValid(g)
ORDER BY idx
LIMIT 1`

const upsertStaged = `
INSERT INTO units (code, parent_code, level, name, geom, population, households, has_centre)
SELECT code, parent_code, level, name, ST_Multi(ST_GeomFromWKB(wkb, 4326)), population, households, has_centre
FROM unit_staging
ORDER BY level, code
ON CONFLICT (code) DO UPDATE SET
    name = EXCLUDED.name,
    geom = EXCLUDED.geom,
    population = EXCLUDED.population,
    households = EXCLUDED.households,
    has_centre = EXCLUDED.has_centre,
    updated_at = now()
RETURNING (xmax = 0) AS inserted`

// ImportResult counts what an import changed.
type ImportResult struct {
	Inserted int
	Updated  int
}

// Import stores units read from a GeoJSON file in one transaction: either every unit is
// inserted or updated (matched by code), or nothing changes and the error names the feature.
func (s *Store) Import(ctx context.Context, units []Unit) (ImportResult, error) {
	var res ImportResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkParents(ctx, tx, units); err != nil {
			return err
		}
		if err := stage(ctx, tx, units); err != nil {
			return err
		}
		if retired, err := stagedRetired(ctx, tx); err != nil || len(retired) > 0 {
			if err == nil {
				err = fmt.Errorf("%s: %s", retired[0].Code, retired[0].Detail)
			}
			return err
		}
		var idx int
		var reason string
		err := tx.QueryRow(ctx, firstInvalid).Scan(&idx, &reason)
		switch {
		case err == nil:
			return &FeatureError{Index: idx, Code: units[idx].Code, Err: fmt.Errorf("%w: invalid polygon: %s", ErrBadGeometry, reason)}
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("check geometry validity: %w", err)
		}
		res, err = upsertStagedUnits(ctx, tx)
		return err
	})
	return res, err
}

// checkParents requires every unit's parent to be in the file or already stored.
func checkParents(ctx context.Context, tx pgx.Tx, units []Unit) error {
	orphans, err := orphans(ctx, tx, units)
	if err != nil || len(orphans) == 0 {
		return err
	}
	u := units[orphans[0]]
	return &FeatureError{Index: orphans[0], Code: u.Code, Err: fmt.Errorf("%w: %s is neither in the file nor stored", ErrUnknownParent, u.ParentCode)}
}

// orphans are the indexes of the units whose parent is neither in the file nor stored.
func orphans(ctx context.Context, tx pgx.Tx, units []Unit) ([]int, error) {
	inFile := make(map[string]bool, len(units))
	for _, u := range units {
		inFile[u.Code] = true
	}
	var outside []string
	for _, u := range units {
		if u.ParentCode != "" && !inFile[u.ParentCode] {
			outside = append(outside, u.ParentCode)
		}
	}
	if len(outside) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT code FROM units WHERE code = ANY($1) AND retired_at IS NULL`, outside)
	if err != nil {
		return nil, fmt.Errorf("look up parents: %w", err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("look up parents: %w", err)
	}
	known := make(map[string]bool, len(stored))
	for _, c := range stored {
		known[c] = true
	}
	var out []int
	for i, u := range units {
		if u.ParentCode != "" && !inFile[u.ParentCode] && !known[u.ParentCode] {
			out = append(out, i)
		}
	}
	return out, nil
}

func stage(ctx context.Context, tx pgx.Tx, units []Unit) error {
	if _, err := tx.Exec(ctx, createStaging); err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	rows := make([][]any, len(units))
	for i, u := range units {
		b, err := wkb.Marshal(u.Geom)
		if err != nil {
			return &FeatureError{Index: i, Code: u.Code, Err: fmt.Errorf("%w: %v", ErrBadGeometry, err)}
		}
		var parent *string
		if u.ParentCode != "" {
			parent = &u.ParentCode
		}
		rows[i] = []any{i, u.Code, parent, int16(u.Level), u.Name, b, u.Population, u.Households, !u.NoCentre}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"unit_staging"}, stagingColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy units: %w", err)
	}
	return nil
}

func upsertStagedUnits(ctx context.Context, tx pgx.Tx) (ImportResult, error) {
	rows, err := tx.Query(ctx, upsertStaged)
	if err != nil {
		return ImportResult{}, fmt.Errorf("store units: %w", err)
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[bool])
	if err != nil {
		return ImportResult{}, fmt.Errorf("store units: %w", err)
	}
	var res ImportResult
	for _, ins := range inserted {
		if ins {
			res.Inserted++
		} else {
			res.Updated++
		}
	}
	return res, nil
}

// insertUnits writes units generated by the product itself (the demo), skipping the checks
// meant for files from outside.
func insertUnits(ctx context.Context, tx pgx.Tx, units []Unit) error {
	if err := stage(ctx, tx, units); err != nil {
		return err
	}
	_, err := upsertStagedUnits(ctx, tx)
	return err
}
