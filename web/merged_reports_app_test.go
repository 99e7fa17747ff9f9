package web_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestConsoleAndDashboardShowMergedReports is 并单 after the merge, in real Chromium: two
// reports merged into a main case are listed on its page (已并入的上报 (2)), a merged report's
// page links back to its main case, and the township supervisor's dashboard shows 并单 2 next to
// 受理, as the API answers (docs/console.md, docs/dashboard.md). GRIDDISPATCH_SHOTS=dir keeps screenshots.
func TestConsoleAndDashboardShowMergedReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console", "dashboard"), withLive())
	fx.member(t, "13900000031", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000032", "140802001001001", grid.RoleGridWorker)
	fx.member(t, "13900000051", "140802001", grid.RoleSupervisor)
	mediator, second, worker := fx.memberID(t, "13900000031"), fx.memberID(t, "13900000032"), fx.memberID(t, "13900000001")
	cases := dispatch.NewCases(fx.pool)
	report := func(reporter int64, description string, lat float64) int64 {
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: reporter,
			Category: "neighbour", Severity: "normal", Description: description, Lon: 111.02, Lat: lat,
			HappenedAt: time.Now().Add(-time.Hour)})
		if err != nil || rc.CaseID == 0 {
			t.Fatalf("report: %+v %v", rc, err)
		}
		return rc.CaseID
	}
	main := report(worker, "两户因排水沟堵塞发生争执，已动手推搡", 35.02)
	dups := []int64{report(second, "村东头排水沟两家吵起来了", 35.0202), report(worker, "排水沟纠纷又有人打电话来说", 35.0201)}
	report(worker, "另一起邻里纠纷，不是重复", 35.03)
	for _, d := range dups {
		if _, err := cases.Apply(ctx, dispatch.Transition{CaseID: d, Version: 1, Action: dispatch.ActMerge,
			ActorID: mediator, MergeInto: main}); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]string, len(dups))
	for i, d := range dups {
		ids[i] = strconv.FormatInt(d, 10)
	}
	steps := map[string]bool{}
	browserScript(t, "merged_reports.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, ok := m["step"].(string); ok {
				steps[s] = true
			}
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE=13900000031", "PHONE_S=13900000051",
		"MAIN="+strconv.FormatInt(main, 10), "DUPS="+strings.Join(ids, ","), "MERGED=2")
	for _, s := range []string{"listed", "linked", "tile", "done"} {
		if !steps[s] {
			t.Fatalf("the script never reported step %q", s)
		}
	}
}
