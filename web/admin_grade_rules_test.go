package web_test

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// The grade rules over HTTP (docs/admin-api.md, "Grade rules"): the shipped rules, the
// refusals, a township administrator reads only, and a rule a county administrator changes
// decides the next grading: a complex case accepted at the village after the change goes up to
// the township with twice the township's deadline, while one graded before stays where it was.
func TestAdministratorsEditTheGradeRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseAPI(t)
	admin := fx.member(t, "13900000031", "140802", grid.RoleAdmin)
	township := fx.member(t, "13900000032", "140802001", grid.RoleAdmin)

	r := call(t, "GET", fx.base+"/api/admin/grade-rules", township, "")
	want := []map[string]any{{"grade": "simple", "tier": "", "deadline_pct": 50.0},
		{"grade": "complex", "tier": "", "deadline_pct": 100.0}, {"grade": "difficult", "tier": "county", "deadline_pct": 100.0}}
	rules, _ := r.body["rules"].([]any)
	if r.status != http.StatusOK || len(rules) != len(want) {
		t.Fatalf("the shipped rules: %d %v", r.status, r.body)
	}
	for i, w := range want {
		got := rules[i].(map[string]any)
		for k, v := range w {
			if got[k] != v {
				t.Fatalf("rule %d: %v; want %v", i, got, w)
			}
		}
	}

	// The case graded before the change: complex keeps it at the village.
	before := fx.caseID
	if r := fx.act(t, fx.village, "accept", "", `, "grade": "complex"`); r.status != http.StatusOK {
		t.Fatalf("accept before: %d %v", r.status, r.body)
	}

	for _, tc := range []struct {
		name, token, path, body string
		status                  int
		code, field             string
	}{
		{"a township administrator", township, "complex", `{"tier": "township", "deadline_pct": 200}`, http.StatusForbidden, "forbidden", ""},
		{"unknown grade", admin, "major", `{"tier": "", "deadline_pct": 100}`, http.StatusNotFound, "not_found", ""},
		{"unknown tier", admin, "complex", `{"tier": "city", "deadline_pct": 100}`, http.StatusBadRequest, "bad_request", "tier"},
		{"share too small", admin, "complex", `{"tier": "", "deadline_pct": 9}`, http.StatusBadRequest, "bad_request", "deadline_pct"},
		{"share too large", admin, "complex", `{"tier": "", "deadline_pct": 1001}`, http.StatusBadRequest, "bad_request", "deadline_pct"},
		{"another grade in the body", admin, "complex", `{"grade": "simple", "tier": "", "deadline_pct": 100}`, http.StatusBadRequest, "bad_request", ""},
		{"unknown field", admin, "complex", `{"tier": "", "deadline_pct": 100, "x": 1}`, http.StatusBadRequest, "bad_request", ""},
		{"not a number", admin, "complex", `{"tier": "", "deadline_pct": "100"}`, http.StatusBadRequest, "bad_request", "deadline_pct"},
		{"saved", admin, "complex", `{"grade": "complex", "tier": "township", "deadline_pct": 200}`, http.StatusOK, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "PUT", fx.base+"/api/admin/grade-rules/"+tc.path, tc.token, tc.body)
			if r.status != tc.status || tc.code != "" && r.body["error"] != tc.code || tc.field != "" && r.body["field"] != tc.field {
				t.Fatalf("%d %v; want %d %s %s", r.status, r.body, tc.status, tc.code, tc.field)
			}
		})
	}
	var tier *int16
	var pct, audited int
	if err := fx.pool.QueryRow(ctx, `SELECT tier, deadline_pct, (SELECT count(*) FROM audit_log WHERE action = 'grade_rule.save'
		AND actor_id IS NOT NULL) FROM grade_rules WHERE grade = 'complex'`).Scan(&tier, &pct, &audited); err != nil {
		t.Fatal(err)
	}
	if tier == nil || *tier != int16(grid.Township) || pct != 200 || audited != 1 {
		t.Fatalf("complex is now tier %v, %d%%, %d audit entries; want township, 200%%, 1", tier, pct, audited)
	}

	// The next grading follows the new rule.
	fx.caseID = fx.report(t, "另一起纠纷")
	start := time.Now()
	r = fx.act(t, fx.village, "accept", "", `, "grade": "complex"`)
	c, _ := r.body["case"].(map[string]any)
	if r.status != http.StatusOK || c["state"] != "queued" || c["centre"] != "140802001" {
		t.Fatalf("accept complex after the change: %d %v; want queued at the township", r.status, r.body)
	}
	var deadline time.Time
	var townshipS int64
	var clock string
	if err := fx.pool.QueryRow(ctx, `SELECT c.deadline_at, k.township_deadline_s, k.township_clock FROM cases c
		JOIN events e ON e.id = c.event_id JOIN categories k ON k.code = e.category WHERE c.id = $1`, fx.caseID).
		Scan(&deadline, &townshipS, &clock); err != nil {
		t.Fatal(err)
	}
	if clock != "calendar" {
		t.Fatalf("the fixture's township clock is %q; this test reads calendar time", clock)
	}
	if got, want := deadline.Sub(start), 2*time.Duration(townshipS)*time.Second; math.Abs(float64(got-want)) > float64(5*time.Second) {
		t.Fatalf("deadline %v after accepting; want twice the township's %v", got, want/2)
	}
	var centre, state string
	if err := fx.pool.QueryRow(ctx, `SELECT centre_code, state FROM cases WHERE id = $1`, before).Scan(&centre, &state); err != nil {
		t.Fatal(err)
	}
	if centre != "140802001001" || state != "accepted" {
		t.Fatalf("the case graded before the change is %s at %s; want accepted at the village", state, centre)
	}
}
