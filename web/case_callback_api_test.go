package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestCallbackOverHTTP: a verified case is in its centre's 回访 queue; the centre's mediator
// records the party's satisfaction (a bad or missing one is refused with the field's error);
// the case page, the history and the reporter's list show the result; 不满意 reopens the case
// in the centre's queue.
func TestCallbackOverHTTP(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	for _, step := range []struct{ token, action, reason, extra string }{
		{fx.village, "accept", "", ""},
		{fx.village, "mediate", "召集双方调解", ""},
		{fx.village, "settle", "达成协议", `, "outcome": "mediated"`},
		{fx.token, "verify", "已核实", ""},
	} {
		if r := fx.act(t, step.token, step.action, step.reason, step.extra); r.status != http.StatusOK {
			t.Fatalf("%s: %d %v", step.action, r.status, r.body)
		}
	}
	callbacks := func(token string) response {
		return call(t, "GET", fx.base+"/api/centres/140802001001/callbacks", token, "")
	}
	r := callbacks(fx.village)
	if cases, _ := r.body["cases"].([]any); r.status != http.StatusOK || len(cases) != 1 ||
		cases[0].(map[string]any)["callback"] != "pending" || cases[0].(map[string]any)["callback_due_at"] == nil {
		t.Fatalf("回访 queue: %d %v", r.status, r.body)
	}
	if r := callbacks(fx.neighbour); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Fatalf("another village's mediator reads the 回访 queue: %d", r.status)
	}
	if r := call(t, "GET", fx.base+"/api/centres/140802001001/callbacks?limit=x", fx.village, ""); r.status != http.StatusBadRequest {
		t.Fatalf("limit=x: %d", r.status)
	}
	for _, tc := range []struct {
		name, token, action, reason, extra string
		status                             int
		code                               string
	}{
		{"no satisfaction", fx.village, "callback", "电话回访", "", http.StatusBadRequest, "bad_request"},
		{"unknown satisfaction", fx.village, "callback", "电话回访", `, "satisfaction": "happy"`, http.StatusBadRequest, "bad_request"},
		{"no note", fx.village, "callback", "", `, "satisfaction": "satisfied"`, http.StatusBadRequest, "bad_request"},
		{"the reporter", fx.token, "callback", "满意", `, "satisfaction": "satisfied"`, http.StatusForbidden, "forbidden"},
		{"the tier above", fx.township, "callback", "满意", `, "satisfaction": "satisfied"`, http.StatusForbidden, "forbidden"},
		{"the timer's action", fx.village, "callback_lapse", "逾期", "", http.StatusBadRequest, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := fx.act(t, tc.token, tc.action, tc.reason, tc.extra); r.status != tc.status || r.body["error"] != tc.code {
				t.Fatalf("%d %v; want %d %s", r.status, r.body, tc.status, tc.code)
			}
		})
	}
	if r := fx.act(t, fx.village, "callback_try", ""); r.status != http.StatusOK {
		t.Fatalf("a try: %d %v", r.status, r.body)
	}
	r = fx.act(t, fx.village, "callback", "当事人不满意：排水沟仍未疏通", `, "satisfaction": "dissatisfied"`)
	if r.status != http.StatusOK || r.body["case"].(map[string]any)["state"] != "accepted" {
		t.Fatalf("不满意: %d %v", r.status, r.body)
	}
	if r := fx.act(t, fx.village, "callback", "再次回访", `, "satisfaction": "satisfied"`); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a callback on a reopened case: %d %v", r.status, r.body)
	}
	page := call(t, "GET", fx.caseURL(""), fx.village, "")
	c := page.body["case"].(map[string]any)
	if c["state"] != "accepted" || c["callback"] != "dissatisfied" || c["callback_tries"] != float64(1) {
		t.Fatalf("case page after 不满意: %v", c)
	}
	var results []string
	for _, h := range page.body["history"].([]any) {
		h := h.(map[string]any)
		results = append(results, fmt.Sprint(h["transition"], ":", h["callback_result"]))
	}
	if got := fmt.Sprint(results); got != "[reported:<nil> accept:<nil> mediate:<nil> settle:<nil> verify:<nil> callback_try:<nil> callback:dissatisfied]" {
		t.Fatalf("history: %s", got)
	}
	if cases := callbacks(fx.village).body["cases"].([]any); len(cases) != 0 {
		t.Fatalf("the 回访 queue still lists it: %v", cases)
	}
	if cases := call(t, "GET", fx.base+"/api/centres/140802001001/queue", fx.village, "").body["cases"].([]any); len(cases) != 1 {
		t.Fatalf("the reopened case is not back in the centre's queue: %v", cases)
	}
	mine := call(t, "GET", fx.base+"/api/my/reports", fx.token, "")
	if reports := mine.body["reports"].([]any); len(reports) == 0 || reports[0].(map[string]any)["callback"] != "dissatisfied" {
		t.Fatalf("the reporter's list: %v", mine.body)
	}

	// The figures: one callback ended, reached, not satisfied; the 不满意 reopened the case, so it
	// no longer counts as closed. The rankings carry both rates.
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	query := "?unit=140802001&from=" + today + "&to=" + today
	var sum map[string]any
	gridtest.Eventually(t, "the callback counted", func() bool {
		sum = call(t, "GET", fx.base+"/api/stats/summary"+query, fx.supervisor, "").body
		return sum["callbacks"] == float64(1)
	})
	if sum["callbacks_reached"] != float64(1) || sum["satisfied"] != float64(0) || sum["callback_rate"] != float64(1) ||
		sum["satisfaction_rate"] != float64(0) || sum["closed"] != float64(0) {
		t.Fatalf("summary after 不满意: %v", sum)
	}
	units := call(t, "GET", fx.base+"/api/stats/units"+query, fx.supervisor, "")
	found := false
	for _, u := range units.body["units"].([]any) {
		u := u.(map[string]any)
		if u["code"] == "140802001001" {
			found = u["satisfaction_rate"] == float64(0) && u["callback_rate"] == float64(1)
		}
	}
	if !found {
		t.Fatalf("rankings without the callback rates: %v", units.body)
	}
}
