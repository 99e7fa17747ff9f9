package web_test

import (
	"encoding/json"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// TestPointItemsOnThePhone: the grid leader enters a patrol (网格巡查) for the grid's worker on
// the phone's 我的积分; the township supervisor, on their phone, is told a rejection needs a
// reason and then approves it; the worker's balance is 1 with the row (points_items.mjs).
func TestPointItemsOnThePhone(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withBrowser("phone"), withLive())
	fx.member(t, "13900000021", "140802001001001", grid.RoleGridLeader)
	fx.member(t, "13900000023", "140802001", grid.RoleSupervisor)
	out := browserScript(t, "points_items.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password,
		"LEADER=13900000021", "SUPERVISOR=13900000023", "WORKER=13900000001")
	var got struct {
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", out, err)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM point_ledger l JOIN point_items i ON i.ledger_id = l.id
		WHERE l.member_id = $1 AND l.points = 1 AND i.note = '巡查3组，路灯损坏一处已上报'`, fx.memberID(t, "13900000001")); n != 1 {
		t.Errorf("%d approved patrol rows, want 1", n)
	}
}
