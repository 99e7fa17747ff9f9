package dbtest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// CheckColumns fails the test unless query's result columns and the db tags of row's struct
// type (through embedded structs) are the same set, each column named once. Structs read with
// pgx.RowToStructByName are checked this way, so that a column or field added on one side only
// is found by a test rather than at run time, and every exported field must say its column
// (db:"-" for one not read from the row).
func CheckColumns(tb testing.TB, db *DB, query string, row any) {
	tb.Helper()
	conn, err := db.Pool.Acquire(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Release()
	desc, err := conn.Conn().Prepare(context.Background(), "", query)
	if err != nil {
		tb.Fatal(err)
	}
	var cols []string
	for _, f := range desc.Fields {
		cols = append(cols, f.Name)
	}
	tags := dbTags(tb, reflect.TypeOf(row))
	slices.Sort(cols)
	slices.Sort(tags)
	if !slices.Equal(cols, tags) || len(slices.Compact(slices.Clone(cols))) != len(cols) {
		tb.Errorf("%T:\ncolumns %s\nfields  %s", row, strings.Join(cols, " "), strings.Join(tags, " "))
	}
}

// Scanned is one query whose rows are read into Row's type by name.
type Scanned struct {
	Name  string
	Query string
	Row   any
}

// CheckScannedByName runs CheckColumns for each query, as subtests, on a schema of its own.
func CheckScannedByName(t *testing.T, queries []Scanned) {
	t.Helper()
	db := New(t)
	for _, q := range queries {
		t.Run(q.Name, func(t *testing.T) { CheckColumns(t, db, q.Query, q.Row) })
	}
}

func dbTags(tb testing.TB, typ reflect.Type) []string {
	tb.Helper()
	var out []string
	for f := range typ.Fields() {
		switch tag, ok := f.Tag.Lookup("db"); {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			out = append(out, dbTags(tb, f.Type)...)
		case !f.IsExported() || tag == "-":
		case !ok:
			tb.Errorf("%s.%s has no db tag: name its column", typ, f.Name)
		default:
			out = append(out, tag)
		}
	}
	return out
}
