package grid

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// Validate runs as set-based queries in read-only REPEATABLE READ transactions that share one
// exported snapshot, so that queries running side by side on several connections see the
// same grid even while someone edits it in QGIS:
//
//  1. invalid geometry, first, because the other checks need its list of invalid units: they
//     compute on those units' ST_MakeValid repairs, so that GEOS never sees invalid input and
//     one bad polygon neither aborts the run nor hides what is wrong around it;
//  2. then children outside their parents, and the coverage of each parent (gaps, and
//     overlaps among its children), split into shards by code that run on separate
//     connections: GEOS work in a query runs on one core, and most of the time goes to
//     the union of each parent's children.
//
// Overlaps are found without comparing every pair of neighbours: the children of a parent
// overlap by at most the sum of their areas minus the area of their union, which the gap
// check computes anyway. Only families where that excess passes the tolerance are searched
// pair by pair (GiST bounding boxes, then ST_Relate for shared interior). The counties, having
// no parent polygon, are always compared pairwise.
//
// Every query filters in square degrees with squareDegrees(tolerance), a bound that cannot
// miss a defect; Go then converts to square metres and applies the tolerance exactly.

// maxValidateShards bounds the connections one validation takes from the pool.
const maxValidateShards = 8

// beginValidation exports the snapshot the other connections join and checks the root exists.
// JIT compilation is switched off for the transaction: PostGIS's high function costs make the
// planner compile the bigger queries, for up to half a second each, and the time goes to GEOS
// anyway.
const beginValidation = `
SELECT pg_export_snapshot(), set_config('jit', 'off', true),
       $1 = '' OR EXISTS (SELECT 1 FROM units WHERE code = $1 AND retired_at IS NULL)`

const joinValidation = `SELECT set_config('jit', 'off', true)`

// selectInvalid finds the polygons PostGIS considers invalid and what ST_MakeValid would
// give. Areas are planar square degrees; a self-intersecting ring's signed parts cancel.
const selectInvalid = `
SELECT u.code, u.name, u.level, ST_IsValidReason(u.geom) AS reason,
       ST_GeometryType(r.fixed) AS fixed_type,
       ST_NumGeometries(ST_CollectionExtract(r.fixed, 3)) AS parts,
       ST_Area(ST_CollectionExtract(r.fixed, 3)) AS fixed_deg2,
       ST_Area(u.geom) AS stored_deg2,
       (ST_YMin(u.geom) + ST_YMax(u.geom)) / 2 AS lat
FROM units u
CROSS JOIN LATERAL (SELECT ST_MakeValid(u.geom) AS fixed) r
WHERE u.code LIKE $1 || '%' AND u.retired_at IS NULL AND NOT ST_IsValid(u.geom)`

type invalidRow struct {
	Code       string
	Name       string
	Level      int16
	Reason     string
	FixedType  string
	Parts      int32
	FixedDeg2  float64
	StoredDeg2 float64
	Lat        *float64
}

// repairedUnits is the units table as the checks after the first see it: shape is the stored
// polygon, or for a unit reported invalid ($2) the polygons of its ST_MakeValid repair. Not
// materialized, it is inlined like a view, so the indexes on units still serve the joins.
const repairedUnits = `
WITH unit AS NOT MATERIALIZED (
    SELECT code, parent_code, level, name, geom,
           CASE WHEN code = ANY($2) THEN ST_CollectionExtract(ST_MakeValid(geom), 3) ELSE geom END AS shape
    FROM units
    WHERE retired_at IS NULL
)`

// selectOutside measures each child of the subtree outside its parent, for the children whose
// code is $5 modulo $4 (the shard). The root's parent is outside the subtree but the root
// lying outside it is still the root's problem.
const selectOutside = repairedUnits + `,
outside AS MATERIALIZED (
    SELECT c.code, c.name, c.level, p.code AS parent_code, p.name AS parent_name, p.level AS parent_level,
           ST_Difference(c.shape, p.shape) AS geom
    FROM unit c
    JOIN unit p ON p.code = c.parent_code
    WHERE c.code LIKE $1 || '%' AND mod(c.code::bigint, $4) = $5
)
SELECT 'outside_parent' AS kind, code, name, level, parent_code AS other_code, parent_name AS other_name,
       parent_level AS other_level, 0 AS children,
       ST_Area(geom) AS area_deg2, ST_Y(ST_Centroid(geom)) AS lat,
       ST_X(ST_PointOnSurface(geom)) AS near_lon, ST_Y(ST_PointOnSurface(geom)) AS near_lat
FROM outside
WHERE ST_Area(geom) > $3`

