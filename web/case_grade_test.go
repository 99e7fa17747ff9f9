package web_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// TestGradeOverHTTP: grading at accept over HTTP sends a difficult case to the county (live, to
// the county's console), only a county leader may take ownership, and the queue shows and
// filters the cases leaders own (docs/cases-api.md).
func TestGradeOverHTTP(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	county := fx.member(t, "13900000021", "140802", grid.RoleMediator)
	leader := fx.member(t, "13900000022", "140802", grid.RoleSupervisor)
	ws := connect(t, fx.ws, county)
	if m := subscribe(t, ws, "s1", "centre", "140802"); m["type"] != "subscribed" {
		t.Fatalf("subscribe: %v", m)
	}
	for _, tc := range []struct {
		name, extra string
		status      int
		code        string
	}{
		{"unknown grade", `, "grade": "hard"`, http.StatusBadRequest, "bad_request"},
		{"major without a grade", `, "major": true`, http.StatusBadRequest, "bad_request"},
	} {
		if r := fx.act(t, fx.village, "accept", "", tc.extra); r.status != tc.status || r.body["error"] != tc.code {
			t.Fatalf("%s: %d %v", tc.name, r.status, r.body)
		}
	}
	r := fx.act(t, fx.village, "accept", "", `, "grade": "difficult", "major": true`)
	if c, _ := r.body["case"].(map[string]any); r.status != http.StatusOK || c["state"] != "queued" || c["centre"] != "140802" {
		t.Fatalf("accept graded difficult: %d %v", r.status, r.body)
	}
	if f := readType(t, ws, "case"); f["action"] != "accept" || f["grade"] != "difficult" || f["major"] != true || f["centre"] != "140802" {
		t.Fatalf("the county's console got %v", f)
	}
	actions := func(token string) []any {
		r := call(t, "GET", fx.caseURL(""), token, "")
		a, _ := r.body["actions"].([]any)
		return a
	}
	if a := actions(leader); !slices.Contains(a, any("lead")) {
		t.Fatalf("the county leader's actions: %v", a)
	}
	if a := actions(fx.supervisor); slices.Contains(a, any("lead")) {
		t.Fatalf("the township supervisor's actions: %v", a)
	}
	if r := fx.act(t, fx.supervisor, "lead", ""); r.status != http.StatusForbidden {
		t.Fatalf("lead by the township's supervisor: %d %v", r.status, r.body)
	}
	if r := fx.act(t, leader, "lead", ""); r.status != http.StatusOK {
		t.Fatalf("lead: %d %v", r.status, r.body)
	}
	if r := fx.act(t, leader, "lead", ""); r.status != http.StatusConflict || r.body["error"] != "already_owned" {
		t.Fatalf("lead again: %d %v", r.status, r.body)
	}
	if f := readType(t, ws, "case"); f["action"] != "lead" || f["leader"] == nil {
		t.Fatalf("the county's console got %v", f)
	}
	other := fx.report(t, "另一起纠纷")
	fx.caseID = other
	fx.act(t, fx.village, "accept", "", `, "grade": "difficult"`)
	for _, tc := range []struct {
		query string
		want  int
	}{{"", 2}, {"?led=1", 1}, {"?led=0", 2}} {
		r := call(t, "GET", fx.base+"/api/centres/140802/queue"+tc.query, county, "")
		cases, _ := r.body["cases"].([]any)
		if r.status != http.StatusOK || len(cases) != tc.want {
			t.Fatalf("queue%s: %d %v", tc.query, r.status, r.body)
		}
		if tc.query == "?led=1" {
			c := cases[0].(map[string]any)
			if l, _ := c["leader"].(map[string]any); c["grade"] != "difficult" || l["name"] == "" || l == nil {
				t.Fatalf("led case: %v", c)
			}
		}
	}
	if r := call(t, "GET", fx.base+"/api/centres/140802/queue?led=x", county, ""); r.status != http.StatusBadRequest {
		t.Fatalf("led=x: %d", r.status)
	}
}
