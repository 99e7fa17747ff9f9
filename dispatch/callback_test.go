package dispatch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

func satisfaction(s dispatch.Satisfaction) func(*dispatch.Transition) {
	return func(t *dispatch.Transition) { t.Satisfaction = s }
}

// callbackOf reads a case's callback: status, tries, deadline, state.
func callbackOf(t *testing.T, fx *caseFixture) (status string, tries int, due *time.Time, state string) {
	t.Helper()
	var s *string
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT callback_status, callback_tries, callback_due_at, state
		FROM cases WHERE id = $1`, fx.caseID).Scan(&s, &tries, &due, &state); err != nil {
		t.Fatal(err)
	}
	if s != nil {
		status = *s
	}
	return status, tries, due, state
}

// verifiedCase settles the fixture's case at the village and has the reporter verify it.
func verifiedCase(t *testing.T, fx *caseFixture) {
	t.Helper()
	settleCase(t, fx)
	if v := fx.must(t, fx.worker, dispatch.ActVerify, ""); v.State != dispatch.StateClosed {
		t.Fatalf("verified: %+v", v)
	}
}

// TestCallbackSatisfied: verification starts a callback due in the category's time; only a
// mediator of the centre that settled the case records it, with a satisfaction and a note; the
// case stays closed, the history row carries the result, and a second callback is refused.
func TestCallbackSatisfied(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	verifiedCase(t, fx)
	status, tries, due, state := callbackOf(t, fx)
	if status != "pending" || tries != 0 || due == nil || state != "closed" || time.Until(*due) < 47*time.Hour {
		t.Fatalf("after verification: callback %q, %d tries, due %v, state %s; want pending, due in 2 days", status, tries, due, state)
	}
	fx.refused(t, dispatch.ErrNotYours, fx.worker, dispatch.ActCallback, "满意", satisfaction(dispatch.Satisfied))
	fx.refused(t, dispatch.ErrNotYours, fx.township, dispatch.ActCallback, "满意", satisfaction(dispatch.Satisfied))
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActCallback, "满意", satisfaction(dispatch.Satisfied))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActCallback, "", satisfaction(dispatch.Satisfied))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActCallback, "电话回访", satisfaction("happy"))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActCallbackTry, "", satisfaction(dispatch.Satisfied))
	if v := fx.must(t, fx.village, dispatch.ActCallback, "电话回访，当事人表示满意", satisfaction(dispatch.BasicSatisfied)); v.State != dispatch.StateClosed {
		t.Fatalf("callback: %+v", v)
	}
	if status, _, due, _ := callbackOf(t, fx); status != "basic" || due != nil {
		t.Fatalf("after the callback: %q due %v", status, due)
	}
	var result string
	var closedOnce bool
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT h.callback_result, c.closed_at = (SELECT at FROM case_history
		WHERE case_id = c.id AND transition = 'verify') FROM case_history h JOIN cases c ON c.id = h.case_id
		WHERE h.case_id = $1 AND h.transition = 'callback'`, fx.caseID).Scan(&result, &closedOnce); err != nil || result != "basic" || !closedOnce {
		t.Fatalf("history row: %q, closed_at kept from the verification %v (%v)", result, closedOnce, err)
	}
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActCallback, "再次回访", satisfaction(dispatch.Satisfied))
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActCallbackTry, "")
}

