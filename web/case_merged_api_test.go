package web_test

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestMergedReportsOnTheMainCase (docs/cases-api.md): the page of a main case lists the reports
// merged into it, oldest first, with their reporter, time, an excerpt and the distance from the
// main case, to staff who read it (not to its reporter reading their own case); the list is
// bounded and merged_total counts them all; a merged report's page names its main case.
func TestMergedReportsOnTheMainCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseAPI(t)
	main := fx.caseID
	fx.member(t, "13900000032", "140802001001001", grid.RoleGridWorker)
	second := fx.memberID(t, "13900000032")
	cases := dispatch.NewCases(fx.pool)
	mediator := fx.memberID(t, "13900000011")
	merge := func(reporter int64, description string, dLat float64) int64 {
		t.Helper()
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: reporter,
			Category: "neighbour", Severity: "normal", Description: description, Lon: 111.02, Lat: 35.02 + dLat,
			HappenedAt: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cases.Apply(ctx, dispatch.Transition{CaseID: rc.CaseID, Version: 1, Action: dispatch.ActMerge,
			ActorID: mediator, MergeInto: main}); err != nil {
			t.Fatal(err)
		}
		return rc.CaseID
	}
	long := ""
	for range 30 {
		long += "排水沟堵塞"
	}
	near := merge(second, long, 0.0002) // about 22 m north
	same := merge(fx.memberID(t, "13900000001"), "同一条排水沟", 0)

	page := func(token string, id int64) response {
		t.Helper()
		r := call(t, "GET", fx.base+"/api/cases/"+strconv.FormatInt(id, 10), token, "")
		if r.status != http.StatusOK {
			t.Fatalf("GET case %d: %d %v", id, r.status, r.body)
		}
		return r
	}
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"the centre's mediator", fx.village, 2},
		{"a supervisor above", fx.supervisor, 2},
		{"the reporter of the main case", fx.token, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := page(tc.token, main)
			list, _ := r.body["merged_reports"].([]any)
			if len(list) != tc.want || r.body["merged_total"] != float64(tc.want) || r.body["merged_into"] != nil {
				t.Fatalf("merged_reports %v, total %v, merged_into %v; want %d", list, r.body["merged_total"], r.body["merged_into"], tc.want)
			}
			if tc.want == 0 {
				return
			}
			first, last := list[0].(map[string]any), list[1].(map[string]any)
			excerpt, _ := first["excerpt"].(string)
			if first["id"] != float64(near) || first["reporter_name"] != "成员0032" || len([]rune(excerpt)) != dispatch.SummaryChars ||
				math.Abs(first["metres"].(float64)-22.2) > 1 || first["received_at"] == nil {
				t.Fatalf("first merged report: %v", first)
			}
			if last["id"] != float64(same) || last["excerpt"] != "同一条排水沟" || last["metres"].(float64) > 0.01 {
				t.Fatalf("second merged report: %v", last)
			}
		})
	}
	if r := page(fx.village, near); r.body["merged_into"] != float64(main) {
		t.Fatalf("the merged report's page: merged_into %v", r.body["merged_into"])
	}
	if r := call(t, "GET", fx.base+"/api/cases/"+strconv.FormatInt(main, 10), fx.neighbour, ""); r.status != http.StatusNotFound {
		t.Fatalf("a neighbouring village's mediator: %d", r.status)
	}

	// The exports carry 并单 beside the other figures: here the village's 2 merged reports.
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	var body []byte
	gridtest.Eventually(t, "the merges counted in the CSV export", func() bool { // the figures follow the bus
		var status int
		status, _, body = do(t, "GET", fx.base+"/api/stats/units?unit=140802001&format=csv&from="+today+"&to="+today, fx.supervisor, nil)
		lines := strings.Split(string(body), "\n")
		return status == http.StatusOK && len(lines) >= 2 && strings.HasSuffix(strings.TrimSpace(lines[0]), ",并单") &&
			strings.HasSuffix(strings.TrimSpace(lines[1]), ",2")
	})

	// Bounded: the list stops at MaxMergedReports, the total does not.
	for i := range dispatch.MaxMergedReports - 1 {
		merge(second, "又一次上报 "+strconv.Itoa(i), 0.0001)
	}
	r := page(fx.village, main)
	if list, _ := r.body["merged_reports"].([]any); len(list) != dispatch.MaxMergedReports || r.body["merged_total"] != float64(dispatch.MaxMergedReports+1) {
		t.Fatalf("%d listed of %v", len(list), r.body["merged_total"])
	}
}
