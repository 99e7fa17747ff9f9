package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

func reasonCode(c dispatch.DeclineReason) func(*dispatch.Transition) {
	return func(t *dispatch.Transition) { t.ReasonCode = c }
}

// A centre declines a case it received (退单) with a reason code; only a centre above rules on
// it: sent back with a ruling, or re-routed to another centre of the tier or above. Repeated
// declines are listed for the dashboard.
func TestDeclineArbitratedAbove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour") // queued at village 140802001001
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActDecline, "不归我们管")
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActDecline, "不归我们管", reasonCode("lazy"))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActDecline, " ", reasonCode(dispatch.DeclineNotOurs))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActMediate, "调处", reasonCode(dispatch.DeclineNotOurs))
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActDecline, "not mine", reasonCode(dispatch.DeclineNotOurs))
	v := fx.must(t, fx.village, dispatch.ActDecline, "属于物业管理范围", reasonCode(dispatch.DeclineNotOurs))
	if v.State != dispatch.StateDeclined || v.Centre != "140802001001" || v.Level != dispatch.TierVillage || v.DeadlineAt != nil {
		t.Fatalf("declined: %+v", v)
	}
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActAccept, "")
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActDecline, "again", reasonCode(dispatch.DeclineOther))
	fx.refused(t, dispatch.ErrNotYours, fx.village, dispatch.ActDeclineOverrule, "its own judge")
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActDeclineOverrule, "a sibling is not above")
	fx.refused(t, dispatch.ErrNotYours, fx.supervisor, dispatch.ActDeclineOverrule, "a supervisor does not rule")
	fx.refused(t, dispatch.ErrBadTransition, fx.township, dispatch.ActDeclineOverrule, " ")
	v = fx.must(t, fx.township, dispatch.ActDeclineOverrule, "围墙纠纷属村调解范围，请受理")
	if v.State != dispatch.StateQueued || v.Centre != "140802001001" || v.DeadlineAt == nil || !v.DeadlineAt.After(time.Now()) {
		t.Fatalf("overruled: %+v", v)
	}

	// Declined again; the township agrees and sends it to the neighbouring village.
	fx.must(t, fx.village, dispatch.ActAccept, "")
	fx.must(t, fx.village, dispatch.ActDecline, "当事人住邻村", reasonCode(dispatch.DeclineWrongAddress))
	fx.refused(t, dispatch.ErrUnknownCentre, fx.township, dispatch.ActDeclineUphold, "改派")
	fx.refused(t, dispatch.ErrUnknownCentre, fx.township, dispatch.ActDeclineUphold, "改派", toCentre("140802002001"))
	fx.refused(t, dispatch.ErrUnknownCentre, fx.township, dispatch.ActDeclineUphold, "改派", toCentre("140802001001"))
	fx.refused(t, dispatch.ErrUnknownCentre, fx.township, dispatch.ActDeclineUphold, "改派", toCentre("140802002"))
	v = fx.must(t, fx.township, dispatch.ActDeclineUphold, "退单理由成立，改由西阜村办理", toCentre("140802001002"))
	if v.State != dispatch.StateQueued || v.Centre != "140802001002" || v.Level != dispatch.TierVillage || v.DeadlineAt == nil {
		t.Fatalf("upheld: %+v", v)
	}
	// The neighbour declines too; the county takes it up to the township.
	fx.must(t, fx.neighbour, dispatch.ActDecline, "与已上报案件重复", reasonCode(dispatch.DeclineDuplicate))
	fx.must(t, fx.supervisor, dispatch.ActUrge, "尽快裁决")
	v = fx.must(t, fx.county, dispatch.ActDeclineUphold, "由镇调解中心统一办理", toCentre("140802001"))
	if v.Centre != "140802001" || v.Level != dispatch.TierTownship || v.State != dispatch.StateQueued {
		t.Fatalf("upheld upward: %+v", v)
	}

	var declines, coded, published int
	if err := fx.db.Pool.QueryRow(ctx, `SELECT count(*), count(reason_code),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM outbox o WHERE (o.payload->>'transition_id')::bigint = h.id))
		FROM case_history h WHERE transition = 'decline'`).Scan(&declines, &coded, &published); err != nil {
		t.Fatal(err)
	}
	if declines != 3 || coded != 3 || published != 3 {
		t.Fatalf("declines %d, with a code %d, published %d; want 3 each", declines, coded, published)
	}
	today := dispatch.StatsToday(time.Now())
	stats := dispatch.NewStats(fx.db.Pool)
	for _, c := range []struct {
		unit      string
		min, want int
	}{{"140802", 2, 1}, {"140802001001", 3, 1}, {"140802", 4, 0}, {"140802002", 2, 0}} {
		list, total, err := stats.RepeatedDeclines(ctx, dispatch.StatsFilter{Unit: c.unit, From: today, To: today}, c.min, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != c.want || len(list) != c.want || c.want == 1 && (list[0].ID != fx.caseID || list[0].Declines != 3) {
			t.Fatalf("%s declined %d+ times: %d %+v, want %d", c.unit, c.min, total, list, c.want)
		}
	}
}
