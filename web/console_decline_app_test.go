package web_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// TestConsoleDeclineAndRuling drives the console in Chromium: the village declines a case (退单)
// with a reason code, the township overrules, the village declines again, the township upholds
// and re-routes it; the dashboard lists it as declined twice (web/ui/e2e/console_decline.mjs).
// GRIDDISPATCH_SHOTS=dir keeps screenshots.
func TestConsoleDeclineAndRuling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	fx.member(t, "13900000031", "140802001", grid.RoleSupervisor)
	fx.member(t, "13900000032", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000033", "140802001", grid.RoleMediator)
	village, township := fx.memberID(t, "13900000032"), fx.memberID(t, "13900000033")
	caseID := fx.report(t, "邻居加建围墙，影响通行")
	var done bool
	browserScript(t, "console_decline.mjs", func(line string) { done = done || line == `{"step":"upheld"}` },
		"BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_M=13900000032", "PHONE_T=13900000033", "PHONE_S=13900000031",
		"CASE_ID="+strconv.FormatInt(caseID, 10), "SIBLING=140802001002")
	if !done {
		t.Fatal("the script never upheld the decline")
	}
	var rows int
	err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id
		WHERE h.case_id = $1 AND ((h.transition = 'decline' AND h.actor_id = $2 AND h.reason_code IS NOT NULL)
		  OR (h.transition IN ('decline_overrule', 'decline_uphold') AND h.actor_id = $3))
		AND c.state = 'queued' AND c.centre_code = '140802001002'`, caseID, village, township).Scan(&rows)
	if err != nil || rows != 4 {
		t.Fatalf("decline and ruling rows: %d (%v), want 4", rows, err)
	}
}
