package dispatch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
)

// callbackStep is the random history's step on a closed case (TestStatsEqualReferenceSQL): if
// its callback is pending, a mediator of its centre records an answer or a failed try, or the
// deadline passes and the timer ends it.
func callbackStep(t *testing.T, h *historyDriver, tr dispatch.Transition) {
	t.Helper()
	ctx := context.Background()
	pool := h.fx.db.Pool
	var pending bool
	if err := pool.QueryRow(ctx, `SELECT callback_status IS NOT DISTINCT FROM 'pending' FROM cases WHERE id = $1`, tr.CaseID).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if !pending {
		return
	}
	switch h.rng.IntN(6) {
	case 0: // nobody called back in time
		if _, err := pool.Exec(ctx, `UPDATE cases SET callback_due_at = now() - interval '1 second' WHERE id = $1`, tr.CaseID); err != nil {
			t.Fatal(err)
		}
		if _, err := dispatch.LapseCallbacks(ctx, pool, 100); err != nil {
			t.Fatal(err)
		}
		return
	case 1, 2:
		tr.Action, tr.Reason = dispatch.ActCallbackTry, ""
	default:
		tr.Action = dispatch.ActCallback
		tr.Satisfaction = []dispatch.Satisfaction{dispatch.Satisfied, dispatch.BasicSatisfied, dispatch.Dissatisfied}[h.rng.IntN(3)]
	}
	_, err := h.fx.cases.Apply(ctx, tr)
	if errors.Is(err, dispatch.ErrNotYours) {
		return
	}
	if err != nil {
		t.Fatalf("%s on case %d: %v", tr.Action, tr.CaseID, err)
	}
}
