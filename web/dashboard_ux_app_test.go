package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// uxFigures are the county's figures options in these tests: not the defaults, so that what
// the dashboard shows can only have come from the server.
var uxFigures = web.FiguresOptions{RankingMinCases: 3, MapBands: []float64{80, 90, 95}}

// uxCounty is a township whose supervisor reads the dashboard (issue 15, points 8-10, 12):
// village 140802001001 has three cases, all closed (two neighbour disputes mediated, a road
// repair settled "mediated" by mistake); village 140802001002 has one open case of today and one
// received 40 days ago, still open (积案, not overdue).
type uxCounty struct {
	*fixture
	supervisor string
	old        int64 // the case received 40 days ago
}

func newUXCounty(t *testing.T, opts ...fixtureOption) *uxCounty {
	t.Helper()
	ctx := context.Background()
	figures := uxFigures
	fx := newFixture(t, append(opts, withLive(), withConfig(func(c *web.Config) { c.Figures = &figures }))...)
	u := &uxCounty{fixture: fx, supervisor: fx.member(t, "13900000061", "140802001", grid.RoleSupervisor)}
	fx.member(t, "13900000062", "140802001001", grid.RoleMediator)
	worker, mediator := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000062")
	cases := dispatch.NewCases(fx.pool)
	report := func(category string, lon, lat float64) int64 {
		t.Helper()
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker,
			Category: category, Severity: "normal", Description: "村道路面塌陷", Lon: lon, Lat: lat,
			HappenedAt: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return rc.CaseID
	}
	closeCase := func(id int64) {
		t.Helper()
		for _, step := range []dispatch.Transition{
			{Action: dispatch.ActAccept, ActorID: mediator},
			{Action: dispatch.ActMediate, ActorID: mediator, Reason: "约双方面谈"},
			{Action: dispatch.ActSettle, ActorID: mediator, Reason: "已处理", Outcome: dispatch.OutcomeMediated},
			{Action: dispatch.ActVerify, ActorID: worker},
		} {
			if err := fx.pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, id).Scan(&step.Version); err != nil {
				t.Fatal(err)
			}
			step.CaseID = id
			if _, err := cases.Apply(ctx, step); err != nil {
				t.Fatalf("case %d: %s: %v", id, step.Action, err)
			}
		}
	}
	for _, id := range []int64{report("neighbour", 111.02, 35.02), report("neighbour", 111.07, 35.05), report("road", 111.03, 35.08)} {
		closeCase(id)
	}
	report("neighbour", 111.05, 35.15)
	u.old = report("neighbour", 111.06, 35.16)
	// Every transition counted, then the old case moved 40 days back and the counters rebuilt
	// from the history (as `demo load --history` does).
	gridtest.Eventually(t, "the five cases counted", func() bool {
		r := call(t, "GET", fx.base+"/api/stats/summary?unit=140802001", u.supervisor, "")
		return r.body["received"] == 5.0 && r.body["closed"] == 3.0
	})
	for _, q := range []string{`UPDATE case_history SET at = at - interval '40 days' WHERE case_id = $1`,
		`UPDATE cases SET opened_at = opened_at - interval '40 days', deadline_at = now() + interval '1 day' WHERE id = $1`} {
		if _, err := fx.pool.Exec(ctx, q, u.old); err != nil {
			t.Fatal(err)
		}
	}
	if err := dispatch.RebuildStats(ctx, fx.pool); err != nil {
		t.Fatal(err)
	}
	return u
}

func (u *uxCounty) get(t *testing.T, path string) response {
	t.Helper()
	r := call(t, "GET", u.base+path, u.supervisor, "")
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %v", path, r.status, r.body)
	}
	return r
}

