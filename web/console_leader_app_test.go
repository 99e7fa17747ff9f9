package web_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestConsoleLeaderHandover: in Chromium, the county leader who owns a difficult case hands it
// to the county's other leader, picked in the console, who gives it up with a reason; PostgreSQL
// then holds both rows and their case_leader_changes (web/ui/e2e/console_leader.mjs).
// GRIDDISPATCH_SHOTS=dir keeps screenshots.
func TestConsoleLeaderHandover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	fx.member(t, "13900000061", "140802", grid.RoleSupervisor)
	fx.member(t, "13900000062", "140802", grid.RoleSupervisor)
	a, b := fx.memberID(t, "13900000061"), fx.memberID(t, "13900000062")
	rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: fx.memberID(t, "13900000001"),
		Category: "neighbour", Severity: "normal", Description: "两村因水源分配发生群体性争执", Lon: 111.02, Lat: 35.02,
		HappenedAt: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// At the county, graded difficult (as a village's accept would leave it), owned by A.
	if _, err := fx.pool.Exec(ctx, `UPDATE cases SET level = 1, centre_code = '140802', grade = 'difficult' WHERE id = $1`, rc.CaseID); err != nil {
		t.Fatal(err)
	}
	if _, err := dispatch.NewCases(fx.pool).Apply(ctx, dispatch.Transition{CaseID: rc.CaseID, Version: 1, Action: dispatch.ActLead, ActorID: a}); err != nil {
		t.Fatal(err)
	}
	steps := map[string]bool{}
	browserScript(t, "console_leader.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, ok := m["step"].(string); ok {
				steps[s] = true
			}
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_A=13900000061", "PHONE_B=13900000062",
		"NAME_A=成员0061", "NAME_B=成员0062", "CASE_ID="+strconv.FormatInt(rc.CaseID, 10))
	for _, s := range []string{"offered", "handed_over", "released", "done"} {
		if !steps[s] {
			t.Fatalf("the script never reported step %q", s)
		}
	}
	var n int
	err = fx.pool.QueryRow(ctx, `SELECT count(*) FROM cases c WHERE c.id = $1 AND c.leader_id IS NULL
		AND EXISTS (SELECT 1 FROM case_history h JOIN case_leader_changes l ON l.history_id = h.id WHERE h.case_id = c.id
		            AND h.transition = 'lead_handover' AND h.actor_id = $2 AND l.from_leader = $2 AND l.to_leader = $3
		            AND h.reason = '工作调整，移交分管领导')
		AND EXISTS (SELECT 1 FROM case_history h JOIN case_leader_changes l ON l.history_id = h.id WHERE h.case_id = c.id
		            AND h.transition = 'lead_release' AND h.actor_id = $3 AND l.from_leader = $3 AND l.to_leader IS NULL
		            AND h.reason = '矛盾已缓和，交中心办理')`, rc.CaseID, a, b).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("PostgreSQL does not hold the handover and the release: %d, %v", n, err)
	}
}
