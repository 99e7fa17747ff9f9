package dispatch_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// caseFixture: the intake fixture's grid with the centres' staff of 140802 > 140802001 >
// 140802001001 and one case reported at 140802001001001001, queued at the village centre.
type caseFixture struct {
	intakeFixture
	cases                       *dispatch.Cases
	village, township, county   grid.Member // mediators of the three centres
	neighbour                   grid.Member // mediator of the next village, 140802001002
	supervisor, otherSupervisor grid.Member // of township 140802001, and of township 140802002
	caseID                      int64
}

func newCaseFixture(t *testing.T, category string) *caseFixture {
	t.Helper()
	fx := &caseFixture{intakeFixture: newIntake(t)}
	fx.cases = dispatch.NewCases(fx.db.Pool)
	g := grid.NewStore(fx.db.Pool)
	staff := func(phone, unit string, role grid.Role) grid.Member {
		m, err := g.CreateMember(context.Background(), phone, "工作人员"+phone[9:])
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Assign(context.Background(), grid.Assignment{MemberID: m.ID, UnitCode: unit, Role: role}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	fx.village = staff("13900000011", "140802001001", grid.RoleMediator)
	fx.township = staff("13900000012", "140802001", grid.RoleMediator)
	fx.county = staff("13900000013", "140802", grid.RoleMediator)
	fx.neighbour = staff("13900000014", "140802001002", grid.RoleMediator)
	fx.supervisor = staff("13900000015", "140802001", grid.RoleSupervisor)
	fx.otherSupervisor = staff("13900000016", "140802002", grid.RoleSupervisor)
	r := fx.report(t)
	r.Category = category
	rc, err := fx.intake.Submit(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	fx.caseID = rc.CaseID
	return fx
}

// do applies an action at the case's current version and returns the new view.
func (fx *caseFixture) do(t *testing.T, who grid.Member, a dispatch.Action, reason string, opts ...func(*dispatch.Transition)) (dispatch.CaseView, error) {
	t.Helper()
	var version int
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT version FROM cases WHERE id = $1`, fx.caseID).Scan(&version); err != nil {
		t.Fatal(err)
	}
	tr := dispatch.Transition{CaseID: fx.caseID, Version: version, Action: a, ActorID: who.ID, Reason: reason}
	for _, o := range opts {
		o(&tr)
	}
	return fx.cases.Apply(context.Background(), tr)
}

func (fx *caseFixture) must(t *testing.T, who grid.Member, a dispatch.Action, reason string, opts ...func(*dispatch.Transition)) dispatch.CaseView {
	t.Helper()
	v, err := fx.do(t, who, a, reason, opts...)
	if err != nil {
		t.Fatalf("%s by %s: %v", a, who.Phone, err)
	}
	return v
}

func (fx *caseFixture) refused(t *testing.T, want error, who grid.Member, a dispatch.Action, reason string, opts ...func(*dispatch.Transition)) {
	t.Helper()
	before := count(t, fx.db.Pool, `SELECT count(*) FROM case_history`) + count(t, fx.db.Pool, `SELECT count(*) FROM outbox`)
	if _, err := fx.do(t, who, a, reason, opts...); !errors.Is(err, want) {
		t.Fatalf("%s by %s: %v, want %v", a, who.Phone, err, want)
	}
	if after := count(t, fx.db.Pool, `SELECT count(*) FROM case_history`) + count(t, fx.db.Pool, `SELECT count(*) FROM outbox`); after != before {
		t.Fatalf("%s was refused but wrote %d rows", a, after-before)
	}
}

func outcome(o dispatch.Outcome) func(*dispatch.Transition) {
	return func(t *dispatch.Transition) { t.Outcome = o }
}

func toCentre(c string) func(*dispatch.Transition) {
	return func(t *dispatch.Transition) { t.ToCentre = c }
}

func TestCaseGoesThroughTheTiersAndIsVerified(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActAccept, "")
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActSettle, "已调解", outcome(dispatch.OutcomeMediated))
	fx.must(t, fx.village, dispatch.ActAccept, "")
	// Conflicts are not passed upward: no escalation before an attempt at this tier.
	fx.refused(t, dispatch.ErrNoAttemptYet, fx.village, dispatch.ActEscalate, "双方分歧大")
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActMediate, "  ")
	fx.must(t, fx.village, dispatch.ActMediate, "召集双方调解一次，未达成一致")
	v := fx.must(t, fx.village, dispatch.ActEscalate, "涉及宅基地边界，需镇司法所")
	if v.State != dispatch.StateQueued || v.Level != dispatch.TierTownship || v.Centre != "140802001" {
		t.Fatalf("escalated to %+v", v)
	}
	fx.refused(t, dispatch.ErrNotYours, fx.village, dispatch.ActAccept, "") // no longer the village's
	fx.must(t, fx.supervisor, dispatch.ActUrge, "请三日内办结")
	fx.refused(t, dispatch.ErrNotYours, fx.otherSupervisor, dispatch.ActUrge, "not my township")
	fx.must(t, fx.township, dispatch.ActAccept, "")
	fx.must(t, fx.township, dispatch.ActMediate, "司法所联合调解")
	fx.refused(t, dispatch.ErrBadTransition, fx.township, dispatch.ActSettle, "结果", outcome("won"))
	fx.must(t, fx.township, dispatch.ActSettle, "双方签署调解协议", outcome(dispatch.OutcomeMediated))
	fx.refused(t, dispatch.ErrNotYours, fx.township, dispatch.ActVerify, "")
	fx.must(t, fx.worker, dispatch.ActRework, "协议未履行，围墙仍未拆除")
	fx.must(t, fx.township, dispatch.ActMediate, "再次督促履行")
	fx.must(t, fx.township, dispatch.ActSettle, "已履行", outcome(dispatch.OutcomeMediated))
	v = fx.must(t, fx.worker, dispatch.ActVerify, "")
	if v.State != dispatch.StateClosed || v.Version != 12 {
		t.Fatalf("after verification: %+v", v)
	}
	fx.refused(t, dispatch.ErrNotAllowed, fx.township, dispatch.ActMediate, "again")

	var state, result string
	var reworks int
	var closed bool
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT state, outcome, rework_count, closed_at IS NOT NULL
		FROM cases WHERE id = $1`, fx.caseID).Scan(&state, &result, &reworks, &closed); err != nil {
		t.Fatal(err)
	}
	if state != "closed" || result != "mediated" || reworks != 1 || !closed {
		t.Fatalf("case: %s %s reworks=%d closed=%v", state, result, reworks, closed)
	}
	// One history row per transition (plus the report's), one outbox row each, in order.
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history`); n != 12 {
		t.Fatalf("%d history rows, want 12", n)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM outbox WHERE subject LIKE 'case.%'`); n != 12 {
		t.Fatalf("%d case messages in the outbox, want 12", n)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM outbox o JOIN case_history h
		ON h.id = (o.payload->>'transition_id')::bigint AND o.subject = 'case.' || h.transition || '.140802.001.001.001.001'`); n != 12 {
		t.Fatalf("%d outbox rows carry their transition id and subject, want 12", n)
	}
}

func TestCaseReturnTransferAndTierBounds(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "labour_wages") // starts at the township tier
	fx.must(t, fx.township, dispatch.ActAccept, "")
	fx.refused(t, dispatch.ErrNoAttemptYet, fx.township, dispatch.ActEscalate, "太复杂")
	v := fx.must(t, fx.township, dispatch.ActReturn, "请村里先核实欠薪金额")
	if v.Level != dispatch.TierVillage || v.Centre != "140802001001" || v.State != dispatch.StateQueued {
		t.Fatalf("returned to %+v", v)
	}
	// Misrouted: the village hands it to its neighbour under the same township.
	fx.refused(t, dispatch.ErrUnknownCentre, fx.village, dispatch.ActTransfer, "不在本村", toCentre("140802002001"))
	fx.refused(t, dispatch.ErrUnknownCentre, fx.village, dispatch.ActTransfer, "不在本村", toCentre("140802001009"))
	v = fx.must(t, fx.village, dispatch.ActTransfer, "当事人住邻村", toCentre("140802001002"))
	if v.Centre != "140802001002" || v.Level != dispatch.TierVillage {
		t.Fatalf("transferred to %+v", v)
	}
	// Below its category's starting tier a case may go up without an attempt.
	v = fx.must(t, fx.neighbour, dispatch.ActEscalate, "属镇级事项")
	if v.Level != dispatch.TierTownship {
		t.Fatalf("escalated to %+v", v)
	}
	fx.refused(t, dispatch.ErrNotAllowed, fx.township, dispatch.ActMediate, "not accepted yet")
	fx.must(t, fx.township, dispatch.ActAccept, "")
	fx.must(t, fx.township, dispatch.ActMediate, "劳动监察介入")
	fx.must(t, fx.township, dispatch.ActEscalate, "涉及跨县企业")
	fx.must(t, fx.county, dispatch.ActAccept, "")
	fx.must(t, fx.county, dispatch.ActMediate, "仲裁委调解")
	fx.refused(t, dispatch.ErrNoTierThatWay, fx.county, dispatch.ActEscalate, "no tier above the county")
}

// Two mediators accept the same case at once: exactly one wins, the other is told the case
// changed, and one history row is written.
func TestCaseDoubleAcceptRace(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	second, err := grid.NewStore(fx.db.Pool).CreateMember(context.Background(), "13900000021", "第二调解员")
	if err != nil {
		t.Fatal(err)
	}
	if err := grid.NewStore(fx.db.Pool).Assign(context.Background(), grid.Assignment{MemberID: second.ID, UnitCode: "140802001001", Role: grid.RoleMediator}); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 10; round++ {
		if round > 0 { // back to the queue for another race
			fx.must(t, fx.township, dispatch.ActReturn, "重新受理")
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, who := range []grid.Member{fx.village, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = fx.cases.Apply(context.Background(), dispatch.Transition{CaseID: fx.caseID, Version: versionOf(t, fx), Action: dispatch.ActAccept, ActorID: who.ID})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, dispatch.ErrStaleVersion) && !errors.Is(err, dispatch.ErrNotAllowed):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d accepts succeeded: %v", round, won, errs)
		}
		fx.must(t, fx.village, dispatch.ActMediate, "调解")
		fx.must(t, fx.village, dispatch.ActEscalate, "上报镇里")
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE transition = 'accept'`); n != 10 {
		t.Fatalf("%d accept rows for 10 races", n)
	}
}

func versionOf(t *testing.T, fx *caseFixture) int {
	var v int
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT version FROM cases WHERE id = $1`, fx.caseID).Scan(&v); err != nil {
		t.Error(err)
	}
	return v
}
