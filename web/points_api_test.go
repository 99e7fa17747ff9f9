package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// TestPointItemsAndTheMonthlyAudit walks the manual side through the routes: the grid leader
// enters a patrol for a worker of their grid (not for one of another grid, nor a case rule, nor
// a day in the future); the worker cannot approve it; the township supervisor approves it and
// the worker's balance shows it; a second item is rejected, with a reason required; a county
// supervisor cancels the row with a counter-entry, audited, once; the township supervisor
// confirms last month (not this one, not twice), after which an item dated last month is booked
// into this month.
func TestPointItemsAndTheMonthlyAudit(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	leader := fx.member(t, "13900000021", "140802001001001", grid.RoleGridLeader)
	fx.member(t, "13900000022", "140802001001002", grid.RoleGridWorker)
	supervisor := fx.member(t, "13900000023", "140802001", grid.RoleSupervisor)
	county := fx.member(t, "13900000024", "140802", grid.RoleSupervisor)
	worker, elsewhere := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000022")
	shanghai := time.FixedZone("CST", 8*3600)
	today := time.Now().In(shanghai)
	day := today.Format(time.DateOnly)
	item := func(token string, member int64, rule, day, note string) response {
		return call(t, "POST", fx.base+"/api/points/items", token,
			fmt.Sprintf(`{"member_id": %d, "rule": %q, "day": %q, "note": %q}`, member, rule, day, note))
	}
	want := func(res response, status int, what string) response {
		t.Helper()
		if res.status != status {
			t.Fatalf("%s: %d %v, want %d", what, res.status, res.body, status)
		}
		return res
	}
	balance := func() float64 {
		res := want(call(t, "GET", fx.base+"/api/my/points", fx.token, ""), 200, "my points")
		return res.body["balance"].(float64)
	}

	want(item(leader, elsewhere, "patrol", day, "巡查"), http.StatusForbidden, "a worker of another grid")
	want(item(fx.token, worker, "patrol", day, "巡查"), http.StatusForbidden, "a worker entering their own")
	want(item(leader, worker, "report_accepted", day, "巡查"), http.StatusBadRequest, "a case rule")
	want(item(leader, worker, "patrol", today.AddDate(0, 0, 2).Format(time.DateOnly), "巡查"), http.StatusBadRequest, "a future day")
	want(item(leader, worker, "patrol", day, ""), http.StatusBadRequest, "no note")
	want(item(leader, worker, "patrol", "7 May", "巡查"), http.StatusBadRequest, "a day not a date")
	first := want(item(leader, worker, "patrol", day, "巡查3组，发现路灯损坏一处"), http.StatusCreated, "a patrol").body
	if first["status"] != "pending" || first["indicator"] != "网格巡查" {
		t.Fatalf("the item: %v", first)
	}
	id := int64(first["id"].(float64))
	approve := func(token string, id int64) response {
		return call(t, "POST", fmt.Sprintf("%s/api/points/items/%d/approve", fx.base, id), token, `{}`)
	}
	want(approve(fx.token, id), http.StatusForbidden, "the worker approving")
	want(approve(leader, id), http.StatusForbidden, "the leader approving")
	list := want(call(t, "GET", fx.base+"/api/points/items", supervisor, ""), 200, "the supervisor's items").body["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["can_decide"] != true {
		t.Fatalf("the supervisor's items: %v", list)
	}
	approved := want(approve(supervisor, id), 200, "the supervisor approving").body
	if approved["status"] != "approved" || approved["booked"] != float64(1) {
		t.Fatalf("approved: %v", approved)
	}
	want(approve(supervisor, id), http.StatusConflict, "approving twice")
	if b := balance(); b != 1 {
		t.Fatalf("balance %v after the patrol, want 1", b)
	}

	second := int64(want(item(leader, worker, "household_visit", day, "走访独居老人"), 201, "a visit").body["id"].(float64))
	want(call(t, "POST", fmt.Sprintf("%s/api/points/items/%d/reject", fx.base, second), supervisor, `{}`), 400, "a rejection without a reason")
	rejected := want(call(t, "POST", fmt.Sprintf("%s/api/points/items/%d/reject", fx.base, second), supervisor, `{"reason": "当日未见走访记录"}`), 200, "rejected").body
	if rejected["status"] != "rejected" || rejected["reason"] != "当日未见走访记录" {
		t.Fatalf("rejected: %v", rejected)
	}

	var row int64
	if err := fx.pool.QueryRow(t.Context(), `SELECT ledger_id FROM point_items WHERE id = $1`, id).Scan(&row); err != nil {
		t.Fatal(err)
	}
	cancel := func(token string) response {
		return call(t, "POST", fmt.Sprintf("%s/api/points/rows/%d/cancel", fx.base, row), token, `{"reason": "重复录入"}`)
	}
	want(cancel(leader), http.StatusNotFound, "the leader cancelling")
	want(call(t, "POST", fmt.Sprintf("%s/api/points/rows/%d/cancel", fx.base, row), county, `{}`), 400, "a cancel without a reason")
	want(cancel(county), 200, "the county supervisor cancelling")
	want(cancel(county), http.StatusConflict, "cancelling twice")
	if b := balance(); b != 0 {
		t.Errorf("balance %v after the cancel, want 0", b)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM audit_log WHERE action = 'point.cancel' AND member_id = $1 AND detail->>'reason' = '重复录入'`, worker); n != 1 {
		t.Errorf("%d audit entries of the cancel, want 1", n)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM audit_log WHERE action = 'point_item.approve'`); n != 1 {
		t.Errorf("%d audit entries of the approval, want 1", n)
	}

	// 月度审核: last month, by the township's supervisor; an item of last month then goes to this one.
	thisMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := thisMonth.AddDate(0, -1, 0)
	confirm := func(token, month string) response {
		return call(t, "POST", fx.base+"/api/points/months", token, fmt.Sprintf(`{"township": "140802001", "month": %q}`, month))
	}
	want(confirm(supervisor, thisMonth.Format("2006-01")), http.StatusUnprocessableEntity, "confirming this month")
	want(confirm(leader, last.Format("2006-01")), http.StatusForbidden, "the leader confirming")
	want(confirm(supervisor, "2026-13"), http.StatusBadRequest, "a month 13")
	want(confirm(supervisor, last.Format("2006-01")), http.StatusCreated, "confirming last month")
	want(confirm(county, last.Format("2006-01")), http.StatusConflict, "confirming it again")
	lastDay := thisMonth.AddDate(0, 0, -1).Format(time.DateOnly)
	late := int64(want(item(leader, worker, "grid_meeting", lastDay, "网格例会"), 201, "an item of last month").body["id"].(float64))
	want(approve(supervisor, late), 200, "approving it")
	mine := want(call(t, "GET", fx.base+"/api/my/points", fx.token, ""), 200, "my points").body
	rows := mine["rows"].([]any)
	if got := rows[0].(map[string]any); got["month"] != thisMonth.Format("2006-01") || got["day"] != lastDay || got["indicator"] != "参加网格例会" {
		t.Errorf("the item of confirmed %s: %v, want booked in %s", last.Format("2006-01"), got, thisMonth.Format("2006-01"))
	}
	want(call(t, "GET", fx.base+"/api/my/points?month=June", fx.token, ""), 400, "a month not a month")
}
