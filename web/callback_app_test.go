package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestCallbackInTheConsoleAndOnThePhone: two cases the grid worker reported are settled by the
// village centre and verified on site; the mediator finds both in the console's 回访 queue,
// records 基本满意 for the first (after being told to choose a satisfaction), one try that did
// not reach the party and then 不满意 for the second, which goes back to the queue as accepted.
// The worker's phone shows both results on the case pages (callback_app.mjs).
func TestCallbackInTheConsoleAndOnThePhone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("console", "phone"), withLive())
	fx.member(t, "13900000002", "140802001001", grid.RoleMediator)
	mediator, worker := fx.memberID(t, "13900000002"), fx.memberID(t, "13900000001")
	cases := dispatch.NewCases(fx.pool)
	var ids []int64
	for _, d := range []string{"两户因排水沟发生争执", "楼上噪音扰民，多次协商无果"} {
		id := fx.submit(t, "13900000001", d)
		for i, a := range []dispatch.Action{dispatch.ActAccept, dispatch.ActMediate, dispatch.ActSettle, dispatch.ActVerify} {
			actor := mediator
			if a == dispatch.ActVerify {
				actor = worker
			}
			if _, err := cases.Apply(ctx, dispatch.Transition{CaseID: id, Version: i + 1, Action: a, ActorID: actor,
				Reason: "约双方到村调解室面谈", Outcome: dispatch.OutcomeMediated}); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		ids = append(ids, id)
	}
	out := browserScript(t, "callback_app.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password,
		"PHONE_M=13900000002", "PHONE_W=13900000001", fmt.Sprintf("CASE_A=%d", ids[0]), fmt.Sprintf("CASE_B=%d", ids[1]),
		"LON=111.02", "LAT=35.02")
	var got struct {
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", out, err)
	}
	for _, tc := range []struct {
		id          int64
		want        string
		transitions int
	}{{ids[0], "closed basic", 1}, {ids[1], "accepted dissatisfied", 2}} {
		var state, status string
		if err := fx.pool.QueryRow(ctx, `SELECT state, callback_status FROM cases WHERE id = $1`, tc.id).Scan(&state, &status); err != nil {
			t.Fatal(err)
		}
		if state+" "+status != tc.want {
			t.Errorf("case %d: %s %s, want %s", tc.id, state, status, tc.want)
		}
		if n := countOf(t, fx, `SELECT count(*) FROM case_history WHERE case_id = $1 AND actor_id = $2
			AND transition IN ('callback', 'callback_try')`, tc.id, mediator); n != tc.transitions {
			t.Errorf("case %d: %d callback rows by the mediator, want %d", tc.id, n, tc.transitions)
		}
	}
}

// TestCallbackFiguresOnTheDashboard: two cases of a village called back today, one 满意 and one
// 不满意: the township's dashboard shows 回访率 100% and 满意率 50% as tiles, ranking columns
// and headline rows of the week's bulletin, which says so in its summary (callback_dashboard.mjs).
func TestCallbackFiguresOnTheDashboard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("dashboard"), withLive())
	fx.member(t, "13900000002", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000003", "140802001", grid.RoleSupervisor)
	mediator, worker := fx.memberID(t, "13900000002"), fx.memberID(t, "13900000001")
	cases := dispatch.NewCases(fx.pool)
	for _, s := range []dispatch.Satisfaction{dispatch.Satisfied, dispatch.Dissatisfied} {
		id := fx.submit(t, "13900000001", "两户因排水沟发生争执")
		for i, a := range []dispatch.Action{dispatch.ActAccept, dispatch.ActMediate, dispatch.ActSettle, dispatch.ActVerify, dispatch.ActCallback} {
			actor := mediator
			if a == dispatch.ActVerify {
				actor = worker
			}
			tr := dispatch.Transition{CaseID: id, Version: i + 1, Action: a, ActorID: actor, Reason: "电话回访", Outcome: dispatch.OutcomeMediated}
			if a == dispatch.ActCallback {
				tr.Satisfaction = s
			}
			if _, err := cases.Apply(ctx, tr); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
	}
	out := browserScript(t, "callback_dashboard.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password,
		"PHONE_S=13900000003", "VILLAGE=140802001001")
	var got struct {
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", out, err)
	}
}
