package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

func TestAdminRoster(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	county := fx.member(t, "13900000271", "140802", grid.RoleAdmin)
	township := fx.member(t, "13900000272", "140802001", grid.RoleAdmin)

	status, header, raw := do(t, "GET", fx.base+"/api/admin/roster?format=csv", county, nil)
	if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(header.Get("Content-Disposition"), "attachment") || !bytes.HasPrefix(raw, []byte("\ufeff")) ||
		!strings.Contains(string(raw), "13900000001") {
		t.Fatalf("CSV export: %d %v %q", status, header, raw)
	}
	if status, _, raw := do(t, "GET", fx.base+"/api/admin/roster?unit=140802001", township, nil); status != http.StatusOK || !bytes.HasPrefix(raw, []byte("PK")) {
		t.Fatalf("xlsx export: %d %q", status, raw[:min(len(raw), 40)])
	}

	const header_ = "手机号,姓名,单位代码,角色\n"
	bad := header_ + "13900000281,李雷,140802001001001,网格员\n1390000028,韩梅梅,140802001001002,grid_worker\n13900000283,张三,140802001009,mediator\n"
	r := call(t, "POST", fx.base+"/api/admin/roster", county, bad)
	if r.status != http.StatusUnprocessableEntity || r.body["error"] != "roster_refused" || r.body["rows"] != 3.0 || r.body["committed"] != false {
		t.Fatalf("bad roster: %d %v", r.status, r.body)
	}
	var kinds []string
	for _, p := range r.body["problems"].([]any) {
		kinds = append(kinds, p.(map[string]any)["kind"].(string))
	}
	if strings.Join(kinds, " ") != "bad_phone unknown_unit" {
		t.Fatalf("problems: %v", r.body["problems"])
	}
	if n := countOf(t, fx, `SELECT count(*) FROM members WHERE phone = '13900000281'`); n != 0 {
		t.Fatalf("a refused roster registered %d members", n)
	}

	good := header_ + "13900000281,李雷,140802001001001,网格员\n13900000282,韩梅梅,140802001001002,grid_worker\n13900000282,韩梅梅,140802001001,调解员\n"
	r = call(t, "POST", fx.base+"/api/admin/roster?dry_run=1", township, good)
	if r.status != http.StatusOK || r.body["dry_run"] != true || r.body["members_added"] != 2.0 || r.body["assignments_added"] != 3.0 ||
		len(r.body["codes"].([]any)) != 0 {
		t.Fatalf("dry run: %d %v", r.status, r.body)
	}
	r = call(t, "POST", fx.base+"/api/admin/roster", township, good)
	codes, _ := r.body["codes"].([]any)
	if r.status != http.StatusOK || r.body["committed"] != true || len(codes) != 2 {
		t.Fatalf("import: %d %v", r.status, r.body)
	}
	code := codes[0].(map[string]any)
	if in := signIn(t, fx.base, code["phone"].(string), code["code"].(string)); in.status != http.StatusCreated ||
		in.body["member"].(map[string]any)["must_change_password"] != true {
		t.Fatalf("sign in with a roster code: %d %v", in.status, in.body)
	}

	outside := header_ + "13900000284,王五,140802002,mediator\n"
	r = call(t, "POST", fx.base+"/api/admin/roster?dry_run=1", township, outside)
	if ps, _ := r.body["problems"].([]any); r.status != http.StatusUnprocessableEntity || len(ps) != 1 || ps[0].(map[string]any)["kind"] != "out_of_scope" {
		t.Fatalf("a row outside the township: %d %v", r.status, r.body)
	}
	r = call(t, "POST", fx.base+"/api/admin/roster?dry_run=1", county, "手机号,姓名,单位代码\n13900000285,赵六,140802\n")
	if ps, _ := r.body["problems"].([]any); r.status != http.StatusUnprocessableEntity || len(ps) == 0 || ps[0].(map[string]any)["kind"] != "bad_header" {
		t.Fatalf("a bad header: %d %v", r.status, r.body)
	}
	for _, tc := range []refusal{
		{"export outside", "GET", "/api/admin/roster?unit=140802002", township, "", 403, "forbidden", ""},
		{"export as PDF", "GET", "/api/admin/roster?format=pdf", county, "", 400, "bad_request", "format"},
		{"not a workbook", "POST", "/api/admin/roster?format=xlsx", county, "phone,name\n", 400, "bad_request", ""},
	} {
		tc.check(t, fx.base)
	}
}
