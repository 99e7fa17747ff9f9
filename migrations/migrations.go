// Package migrations holds the versioned SQL schema of griddispatch, embedded in the binary,
// and applies it with jackc/tern under an advisory lock so that two processes never migrate
// at once. Migrations are forward-only.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed *.sql
var files embed.FS

// versionTable records the applied version. It is unqualified so that it lives in the first
// schema of the connection's search_path, which lets tests keep one schema each.
const versionTable = "schema_version"

// Migrate brings the schema up to the latest version. Each migration runs in its own
// transaction; a failed one leaves the schema at the previous version.
func Migrate(ctx context.Context, conn *pgx.Conn) error {
	m, err := newMigrator(ctx, conn)
	if err != nil {
		return err
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Querier is what Current needs: a connection or a pool.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Latest is the highest version this binary carries.
func Latest() int32 {
	paths, err := migrate.FindMigrations(files)
	if err != nil {
		// The files are embedded at build time and checked by the tests.
		panic(fmt.Sprintf("embedded migrations are malformed: %v", err))
	}
	return int32(len(paths))
}

// Current reads the applied version without taking the migration lock or creating anything,
// so readiness probes can call it freely. A schema never migrated is at version 0.
func Current(ctx context.Context, q Querier) (int32, error) {
	var v int32
	err := q.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&v)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UndefinedTable {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func newMigrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return nil, fmt.Errorf("migrator: %w", err)
	}
	if err := m.LoadMigrations(files); err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return m, nil
}
