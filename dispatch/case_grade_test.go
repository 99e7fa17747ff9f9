package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

func grade(g dispatch.Grade, major bool) func(*dispatch.Transition) {
	return func(t *dispatch.Transition) { t.Grade, t.Major = g, major }
}

// leaderOf assigns a new member as supervisor at unit: a county leader when unit is a county.
func leaderOf(t *testing.T, fx *caseFixture, phone, unit string) grid.Member {
	t.Helper()
	g := grid.NewStore(fx.db.Pool)
	m, err := g.CreateMember(context.Background(), phone, "县领导"+phone[9:])
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Assign(context.Background(), grid.Assignment{MemberID: m.ID, UnitCode: unit, Role: grid.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	return m
}

type gradedCase struct {
	grade    *string
	major    bool
	leader   *int64
	deadline time.Time
	opened   time.Time
}

func readGraded(t *testing.T, fx *caseFixture) gradedCase {
	t.Helper()
	var c gradedCase
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT grade, major, leader_id, deadline_at, opened_at
		FROM cases WHERE id = $1`, fx.caseID).Scan(&c.grade, &c.major, &c.leader, &c.deadline, &c.opened); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGradeAtAccept(t *testing.T) {
	t.Parallel()
	t.Run("without a grade, as older clients accept", func(t *testing.T) {
		fx := newCaseFixture(t, "neighbour")
		before := readGraded(t, fx)
		fx.must(t, fx.village, dispatch.ActAccept, "")
		if c := readGraded(t, fx); c.grade != nil || c.major || !c.deadline.Equal(before.deadline) {
			t.Fatalf("accepted without a grade: %+v, deadline was %v", c, before.deadline)
		}
	})
	t.Run("complex and major", func(t *testing.T) {
		fx := newCaseFixture(t, "neighbour")
		before := readGraded(t, fx)
		fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActAccept, "", grade("hard", false))
		fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActAccept, "", grade("", true))
		outbox := count(t, fx.db.Pool, `SELECT count(*) FROM outbox`)
		v := fx.must(t, fx.village, dispatch.ActAccept, "", grade(dispatch.GradeComplex, true))
		if v.State != dispatch.StateAccepted || v.Level != dispatch.TierVillage {
			t.Fatalf("accepted as %+v", v)
		}
		c := readGraded(t, fx)
		if c.grade == nil || *c.grade != "complex" || !c.major || !c.deadline.Equal(before.deadline) {
			t.Fatalf("graded complex: %+v", c)
		}
		if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE transition = 'accept' AND grade = 'complex' AND major`); n != 1 {
			t.Fatalf("%d history rows with the grade", n)
		}
		if n := count(t, fx.db.Pool, `SELECT count(*) FROM outbox`) - outbox; n != 1 {
			t.Fatalf("%d outbox rows", n)
		}
		var payloadGrade string
		if err := fx.db.Pool.QueryRow(context.Background(), `SELECT payload->>'grade' FROM outbox ORDER BY id DESC LIMIT 1`).Scan(&payloadGrade); err != nil || payloadGrade != "complex" {
			t.Fatalf("published grade %q, %v", payloadGrade, err)
		}
	})
}

func TestGradeDifficultGoesToCounty(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	v := fx.must(t, fx.village, dispatch.ActAccept, "", grade(dispatch.GradeDifficult, false))
	if v.State != dispatch.StateQueued || v.Level != dispatch.TierCounty || v.Centre != "140802" {
		t.Fatalf("a difficult case accepted at the village: %+v", v)
	}
	var countyS int
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT county_deadline_s FROM categories WHERE code = 'neighbour'`).Scan(&countyS); err != nil {
		t.Fatal(err)
	}
	var hist time.Time
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT at FROM case_history WHERE case_id = $1 ORDER BY id DESC LIMIT 1`, fx.caseID).Scan(&hist); err != nil {
		t.Fatal(err)
	}
	if want := hist.Add(time.Duration(countyS) * time.Second); !v.DeadlineAt.Equal(want) {
		t.Fatalf("deadline %v, want the county's %v", v.DeadlineAt, want)
	}
	fx.refused(t, dispatch.ErrNotYours, fx.village, dispatch.ActMediate, "no longer the village's")
	fx.must(t, fx.county, dispatch.ActAccept, "")
	if c := readGraded(t, fx); c.grade == nil || *c.grade != "difficult" {
		t.Fatalf("the county's plain accept lost the grade: %+v", c)
	}
}

