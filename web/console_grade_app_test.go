package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestConsoleGradesAndLeaderOwns: in Chromium, a village mediator grades a case 疑难 + 重大 on
// accepting it, which sends it to the county; the county mediator regrades it with a reason;
// the county leader takes ownership, shown by name and kept by the 领导包案 filter, and counted
// on the dashboard. PostgreSQL holds each step (web/ui/e2e/console_grade.mjs).
func TestConsoleGradesAndLeaderOwns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	fx.member(t, "13900000041", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000042", "140802", grid.RoleMediator)
	fx.member(t, "13900000043", "140802", grid.RoleSupervisor)
	var worker, leader int64
	var leaderName string
	err := fx.pool.QueryRow(ctx, `SELECT (SELECT id FROM members WHERE phone = '13900000001'),
		(SELECT id FROM members WHERE phone = '13900000043'), (SELECT name FROM members WHERE phone = '13900000043')`).Scan(&worker, &leader, &leaderName)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range []string{"两户因宅基地边界发生争执，多次调解未果", "邻里噪音纠纷"} {
		rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker,
			Category: "neighbour", Severity: "normal", Description: d, Lon: 111.02, Lat: 35.02,
			HappenedAt: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rc.CaseID)
	}
	// The second case is at the county already, graded difficult, unowned: the filter drops it.
	if _, err := fx.pool.Exec(ctx, `UPDATE cases SET level = 1, centre_code = '140802', grade = 'difficult' WHERE id = $1`, ids[1]); err != nil {
		t.Fatal(err)
	}
	var led bool
	browserScript(t, "console_grade.mjs", func(line string) { led = led || line == `{"step":"led"}` },
		"BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_V=13900000041", "PHONE_C=13900000042",
		"PHONE_L=13900000043", "LEADER_NAME="+leaderName, "CASE_ID="+strconv.FormatInt(ids[0], 10))
	if !led {
		t.Fatal("the script never took ownership")
	}
	var n int
	err = fx.pool.QueryRow(ctx, `SELECT count(*) FROM cases c WHERE c.id = $1 AND c.grade = 'difficult' AND NOT c.major
		AND c.level = 1 AND c.leader_id = $2
		AND EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.transition = 'accept' AND h.grade = 'difficult' AND h.major)
		AND EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.transition = 'regrade' AND h.reason = '涉及多户，非群体性')
		AND EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.transition = 'lead' AND h.actor_id = $2)`,
		ids[0], leader).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("the graded, regraded, owned case: %d (%v)", n, err)
	}
}
