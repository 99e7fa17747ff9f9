package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

func TestAdministratorsEditTheRoutingCatalogue(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	admin := fx.member(t, "13900000031", "140802", grid.RoleAdmin)
	mediator := fx.member(t, "13900000032", "140802", grid.RoleMediator)
	r := call(t, "GET", fx.base+"/api/admin/categories", admin, "")
	list, _ := r.body["categories"].([]any)
	if r.status != http.StatusOK || len(list) < 30 {
		t.Fatalf("list: %d %v", r.status, r.body)
	}
	const neighbour = `{"code": "neighbour", "group": "dispute", "name_zh": "邻里纠纷", "name_en": "Neighbour dispute",
		"start_level": 3, "grid_may_close": true, "auto_escalate": true, "active": true,
		"deadlines": {"village_s": 259200, "township_s": 604800, "county_s": 1209600, "urgent_s": 3600, "verify_s": 172800}}`
	for _, tc := range []struct {
		name, token, path, body string
		status                  int
	}{
		{"a mediator", mediator, "neighbour", neighbour, http.StatusForbidden},
		{"no session", "", "neighbour", neighbour, http.StatusUnauthorized},
		{"code differs from the path", admin, "rubbish", neighbour, http.StatusBadRequest},
		{"zero deadline", admin, "neighbour", strings.Replace(neighbour, `"village_s": 259200`, `"village_s": 0`, 1), http.StatusBadRequest},
		{"negative deadline", admin, "neighbour", strings.Replace(neighbour, `"urgent_s": 3600`, `"urgent_s": -5`, 1), http.StatusBadRequest},
		{"no verification time", admin, "neighbour", strings.Replace(neighbour, `, "verify_s": 172800`, "", 1), http.StatusBadRequest},
		{"start tier 4", admin, "neighbour", strings.Replace(neighbour, `"start_level": 3`, `"start_level": 4`, 1), http.StatusBadRequest},
		{"bad code", admin, "Neighbour", strings.Replace(neighbour, `"neighbour"`, `"Neighbour"`, 1), http.StatusBadRequest},
		{"unknown field", admin, "neighbour", strings.Replace(neighbour, `"active"`, `"enabled"`, 1), http.StatusBadRequest},
		{"saved", admin, "neighbour", neighbour, http.StatusOK},
		{"a new category", admin, "stray_dogs", strings.NewReplacer(`"neighbour"`, `"stray_dogs"`, "邻里纠纷", "流浪犬", "Neighbour dispute", "Stray dogs").Replace(neighbour), http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := call(t, "PUT", fx.base+"/api/admin/categories/"+tc.path, tc.token, tc.body); r.status != tc.status {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
		})
	}
	var village, urgent, notices int
	ctx := context.Background()
	if err := fx.pool.QueryRow(ctx, `SELECT village_deadline_s, urgent_deadline_s FROM categories WHERE code = 'neighbour'`).Scan(&village, &urgent); err != nil {
		t.Fatal(err)
	}
	if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE subject = 'catalogue.changed'`).Scan(&notices); err != nil {
		t.Fatal(err)
	}
	if village != 259200 || urgent != 3600 || notices != 2 {
		t.Fatalf("neighbour deadlines %d/%d, %d change notices; want 259200/3600 and 2", village, urgent, notices)
	}
	// Each saved category is in the audit log, which the county's administrators read.
	r = call(t, "GET", fx.base+"/api/admin/audit?action=category.save", admin, "")
	entries, _ := r.body["entries"].([]any)
	if r.status != http.StatusOK || len(entries) != 2 {
		t.Fatalf("audit of the catalogue: %d %v", r.status, r.body)
	}
	newest := entries[0].(map[string]any)
	if detail, _ := newest["detail"].(map[string]any); detail["code"] != "stray_dogs" || newest["actor_name"] == "" {
		t.Fatalf("the newest catalogue entry: %v", newest)
	}
}
