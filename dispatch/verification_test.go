package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// settleCase takes the fixture's case to verifying at the village and returns when it was settled.
func settleCase(t *testing.T, fx *caseFixture) time.Time {
	t.Helper()
	fx.must(t, fx.village, dispatch.ActAccept, "")
	fx.must(t, fx.village, dispatch.ActMediate, "约双方到村委会")
	fx.must(t, fx.village, dispatch.ActSettle, "达成协议", outcome(dispatch.OutcomeMediated))
	var at time.Time
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT max(at) FROM case_history WHERE case_id = $1`, fx.caseID).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at
}

// TestVerificationHasADeadline: settling starts the category's verification time. Until it runs
// out only the reporter verifies; then the centre's mediators and the grid leaders of the place
// may too, nobody else; and when as long again has passed, the timer closes the case as not
// verified, once, without making it late, keeping its outcome.
func TestVerificationHasADeadline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	pool := fx.db.Pool
	g := grid.NewStore(pool)
	leader, err := g.CreateMember(ctx, "13900000021", "网格长")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Assign(ctx, grid.Assignment{MemberID: leader.ID, UnitCode: "140802001001001", Role: grid.RoleGridLeader}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE categories SET verify_deadline_s = 7200 WHERE code = 'neighbour'`); err != nil {
		t.Fatal(err)
	}
	settled := settleCase(t, fx)
	var due, lapse time.Time
	if err := pool.QueryRow(ctx, `SELECT verify_due_at, verify_lapse_at FROM cases WHERE id = $1`, fx.caseID).Scan(&due, &lapse); err != nil {
		t.Fatal(err)
	}
	if !due.Equal(settled.Add(2*time.Hour)) || !lapse.Equal(settled.Add(4*time.Hour)) {
		t.Fatalf("settled at %v: verify by %v, lapse at %v; want 2 h and 4 h later", settled, due, lapse)
	}
	fx.refused(t, dispatch.ErrNotYours, fx.village, dispatch.ActVerify, "")
	fx.refused(t, dispatch.ErrNotYours, leader, dispatch.ActRework, "没修好")
	if n, err := dispatch.CloseLapsed(ctx, pool, 10); err != nil || n != 0 {
		t.Fatalf("closed %d before the lapse (%v)", n, err)
	}

	// The reporter's time runs out: the centre and the grid leader may stand in, others not.
	if _, err := pool.Exec(ctx, `UPDATE cases SET verify_due_at = now() - interval '1 second' WHERE id = $1`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActVerify, "")
	fx.refused(t, dispatch.ErrNotYours, fx.township, dispatch.ActVerify, "")
	fx.refused(t, dispatch.ErrNotYours, fx.supervisor, dispatch.ActVerify, "")
	if v := fx.must(t, leader, dispatch.ActRework, "现场查看，排水沟仍堵塞"); v.State != dispatch.StateAccepted {
		t.Fatalf("rework by the grid leader: %+v", v)
	}
	var cleared bool
	if err := pool.QueryRow(ctx, `SELECT verify_due_at IS NULL AND verify_lapse_at IS NULL FROM cases WHERE id = $1`, fx.caseID).Scan(&cleared); err != nil || !cleared {
		t.Fatalf("the verification clocks run on after the rework (%v)", err)
	}
	fx.must(t, fx.village, dispatch.ActMediate, "疏通排水沟")
	fx.must(t, fx.village, dispatch.ActSettle, "已疏通", outcome(dispatch.OutcomeHandled))
	if _, err := pool.Exec(ctx, `UPDATE cases SET verify_due_at = now() - interval '1 second' WHERE id = $1`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	if v := fx.must(t, fx.village, dispatch.ActVerify, "村调解员现场核实"); v.State != dispatch.StateClosed {
		t.Fatalf("verify by the centre: %+v", v)
	}

	// Nobody verifies a second case: the timer closes it as not verified, once.
	second := newCaseFixture(t, "neighbour")
	settleCase(t, second)
	if _, err := second.db.Pool.Exec(ctx, `UPDATE cases SET verify_due_at = now() - interval '2 seconds',
		verify_lapse_at = now() - interval '1 second' WHERE id = $1`, second.caseID); err != nil {
		t.Fatal(err)
	}
	timer := dispatch.NewEscalator(second.db.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)), 20*time.Millisecond)
	if err := timer.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer timer.Close()
	var state, outcomeText string
	var late, closed bool
	gridtest.Eventually(t, "the timer to close the lapsed case", func() bool {
		err := second.db.Pool.QueryRow(ctx, `SELECT state, coalesce(outcome, ''), late, closed_at IS NOT NULL FROM cases WHERE id = $1`,
			second.caseID).Scan(&state, &outcomeText, &late, &closed)
		return err == nil && state == "closed"
	})
	if late || !closed || outcomeText != "mediated" {
		t.Fatalf("closed unverified: late %v, closed_at set %v, outcome %q; want not late, set, mediated", late, closed, outcomeText)
	}
	if n := count(t, second.db.Pool, `SELECT count(*) FROM case_history WHERE case_id = `+itoa(second.caseID)+`
		AND transition = 'close_unverified' AND actor_id IS NULL AND to_state = 'closed' AND reason = '逾期未核查，自动办结'`); n != 1 {
		t.Fatalf("%d close_unverified rows, want 1", n)
	}
	if n := count(t, second.db.Pool, `SELECT count(*) FROM outbox WHERE subject LIKE 'case.close_unverified.%'`); n != 1 {
		t.Fatalf("%d close_unverified outbox rows, want 1", n)
	}
	second.refused(t, dispatch.ErrNotAllowed, second.worker, dispatch.ActVerify, "")
}
