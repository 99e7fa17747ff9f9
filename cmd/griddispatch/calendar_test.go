package main

import (
	"context"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// The calendar commands edit what the admin routes edit, audited with no member as actor.
func TestCalendarCommands(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	cal := func(args ...string) string {
		t.Helper()
		out, _, err := run(t, append([]string{"--database-url", db.URL, "calendar"}, args...)...)
		if err != nil {
			t.Fatalf("calendar %v: %v", args, err)
		}
		return out
	}
	if out := cal("show", "2026"); !strings.Contains(out, "hours 08:30-12:00,14:30-17:30") ||
		!strings.Contains(out, "2026-10-10 workday 国庆节调休上班") || !strings.Contains(out, "2026-10-01 holiday 国庆节") {
		t.Fatalf("shipped 2026:\n%s", out)
	}
	cal("set", "2027-02-04", "holiday", "春节")
	cal("set", "2027-02-20", "workday", "春节调休上班")
	cal("unset", "2027-01-01")
	cal("hours", "09:00-12:00,13:30-17:00")
	out := cal("show", "2027")
	if !strings.Contains(out, "hours 09:00-12:00,13:30-17:00") || !strings.Contains(out, "2027-02-20 workday 春节调休上班") ||
		!strings.Contains(out, "2027-02-04 holiday 春节") || strings.Contains(out, "2027-01-01") {
		t.Fatalf("after the edits:\n%s", out)
	}
	if _, _, err := run(t, "--database-url", db.URL, "calendar", "hours", "12:00-09:00"); err == nil {
		t.Fatal("hours ending before they start were accepted")
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE action LIKE 'calendar.%' AND actor_id IS NULL`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("%d calendar edits audited (%v); want 4", n, err)
	}
}
