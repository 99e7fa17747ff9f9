package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// A capped event booked nothing; a supervisor then cancels the row that used the cap. The same
// event delivered again still books nothing: the cap was evaluated once, when it was first read
// (point_applied), so a redelivery gives the same answer. A new event books into the freed room.
func TestPointsCapIsEvaluatedOncePerTransition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	pool := fx.db.Pool
	if _, err := pool.Exec(ctx, `UPDATE point_rules SET cap_points = 2, cap_period = 'month' WHERE code = 'report_accepted'`); err != nil {
		t.Fatal(err)
	}
	var cases []int64
	for range 3 {
		rc, err := fx.intake.Submit(ctx, fx.report(t))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, rc.CaseID)
	}
	at := time.Now()
	accept := func(tid, c int64) dispatch.CaseEvent {
		return dispatch.CaseEvent{TransitionID: tid, CaseID: c, Action: "accept", Level: dispatch.TierVillage,
			Unit: "140802001001001001", Category: "neighbour", Reporter: fx.worker.ID, At: at}
	}
	apply := func(evs ...dispatch.CaseEvent) {
		if err := dispatch.ApplyPoints(ctx, pool, evs); err != nil {
			t.Fatal(err)
		}
	}
	balance := func() int {
		return count(t, pool, `SELECT coalesce((SELECT balance FROM point_balances WHERE member_id = `+itoa(fx.worker.ID)+`), 0)`)
	}
	apply(accept(901, cases[0]), accept(902, cases[1]))
	if b := balance(); b != 2 {
		t.Fatalf("balance %d after two accepts under a cap of 2, want 2", b)
	}
	var first int64
	if err := pool.QueryRow(ctx, `SELECT id FROM point_ledger WHERE source = 'transition:901:report_accepted'`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	if _, err := dispatch.NewPoints(pool).Cancel(ctx, fx.supervisor.ID, first, "误录"); err != nil {
		t.Fatal(err)
	}
	apply(accept(902, cases[1]), accept(901, cases[0])) // redelivered
	if b := balance(); b != 0 {
		t.Errorf("balance %d after the redelivery, want 0: a redelivered event booked", b)
	}
	apply(accept(903, cases[2]))
	if b := balance(); b != 2 {
		t.Errorf("balance %d after a new accept into the freed cap, want 2", b)
	}
	// A second accept of the same case (escalated and accepted above) books nothing more.
	apply(accept(904, cases[2]))
	if b := balance(); b != 2 {
		t.Errorf("balance %d after the case was accepted again, want 2", b)
	}
}