// selectCoverage finds the gaps in each parent of the subtree with children, and the overlaps
// among siblings, both within the subtree, for the parents whose code is $5 modulo $4 (and the
// counties in shard 0). A family is a parent with its children: cover is the union of the
// children and excess the sum of their areas minus the area of that union.
const selectCoverage = repairedUnits + `,
family AS MATERIALIZED (
    SELECT p.code, p.name, p.level, p.shape, k.children, k.cover, k.child_area - ST_Area(k.cover) AS excess
    FROM unit p
    CROSS JOIN LATERAL (
        SELECT count(*) AS children, ST_Union(c.shape) AS cover, sum(ST_Area(c.shape)) AS child_area
        FROM unit c
        WHERE c.parent_code = p.code
    ) k
    WHERE p.code LIKE $1 || '%' AND p.level < 5 AND mod(p.code::bigint, $4) = $5 AND k.children > 0
),
sibling AS (
    SELECT a.code, a.name, a.level, b.code AS other_code, b.name AS other_name, b.level AS other_level,
           a.shape AS a_shape, b.shape AS b_shape
    FROM family f
    JOIN unit a ON a.parent_code = f.code
    JOIN unit b ON b.parent_code = f.code AND a.code < b.code AND a.geom && b.geom
    WHERE f.excess > $3
    UNION ALL
    SELECT a.code, a.name, a.level, b.code, b.name, b.level, a.shape, b.shape
    FROM unit a
    JOIN unit b ON a.code < b.code AND a.geom && b.geom
    WHERE $1 = '' AND $5 = 0 AND a.level = 1 AND b.level = 1
),
defect AS MATERIALIZED (
    SELECT 'gap' AS kind, code, name, level, '' AS other_code, '' AS other_name, 0 AS other_level, children,
           ST_Difference(shape, cover) AS geom
    FROM family
    UNION ALL
    SELECT 'overlap', code, name, level, other_code, other_name, other_level, 0,
           ST_Intersection(a_shape, b_shape)
    FROM sibling
    WHERE ST_Relate(a_shape, b_shape, '2********')
)
SELECT kind, code, name, level, other_code, other_name, other_level, children,
       ST_Area(geom) AS area_deg2, ST_Y(ST_Centroid(geom)) AS lat,
       ST_X(ST_PointOnSurface(geom)) AS near_lon, ST_Y(ST_PointOnSurface(geom)) AS near_lat
FROM defect
WHERE ST_Area(geom) > $3`

// defectRow is a row of selectOutside or selectCoverage. Other* is the parent for
// outside_parent and the other sibling for overlap.
type defectRow struct {
	Kind       string
	Code       string
	Name       string
	Level      int16
	OtherCode  string
	OtherName  string
	OtherLevel int16
	Children   int64
	AreaDeg2   float64
	Lat        *float64
	NearLon    *float64
	NearLat    *float64
}

