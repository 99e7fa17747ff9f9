package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// extensionCase is the set-up of the 延期 tests: a township supervisor (13900000031), a village
// mediator (13900000032) and a report waiting in the village's queue.
func (fx *fixture) extensionCase(t *testing.T) (supervisor, mediator, caseID int64) {
	t.Helper()
	fx.member(t, "13900000031", "140802001", grid.RoleSupervisor)
	fx.member(t, "13900000032", "140802001001", grid.RoleMediator)
	return fx.memberID(t, "13900000031"), fx.memberID(t, "13900000032"), fx.report(t, "邻居加建围墙，影响通行")
}

// TestConsoleExtensionAndParking drives the console in Chromium: the village mediator asks for
// more time, the township supervisor approves it at 360 px, the mediator parks the case and
// unparks it (web/ui/e2e/console_extend.mjs). GRIDDISPATCH_SHOTS=dir keeps screenshots.
func TestConsoleExtensionAndParking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	supervisor, mediator, caseID := fx.extensionCase(t)
	var done bool
	browserScript(t, "console_extend.mjs", func(line string) { done = done || line == `{"step":"unparked"}` },
		"BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_S=13900000031", "PHONE_M=13900000032",
		"CASE_ID="+strconv.FormatInt(caseID, 10), "VILLAGE=140802001001")
	if !done {
		t.Fatal("the script never unparked the case")
	}
	// The deadline moved to the date asked for, and the clock ran again after parking.
	var rows int
	err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id
		WHERE h.case_id = $1 AND (h.transition, h.actor_id) IN (('extend_request', $2), ('extend_approve', $3), ('park', $2), ('unpark', $2))
		AND c.state = 'accepted' AND c.deadline_at IS NOT NULL AND c.park_review_at IS NULL AND c.extension_until IS NULL`,
		caseID, mediator, supervisor).Scan(&rows)
	if err != nil || rows != 4 {
		t.Fatalf("extension and parking rows: %d (%v), want 4", rows, err)
	}
	var asked, approved time.Time
	err = fx.pool.QueryRow(ctx, `SELECT (SELECT until_at FROM case_history WHERE case_id = $1 AND transition = 'extend_request'),
		(SELECT deadline_at FROM case_history WHERE case_id = $1 AND transition = 'extend_approve')`, caseID).Scan(&asked, &approved)
	if err != nil || !asked.Equal(approved) {
		t.Fatalf("asked until %v, approved deadline %v (%v)", asked, approved, err)
	}
}