// TestDashboardFiguresForALeader checks the server's side of issue 15's dashboard points: the
// figures options in the scope, 积案 apart from 在办, the ranking minimum, 调解成功率 only for
// disputes, every week of a trend with the unfinished one marked, and unit codes kept as text
// in CSV and Excel files.
func TestDashboardFiguresForALeader(t *testing.T) {
	t.Parallel()
	u := newUXCounty(t)
	today := dispatch.StatsToday(time.Now())
	day := func(d time.Time) string { return d.Format(time.DateOnly) }
	sixty := "from=" + day(today.AddDate(0, 0, -59)) + "&to=" + day(today)

	if f := u.get(t, "/api/stats/scope").body["figures"]; fmt.Sprint(f) != "map[aged_days:30 map_bands:[80 90 95] ranking_min_cases:3]" {
		t.Errorf("scope's figures: %v", f)
	}
	s := u.get(t, "/api/stats/summary?unit=140802001&"+sixty).body
	if s["received"] != 5.0 || s["open"] != 2.0 || s["overdue"] != 0.0 || s["aged"] != 1.0 || s["aged_days"] != 30.0 {
		t.Errorf("60 days: received %v, 在办 %v, overdue %v, 积案 %v (N %v); want 5, 2, 0, 1 (30)",
			s["received"], s["open"], s["overdue"], s["aged"], s["aged_days"])
	}
	if s := u.get(t, "/api/stats/summary?unit=140802001001&category=road").body; s["closed"] != 1.0 || s["mediation_success_rate"] != nil {
		t.Errorf("a road repair's mediation success: %v (closed %v), want null", s["mediation_success_rate"], s["closed"])
	}
	ranked := map[string]any{}
	units := u.get(t, "/api/stats/units?unit=140802001")
	for _, r := range units.body["units"].([]any) {
		r := r.(map[string]any)
		ranked[r["code"].(string)] = r["ranked"]
	}
	if units.body["ranking_min_cases"] != 3.0 || ranked["140802001001"] != true || ranked["140802001002"] != false {
		t.Errorf("ranked %v with minimum %v; want the village of 3 cases ranked, that of 1 not", ranked, units.body["ranking_min_cases"])
	}
	med := map[string]any{}
	for _, r := range u.get(t, "/api/stats/categories?unit=140802001").body["categories"].([]any) {
		r := r.(map[string]any)
		med[r["code"].(string)] = r["mediation_success_rate"]
	}
	if med["neighbour"] != 1.0 || med["road"] != nil {
		t.Errorf("mediation success by category: %v; want neighbour 1, road null", med)
	}

	// Trends: every week (month) meeting the period, the empty ones too; the last one holds
	// today and is not over, the first is cut by the period.
	for _, tc := range []struct {
		by    string
		first time.Time
		n     int
	}{
		{"week", today.AddDate(0, 0, -59), weeksMeeting(today.AddDate(0, 0, -59), today)},
		{"month", today.AddDate(0, 0, -59), monthsMeeting(today.AddDate(0, 0, -59), today)},
	} {
		pts := u.get(t, "/api/stats/trend?unit=140802001&by="+tc.by+"&"+sixty).body["points"].([]any)
		var received float64
		empty := 0
		for _, p := range pts {
			received += p.(map[string]any)["received"].(float64)
			if p.(map[string]any)["received"] == 0.0 {
				empty++
			}
		}
		first, last := pts[0].(map[string]any), pts[len(pts)-1].(map[string]any)
		if len(pts) != tc.n || received != 5 || (tc.by == "week" && empty < 6) || first["from"] != day(tc.first) ||
			last["to"] != day(today) || last["current"] != true || last["partial"] != true || first["partial"] != (day(tc.first) != day(periodStartOf(tc.first, tc.by))) {
			t.Errorf("by %s: %d points (want %d), %v received, %d empty; first %v, last %v", tc.by, len(pts), tc.n, received, empty, first, last)
		}
		for _, p := range pts[:len(pts)-1] {
			if p.(map[string]any)["current"] != false {
				t.Errorf("by %s: a past point is current: %v", tc.by, p)
			}
		}
	}

	// Files: unit codes stay text in CSV (="…", which Excel and WPS show as the digits) and
	// in Excel (string cells).
	status, _, raw := do(t, "GET", u.base+"/api/stats/units?unit=140802001&format=csv", u.supervisor, nil)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
	if status != http.StatusOK || err != nil || len(recs) != 3 || recs[1][0] != `="140802001001"` || !bytes.Contains(raw, []byte(`"=""140802001001"""`)) {
		t.Errorf("units CSV: %d %v\n%s", status, err, raw)
	}
	status, _, raw = do(t, "GET", u.base+"/api/stats/units?unit=140802001&format=xlsx", u.supervisor, nil)
	book, err := excelize.OpenReader(bytes.NewReader(raw))
	if status != http.StatusOK || err != nil {
		t.Fatalf("units xlsx: %d %v", status, err)
	}
	typ, err := book.GetCellType(book.GetSheetName(0), "A2")
	v, _ := book.GetCellValue(book.GetSheetName(0), "A2")
	if err != nil || v != "140802001001" || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
		t.Errorf("the xlsx code cell: %q of type %v (%v), want a string", v, typ, err)
	}
}

func weeksMeeting(from, to time.Time) int {
	monday := from.AddDate(0, 0, -(int(from.Weekday())+6)%7)
	return int(to.Sub(monday).Hours()/24)/7 + 1
}

func monthsMeeting(from, to time.Time) int {
	return (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
}

func periodStartOf(d time.Time, by string) time.Time {
	if by == "week" {
		return d.AddDate(0, 0, -(int(d.Weekday())+6)%7)
	}
	return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// TestDashboardUX is issue 15's dashboard points in real Chromium (web/ui/e2e/dashboard_ux.mjs):
// the sign-in form while the charts chunk is held back; the last 30 days by default with every
// week on the trend's x-axis and this week marked as unfinished; the map's bands from the
// server, with a legend and no overlapping names; 积案 and 在办; a village under the ranking
// minimum listed apart; 调解成功率 "—" for a road repair; the unit code cell of the CSV; and
// screenshots at 360 and 1366 px (kept with GRIDDISPATCH_SHOTS=dir).
func TestDashboardUX(t *testing.T) {
	t.Parallel()
	u := newUXCounty(t, withBrowser("dashboard"))
	shots := shotsDir(t)
	if shots == "" {
		shots = t.TempDir()
	}
	bands, _ := json.Marshal(uxFigures.MapBands)
	steps := map[string]map[string]any{}
	browserScript(t, "dashboard_ux.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			s, _ := m["step"].(string)
			steps[s] = m
		}
	}, "BASE_URL="+u.base, "PASSWORD="+password, "PHONE_S=13900000061", "TOWNSHIP=140802001",
		"VILLAGE=140802001001", "OTHER_VILLAGE=140802001002", "BANDS="+string(bands),
		fmt.Sprintf("MIN_CASES=%d", uxFigures.RankingMinCases), "TODAY="+dispatch.StatsToday(time.Now()).Format(time.DateOnly),
		"SHOTS="+shots)
	for _, s := range []string{"split", "period", "map", "words", "csv", "narrow"} {
		if steps[s] == nil {
			t.Fatalf("the script never reported step %q (got %v)", s, steps)
		}
	}
	t.Logf("steps: %v", steps)
}
