package web_test

import (
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

func TestMyReports(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := connect(t, fx.ws, fx.token)
	first, second := newClientID(), newClientID()
	for i, id := range []string{first, second} {
		msg := reportMsg("r", id)
		if i == 1 {
			msg["report"].(map[string]any)["lon"] = 116.4 // far outside: kept for triage
			msg["report"].(map[string]any)["lat"] = 39.9
		}
		if err := c.WriteJSON(msg); err != nil {
			t.Fatal(err)
		}
		if f := read(t, c); f["type"] != "ack" {
			t.Fatalf("report %d: %v", i, f)
		}
	}
	r := call(t, "GET", fx.base+"/api/my/reports", fx.token, "")
	list, _ := r.body["reports"].([]any)
	if r.status != 200 || len(list) != 2 {
		t.Fatalf("my reports: %d %v", r.status, r.body)
	}
	newest, older := list[0].(map[string]any), list[1].(map[string]any)
	if newest["client_id"] != second || newest["located"] != false || newest["case_id"] != nil {
		t.Fatalf("newest: %v", newest)
	}
	if older["client_id"] != first || older["state"] != "queued" || older["centre"] != "140802001001" || older["unit"] != "140802001001001001" {
		t.Fatalf("older: %v", older)
	}
	if r := call(t, "GET", fx.base+"/api/my/reports?limit=1", fx.token, ""); len(r.body["reports"].([]any)) != 1 {
		t.Fatalf("limit=1: %v", r.body)
	}
	for _, q := range []string{"?limit=0", "?limit=1000", "?limit=ten"} {
		if r := call(t, "GET", fx.base+"/api/my/reports"+q, fx.token, ""); r.status != 400 {
			t.Fatalf("%s: %d", q, r.status)
		}
	}
	// Another member sees none of them.
	other := fx.member(t, "13900000020", "140802001001002", grid.RoleGridWorker)
	if r := call(t, "GET", fx.base+"/api/my/reports", other, ""); len(r.body["reports"].([]any)) != 0 {
		t.Fatalf("another member's list: %v", r.body)
	}
	if r := call(t, "GET", fx.base+"/api/my/reports", "", ""); r.status != 401 {
		t.Fatalf("no session: %d", r.status)
	}
}
