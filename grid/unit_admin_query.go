package grid

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// UnitInfo is a unit as the admin app's grid tree shows it: where it is, whether it was
// retired and for which units, how many children it has, and the cases reported in its
// subtree (all, and those not closed). A retired unit keeps its cases.
type UnitInfo struct {
	Code       string     `db:"code"`
	Name       string     `db:"name"`
	Level      Level      `db:"level"`
	ParentCode string     `db:"parent_code"`
	ValidFrom  *time.Time `db:"valid_from"`
	RetiredAt  *time.Time `db:"retired_at"`
	Successors []string   `db:"successors"`
	Children   int        `db:"children"`
	Cases      int        `db:"cases"`
	OpenCases  int        `db:"open_cases"`
}

// UnitQuery picks units for the admin app: the children of Parent, or the units Codes, or
// those matching Text (a code prefix or part of a name) under Roots. Retired includes retired
// units (a unit asked for by code is returned retired or not).
type UnitQuery struct {
	Parent  string
	Codes   []string
	Text    string
	Roots   []string
	Retired bool
	Limit   int
}

// MaxUnitPage bounds one answer of Units.
const MaxUnitPage = 500

// selectUnitInfos: $1 parent, $2 codes, $3 text, $4 root patterns, $5 retired too, $6 limit.
// The case counts probe cases_unit_code_idx by the code's prefix ("C" collation).
const selectUnitInfos = `
SELECT u.code, u.name, u.level, coalesce(u.parent_code, '') AS parent_code, u.valid_from, u.retired_at,
       coalesce(u.successors, '{}') AS successors,
       (SELECT count(*) FROM units c WHERE c.parent_code = u.code AND ($5 OR c.retired_at IS NULL)) AS children,
       k.cases, k.open AS open_cases
FROM units u
CROSS JOIN LATERAL (SELECT count(*) AS cases, count(*) FILTER (WHERE c.state <> 'closed') AS open
                    FROM cases c WHERE c.unit_code LIKE u.code || '%') k
WHERE CASE WHEN $1 <> '' THEN u.parent_code = $1 AND ($5 OR u.retired_at IS NULL)
           WHEN cardinality($2::text[]) > 0 THEN u.code = ANY($2)
           ELSE u.code LIKE ANY($4) AND ($5 OR u.retired_at IS NULL)
                AND (u.code LIKE $3 || '%' OR u.name LIKE '%' || $3 || '%') END
ORDER BY u.code
LIMIT $6`

// Units lists units with their case counts, in code order.
func (s *Store) Units(ctx context.Context, q UnitQuery) ([]UnitInfo, error) {
	if err := checkRoot(q.Parent); err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > MaxUnitPage {
		q.Limit = MaxUnitPage
	}
	patterns := make([]string, len(q.Roots))
	for i, r := range q.Roots {
		if err := checkRoot(r); err != nil {
			return nil, err
		}
		patterns[i] = r + "%"
	}
	text := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.TrimSpace(q.Text))
	codes := q.Codes
	if codes == nil {
		codes = []string{}
	}
	rows, err := s.pool.Query(ctx, selectUnitInfos, q.Parent, codes, text, patterns, q.Retired, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[UnitInfo])
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return out, nil
}

// UnitDetail is one unit by code, current or retired.
func (s *Store) UnitDetail(ctx context.Context, code string) (UnitInfo, error) {
	us, err := s.Units(ctx, UnitQuery{Codes: []string{code}, Limit: 1})
	if err != nil {
		return UnitInfo{}, err
	}
	if len(us) == 0 {
		return UnitInfo{}, fmt.Errorf("unit %s: %w", code, ErrNotFound)
	}
	return us[0], nil
}

// FamilyOutlines returns a unit and its children (retired ones too with retired) as a GeoJSON
// FeatureCollection of simplified polygons with properties code, name, level and retired, for
// the admin app's map of the grid.
func (s *Store) FamilyOutlines(ctx context.Context, code string, retired bool) ([]byte, error) {
	var out []byte
	if err := s.pool.QueryRow(ctx, selectFamilyOutlines, code, OutlineTolerance, retired).Scan(&out); err != nil {
		return nil, fmt.Errorf("outlines of %s: %w", code, err)
	}
	return out, nil
}

const selectFamilyOutlines = `
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
    'type', 'Feature',
    'properties', json_build_object('code', code, 'name', name, 'level', level, 'retired', retired_at IS NOT NULL),
    'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, $2), 6)::json) ORDER BY code), '[]'::json))::text
FROM units
WHERE code = $1 OR parent_code = $1 AND ($3 OR retired_at IS NULL)`
