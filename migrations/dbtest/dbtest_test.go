package dbtest

import (
	"context"
	"os"
	"testing"
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
