package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestMyReportsPagesAndSearch: GET /api/my/reports pages past its limit with next_before,
// finds a report by text or case number, and carries each report's description and severity;
// a cursor or search never reaches another member's reports.
func TestMyReportsPagesAndSearch(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	worker := fx.memberID(t, "13900000001")
	var cases []int64
	for i := range 5 {
		sev := "normal"
		if i == 3 {
			sev = "urgent"
		}
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker, Category: "neighbour",
			Severity: sev, Description: fmt.Sprintf("第%d件：Drain blocked", i), Lon: 111.02, Lat: 35.02, HappenedAt: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, rc.CaseID)
	}
	seen := []string{}
	next := ""
	for page := 0; ; page++ {
		r := call(t, "GET", fx.base+"/api/my/reports?limit=2"+next, fx.token, "")
		if r.status != 200 || page > 3 {
			t.Fatalf("page %d: %d %v", page, r.status, r.body)
		}
		for _, x := range r.body["reports"].([]any) {
			seen = append(seen, x.(map[string]any)["description"].(string))
		}
		nb, more := r.body["next_before"].(float64)
		if !more {
			break
		}
		next = fmt.Sprintf("&before=%d", int64(nb))
	}
	want := "[第4件：Drain blocked 第3件：Drain blocked 第2件：Drain blocked 第1件：Drain blocked 第0件：Drain blocked]"
	if fmt.Sprint(seen) != want {
		t.Fatalf("paged: %v, want %s", seen, want)
	}
	search := func(token, q string) []any {
		t.Helper()
		r := call(t, "GET", fx.base+"/api/my/reports?q="+q, token, "")
		if r.status != 200 {
			t.Fatalf("q=%s: %d %v", q, r.status, r.body)
		}
		return r.body["reports"].([]any)
	}
	if got := search(fx.token, "%E7%AC%AC3%E4%BB%B6"); len(got) != 1 || got[0].(map[string]any)["severity"] != "urgent" { // 第3件
		t.Fatalf("by text: %v", got)
	}
	if got := search(fx.token, "drain"); len(got) != 5 {
		t.Fatalf("any case: %d", len(got))
	}
	if got := search(fx.token, fmt.Sprintf("%%23%d", cases[1])); len(got) != 1 || got[0].(map[string]any)["case_id"] != float64(cases[1]) {
		t.Fatalf("by case number: %v", got)
	}
	if got := search(fx.token, "nothing-like-it"); len(got) != 0 {
		t.Fatalf("no match: %v", got)
	}
	// Another member: neither their search nor a cursor of the worker's reaches these.
	other := fx.member(t, "13900000020", "140802001001002", grid.RoleGridWorker)
	if got := search(other, "drain"); len(got) != 0 {
		t.Fatalf("another member's search: %v", got)
	}
	r := call(t, "GET", fx.base+fmt.Sprintf("/api/my/reports?before=%d", cases[4]), other, "")
	if r.status != 200 || len(r.body["reports"].([]any)) != 0 {
		t.Fatalf("another member's cursor: %d %v", r.status, r.body)
	}
	for _, q := range []string{"?before=0", "?before=x", "?limit=201", "?q=" + string(make([]byte, 0)) + "%00"} {
		if r := call(t, "GET", fx.base+"/api/my/reports"+q, fx.token, ""); r.status != 400 || r.body["error"] != "bad_request" {
			t.Fatalf("%s: %d %v", q, r.status, r.body)
		}
	}
	long := make([]byte, 101)
	for i := range long {
		long[i] = 'a'
	}
	if r := call(t, "GET", fx.base+"/api/my/reports?q="+string(long), fx.token, ""); r.status != 400 || r.body["field"] != "q" {
		t.Fatalf("long q: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", fx.base+"/api/my/reports?q=drain", "", ""); r.status != 401 {
		t.Fatalf("no session: %d", r.status)
	}
}
