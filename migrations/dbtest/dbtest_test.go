package dbtest

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkNew measures what every database test pays before its first line, a schema of its
// own at the latest version: copied from the template (what New does), and migrated from empty
// (what New did before the template, and still does without pg_dump).
func BenchmarkNew(b *testing.B) {
	for _, bc := range []struct {
		name     string
		template bool
	}{{"template", true}, {"migrate", false}} {
		b.Run(bc.name, func(b *testing.B) {
			if !bc.template {
				tmpl.Lock()
				done, script := tmpl.done, tmpl.script
				tmpl.done, tmpl.script = true, ""
				tmpl.Unlock()
				b.Cleanup(func() {
					tmpl.Lock()
					tmpl.done, tmpl.script = done, script
					tmpl.Unlock()
				})
			}
			if bc.template {
				if _, err := template(context.Background(), os.Getenv("TEST_DATABASE_URL")); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				db := New(b)
				var v int
				if err := db.Pool.QueryRow(context.Background(), "SELECT version FROM schema_version").Scan(&v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTemplateIsTheMigratedSchema checks that a schema copied from the template is the schema
// the migrations make: the same columns, constraints, indexes, triggers, functions, sequences
// and rows.
func TestTemplateIsTheMigratedSchema(t *testing.T) {
	t.Parallel()
	copied := New(t)
	migrated := Empty(t)
	ctx := context.Background()
	if err := migrateSchema(ctx, migrated.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := template(ctx, os.Getenv("TEST_DATABASE_URL")); err != nil {
		t.Fatal(err)
	}
	tmpl.Lock()
	usedTemplate := tmpl.script != ""
	tmpl.Unlock()
	if !usedTemplate {
		t.Skip("no pg_dump: New migrates from empty")
	}
	var rev1, rev2 string
	other := New(t)
	for _, r := range []struct {
		db  *DB
		rev *string
	}{{copied, &rev1}, {other, &rev2}} {
		if err := r.db.Pool.QueryRow(ctx, `SELECT revision::text FROM calendar_settings`).Scan(r.rev); err != nil {
			t.Fatal(err)
		}
	}
	if rev1 == rev2 {
		t.Fatalf("two copies share the calendar revision %s: the calendar cache would mix them up", rev1)
	}
	a, b := describe(t, copied), describe(t, migrated)
	if len(a) < 100 {
		t.Fatalf("described only %d things of the copied schema", len(a))
	}
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			t.Fatalf("copied and migrated schemas differ first at\n copied:   %s\n migrated: %s", x, y)
		}
	}
}

// describe lists what a schema holds, its own name replaced by "S", sorted.
const describeSQL = `
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable
	|| ' default=' || coalesce(column_default, '') || ' identity=' || is_identity
FROM information_schema.columns WHERE table_schema = $1
UNION ALL
SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1
UNION ALL
SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = $1
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT t.tgisinternal
UNION ALL
SELECT 'function ' || p.proname || '(' || pg_get_function_arguments(p.oid) || ') ' || md5(p.prosrc)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
UNION ALL
SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = $1
UNION ALL
SELECT 'view ' || viewname || ' ' || md5(definition) FROM pg_views WHERE schemaname = $1`

func describe(t *testing.T, db *DB) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Pool.Query(ctx, describeSQL, db.Schema)
	if err != nil {
		t.Fatal(err)
	}
	things, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	tables, err := db.Pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1`, db.Schema)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(tables, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		// Times differ by when each was made, and values drawn at random are drawn per schema.
		var cols string
		if err := db.Pool.QueryRow(ctx, `SELECT coalesce(string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position), '1')
			FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
			AND data_type NOT IN ('uuid', 'timestamp with time zone')`, db.Schema, name).Scan(&cols); err != nil {
			t.Fatal(err)
		}
		var sum string
		q := `SELECT count(*) || ' ' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') FROM (SELECT ` + cols + ` FROM ` + name + `) r`
		if err := db.Pool.QueryRow(ctx, q).Scan(&sum); err != nil {
			t.Fatalf("rows of %s: %v", name, err)
		}
		things = append(things, "rows "+name+" "+sum)
	}
	for i := range things {
		things[i] = strings.ReplaceAll(things[i], db.Schema+".", "S.")
	}
	slices.Sort(things)
	return things
}
