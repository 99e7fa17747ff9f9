package dispatch_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

func toMember(id int64) func(*dispatch.Transition) {
	return func(t *dispatch.Transition) { t.ToMember = id }
}

// ownership reads the case's leader and its last case_leader_changes row.
func ownership(t *testing.T, fx *caseFixture) (leader, from, to *int64, transition string) {
	t.Helper()
	err := fx.db.Pool.QueryRow(context.Background(), `SELECT c.leader_id, l.from_leader, l.to_leader, h.transition
		FROM cases c JOIN case_history h ON h.case_id = c.id JOIN case_leader_changes l ON l.history_id = h.id
		WHERE c.id = $1 ORDER BY h.id DESC LIMIT 1`, fx.caseID).Scan(&leader, &from, &to, &transition)
	if err != nil {
		t.Fatal(err)
	}
	return leader, from, to, transition
}

func same(p *int64, id int64) bool { return p != nil && *p == id }

// TestLeaderHandsOverOrGivesUp (docs/cases.md "Risk grading"): the county leader who owns a
// difficult case hands it to another leader of the county, who gives it up with a reason; only
// the owner may, to a member eligible for lead; each is one history row with its outbox row
// and its case_leader_changes row; a case nobody owns cannot be given up and can be taken
// again; an owner who is no longer a leader of the county leaves it to the county's leaders.
func TestLeaderHandsOverOrGivesUp(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	first := leaderOf(t, fx, "13900000021", "140802")
	second := leaderOf(t, fx, "13900000022", "140802")
	third := leaderOf(t, fx, "13900000023", "140802")
	fx.must(t, fx.village, dispatch.ActAccept, "", grade(dispatch.GradeDifficult, false)) // to the county
	fx.refused(t, dispatch.ErrNotOwned, first, dispatch.ActLeadRelease, "不再包案")
	fx.refused(t, dispatch.ErrNotOwned, first, dispatch.ActLeadHandover, "", toMember(second.ID))
	fx.must(t, first, dispatch.ActLead, "")
	if leader, from, to, tr := ownership(t, fx); !same(leader, first.ID) || from != nil || !same(to, first.ID) || tr != "lead" {
		t.Fatalf("after lead: %v %v %v %s", leader, from, to, tr)
	}

	// Jurisdiction and bounds: nothing is written.
	for _, tc := range []struct {
		name string
		want error
		who  grid.Member
		a    dispatch.Action
		to   int64
	}{
		{"another county leader hands it over", dispatch.ErrNotYours, second, dispatch.ActLeadHandover, third.ID},
		{"another county leader gives it up", dispatch.ErrNotYours, second, dispatch.ActLeadRelease, 0},
		{"the township's supervisor", dispatch.ErrNotYours, fx.supervisor, dispatch.ActLeadHandover, second.ID},
		{"the county's mediator", dispatch.ErrNotYours, fx.county, dispatch.ActLeadRelease, 0},
		{"to a township supervisor", dispatch.ErrNotLeader, first, dispatch.ActLeadHandover, fx.supervisor.ID},
		{"to the county's mediator", dispatch.ErrNotLeader, first, dispatch.ActLeadHandover, fx.county.ID},
		{"to the owner", dispatch.ErrNotLeader, first, dispatch.ActLeadHandover, first.ID},
		{"to no member", dispatch.ErrNotLeader, first, dispatch.ActLeadHandover, 999999},
		{"to nobody", dispatch.ErrBadTransition, first, dispatch.ActLeadHandover, 0},
		{"to_member on a release", dispatch.ErrBadTransition, first, dispatch.ActLeadRelease, second.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx.refused(t, tc.want, tc.who, tc.a, "工作调整", toMember(tc.to))
		})
	}
	fx.refused(t, dispatch.ErrBadTransition, first, dispatch.ActLeadRelease, "  ") // a release says why

	// Handed over: one history row, one outbox row, the new owner in both and in the change.
	history, outbox := count(t, fx.db.Pool, `SELECT count(*) FROM case_history`), count(t, fx.db.Pool, `SELECT count(*) FROM outbox`)
	v := fx.must(t, first, dispatch.ActLeadHandover, "调任市里，移交分管领导", toMember(second.ID))
	if v.State != dispatch.StateQueued || v.Level != dispatch.TierCounty {
		t.Fatalf("the state moved: %+v", v)
	}
	if h, o := count(t, fx.db.Pool, `SELECT count(*) FROM case_history`)-history, count(t, fx.db.Pool, `SELECT count(*) FROM outbox`)-outbox; h != 1 || o != 1 {
		t.Fatalf("%d history rows, %d outbox rows", h, o)
	}
	if leader, from, to, tr := ownership(t, fx); !same(leader, second.ID) || !same(from, first.ID) || !same(to, second.ID) || tr != "lead_handover" {
		t.Fatalf("after handover: %v %v %v %s", leader, from, to, tr)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM outbox WHERE subject LIKE 'case.lead_handover.%' AND payload->>'leader' = '`+strconv.FormatInt(second.ID, 10)+`'`); n != 1 {
		t.Fatalf("%d handover messages naming the new leader", n)
	}
	fx.refused(t, dispatch.ErrNotYours, first, dispatch.ActLeadRelease, "已移交") // no longer the owner

	// Given up, with a reason; then nobody owns it, and it can be taken again.
	fx.must(t, fx.county, dispatch.ActAccept, "")
	fx.must(t, second, dispatch.ActLeadRelease, "矛盾已缓和，交由中心办理")
	if leader, from, to, tr := ownership(t, fx); leader != nil || !same(from, second.ID) || to != nil || tr != "lead_release" {
		t.Fatalf("after release: %v %v %v %s", leader, from, to, tr)
	}
	fx.refused(t, dispatch.ErrNotOwned, second, dispatch.ActLeadRelease, "再次放弃")
	fx.must(t, third, dispatch.ActLead, "")

	// The owner moves away: the county's other leaders may release or hand it over.
	if _, err := fx.db.Pool.Exec(context.Background(), `DELETE FROM assignments WHERE member_id = $1`, third.ID); err != nil {
		t.Fatal(err)
	}
	fx.must(t, first, dispatch.ActLeadHandover, "原包案领导已调离", toMember(first.ID))
	if leader, from, _, _ := ownership(t, fx); !same(leader, first.ID) || !same(from, third.ID) {
		t.Fatalf("after the orphan's handover: %v from %v", leader, from)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE transition IN ('lead', 'lead_handover', 'lead_release')`); n != 5 {
		t.Fatalf("%d ownership rows, want 5", n)
	}
}
