package grid

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const selectChildren = `SELECT code, name, NOT has_centre AS no_centre FROM units
WHERE parent_code = $1 AND retired_at IS NULL ORDER BY code`

// Children names the units directly under code (without polygons), in code order.
func (s *Store) Children(ctx context.Context, code string) ([]UnitRef, error) {
	rows, err := s.pool.Query(ctx, selectChildren, code)
	if err != nil {
		return nil, fmt.Errorf("children of %s: %w", code, err)
	}
	refs, err := pgx.CollectRows(rows, pgx.RowToStructByName[UnitRef])
	if err != nil {
		return nil, fmt.Errorf("children of %s: %w", code, err)
	}
	return refs, nil
}

// ChildUnit is a child unit as a period's figures list it: retired ones keep their figures.
type ChildUnit struct {
	UnitRef
	RetiredOn string `db:"retired_on"` // YYYY-MM-DD in the county; "" for a current unit
}

// selectChildrenDuring lists the children in force at some time of the days $2 to $3: current
// ones that had come in by the end, and retired ones that had not yet left by the start, so a
// past period lists the units its cases were reported in (docs/grid.md, "Change sets").
const selectChildrenDuring = `
SELECT code, name, NOT has_centre AS no_centre,
       coalesce(to_char(retired_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), '') AS retired_on
FROM units
WHERE parent_code = $1
  AND (valid_from IS NULL OR valid_from < ($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
  AND (retired_at IS NULL OR retired_at > $2::date::timestamp AT TIME ZONE 'Asia/Shanghai')
ORDER BY code`

// ChildrenDuring names the units directly under code that were in the grid at some time from
// the day from to the day to (dates, as the figures' periods are), in code order.
func (s *Store) ChildrenDuring(ctx context.Context, code string, from, to time.Time) ([]ChildUnit, error) {
	rows, err := s.pool.Query(ctx, selectChildrenDuring, code, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("children of %s: %w", code, err)
	}
	refs, err := pgx.CollectRows(rows, pgx.RowToStructByName[ChildUnit])
	if err != nil {
		return nil, fmt.Errorf("children of %s: %w", code, err)
	}
	return refs, nil
}

// OutlineTolerance is how far, in degrees (about 20 m), a map outline may stray from the
// polygon: enough to draw a county's townships in kilobytes instead of megabytes.
const OutlineTolerance = 0.0002

// Outlines returns the units directly under code (the unit itself when it has none, or when
// self) as a GeoJSON FeatureCollection with simplified polygons and properties code, name and
// level, for maps that colour units rather than locate points.
func (s *Store) Outlines(ctx context.Context, code string, self bool) ([]byte, error) {
	var out []byte
	err := s.pool.QueryRow(ctx, selectOutlines, code, OutlineTolerance, self).Scan(&out)
	if err != nil {
		return nil, fmt.Errorf("outlines under %s: %w", code, err)
	}
	return out, nil
}

const selectOutlines = `
WITH u AS (
    SELECT code, name, level, geom FROM units WHERE parent_code = $1 AND retired_at IS NULL AND NOT $3
    UNION ALL
    SELECT code, name, level, geom FROM units
    WHERE code = $1 AND ($3 OR NOT EXISTS (SELECT 1 FROM units WHERE parent_code = $1 AND retired_at IS NULL))
)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
    'type', 'Feature',
    'properties', json_build_object('code', code, 'name', name, 'level', level),
    'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, $2), 6)::json) ORDER BY code), '[]'::json))::text
FROM u`
