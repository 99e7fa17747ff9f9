package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestPointsAuditOnTheDashboard: a township supervisor opens 月度审核 on the dashboard, finds
// last month's three rows of two workers at two grids, cancels one with a reason and confirms
// the month through its dialogs, is offered no confirmation of this month, and a county
// supervisor finds the confirmed month by picking the township (points_audit.mjs, at 1366 and
// 360 px, in Chinese and English).
// Then, in PostgreSQL: the worker's balance fell by the row's points, the cancel is audited,
// the month is confirmed by the supervisor, a row written into it is refused by the database,
// and an item of that month approved afterwards is booked into this month.
func TestPointsAuditOnTheDashboard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("dashboard"), withLive())
	leader := fx.member(t, "13900000052", "140802001001001", grid.RoleGridLeader)
	fx.member(t, "13900000053", "140802001001002", grid.RoleGridWorker)
	fx.member(t, "13900000054", "140802", grid.RoleSupervisor)
	supervisorToken := fx.member(t, "13900000051", "140802001", grid.RoleSupervisor)
	w1, w2, supervisor := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000053"), fx.memberID(t, "13900000051")
	last, this := auditMonths()
	bookRow(t, fx, w1, "140802001001001", last, "patrol")
	hazard := bookRow(t, fx, w1, "140802001001001", last, "hazard_check")
	bookRow(t, fx, w2, "140802001001002", last, "household_visit")
	balance := func() int {
		var b int
		if err := fx.pool.QueryRow(ctx, `SELECT balance FROM point_balances WHERE member_id = $1`, w1).Scan(&b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := balance(); b != 3 {
		t.Fatalf("the worker's balance before: %d, want 3", b)
	}
	var name string
	if err := fx.pool.QueryRow(ctx, `SELECT name FROM members WHERE id = $1`, supervisor).Scan(&name); err != nil {
		t.Fatal(err)
	}

	out := browserScript(t, "points_audit.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_S=13900000051", "PHONE_C=13900000054",
		"NAME_S="+name, "MONTH="+last.Format("2006-01"), fmt.Sprintf("ROW=%d", hazard), "ROWS=3", fmt.Sprintf("WORKER=%d", w1))
	var got struct {
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", out, err)
	}

	if b := balance(); b != 1 {
		t.Errorf("the worker's balance after the cancel: %d, want 1 (3 less the 2 of 安全隐患排查)", b)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM point_ledger WHERE reverses = $1 AND points = -2 AND created_by = $2
		AND note = '隐患排查记录不实，现场核实无此隐患' AND month = $3`, hazard, supervisor, this); n != 1 {
		t.Errorf("%d counter-entries of row %d in this month by the supervisor with the reason, want 1", n, hazard)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM audit_log WHERE action = 'point.cancel' AND actor_id = $1 AND (detail->>'ledger_id')::bigint = $2`, supervisor, hazard); n != 1 {
		t.Errorf("%d audit entries of the cancel, want 1", n)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM point_months WHERE township_code = '140802001' AND month = $1 AND confirmed_by = $2`, last, supervisor); n != 1 {
		t.Fatalf("last month is not confirmed by the supervisor")
	}
	if n := countOf(t, fx, `SELECT count(*) FROM audit_log WHERE action = 'point.month_confirm' AND actor_id = $1`, supervisor); n != 1 {
		t.Errorf("%d audit entries of the confirmation, want 1", n)
	}

	// The database refuses a row written into the confirmed month.
	_, err := fx.pool.Exec(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
SELECT $1, '140802001001001', $2, 1, 'manual', id, 'audit-late' FROM point_rules WHERE code = 'patrol'`, w1, last)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.ConstraintName != "point_ledger_month_confirmed" {
		t.Errorf("a row written into the confirmed month: %v, want refused by point_ledger_month_confirmed", err)
	}
	// An item of that month approved afterwards is booked into this month.
	lastDay := this.AddDate(0, 0, -1).Format(time.DateOnly)
	res := call(t, "POST", fx.base+"/api/points/items", leader, fmt.Sprintf(`{"member_id": %d, "rule": "grid_meeting", "day": %q, "note": "网格例会"}`, w1, lastDay))
	if res.status != 201 {
		t.Fatalf("an item of last month: %d %v", res.status, res.body)
	}
	item := int64(res.body["id"].(float64))
	if res := call(t, "POST", fmt.Sprintf("%s/api/points/items/%d/approve", fx.base, item), supervisorToken, `{}`); res.status != 200 {
		t.Fatalf("approving it: %d %v", res.status, res.body)
	}
	var month time.Time
	if err := fx.pool.QueryRow(ctx, `SELECT l.month FROM point_items i JOIN point_ledger l ON l.id = i.ledger_id WHERE i.id = $1`, item).Scan(&month); err != nil {
		t.Fatal(err)
	}
	if !month.Equal(this) {
		t.Errorf("the item of the confirmed month was booked into %s, want %s", month.Format("2006-01"), this.Format("2006-01"))
	}
}
