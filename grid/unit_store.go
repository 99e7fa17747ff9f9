package grid

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// selectSubtree lists a subtree in code order, so parents come before their children. The
// prefix range on the "C"-collated primary key is served by its btree.
const selectSubtree = `
SELECT code, coalesce(parent_code, '') AS parent_code, level, name,
       ST_AsBinary(geom) AS geom, population, households, has_centre
FROM units
WHERE code LIKE $1 || '%' AND ($2 = 0 OR level = $2) AND retired_at IS NULL
ORDER BY code`

type unitRow struct {
	Code       string
	ParentCode string
	Level      int16
	Name       string
	Geom       []byte
	Population *int32
	Households *int32
	HasCentre  bool
}

func (r unitRow) unit() (Unit, error) {
	g, err := wkb.Unmarshal(r.Geom)
	if err != nil {
		return Unit{}, fmt.Errorf("decode polygon of %s: %w", r.Code, err)
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return Unit{}, fmt.Errorf("polygon of %s is a %s", r.Code, g.GeoJSONType())
	}
	return Unit{Code: r.Code, ParentCode: r.ParentCode, Level: Level(r.Level), Name: r.Name,
		Geom: mp, Population: intPtr(r.Population), Households: intPtr(r.Households),
		NoCentre: !r.HasCentre}, nil
}

func intPtr(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// checkRoot rejects anything but digits, which also keeps LIKE metacharacters out of prefixes.
func checkRoot(root string) error {
	for _, c := range root {
		if c < '0' || c > '9' {
			return fmt.Errorf("%w: root code %q must be digits only", ErrInvalidUnit, root)
		}
	}
	return nil
}

// EachUnit calls fn for each unit under root (all units if root is empty), optionally only
// those at one level (level 0 means all levels), in code order.
func (s *Store) EachUnit(ctx context.Context, root string, level Level, fn func(Unit) error) error {
	if err := checkRoot(root); err != nil {
		return err
	}
	rows, err := s.pool.Query(ctx, selectSubtree, root, int16(level))
	if err != nil {
		return fmt.Errorf("query units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := pgx.RowToStructByPos[unitRow](rows)
		if err != nil {
			return fmt.Errorf("scan unit: %w", err)
		}
		u, err := r.unit()
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Subtree returns the units under root (see EachUnit).
func (s *Store) Subtree(ctx context.Context, root string, level Level) ([]Unit, error) {
	var units []Unit
	err := s.EachUnit(ctx, root, level, func(u Unit) error {
		units = append(units, u)
		return nil
	})
	return units, err
}

// Unit returns one unit by code.
func (s *Store) Unit(ctx context.Context, code string) (Unit, error) {
	if LevelOfCode(code) == 0 {
		return Unit{}, fmt.Errorf("%w: %q is not a unit code", ErrNotFound, code)
	}
	units, err := s.Subtree(ctx, code, LevelOfCode(code))
	if err != nil {
		return Unit{}, err
	}
	if len(units) == 0 {
		return Unit{}, fmt.Errorf("unit %s: %w", code, ErrNotFound)
	}
	return units[0], nil
}

// Export writes the subtree under root (everything if empty) as GeoJSON that Import reads
// back unchanged. It returns the number of features written.
func (s *Store) Export(ctx context.Context, root string, w io.Writer) (int, error) {
	fw := newFeatureWriter(w)
	err := s.EachUnit(ctx, root, 0, func(u Unit) error {
		fw.write(u)
		return fw.err
	})
	if err != nil {
		return fw.count, err
	}
	return fw.count, fw.close()
}

// CountByLevel counts the units under root at each level; index 0 is unused.
func (s *Store) CountByLevel(ctx context.Context, root string) ([6]int, error) {
	var counts [6]int
	if err := checkRoot(root); err != nil {
		return counts, err
	}
	rows, err := s.pool.Query(ctx, `SELECT level, count(*) FROM units WHERE code LIKE $1 || '%' AND retired_at IS NULL GROUP BY level`, root)
	if err != nil {
		return counts, fmt.Errorf("count units: %w", err)
	}
	var level int16
	var n int
	_, err = pgx.ForEachRow(rows, []any{&level, &n}, func() error {
		if level >= 1 && level <= 5 {
			counts[level] = n
		}
		return nil
	})
	return counts, err
}

// Refs names units by code without reading their polygons (a county's runs to megabytes), for
// pages that show names. Codes not in the grid are absent from the map.
func (s *Store) Refs(ctx context.Context, codes []string) (map[string]UnitRef, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name, has_centre FROM units WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, fmt.Errorf("name units: %w", err)
	}
	refs := make(map[string]UnitRef, len(codes))
	var code, name string
	var has bool
	if _, err := pgx.ForEachRow(rows, []any{&code, &name, &has}, func() error {
		refs[code] = UnitRef{Code: code, Name: name, NoCentre: !has}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("name units: %w", err)
	}
	return refs, nil
}
