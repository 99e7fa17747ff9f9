package web_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// TestPointRulesInTheAdminApp: a county administrator opens 积分规则 and finds the seeded
// scheme, changes 网格巡查's cap to 20 a month, adds a manual indicator 矛盾纠纷排查 +2 approved
// by the township, and is refused a rule without points in the page's words; at 360 px the rows
// fit; a township administrator reads the rules without controls (points_admin.mjs). The
// database holds what was saved, and the audit log has both saves.
func TestPointRulesInTheAdminApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("admin"))
	fx.member(t, "13900000041", "140802", grid.RoleAdmin)
	fx.member(t, "13900000042", "140802001", grid.RoleAdmin)
	out := browserScript(t, "points_admin.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password,
		"COUNTY=13900000041", "TOWNSHIP=13900000042")
	var got struct {
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", out, err)
	}
	var capPoints, points, tier int
	var period string
	if err := fx.pool.QueryRow(ctx, `SELECT cap_points, cap_period FROM point_rules WHERE code = 'patrol'`).Scan(&capPoints, &period); err != nil {
		t.Fatal(err)
	}
	if capPoints != 20 || period != "month" {
		t.Errorf("patrol's cap %d a %s, want 20 a month", capPoints, period)
	}
	if err := fx.pool.QueryRow(ctx, `SELECT points, approver_tier FROM point_rules WHERE code = 'dispute_check' AND trigger = 'manual'
		AND indicator = '矛盾纠纷排查' AND active`).Scan(&points, &tier); err != nil {
		t.Fatalf("the added rule: %v", err)
	}
	if points != 2 || tier != 2 {
		t.Errorf("the added rule: %d points approved at tier %d, want 2 at 2", points, tier)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM audit_log WHERE action = 'point_rule.save'`); n != 2 {
		t.Errorf("%d point_rule.save entries in the audit log, want 2", n)
	}
}