func TestGradeSetsDeadline(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	before := readGraded(t, fx)
	var villageS int
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT village_deadline_s FROM categories WHERE code = 'neighbour'`).Scan(&villageS); err != nil {
		t.Fatal(err)
	}
	base := time.Duration(villageS) * time.Second
	v := fx.must(t, fx.village, dispatch.ActAccept, "", grade(dispatch.GradeSimple, false))
	if want := before.deadline.Add(-base / 2); !v.DeadlineAt.Equal(want) {
		t.Fatalf("simple: deadline %v, want half the tier's time %v", v.DeadlineAt, want)
	}
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActRegrade, "", grade(dispatch.GradeComplex, false))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActRegrade, "涉及多户", grade("", false))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActRegrade, "同级", grade(dispatch.GradeSimple, false))
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActRegrade, "涉及多户", grade(dispatch.GradeComplex, false))
	v = fx.must(t, fx.village, dispatch.ActRegrade, "涉及多户", grade(dispatch.GradeComplex, true))
	if !v.DeadlineAt.Equal(before.deadline) || v.State != dispatch.StateAccepted {
		t.Fatalf("regraded complex: %+v, want the category's deadline %v", v, before.deadline)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE transition = 'regrade' AND reason = '涉及多户' AND grade = 'complex'`); n != 1 {
		t.Fatalf("%d regrade rows", n)
	}
	v = fx.must(t, fx.village, dispatch.ActRegrade, "群体性苗头", grade(dispatch.GradeDifficult, true))
	if v.State != dispatch.StateQueued || v.Level != dispatch.TierCounty {
		t.Fatalf("regraded difficult: %+v", v)
	}
}

func TestLeaderOwnsDifficultCase(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	leader := leaderOf(t, fx, "13900000021", "140802")
	other := leaderOf(t, fx, "13900000022", "140802")
	fx.must(t, fx.village, dispatch.ActAccept, "", grade(dispatch.GradeComplex, false))
	fx.refused(t, dispatch.ErrNotDifficult, leader, dispatch.ActLead, "")
	fx.must(t, fx.village, dispatch.ActRegrade, "疑难复杂", grade(dispatch.GradeDifficult, false))
	// Jurisdiction: only a supervisor at the county; not the township's, nor the county's mediator.
	fx.refused(t, dispatch.ErrNotYours, fx.supervisor, dispatch.ActLead, "")
	fx.refused(t, dispatch.ErrNotYours, fx.county, dispatch.ActLead, "")
	outbox := count(t, fx.db.Pool, `SELECT count(*) FROM outbox`)
	fx.must(t, leader, dispatch.ActLead, "")
	if c := readGraded(t, fx); c.leader == nil || *c.leader != leader.ID {
		t.Fatalf("owned by %v, want %d", c.leader, leader.ID)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM outbox`) - outbox; n != 1 {
		t.Fatalf("%d outbox rows", n)
	}
	fx.refused(t, dispatch.ErrAlreadyOwned, other, dispatch.ActLead, "")
	fx.must(t, fx.county, dispatch.ActAccept, "")
	fx.refused(t, dispatch.ErrNotAllowed, fx.county, dispatch.ActRegrade, "好转", grade(dispatch.GradeComplex, false))
	list, err := fx.cases.Queue(context.Background(), dispatch.QueueFilter{Centre: "140802", Led: true})
	if err != nil || len(list) != 1 || list[0].LeaderName != leader.Name {
		t.Fatalf("led filter: %+v, %v", list, err)
	}
}
