package grid

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// selectLocatorUnits reads every unit in code order (so parents come first) with the polygon
// of the leaves only: the index needs no polygon of a unit that has children.
const selectLocatorUnits = `
SELECT u.code, u.name, u.level, coalesce(u.parent_code, ''), u.has_centre,
       CASE WHEN NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_code = u.code AND c.retired_at IS NULL)
            THEN ST_AsBinary(u.geom) END
FROM units u
WHERE u.retired_at IS NULL
ORDER BY u.code`

// NewLocator reads the grid and builds its index. nearMetres is how far outside the grid a
// point may lie and still be placed (DefaultNearMetres); 0 places only points inside.
func (s *Store) NewLocator(ctx context.Context, nearMetres float64) (*Locator, error) {
	start := time.Now()
	rows, err := s.pool.Query(ctx, selectLocatorUnits)
	if err != nil {
		return nil, fmt.Errorf("read grid for locator: %w", err)
	}
	var (
		units []locatorUnit
		geoms []orb.MultiPolygon
		pos   = make(map[string]int32)
		code  string
		name  string
		level int16
		par   string
		geom  []byte
		has   bool
	)
	_, err = pgx.ForEachRow(rows, []any{&code, &name, &level, &par, &has, &geom}, func() error {
		u := locatorUnit{ref: UnitRef{Code: code, Name: name, NoCentre: !has}, level: Level(level), parent: -1}
		if par != "" {
			p, ok := pos[par]
			if !ok {
				return fmt.Errorf("unit %s: parent %s not read before it", code, par)
			}
			u.parent = p
		}
		var mp orb.MultiPolygon
		if geom != nil {
			g, err := wkb.Unmarshal(geom)
			if err != nil {
				return fmt.Errorf("unit %s: polygon: %w", code, err)
			}
			mp, _ = g.(orb.MultiPolygon)
		}
		pos[code] = int32(len(units))
		units = append(units, u)
		geoms = append(geoms, mp)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read grid for locator: %w", err)
	}
	l := newLocator(units, geoms, nearMetres)
	l.builtAt, l.buildTime = start, time.Since(start)
	return l, nil
}

// The PostGIS equivalents of Locator.Locate without drift tolerance: the reference the index
// is measured and checked against. Like the index they answer the lowest code on a border.
const (
	postgisLocateOne = `
SELECT code FROM units
WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
  AND units.retired_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_code = units.code AND c.retired_at IS NULL)
ORDER BY code LIMIT 1`

	postgisLocateBatch = `
SELECT coalesce(u.code, '')
FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)
LEFT JOIN LATERAL (
    SELECT code FROM units
    WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
      AND units.retired_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_code = units.code AND c.retired_at IS NULL)
    ORDER BY code LIMIT 1) u ON true
ORDER BY p.i`
)

// PostGISLocate asks PostGIS which leaf unit covers one point; "" if none.
func (s *Store) PostGISLocate(ctx context.Context, lon, lat float64) (string, error) {
	var code string
	err := s.pool.QueryRow(ctx, postgisLocateOne, lon, lat).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return code, err
}

// PostGISLocateBatch asks PostGIS for many points in one query; "" where none covers.
func (s *Store) PostGISLocateBatch(ctx context.Context, lons, lats []float64) ([]string, error) {
	rows, err := s.pool.Query(ctx, postgisLocateBatch, lons, lats)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
