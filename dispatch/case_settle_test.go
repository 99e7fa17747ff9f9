package dispatch_test

import (
	"context"
	"slices"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
)

// A matter that is not a dispute (a street lamp) is settled as handled straight from accepted,
// with notes; a dispute still needs a recorded mediation first (issue 15, point 7).
func TestSettleWithoutMediation(t *testing.T) {
	t.Parallel()
	mediator := dispatch.ActorRoles{CentreMediator: true}
	offered := func(t *testing.T, fx *caseFixture) bool {
		t.Helper()
		d, err := fx.cases.Detail(context.Background(), fx.caseID)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(d.Actions(mediator), dispatch.ActSettle)
	}

	t.Run("a street lamp is settled as handled", func(t *testing.T) {
		fx := newCaseFixture(t, "street_light")
		fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActSettle, "已更换灯泡", outcome(dispatch.OutcomeHandled))
		fx.must(t, fx.village, dispatch.ActAccept, "")
		if !offered(t, fx) {
			t.Fatal("settle is not offered for an accepted street lamp")
		}
		fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActSettle, "", outcome(dispatch.OutcomeHandled))
		fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActSettle, "已调解", outcome(dispatch.OutcomeMediated))
		fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActSettle, "未解决", outcome(dispatch.OutcomeUnsettled))
		v := fx.must(t, fx.village, dispatch.ActSettle, "已更换灯泡", outcome(dispatch.OutcomeHandled))
		if v.State != dispatch.StateVerifying {
			t.Fatalf("settled to %s, want verifying", v.State)
		}
		// Reworked, it is back at accepted and may be settled again the same way.
		fx.must(t, fx.worker, dispatch.ActRework, "灯仍不亮")
		fx.must(t, fx.village, dispatch.ActSettle, "更换整流器", outcome(dispatch.OutcomeHandled))
		fx.must(t, fx.worker, dispatch.ActVerify, "")
		var outcomeNow, notes string
		err := fx.db.Pool.QueryRow(context.Background(), `SELECT c.outcome, h.reason FROM cases c
			JOIN case_history h ON h.case_id = c.id AND h.transition = 'settle'
			WHERE c.id = $1 ORDER BY h.id DESC LIMIT 1`, fx.caseID).Scan(&outcomeNow, &notes)
		if err != nil || outcomeNow != "handled" || notes != "更换整流器" {
			t.Fatalf("outcome %q, notes %q (%v)", outcomeNow, notes, err)
		}
	})

	t.Run("a dispute needs its mediation", func(t *testing.T) {
		fx := newCaseFixture(t, "neighbour")
		fx.must(t, fx.village, dispatch.ActAccept, "")
		if offered(t, fx) {
			t.Fatal("settle is offered for a dispute nobody mediated")
		}
		fx.refused(t, dispatch.ErrNoMediationYet, fx.village, dispatch.ActSettle, "已处理", outcome(dispatch.OutcomeHandled))
		fx.refused(t, dispatch.ErrNoMediationYet, fx.village, dispatch.ActSettle, "已调解", outcome(dispatch.OutcomeMediated))
		fx.must(t, fx.village, dispatch.ActMediate, "召集双方调解")
		if !offered(t, fx) {
			t.Fatal("settle is not offered after a mediation")
		}
		fx.must(t, fx.village, dispatch.ActSettle, "双方签署调解协议", outcome(dispatch.OutcomeMediated))
		// Reworked, it must be mediated again before it is settled.
		fx.must(t, fx.worker, dispatch.ActRework, "协议未履行")
		fx.refused(t, dispatch.ErrNoMediationYet, fx.village, dispatch.ActSettle, "已履行", outcome(dispatch.OutcomeMediated))
	})
}
