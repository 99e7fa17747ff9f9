package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestConsoleParkReviewDue drives the console in Chromium: a parked case's review date passes,
// the timer records it, the queue row and the case page show 复核到期 (live), and the mediator
// parks the case again with a new review date (web/ui/e2e/console_park_review.mjs).
// GRIDDISPATCH_SHOTS=dir keeps screenshots.
func TestConsoleParkReviewDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console"), withLive())
	fx.member(t, "13900000032", "140802001001", grid.RoleMediator)
	mediator := fx.memberID(t, "13900000032")
	caseID := fx.report(t, "邻居加建围墙，影响通行")
	cases := dispatch.NewCases(fx.pool)
	review := time.Now().Add(time.Hour)
	for i, tr := range []dispatch.Transition{
		{Action: dispatch.ActAccept},
		{Action: dispatch.ActPark, Reason: "当事人申请诉讼，等待法院判决", Until: &review},
	} {
		tr.CaseID, tr.Version, tr.ActorID = caseID, i+1, mediator
		if _, err := cases.Apply(ctx, tr); err != nil {
			t.Fatalf("%s: %v", tr.Action, err)
		}
	}
	var done bool
	browserScript(t, "console_park_review.mjs", func(line string) {
		switch line {
		case `{"step":"ready"}`: // the review date passes, and the timer comes round
			if _, err := fx.pool.Exec(ctx, `UPDATE cases SET park_review_at = now() - interval '1 second' WHERE id = $1`, caseID); err != nil {
				t.Fatal(err)
			}
			if n, err := dispatch.ParkReviewsDue(ctx, fx.pool, 10); err != nil || n != 1 {
				t.Fatalf("the timer recorded %d reviews (%v), want 1", n, err)
			}
		case `{"step":"reparked"}`:
			done = true
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_M=13900000032",
		"CASE_ID="+strconv.FormatInt(caseID, 10))
	if !done {
		t.Fatal("the script never parked the case again")
	}
	var reviews, parks int
	var state string
	var due *time.Time
	err := fx.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE h.transition = 'park_review_due' AND h.actor_id IS NULL),
		count(*) FILTER (WHERE h.transition = 'park' AND h.actor_id = $2), min(c.state), min(c.park_review_due_at)
		FROM case_history h JOIN cases c ON c.id = h.case_id WHERE h.case_id = $1`, caseID, mediator).Scan(&reviews, &parks, &state, &due)
	if err != nil || reviews != 1 || parks != 2 || state != "parked" || due != nil {
		t.Fatalf("review rows %d, park rows %d, state %s, review due %v (%v); want 1, 2, parked, none", reviews, parks, state, due, err)
	}
}
