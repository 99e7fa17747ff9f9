package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// TestPhoneVerificationTasks: a village mediator accepts, mediates and settles two cases the
// grid worker reported; the open phone shows both as verification tasks (核查) without a reload.
// The worker verifies the first on site with a photo and a note, which closes it, and sends the
// second back (返工) with a reason, which returns it to the centre as accepted.
func TestPhoneVerificationTasks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("phone"), withLive())
	cases := dispatch.NewCases(fx.pool)
	fx.member(t, "13900000002", "140802001001", grid.RoleMediator)
	mediator, worker := fx.memberID(t, "13900000002"), fx.memberID(t, "13900000001")
	apply := func(id int64, a dispatch.Action, reason string, o dispatch.Outcome) {
		var version int
		if err := fx.pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, id).Scan(&version); err != nil {
			t.Error(err)
			return
		}
		_, err := cases.Apply(ctx, dispatch.Transition{CaseID: id, Version: version, Action: a, ActorID: mediator,
			Reason: reason, Outcome: o})
		if err != nil {
			t.Errorf("case %d: %s: %v", id, a, err)
		}
	}

	var verified, reworked int64
	browserScript(t, "phone_verify.mjs", func(line string) {
		var msg struct {
			Cases    []int64 `json:"cases"`
			Bump     int64   `json:"bump"`
			Verified int64   `json:"verified"`
			Reworked int64   `json:"reworked"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil {
			return
		}
		for _, id := range msg.Cases {
			apply(id, dispatch.ActAccept, "", "")
			apply(id, dispatch.ActMediate, "约双方到村调解室面谈", "")
			apply(id, dispatch.ActSettle, "双方签署调解协议，<b>协议</b>当场履行", dispatch.OutcomeMediated)
		}
		if msg.Bump != 0 {
			// Someone acted on the case a moment ago and the phone has not heard yet: its next
			// action carries a stale version.
			if _, err := fx.pool.Exec(ctx, `UPDATE cases SET version = version + 1 WHERE id = $1`, msg.Bump); err != nil {
				t.Error(err)
			}
		}
		verified = max(verified, msg.Verified)
		reworked = max(reworked, msg.Reworked)
	}, "BASE_URL="+fx.base, "PHONE=13900000001", "PASSWORD="+password, "LON=111.02", "LAT=35.02")
	if verified == 0 || reworked == 0 {
		t.Fatalf("the phone verified %d and reworked %d", verified, reworked)
	}

	var state, outcome string
	var photos int
	err := fx.pool.QueryRow(ctx, `SELECT c.state, coalesce(c.outcome, ''), count(f.sha256)
		FROM cases c JOIN case_history h ON h.case_id = c.id AND h.transition = 'verify'
		  AND h.actor_id = $2 AND h.to_state = 'closed' AND h.reason = '现场核实，双方已履行协议'
		LEFT JOIN case_history_photos p ON p.history_id = h.id
		LEFT JOIN photos f ON f.sha256 = p.sha256 AND f.uploader_id = $2 AND f.content_type = 'image/png'
		WHERE c.id = $1 AND c.closed_at IS NOT NULL GROUP BY c.id`, verified, worker).Scan(&state, &outcome, &photos)
	if err != nil || state != "closed" || outcome != "mediated" || photos != 1 {
		t.Errorf("verified case %d: state %q, outcome %q, %d photos of the worker's (%v); want closed, mediated, 1",
			verified, state, outcome, photos, err)
	}

	var reworks int
	var reason string
	err = fx.pool.QueryRow(ctx, `SELECT c.state, c.rework_count, h.reason FROM cases c
		JOIN case_history h ON h.case_id = c.id AND h.transition = 'rework' AND h.actor_id = $2 AND h.to_state = 'accepted'
		WHERE c.id = $1`, reworked, worker).Scan(&state, &reworks, &reason)
	if err != nil || state != "accepted" || reworks != 1 || reason != "噪音仍在，未整改" {
		t.Errorf("reworked case %d: state %q, %d reworks, reason %q (%v); want accepted, 1, the worker's reason",
			reworked, state, reworks, reason, err)
	}
	var stale int
	if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM case_history WHERE case_id = $1 AND transition = 'rework'`,
		reworked).Scan(&stale); err != nil || stale != 1 {
		t.Errorf("rework rows: %d (%v); the stale attempt must not have written one", stale, err)
	}
}

// TestPhoneGridLeaderVerifiesForTheReporter: a case settled at the village whose reporter did
// not verify in time shows on its grid leader's phone as a 代核查 task; the leader verifies it
// there, which closes it with a verify row by the leader.
func TestPhoneGridLeaderVerifiesForTheReporter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("phone"))
	fx.member(t, "13900000002", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000003", "140802001001001", grid.RoleGridLeader)
	mediator, leader := fx.memberID(t, "13900000002"), fx.memberID(t, "13900000003")
	id := fx.submit(t, "13900000001", "排水沟堵塞，污水漫到路上")
	cases := dispatch.NewCases(fx.pool)
	for i, a := range []dispatch.Action{dispatch.ActAccept, dispatch.ActMediate, dispatch.ActSettle} {
		if _, err := cases.Apply(ctx, dispatch.Transition{CaseID: id, Version: i + 1, Action: a, ActorID: mediator,
			Reason: "已疏通排水沟", Outcome: dispatch.OutcomeHandled}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	if _, err := fx.pool.Exec(ctx, `UPDATE cases SET verify_due_at = now() - interval '1 minute' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	out := browserScript(t, "phone_staff_verify.mjs", nil, "BASE_URL="+fx.base, "PHONE=13900000003", "PASSWORD="+password,
		"LON=111.02", "LAT=35.02", fmt.Sprintf("CASE=%d", id))
	var got struct {
		Verified int64 `json:"verified"`
	}
	if err := json.Unmarshal(out, &got); err != nil || got.Verified != id {
		t.Fatalf("script output %q: %v", out, err)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM case_history h JOIN cases c ON c.id = h.case_id
		WHERE c.id = $1 AND c.state = 'closed' AND h.transition = 'verify' AND h.actor_id = $2`, id, leader); n != 1 {
		t.Fatalf("case %d: %d verify rows by the grid leader on a closed case, want 1", id, n)
	}
}
