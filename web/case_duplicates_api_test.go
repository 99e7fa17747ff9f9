package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
)

// Duplicates over HTTP (docs/cases-api.md): the case's centre only, bounded input with specific
// statuses, and merge as a transition with merge_into.
func TestDuplicatesAPI(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	main := fx.caseID
	dup := fx.report(t, "同一条排水沟的纠纷") // same place and category
	fx.caseID = dup
	id := strconv.FormatInt(main, 10)
	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"the centre's mediator", fx.village, http.StatusOK},
		{"the township reads it but is not its centre", fx.township, http.StatusForbidden},
		{"a supervisor above", fx.supervisor, http.StatusForbidden},
		{"the reporter", fx.token, http.StatusForbidden},
		{"a neighbouring village", fx.neighbour, http.StatusNotFound},
		{"no session", "", http.StatusUnauthorized},
	} {
		t.Run("suggestions: "+tc.name, func(t *testing.T) {
			r := call(t, "GET", fx.base+"/api/cases/"+id+"/duplicates", tc.token, "")
			if r.status != tc.status || (r.status >= 400 && r.body["error"] == nil) {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
		})
	}
	r := call(t, "GET", fx.base+"/api/cases/"+id+"/duplicates", fx.village, "")
	list, _ := r.body["duplicates"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != float64(dup) || r.body["metres"] != float64(100) || r.body["hours"] != float64(72) {
		t.Fatalf("suggestions: %v", r.body)
	}
	if r := call(t, "GET", fx.base+"/api/centres/140802001001/duplicates", fx.village, ""); r.status != http.StatusOK ||
		fmt.Sprint(r.body["counts"]) != fmt.Sprintf("map[%d:1 %d:1]", main, dup) {
		t.Fatalf("counts: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", fx.base+"/api/centres/140802001001/duplicates", fx.supervisor, ""); r.status != http.StatusForbidden {
		t.Fatalf("counts for a supervisor: %d", r.status)
	}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"no other", `{}`, http.StatusBadRequest},
		{"itself", `{"other": ` + id + `}`, http.StatusBadRequest},
		{"not JSON", `other`, http.StatusBadRequest},
		{"unknown field", `{"other": 1, "x": 1}`, http.StatusBadRequest},
		{"no such case", `{"other": 999999}`, http.StatusForbidden},
	} {
		t.Run("distinct: "+tc.name, func(t *testing.T) {
			r := call(t, "POST", fx.base+"/api/cases/"+id+"/distinct", fx.village, tc.body)
			if r.status != tc.status || r.body["error"] == nil {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
		})
	}
	for _, tc := range []struct {
		name, action, extra string
		status              int
	}{
		{"merge without a main case", "merge", ``, http.StatusBadRequest},
		{"merge into itself", "merge", `, "merge_into": ` + strconv.FormatInt(dup, 10), http.StatusBadRequest},
		{"merge into no case", "merge", `, "merge_into": 999999`, http.StatusBadRequest},
		{"merge_into on accept", "accept", `, "merge_into": ` + id, http.StatusBadRequest},
		{"merge_into not a number", "merge", `, "merge_into": "x"`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := fx.act(t, fx.village, tc.action, "", tc.extra); r.status != tc.status || r.body["error"] == nil {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
		})
	}
	if r := fx.act(t, fx.supervisor, "merge", "", `, "merge_into": `+id); r.status != http.StatusForbidden {
		t.Fatalf("merge by a supervisor: %d %v", r.status, r.body)
	}
	if r := fx.act(t, fx.village, "merge", "同一件事", `, "merge_into": `+id); r.status != http.StatusOK {
		t.Fatalf("merge: %d %v", r.status, r.body)
	}
	r = call(t, "GET", fx.base+"/api/my/reports", fx.token, "")
	found := false
	for _, x := range r.body["reports"].([]any) {
		m := x.(map[string]any)
		if m["case_id"] == float64(dup) {
			found = m["merged_into"] == float64(main) && m["main_state"] == "queued" && m["state"] == "closed"
		}
	}
	if !found {
		t.Fatalf("my reports do not say the duplicate was merged: %v", r.body)
	}
	r = call(t, "POST", fx.base+"/api/cases/"+id+"/distinct", fx.village, `{"other": `+strconv.FormatInt(dup, 10)+`}`)
	if r.status != http.StatusNoContent {
		t.Fatalf("distinct with a merged case of the centre: %d", r.status)
	}
}
