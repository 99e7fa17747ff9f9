package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestDashboardLive is issue 6's dashboard in real Chromium: a supervisor of township 140802001
// sees only that township, its two villages coloured on the map by closure rate, drills down
// into village 140802001001 (by the map's canvas and by the ranking), exports a table, and
// watches the village's closed count change without a reload when a case there is closed
// elsewhere; the backlog by age holds the open cases; then the weekly bulletin, compared with
// the week before and listing the most overdue units, printable, and the dashboard at 360 px
// in English.
func TestDashboardLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("dashboard"), withLive(), withConfig(rankFrom(2))) // the villages' 3 and 2 cases are enough to be ranked
	supervisor := fx.member(t, "13900000051", "140802001", grid.RoleSupervisor)
	fx.member(t, "13900000052", "140802001001", grid.RoleMediator)
	worker, mediator := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000052")
	cases := dispatch.NewCases(fx.pool)
	report := func(lon, lat float64) int64 {
		t.Helper()
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker,
			Category: "neighbour", Severity: "normal", Description: "两户因排水沟发生争执", Lon: lon, Lat: lat,
			HappenedAt: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return rc.CaseID
	}
	// closeCase takes a village case through the workflow: the mediator accepts, mediates and
	// settles it, the reporter verifies it on site, and it is closed.
	closeCase := func(id int64) error {
		for _, step := range []dispatch.Transition{
			{Action: dispatch.ActAccept, ActorID: mediator},
			{Action: dispatch.ActMediate, ActorID: mediator, Reason: "约双方到村调解室面谈"},
			{Action: dispatch.ActSettle, ActorID: mediator, Reason: "双方签署调解协议", Outcome: dispatch.OutcomeMediated},
			{Action: dispatch.ActVerify, ActorID: worker},
		} {
			if err := fx.pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, id).Scan(&step.Version); err != nil {
				return err
			}
			step.CaseID = id
			if _, err := cases.Apply(ctx, step); err != nil {
				return fmt.Errorf("case %d: %s: %w", id, step.Action, err)
			}
		}
		return nil
	}

	// Village 140802001001 (东阜村): three cases, two closed. Village 140802001002 (槐树凹村):
	// two open, one of them overdue. Township 140802002, outside the supervisor's scope: one.
	a := []int64{report(111.02, 35.02), report(111.07, 35.05), report(111.03, 35.08)}
	late := report(111.05, 35.15)
	report(111.06, 35.16)
	report(111.15, 35.10)
	for _, id := range a[:2] {
		if err := closeCase(id); err != nil {
			t.Fatal(err)
		}
	}
	// Its deadline passes: the timer flags it overdue (neighbour disputes would go up a tier by
	// themselves; here they are only flagged, so the case stays in its village).
	if _, err := fx.pool.Exec(ctx, `UPDATE categories SET auto_escalate = false WHERE code = 'neighbour'`); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.pool.Exec(ctx, `UPDATE cases SET deadline_at = now() - interval '1 second' WHERE id = $1`, late); err != nil {
		t.Fatal(err)
	}
	if n, err := dispatch.EscalateDue(ctx, fx.pool, 10); err != nil || n != 1 {
		t.Fatalf("the timer handled %d cases (%v), want the one past its deadline", n, err)
	}
	// The counters follow the case events asynchronously: wait until they hold every case.
	summary := func(unit string) response {
		return call(t, "GET", fx.base+"/api/stats/summary?unit="+unit, supervisor, "")
	}
	gridtest.Eventually(t, "the figures to catch up (village 3 received 2 closed, township 5 received 1 overdue)", func() bool {
		v, tw := summary("140802001001"), summary("140802001")
		return v.status == http.StatusOK && v.body["received"] == 3.0 && v.body["closed"] == 2.0 && tw.body["received"] == 5.0 &&
			tw.body["overdue"] == 1.0
	})
	if r := summary("140802002"); r.status != http.StatusForbidden {
		t.Fatalf("the other township's figures: %d %v, want 403", r.status, r.body)
	}
	if r := call(t, "GET", fx.base+"/api/stats/scope", supervisor, ""); r.status != http.StatusOK ||
		fmt.Sprint(r.body["units"]) != "[map[code:140802001 level:2 name:安邑街道]]" {
		t.Fatalf("scope: %d %v", r.status, r.body)
	}

	steps := map[string]map[string]any{}
	browserScript(t, "dashboard_live.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			return
		}
		s, _ := m["step"].(string)
		steps[s] = m
		if s == "drilled" {
			// Someone closes the village's open case while the dashboard watches.
			if err := closeCase(a[2]); err != nil {
				t.Error(err)
			}
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_S=13900000051", "TOWNSHIP=140802001",
		"OTHER_TOWNSHIP=140802002", "VILLAGE=140802001001", "OTHER_VILLAGE=140802001002",
		"T_RECEIVED=5", "T_CLOSED=2", "T_OVERDUE=1", "V_RECEIVED=3", "V_CLOSED=2")
	for _, s := range []string{"scoped", "drilled", "live", "bulletin", "narrow"} {
		if steps[s] == nil {
			t.Fatalf("the script never reported step %q (got %v)", s, steps)
		}
	}
	t.Logf("files %v; backlog %v; live: the village's closed count changed %v ms after the case closed; bulletin %v",
		steps["scoped"]["files"], steps["scoped"]["backlog"], steps["live"]["live_ms"], steps["bulletin"]["changes"])

	var state string
	if err := fx.pool.QueryRow(ctx, `SELECT state FROM cases WHERE id = $1`, a[2]).Scan(&state); err != nil || state != "closed" {
		t.Fatalf("the case closed during the test is %q (%v)", state, err)
	}
	if v := summary("140802001001"); v.body["closed"] != 3.0 || v.body["closure_rate"] != 1.0 {
		t.Errorf("the village's figures after the live close: %v", v.body)
	}
}
