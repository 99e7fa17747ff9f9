package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// memberID is the id of the member with phone.
func memberID(t *testing.T, fx *fixture, phone string) int64 {
	t.Helper()
	return int64(countOf(t, fx, `SELECT id FROM members WHERE phone = $1 AND phone_released_at IS NULL`, phone))
}

// refusal is a request the admin routes refuse, with the status, error code and field wanted.
type refusal struct {
	name, method, path, token, body string
	status                          int
	code, field                     string
}

func (tc refusal) check(t *testing.T, base string) {
	t.Helper()
	r := call(t, tc.method, base+tc.path, tc.token, tc.body)
	if field, _ := r.body["field"].(string); r.status != tc.status || r.body["error"] != tc.code || field != tc.field || r.body["message"] == "" {
		t.Errorf("%s: %d %v; want %d %s field %q", tc.name, r.status, r.body, tc.status, tc.code, tc.field)
	}
}

func TestAdminMembers(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	county := fx.member(t, "13900000201", "140802", grid.RoleAdmin)
	township := fx.member(t, "13900000202", "140802001", grid.RoleAdmin)
	fx.member(t, "13900000203", "140802002", grid.RoleMediator)
	other := memberID(t, fx, "13900000203")
	worker := memberID(t, fx, "13900000001")

	add := call(t, "POST", fx.base+"/api/admin/members", township,
		`{"phone": "13900000204", "name": "王芳", "assignments": [{"unit_code": "140802001001002", "role": "grid_worker"}]}`)
	m, _ := add.body["member"].(map[string]any)
	if add.status != http.StatusCreated || len(add.body["code"].(string)) != 10 || add.body["code_expires_at"] == nil ||
		m["must_change_password"] != true || m["phone"] != "13900000204" || len(m["assignments"].([]any)) != 1 {
		t.Fatalf("add: %d %v", add.status, add.body)
	}
	added := int64(m["id"].(float64))
	id := func(n int64) string { return fmt.Sprint(n) }

	for _, tc := range []refusal{
		{"bad phone", "POST", "/api/admin/members", county, `{"phone": "1234", "name": "甲", "assignments": [{"unit_code": "140802", "role": "mediator"}]}`, 400, "bad_request", "phone"},
		{"no name", "POST", "/api/admin/members", county, `{"phone": "13900000299", "name": "", "assignments": [{"unit_code": "140802", "role": "mediator"}]}`, 400, "bad_request", "name"},
		{"no assignment", "POST", "/api/admin/members", county, `{"phone": "13900000299", "name": "甲", "assignments": []}`, 400, "bad_request", "assignments"},
		{"unknown role", "POST", "/api/admin/members", county, `{"phone": "13900000299", "name": "甲", "assignments": [{"unit_code": "140802", "role": "mayor"}]}`, 400, "bad_request", "assignments[0].role"},
		{"role at the wrong level", "POST", "/api/admin/members", county, `{"phone": "13900000299", "name": "甲", "assignments": [{"unit_code": "140802001", "role": "grid_worker"}]}`, 400, "bad_request", "assignments[0].role"},
		{"not a unit code", "POST", "/api/admin/members", county, `{"phone": "13900000299", "name": "甲", "assignments": [{"unit_code": "14080x", "role": "mediator"}]}`, 400, "bad_request", "assignments[0].unit_code"},
		{"unknown unit", "POST", "/api/admin/members", county, `{"phone": "13900000299", "name": "甲", "assignments": [{"unit_code": "140802009", "role": "mediator"}]}`, 404, "not_found", ""},
		{"unknown field", "POST", "/api/admin/members", county, `{"phone": "13900000299", "name": "甲", "admin": true, "assignments": []}`, 400, "bad_request", "admin"},
		{"duplicate phone", "POST", "/api/admin/members", county, `{"phone": "13900000204", "name": "甲", "assignments": [{"unit_code": "140802", "role": "mediator"}]}`, 409, "duplicate_phone", ""},
		{"outside the township", "POST", "/api/admin/members", township, `{"phone": "13900000299", "name": "甲", "assignments": [{"unit_code": "140802002", "role": "mediator"}]}`, 403, "forbidden", ""},
		{"list outside the township", "GET", "/api/admin/members?unit=140802002", township, "", 403, "forbidden", ""},
		{"list by an unknown role", "GET", "/api/admin/members?role=mayor", county, "", 400, "bad_request", "role"},
		{"list too long a page", "GET", "/api/admin/members?limit=501", county, "", 400, "bad_request", "limit"},
		{"assign a member of no number", "POST", "/api/admin/members/x/assignments", county, `{"unit_code": "140802", "role": "mediator"}`, 404, "not_found", ""},
		{"assign a member who does not exist", "POST", "/api/admin/members/999999/assignments", county, `{"unit_code": "140802", "role": "mediator"}`, 404, "not_found", ""},
		{"assign at the wrong level", "POST", "/api/admin/members/" + id(added) + "/assignments", township, `{"unit_code": "140802001", "role": "grid_leader"}`, 400, "bad_request", "role"},
		{"assign outside", "POST", "/api/admin/members/" + id(added) + "/assignments", township, `{"unit_code": "140802002", "role": "mediator"}`, 403, "forbidden", ""},
		{"unassign what is not there", "DELETE", "/api/admin/members/" + id(added) + "/assignments/140802001001001/grid_worker", township, "", 404, "not_found", ""},
		{"unassign an unknown role", "DELETE", "/api/admin/members/" + id(added) + "/assignments/140802001001002/mayor", township, "", 400, "bad_request", "role"},
		{"move to the wrong level", "POST", "/api/admin/members/" + id(added) + "/move", township, `{"unit_code": "140802001001002", "role": "grid_worker", "to": "140802001001"}`, 400, "bad_request", "role"},
		{"move outside", "POST", "/api/admin/members/" + id(added) + "/move", township, `{"unit_code": "140802001001002", "role": "grid_worker", "to": "140802002"}`, 403, "forbidden", ""},
		{"deactivate a member outside", "POST", "/api/admin/members/" + id(other) + "/deactivate", township, "", 403, "forbidden", ""},
		{"reset a member outside", "POST", "/api/admin/members/" + id(other) + "/password-reset", township, "", 403, "forbidden", ""},
		{"release the phone of an active member", "POST", "/api/admin/members/" + id(added) + "/release-phone", township, "", 400, "bad_request", ""},
	} {
		tc.check(t, fx.base)
	}

	// Assign, move and unassign: the member's assignments follow.
	for _, step := range []struct{ method, path, body string }{
		{"POST", "/assignments", `{"unit_code": "140802001001", "role": "mediator"}`},
		{"POST", "/move", `{"unit_code": "140802001001002", "role": "grid_worker", "to": "140802001001001"}`},
		{"DELETE", "/assignments/140802001001/mediator", ""},
	} {
		if r := call(t, step.method, fx.base+"/api/admin/members/"+id(added)+step.path, township, step.body); r.status != http.StatusNoContent {
			t.Fatalf("%s %s: %d %v", step.method, step.path, r.status, r.body)
		}
	}
	list := call(t, "GET", fx.base+"/api/admin/members?q="+url.QueryEscape("王芳")+"&unit=140802001001001&role=grid_worker", township, "")
	members, _ := list.body["members"].([]any)
	if list.status != http.StatusOK || list.body["total"] != 1.0 || len(members) != 1 {
		t.Fatalf("search: %d %v", list.status, list.body)
	}
	if as := members[0].(map[string]any)["assignments"].([]any); len(as) != 1 || as[0].(map[string]any)["unit_code"] != "140802001001001" ||
		as[0].(map[string]any)["unit_name"] != "东阜村第1网格" {
		t.Fatalf("assignments after the moves: %v", as)
	}
	// The township administrator does not see the other township's mediator; the county's does.
	if r := call(t, "GET", fx.base+"/api/admin/members?q=13900000203", township, ""); r.body["total"] != 0.0 {
		t.Fatalf("township admin sees a member outside: %v", r.body)
	}
	if r := call(t, "GET", fx.base+"/api/admin/members?q=13900000203", county, ""); r.body["total"] != 1.0 {
		t.Fatalf("county admin: %v", r.body)
	}

	// Deactivate; the number stays the member's until released.
	if r := call(t, "POST", fx.base+"/api/admin/members/"+id(other)+"/deactivate", county, ""); r.status != http.StatusNoContent {
		t.Fatalf("deactivate: %d %v", r.status, r.body)
	}
	for _, tc := range []refusal{
		{"deactivate twice", "POST", "/api/admin/members/" + id(other) + "/deactivate", county, "", 409, "deactivated", ""},
		{"assign a deactivated member", "POST", "/api/admin/members/" + id(other) + "/assignments", county, `{"unit_code": "140802", "role": "mediator"}`, 409, "deactivated", ""},
		{"register a held number", "POST", "/api/admin/members", county, `{"phone": "13900000203", "name": "乙", "assignments": [{"unit_code": "140802", "role": "mediator"}]}`, 409, "phone_held", ""},
	} {
		tc.check(t, fx.base)
	}
	if r := call(t, "POST", fx.base+"/api/admin/members/"+id(other)+"/release-phone", county, ""); r.status != http.StatusNoContent {
		t.Fatalf("release: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", fx.base+"/api/admin/members?q=13900000203&inactive=1", county, ""); r.body["total"] != 1.0 ||
		r.body["members"].([]any)[0].(map[string]any)["phone_released"] != true {
		t.Fatalf("released member: %v", r.body)
	}
	_ = worker
}

func TestAdminAuditLog(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	county := fx.member(t, "13900000211", "140802", grid.RoleAdmin)
	township := fx.member(t, "13900000212", "140802001", grid.RoleAdmin)
	fx.member(t, "13900000213", "140802002", grid.RoleMediator)
	m := freshMember(t, fx, "140802001001001")
	for _, tok := range []string{township, county} {
		path := fmt.Sprintf("/api/admin/members/%d/assignments", m.ID)
		if r := call(t, "POST", fx.base+path, tok, `{"unit_code": "140802001001", "role": "mediator"}`); r.status != http.StatusNoContent {
			t.Fatalf("assign: %d %v", r.status, r.body)
		}
	}
	if r := call(t, "POST", fx.base+"/api/admin/members/"+fmt.Sprint(memberID(t, fx, "13900000213"))+"/deactivate", county, ""); r.status != http.StatusNoContent {
		t.Fatalf("deactivate: %d %v", r.status, r.body)
	}
	r := call(t, "GET", fx.base+fmt.Sprintf("/api/admin/audit?member=%d&action=assignment.add", m.ID), township, "")
	entries, _ := r.body["entries"].([]any)
	if r.status != http.StatusOK || len(entries) != 2 {
		t.Fatalf("audit: %d %v", r.status, r.body)
	}
	if e := entries[0].(map[string]any); e["actor_name"] != "成员0211" || e["member_name"] != "新成员" || e["action"] != "assignment.add" {
		t.Fatalf("newest entry: %v", e)
	}
	page := call(t, "GET", fx.base+fmt.Sprintf("/api/admin/audit?limit=1&before=%v", entries[0].(map[string]any)["id"]), township, "")
	if got := page.body["entries"].([]any); len(got) != 1 || got[0].(map[string]any)["id"] != entries[1].(map[string]any)["id"] {
		t.Fatalf("next page: %v", page.body)
	}
	// The other township's deactivation is the county's to read.
	if r := call(t, "GET", fx.base+"/api/admin/audit?action=member.deactivate", township, ""); len(r.body["entries"].([]any)) != 0 {
		t.Fatalf("township admin reads outside: %v", r.body)
	}
	if r := call(t, "GET", fx.base+"/api/admin/audit?action=member.deactivate", county, ""); len(r.body["entries"].([]any)) != 1 {
		t.Fatalf("county admin: %v", r.body)
	}
	for _, tc := range []refusal{
		{"bad action", "GET", "/api/admin/audit?action=DROP%20TABLE", county, "", 400, "bad_request", "action"},
		{"bad page", "GET", "/api/admin/audit?before=-1", county, "", 400, "bad_request", "before"},
		{"too long a page", "GET", "/api/admin/audit.csv?limit=1001", county, "", 400, "bad_request", "limit"},
	} {
		tc.check(t, fx.base)
	}
	status, header, raw := do(t, "GET", fx.base+"/api/admin/audit.csv", county, nil)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(string(raw), "\ufeffid,at,actor_id,actor_name,action,member_id,member_name,units,detail") || len(lines) < 4 {
		t.Fatalf("CSV: %d %s %q", status, header.Get("Content-Type"), raw)
	}
}
