package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The points routes' rows of the jurisdiction matrix (points.go, docs/points.md): the store's
// queries are their check, against the member's assignments.
func init() {
	matrix = append(matrix,
		matrixRow{"GET /api/my/points", "member", everyone, getPath(func(matrixTarget) string { return "/api/my/points" })},
		matrixRow{"GET /api/points/items", "member", everyone, getPath(func(matrixTarget) string { return "/api/points/items" })},
		// A grid leader enters an item for a worker of their own grid; nobody else does.
		matrixRow{"POST /api/points/items", "member", "33 +3 33 33 33 33 33 33 33", tryPointItem},
		// Approved at the rule's tier (the township's, for patrol) or above, by supervisors and administrators.
		matrixRow{"POST /api/points/items/{id}/approve", "member", "33 33 33 33 33 +3 +3 +3 +3", tryDecidePointItem("approve", `{}`)},
		matrixRow{"POST /api/points/items/{id}/reject", "member", "33 33 33 33 33 +3 +3 +3 +3", tryDecidePointItem("reject", `{"reason": "不符合"}`)},
		// A row outside the member's township or county is as if there were none.
		matrixRow{"POST /api/points/rows/{id}/cancel", "member", "44 44 44 44 44 +4 +4 +4 +4", tryCancelPoints},
		// 月度审核: a supervisor of the township or its county.
		matrixRow{"POST /api/points/months", "member", "33 33 33 33 33 +3 +3 33 33", tryConfirmMonth},
		matrixRow{"GET /api/admin/point-rules", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/point-rules" })},
		matrixRow{"POST /api/admin/point-rules", "county-admin", countyAdmins, tryAddPointRule},
		matrixRow{"PUT /api/admin/point-rules/{id}", "county-admin", countyAdmins, trySavePointRule},
	)
}

var matrixSerial atomic.Int64

// pointsGrid is the grid a points try reaches for: 140802001001001 inside every role's
// subtree; outside, the next grid for a grid's roles and the other county's for the others.
func pointsGrid(c matrixCall) string {
	for _, r := range matrixRoles {
		if r.phone != c.phone || c.target.unit == r.unit {
			continue
		}
		if len(r.unit) == 15 {
			return "140802001001002"
		}
		return "140803001001001"
	}
	return "140802001001001"
}

func tryPointItem(t *testing.T, c matrixCall) int {
	ctx := context.Background()
	// The worker of the leader's grid, inside; one of the grid next to it, outside.
	phone, unit := "13900000101", pointsGrid(c)
	if unit != "140802001001001" {
		phone = "13900000198"
	}
	var id int64
	if err := c.env.pool.QueryRow(ctx, `SELECT id FROM members WHERE phone = $1`, phone).Scan(&id); err != nil {
		c.env.member(t, phone, unit, "grid_worker")
		id = c.env.memberID(t, phone)
	}
	day := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	return status(t, c, "POST", "/api/points/items", fmt.Sprintf(`{"member_id": %d, "rule": "patrol", "day": %q, "note": "巡查"}`, id, day))
}

// pendingItem is a new item of the patrol rule at a grid of the target's subtree.
func pendingItem(t *testing.T, c matrixCall) int64 {
	var id int64
	if err := c.env.pool.QueryRow(context.Background(), `INSERT INTO point_items (rule_id, member_id, unit_code, occurred_on, note, entered_by)
SELECT r.id, m.id, $1, current_date, '巡查', m.id FROM point_rules r, members m WHERE r.code = 'patrol' AND m.phone = '13900000001'
RETURNING id`, pointsGrid(c)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func tryDecidePointItem(verb, body string) func(*testing.T, matrixCall) int {
	return func(t *testing.T, c matrixCall) int {
		return status(t, c, "POST", fmt.Sprintf("/api/points/items/%d/%s", pendingItem(t, c), verb), body)
	}
}

func tryCancelPoints(t *testing.T, c matrixCall) int {
	var id int64
	if err := c.env.pool.QueryRow(context.Background(), `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
SELECT m.id, $1, date_trunc('month', current_date), 1, 'manual', r.id, $2 FROM point_rules r, members m
WHERE r.code = 'patrol' AND m.phone = '13900000001' RETURNING id`,
		pointsGrid(c), fmt.Sprintf("matrix:%d", matrixSerial.Add(1))).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return status(t, c, "POST", fmt.Sprintf("/api/points/rows/%d/cancel", id), `{"reason": "录错"}`)
}

func tryConfirmMonth(t *testing.T, c matrixCall) int {
	township := pointsGrid(c)[:9]
	if township == "140802001" && c.target.unit != "" && !strings.HasPrefix("140802001001001", c.target.unit) {
		township = "140802002" // outside a grid's, a village's or a township's roles
	}
	month := time.Now().AddDate(0, -int(matrixSerial.Add(1)), 0).Format("2006-01")
	return status(t, c, "POST", "/api/points/months", fmt.Sprintf(`{"township": %q, "month": %q}`, township, month))
}

func tryAddPointRule(t *testing.T, c matrixCall) int {
	code := fmt.Sprintf("matrix_%d", matrixSerial.Add(1))
	return status(t, c, "POST", "/api/admin/point-rules", `{"code": "`+code+`", "category": "测试", "indicator": "测试指标",
		"points": 1, "trigger": "manual", "approver_tier": 2, "active": true}`)
}

func trySavePointRule(t *testing.T, c matrixCall) int {
	var id int64
	if err := c.env.pool.QueryRow(context.Background(), `SELECT id FROM point_rules WHERE code = 'patrol'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	body := strings.NewReplacer("\n", " ").Replace(`{"code": "patrol", "category": "日常巡查", "indicator": "网格巡查", "points": 1,
		"trigger": "manual", "cap_points": 31, "cap_period": "month", "approver_tier": 2, "active": true}`)
	return status(t, c, "PUT", fmt.Sprintf("/api/admin/point-rules/%d", id), body)
}
