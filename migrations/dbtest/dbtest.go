// Package dbtest gives each test its own freshly migrated PostgreSQL schema in the database
// named by TEST_DATABASE_URL, so tests run in parallel without sharing mutable state.
//
// Migrating from empty costs about a second a schema, most of it 25 transactions of DDL. So the
// first New of a test process migrates one template schema, dumps it with pg_dump (definitions
// and seed rows: categories, calendar days, grade rules, the schema version) and drops it;
// every New then replays that script under a schema name of its own, in one round trip and one
// transaction. Without pg_dump, New migrates from empty as before.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/migrations"
)

// Prefix starts the name of every schema this package creates; make test sweeps what a killed
// run left behind by it.
const Prefix = "t_"

// DB is one test's schema.
type DB struct {
	Pool   *pgxpool.Pool
	URL    string // connection URL whose search_path selects the schema
	Schema string
}

// New creates a schema, migrated to the latest version, and drops it when the test ends.
// Without TEST_DATABASE_URL the test is skipped, except under CI=true where it fails.
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

	var script string
	if migrate {
		var err error
		if script, err = template(ctx, base); err != nil {
			tb.Fatalf("template schema: %v", err)
		}
	}

	schema := Prefix + randomHex(tb, 8)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect %s: %v", redact(base), err)
	}
	defer admin.Close(ctx)
	tb.Cleanup(func() { dropSchema(tb, base, schema) })

	u := WithSearchPath(tb, base, schema)
	switch {
	case script != "":
		// One simple-protocol message: one round trip, one implicit transaction.
		if _, err := admin.Exec(ctx, strings.ReplaceAll(script, placeholder, schema)); err != nil {
			tb.Fatalf("copy the template into schema %s: %v", schema, err)
		}
	default:
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			tb.Fatalf("create schema: %v", err)
		}
		if migrate {
			if err := migrateSchema(ctx, u); err != nil {
				tb.Fatalf("migrate schema %s: %v", schema, err)
			}
		}
	}

	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		tb.Fatalf("pool: %v", err)
	}
	tb.Cleanup(pool.Close)
	return &DB{Pool: pool, URL: u, Schema: schema}
}

func dropSchema(tb testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}

func migrateSchema(ctx context.Context, u string) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return fmt.Errorf("connect to schema: %w", err)
	}
	defer conn.Close(ctx)
	return migrations.Migrate(ctx, conn)
}

// placeholder stands for the schema's name in the template's script.
const placeholder = "t_template_schema_name"

// redraw ends the template's script: what the migrations drew at random (the working calendar's
// revision, which keys the calendar cache of a process serving many schemas) is drawn again for
// each copy, as migrating would have.
const redraw = `
DO $redraw$
DECLARE c record;
BEGIN
	FOR c IN SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = '` + placeholder + `' AND column_default = 'gen_random_uuid()'
	LOOP
		EXECUTE format('UPDATE ` + placeholder + `.%I SET %I = gen_random_uuid()', c.table_name, c.column_name);
	END LOOP;
END
$redraw$;
`

var tmpl struct {
	sync.Mutex
	done   bool
	script string // empty: no pg_dump, migrate each schema
}

// template returns the script that recreates the migrated template schema under the name
// placeholder, building it on the first call of the process. Each test process (one per
// package) builds its own under a random name, so concurrent packages never share one.
func template(ctx context.Context, base string) (string, error) {
	tmpl.Lock()
	defer tmpl.Unlock()
	if tmpl.done {
		return tmpl.script, nil
	}
	dump, err := pgDump(ctx, base)
	if err != nil {
		return "", err
	}
	if dump == "" {
		tmpl.done = true
		return "", nil
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	schema := Prefix + "tpl_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect %s: %w", redact(base), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE") //nolint:errcheck // swept by make test if it fails
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("TEST_DATABASE_URL must be a URL: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	if err := migrateSchema(ctx, u.String()); err != nil {
		return "", fmt.Errorf("migrate %s: %w", schema, err)
	}
	out, err := exec.CommandContext(ctx, dump, "--dbname="+base, "--schema="+schema, "--no-owner",
		"--no-privileges", "--inserts", "--rows-per-insert=1000").Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return "", fmt.Errorf("pg_dump %s: %v %s", schema, err, stderr)
	}
	var script strings.Builder
	for line := range strings.Lines(string(out)) {
		// psql's meta-commands (\restrict) are not SQL; search_path '' would outlive the script.
		if strings.HasPrefix(line, `\`) || strings.Contains(line, "set_config('search_path'") {
			continue
		}
		script.WriteString(strings.ReplaceAll(line, schema, placeholder))
	}
	script.WriteString(redraw)
	tmpl.done, tmpl.script = true, script.String()
	return tmpl.script, nil
}

// pgDump finds a pg_dump for the server: the Debian path of its major version, else the PATH.
// None found is not an error: New then migrates each schema.
func pgDump(ctx context.Context, base string) (string, error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect %s: %w", redact(base), err)
	}
	defer conn.Close(ctx)
	var num int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num); err != nil {
		return "", err
	}
	if p := fmt.Sprintf("/usr/lib/postgresql/%d/bin/pg_dump", num/10000); fileExists(p) {
		return p, nil
	}
	if p, err := exec.LookPath("pg_dump"); err == nil {
		return p, nil
	}
	return "", nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
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
