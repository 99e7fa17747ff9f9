// Package dbtest gives each test its own freshly migrated PostgreSQL schema in the database
// named by TEST_DATABASE_URL, so tests run in parallel without sharing mutable state.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/migrations"
)

// DB is one test's schema.
type DB struct {
	Pool   *pgxpool.Pool
	URL    string // connection URL whose search_path selects the schema
	Schema string
}

// New creates a schema, migrates it, and drops it when the test ends. Without
// TEST_DATABASE_URL the test is skipped, except under CI=true where it fails.
func New(tb testing.TB) *DB {
	tb.Helper()
	return open(tb, true)
}

// Empty creates a schema without migrating it, for tests of migration itself.
func Empty(tb testing.TB) *DB {
	tb.Helper()
	return open(tb, false)
}

func open(tb testing.TB, migrate bool) *DB {
	tb.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("TEST_DATABASE_URL is not set; under CI the database is required (run make test)")
		}
		tb.Skip("TEST_DATABASE_URL is not set; run make test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	schema := "t_" + randomHex(tb, 8)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect %s: %v", redact(base), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})

	u := WithSearchPath(tb, base, schema)
	if migrate {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			tb.Fatalf("connect to schema: %v", err)
		}
		err = migrations.Migrate(ctx, conn)
		conn.Close(ctx)
		if err != nil {
			tb.Fatalf("migrate schema %s: %v", schema, err)
		}
	}

	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		tb.Fatalf("pool: %v", err)
	}
	tb.Cleanup(pool.Close)
	return &DB{Pool: pool, URL: u, Schema: schema}
}

// WithSearchPath returns rawURL with a search_path of schema, then public (where PostGIS is).
func WithSearchPath(tb testing.TB, rawURL, schema string) string {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatalf("TEST_DATABASE_URL must be a URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