// TestCallbackUnreachableAfterTries: each try that does not reach the party is a history row;
// the category's Nth ends the callback as unreachable.
func TestCallbackUnreachableAfterTries(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	if _, err := fx.db.Pool.Exec(context.Background(), `UPDATE categories SET callback_tries = 2 WHERE code = 'neighbour'`); err != nil {
		t.Fatal(err)
	}
	verifiedCase(t, fx)
	fx.must(t, fx.village, dispatch.ActCallbackTry, "无人接听")
	if status, tries, _, _ := callbackOf(t, fx); status != "pending" || tries != 1 {
		t.Fatalf("after one try: %q, %d tries", status, tries)
	}
	fx.must(t, fx.village, dispatch.ActCallbackTry, "")
	if status, tries, due, state := callbackOf(t, fx); status != "unreachable" || tries != 2 || due != nil || state != "closed" {
		t.Fatalf("after two tries of two: %q, %d tries, due %v, %s", status, tries, due, state)
	}
	var rows, ended int
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT count(*), count(callback_result) FROM case_history
		WHERE case_id = $1 AND transition = 'callback_try'`, fx.caseID).Scan(&rows, &ended); err != nil || rows != 2 || ended != 1 {
		t.Fatalf("%d try rows, %d ending the callback (%v); want 2 and 1", rows, ended, err)
	}
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActCallback, "打通了", satisfaction(dispatch.Satisfied))
}

// TestCallbackDissatisfiedReopens: 不满意 reopens the case at its tier with the same centre and a
// fresh deadline, the history kept; settled and verified again, it is called back again.
func TestCallbackDissatisfiedReopens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	verifiedCase(t, fx)
	v := fx.must(t, fx.village, dispatch.ActCallback, "当事人不满意，邻居仍在堆放杂物", satisfaction(dispatch.Dissatisfied))
	if v.State != dispatch.StateAccepted || v.Level != dispatch.TierVillage || v.Centre != "140802001001" || v.DeadlineAt == nil {
		t.Fatalf("不满意: %+v; want accepted at the village centre with a deadline", v)
	}
	if status, _, due, _ := callbackOf(t, fx); status != "dissatisfied" || due != nil {
		t.Fatalf("after 不满意: %q due %v", status, due)
	}
	fx.must(t, fx.village, dispatch.ActMediate, "再次调解")
	fx.must(t, fx.village, dispatch.ActSettle, "清理完毕", outcome(dispatch.OutcomeMediated))
	fx.must(t, fx.worker, dispatch.ActVerify, "")
	if status, _, _, state := callbackOf(t, fx); status != "pending" || state != "closed" {
		t.Fatalf("verified again: %q %s; want a new callback", status, state)
	}
	var transitions []string
	rows, err := fx.db.Pool.Query(ctx, `SELECT transition FROM case_history WHERE case_id = $1 ORDER BY id`, fx.caseID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		transitions = append(transitions, s)
	}
	want := "[reported accept mediate settle verify callback mediate settle verify]"
	if got := fmt.Sprint(transitions); got != want {
		t.Fatalf("history %s, want %s", got, want)
	}
}

// TestCallbackLapses: the timer ends a callback nobody did by its deadline, once, and leaves
// callbacks not yet due alone.
func TestCallbackLapses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	verifiedCase(t, fx)
	if n, err := dispatch.LapseCallbacks(ctx, fx.db.Pool, 10); err != nil || n != 0 {
		t.Fatalf("lapsed %d before the deadline (%v)", n, err)
	}
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE cases SET callback_due_at = now() - interval '1 second' WHERE id = $1`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	for want := range []int{1, 0} {
		if n, err := dispatch.LapseCallbacks(ctx, fx.db.Pool, 10); err != nil || n != 1-want {
			t.Fatalf("lapsed %d, want %d (%v)", n, 1-want, err)
		}
	}
	if status, _, due, state := callbackOf(t, fx); status != "lapsed" || due != nil || state != "closed" {
		t.Fatalf("after the deadline: %q due %v %s", status, due, state)
	}
}

// TestNoCallbackWithoutVerification: cases closed as not verified are not called back.
func TestNoCallbackWithoutVerification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	settleCase(t, fx)
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE cases SET verify_due_at = now() - interval '2 seconds',
		verify_lapse_at = now() - interval '1 second' WHERE id = $1`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	if n, err := dispatch.CloseLapsed(ctx, fx.db.Pool, 10); err != nil || n != 1 {
		t.Fatalf("closed %d (%v)", n, err)
	}
	if status, _, _, state := callbackOf(t, fx); status != "" || state != "closed" {
		t.Fatalf("closed unverified: callback %q", status)
	}
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActCallback, "回访", satisfaction(dispatch.Satisfied))
}