// Validate checks the subtree under root (a unit's code, or "" for the whole grid) and returns
// its problems ordered by code, then kind, then the other code. A problem belongs to the
// subtree when its unit does and, for an overlap, the other sibling does too: so the root's
// overlaps with its own siblings are left to a check of its parent, but the root lying outside
// its parent is reported. A zero tol means DefaultTolerance.
func (s *Store) Validate(ctx context.Context, root string, tol Tolerance) ([]Problem, error) {
	if err := checkRoot(root); err != nil {
		return nil, err
	}
	tol, err := tol.orDefault()
	if err != nil {
		return nil, err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	defer tx.Rollback(ctx) // read-only: nothing to undo

	var snapshot string
	var found bool
	if err := tx.QueryRow(ctx, beginValidation, root).Scan(&snapshot, nil, &found); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if !found {
		return nil, fmt.Errorf("validate: unit %s: %w", root, ErrNotFound)
	}
	problems, err := invalidGeometries(ctx, tx, root)
	if err != nil {
		return nil, err
	}
	invalid := codesOf(problems)

	shards := validateShards(s.pool)
	shardProblems := make([][]Problem, shards)
	check := func(ctx context.Context, tx pgx.Tx, shard int) error {
		args := []any{root, invalid, squareDegrees(tol.AreaM2), shards, shard}
		for _, query := range []string{selectCoverage, selectOutside} {
			ps, err := defects(ctx, tx, query, args, tol)
			if err != nil {
				return err
			}
			shardProblems[shard] = append(shardProblems[shard], ps...)
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return check(gctx, tx, 0) })
	for shard := 1; shard < shards; shard++ {
		g.Go(func() error {
			return s.inSnapshot(gctx, snapshot, func(tx pgx.Tx) error { return check(gctx, tx, shard) })
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, ps := range shardProblems {
		problems = append(problems, ps...)
	}
	sortProblems(problems)
	return problems, nil
}

// validateShards is how many connections share a validation: as many as the client has CPUs,
// which in the default deployment are the database's too, and at most half the pool. The
// first shard runs on the connection that holds the snapshot, so one connection always works.
func validateShards(pool *pgxpool.Pool) int {
	return max(1, min(runtime.GOMAXPROCS(0), int(pool.Config().MaxConns)/2, maxValidateShards))
}

// inSnapshot runs fn in a read-only transaction on another connection that sees the
// snapshot exported by Validate's first transaction.
func (s *Store) inSnapshot(ctx context.Context, snapshot string, fn func(pgx.Tx) error) error {
	// SET TRANSACTION SNAPSHOT takes no parameters; the identifier comes from
	// pg_export_snapshot and is hex digits and dashes, checked here all the same.
	if snapshot == "" || strings.Trim(snapshot, "0123456789ABCDEFabcdef-") != "" {
		return fmt.Errorf("validate: unexpected snapshot id %q", snapshot)
	}
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+snapshot+"'"); err != nil {
				return fmt.Errorf("validate: join snapshot: %w", err)
			}
			if _, err := tx.Exec(ctx, joinValidation); err != nil {
				return fmt.Errorf("validate: %w", err)
			}
			return fn(tx)
		})
}

func invalidGeometries(ctx context.Context, tx pgx.Tx, root string) ([]Problem, error) {
	rows, err := tx.Query(ctx, selectInvalid, root)
	if err != nil {
		return nil, fmt.Errorf("validate geometry: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[invalidRow])
	if err != nil {
		return nil, fmt.Errorf("validate geometry: %w", err)
	}
	problems := make([]Problem, len(found))
	for i, r := range found {
		problems[i] = r.problem()
	}
	return problems, nil
}

// areas are the repair's and the stored polygon's areas in square metres (NaN when not
// measurable).
func (r invalidRow) areas() (fixed, stored float64) {
	if r.Lat == nil {
		return math.NaN(), math.NaN()
	}
	return squareMetres(r.FixedDeg2, *r.Lat), squareMetres(r.StoredDeg2, *r.Lat)
}

// problem is the row as a problem: its area is how much ST_MakeValid would change.
func (r invalidRow) problem() Problem {
	fixed, stored := r.areas()
	change := math.Abs(fixed - stored)
	if math.IsNaN(change) || math.IsInf(change, 0) {
		change = 0
	}
	return Problem{Code: r.Code, Name: r.Name, Level: Level(r.Level), Kind: InvalidGeometry,
		AreaM2: change, Detail: repairDetail(r.Reason, r.FixedType, int(r.Parts), fixed, stored)}
}

// defects runs selectOutside or selectCoverage and keeps the defects above the tolerance.
func defects(ctx context.Context, tx pgx.Tx, query string, args []any, tol Tolerance) ([]Problem, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[defectRow])
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	var problems []Problem
	for _, r := range found {
		if r.Lat == nil {
			continue
		}
		area := squareMetres(r.AreaDeg2, *r.Lat)
		if !(area > tol.AreaM2) {
			continue
		}
		p := Problem{Code: r.Code, Name: r.Name, Level: Level(r.Level), Kind: ProblemKind(r.Kind), AreaM2: area}
		where := near(r.NearLon, r.NearLat)
		switch p.Kind {
		case OutsideParent:
			p.Detail = fmt.Sprintf("outside its %s %s %s%s", Level(r.OtherLevel), r.OtherCode, r.OtherName, where)
		case Overlap:
			p.Other = r.OtherCode
			p.Detail = fmt.Sprintf("overlaps %s %s%s", Level(r.OtherLevel), r.OtherName, where)
		case Gap:
			p.Detail = fmt.Sprintf("not covered by its %s%s", plural(int(r.Children), p.Level+1), where)
		default:
			return nil, fmt.Errorf("validate: unexpected kind %q", r.Kind)
		}
		problems = append(problems, p)
	}
	return problems, nil
}
