package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestAppsRenderHostileTextAsText: issue 7's hostile text in real Chromium. A description, a
// transition's notes and parties, a member's name, a category's names (saved through the
// administrators' route) and the names of a village and a micro-grid are full of markup, SQL and tricky Unicode. The
// console's queue and case page and the supervisors' dashboard (the category breakdown with its
// chart's tooltip, the ranking, the breadcrumb) show each of them as text, exactly; no element
// or attribute is injected, no script runs, and the page's CSP never had to block anything.
func TestAppsRenderHostileTextAsText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console", "dashboard"), withLive())
	fx.member(t, "13900000061", "140802001001", grid.RoleMediator)
	admin := fx.member(t, "13900000062", "140802", grid.RoleAdmin)
	supervisor := fx.member(t, "13900000063", "140802001", grid.RoleSupervisor)
	const memberName = `<b>粗</b>李"强'<img src=x onerror=window.__xss=1>`
	const unitName = `东阜村<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>` + "\u202e"
	if _, err := fx.pool.Exec(ctx, `UPDATE members SET name = $1 WHERE phone = '13900000001'`, memberName); err != nil {
		t.Fatal(err)
	}
	const placeName = `第1微网格"><svg onload=window.__xss=1>` + "\u200b"
	if _, err := fx.pool.Exec(ctx, `UPDATE units SET name = CASE WHEN level = 3 THEN $1 ELSE $2 END
		WHERE code IN ('140802001001', '140802001001001001')`, unitName, placeName); err != nil {
		t.Fatal(err)
	}
	// The category is saved before the first report, so that the intake's catalogue holds it.
	category := map[string]any{"code": "hostile_names", "group": "dispute", "name_zh": hostileCategoryZH, "name_en": hostileCategoryEN,
		"start_level": 3, "grid_may_close": false, "auto_escalate": false, "active": true,
		"deadlines": map[string]any{"village_s": 86400, "township_s": 86400, "county_s": 86400, "urgent_s": 3600, "verify_s": 259200}}
	b, _ := json.Marshal(category)
	if r := call(t, "PUT", fx.base+"/api/admin/categories/hostile_names", admin, string(b)); r.status != http.StatusOK {
		t.Fatalf("save category: %d %v", r.status, r.body)
	}
	worker, mediatorID := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000061")
	rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker, Category: "hostile_names",
		Severity: "urgent", Description: hostileText, Lon: 111.02, Lat: 35.02, HappenedAt: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	parties := `王某<i>斜</i>、李某'; --`
	cases := dispatch.NewCases(fx.pool)
	for _, step := range []dispatch.Transition{
		{Action: dispatch.ActAccept, ActorID: mediatorID},
		{Action: dispatch.ActMediate, ActorID: mediatorID, Reason: hostileText, Parties: parties},
	} {
		if err := fx.pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, rc.CaseID).Scan(&step.Version); err != nil {
			t.Fatal(err)
		}
		step.CaseID = rc.CaseID
		if _, err := cases.Apply(ctx, step); err != nil {
			t.Fatal(err)
		}
	}
	// The dashboard's figures follow the case events: wait until they hold the case.
	gridtest.Eventually(t, "the figures to hold the case", func() bool {
		r := call(t, "GET", fx.base+"/api/stats/summary?unit=140802001", supervisor, "")
		return r.status == http.StatusOK && r.body["received"] == 1.0
	})

	var steps []string
	browserScript(t, "escaping.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, ok := m["step"].(string); ok {
				steps = append(steps, s)
			}
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_M=13900000061", "PHONE_S=13900000063",
		"CASE_ID="+strconv.FormatInt(rc.CaseID, 10), "DESCRIPTION="+hostileText, "REASON="+hostileText, "PARTIES="+parties,
		"MEMBER_NAME="+memberName, "UNIT_NAME="+unitName, "PLACE_NAME="+placeName, "VILLAGE=140802001001", "TOWNSHIP=140802001",
		"CATEGORY_ZH="+hostileCategoryZH)
	if fmt.Sprint(steps) != "[console dashboard]" {
		t.Fatalf("the script reported %v; want the console and the dashboard checked", steps)
	}
}
