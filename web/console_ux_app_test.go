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
)

// TestConsoleAnnouncesArrivalsAndSettlesHandled is issue 15's points 6 and 7 in real Chromium
// (web/ui/e2e/console_ux.mjs): a village mediator's console is open at a desk and on a phone
// when cases are reported; each arrival is highlighted, counted in the tab's title, found by
// the 新案件 chip although the queue's order puts it last, aged 刚刚 (just now), and sounded when
// the switch is on. A street lamp is settled from the console without a mediation; a dispute
// says why it cannot be. The header is one line at 360 px, and touch screens show no key hints.
func TestConsoleAnnouncesArrivalsAndSettlesHandled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	token := fx.member(t, "13900000041", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000042", "140802001", grid.RoleSupervisor) // more in the header: 切换中心
	worker, mediator := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000041")
	report := func(category, description string) int64 {
		t.Helper()
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker,
			Category: category, Severity: "normal", Description: description, Lon: 111.02, Lat: 35.02,
			HappenedAt: time.Now().Add(-time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		return rc.CaseID
	}
	// A queue long enough to push a new case below a phone's screen: its order (by deadline)
	// puts the newest last.
	for i := range 10 {
		report("neighbour", fmt.Sprintf("两户因排水沟发生争执（旧案 %d）", i+1))
	}
	lamp := report("street_light", "村口路灯不亮")
	dispute := report("neighbour", "邻里因院墙发生纠纷")
	// The dispute is accepted already: the console must say why it cannot be settled yet.
	apply := func(id int64, a dispatch.Action) {
		t.Helper()
		var version int
		if err := fx.pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, id).Scan(&version); err != nil {
			t.Fatal(err)
		}
		if _, err := dispatch.NewCases(fx.pool).Apply(ctx, dispatch.Transition{CaseID: id, Version: version, Action: a, ActorID: mediator}); err != nil {
			t.Fatal(err)
		}
	}
	apply(dispute, dispatch.ActAccept)
	// Over HTTP the dispute's settlement is refused by name (the console offers no button for it).
	r := call(t, "POST", fx.base+"/api/cases/"+strconv.FormatInt(dispute, 10)+"/transitions", token,
		`{"action": "settle", "version": 2, "reason": "已处理", "outcome": "handled"}`)
	if r.status != http.StatusUnprocessableEntity || r.body["error"] != "no_mediation_yet" {
		t.Fatalf("settling a dispute with no mediation: %d %v; want 422 no_mediation_yet", r.status, r.body)
	}

	arrivals := map[string]int64{}
	steps := map[string]map[string]any{}
	browserScript(t, "console_ux.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			return
		}
		s, _ := m["step"].(string)
		steps[s] = m
		// The script is ready for a live arrival: the grid worker reports one now.
		if want, _ := m["report"].(string); want != "" {
			arrivals[want] = report("neighbour", want)
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE=13900000041", "LAMP_ID="+strconv.FormatInt(lamp, 10),
		"DISPUTE_ID="+strconv.FormatInt(dispute, 10), "SUPERVISOR=13900000042")
	for _, s := range []string{"arrived", "found", "sounded", "settled", "done"} {
		if steps[s] == nil {
			t.Fatalf("the script never reported step %q (got %v)", s, steps)
		}
	}
	if len(arrivals) != 2 {
		t.Fatalf("arrivals reported: %v, want 2", arrivals)
	}
	if got := steps["found"]["case_id"]; got != float64(arrivals["院墙外新发现的纠纷"]) {
		t.Fatalf("the chip found case %v, want %d", got, arrivals["院墙外新发现的纠纷"])
	}

	// The lamp went from accepted to awaiting verification without a mediation, as handled, with
	// the mediator's notes; the dispute is still accepted.
	type entry struct{ Transition, Outcome, Reason string }
	rows, err := fx.pool.Query(ctx, `SELECT transition, coalesce(outcome, ''), reason FROM case_history
		WHERE case_id = $1 AND actor_id = $2 ORDER BY id`, lamp, mediator)
	if err != nil {
		t.Fatal(err)
	}
	var got []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.Transition, &e.Outcome, &e.Reason); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []entry{{"accept", "", ""}, {"settle", "handled", "已更换灯泡，恢复照明"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the lamp's history by the mediator: %v; want %v", got, want)
	}
	var lampState, disputeState string
	if err := fx.pool.QueryRow(ctx, `SELECT (SELECT state FROM cases WHERE id = $1), (SELECT state FROM cases WHERE id = $2)`,
		lamp, dispute).Scan(&lampState, &disputeState); err != nil {
		t.Fatal(err)
	}
	if lampState != "verifying" || disputeState != "accepted" {
		t.Fatalf("lamp %s, dispute %s; want verifying and accepted", lampState, disputeState)
	}
}
