package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/migrations"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

func TestMigrateFromEmpty(t *testing.T) {
	t.Parallel()
	db := dbtest.Empty(t)
	ctx := context.Background()

	if v, err := migrations.Current(ctx, db.Pool); err != nil || v != 0 {
		t.Fatalf("empty schema: version %d, err %v; want 0, nil", v, err)
	}
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := migrations.Migrate(ctx, conn); err != nil {
		t.Fatalf("migrate from empty: %v", err)
	}
	v, err := migrations.Current(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if v != migrations.Latest() || v < 1 {
		t.Fatalf("after migrate: version %d, latest %d", v, migrations.Latest())
	}
	// Migrating again is a no-op.
	if err := migrations.Migrate(ctx, conn); err != nil {
		t.Fatalf("second migrate: %v", err)
	}

	// The tables land in the test's own schema, PostGIS stays in public.
	var tables int
	err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = $1
		AND tablename IN ('units', 'members', 'assignments')`, db.Schema).Scan(&tables)
	if err != nil || tables != 3 {
		t.Fatalf("tables in %s: %d (err %v); want 3", db.Schema, tables, err)
	}
	var geomType string
	err = db.Pool.QueryRow(ctx, `SELECT type FROM geometry_columns
		WHERE f_table_schema = $1 AND f_table_name = 'units'`, db.Schema).Scan(&geomType)
	if err != nil || geomType != "MULTIPOLYGON" {
		t.Fatalf("units.geom type %q (err %v); want MULTIPOLYGON", geomType, err)
	}
}

func TestSchemaRejectsBadCodes(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	const square = `ST_Multi(ST_GeomFromText('POLYGON((111 35,111.1 35,111.1 35.1,111 35.1,111 35))', 4326))`
	if _, err := db.Pool.Exec(ctx, `INSERT INTO units (code, level, name, geom) VALUES ('140802', 1, '盐湖区', `+square+`)`); err != nil {
		t.Fatalf("insert county: %v", err)
	}
	bad := []struct {
		name, code, parent string
		level              int
	}{
		{"county with parent", "140821", "140802", 1},
		{"township not prefixed", "140821001", "140802", 2},
		{"township wrong length", "1408020010", "140802", 2},
		{"letters", "14080200A", "140802", 2},
		{"skips a level", "140802001001", "140802", 3},
		{"unknown parent", "140899001", "140899", 2},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.Pool.Exec(ctx, `INSERT INTO units (code, parent_code, level, name, geom)
				VALUES ($1, NULLIF($2, ''), $3, 'x', `+square+`)`, tc.code, tc.parent, tc.level)
			if err == nil {
				t.Fatalf("code %s (level %d, parent %s) was accepted", tc.code, tc.level, tc.parent)
			}
		})
	}
}
