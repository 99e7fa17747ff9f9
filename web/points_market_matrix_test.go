package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
)

// The jurisdiction matrix's rows of the points supermarket and rankings (issue 17), kept in a
// file of their own: TestJurisdictionMatrix reads them with the others.
func init() {
	matrix = append(matrix,
		matrixRow{"GET /api/admin/points/items", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/points/items" })},
		matrixRow{"POST /api/admin/points/items", "admin", adminsInside, func(t *testing.T, c matrixCall) int {
			return status(t, c, "POST", "/api/admin/points/items", fmt.Sprintf(`{"unit": %q, "name": "矩阵%s", "price": 5, "stock": 3, "active": true}`,
				c.target.unit, freshPhone()))
		}},
		matrixRow{"PUT /api/admin/points/items/{id}", "admin", adminsInside, func(t *testing.T, c matrixCall) int {
			id := matrixMarketItem(t, c.env, c.target.unit)
			return status(t, c, "PUT", fmt.Sprintf("/api/admin/points/items/%d", id),
				fmt.Sprintf(`{"unit": %q, "name": "矩阵改%s", "price": 6, "stock": null, "active": true}`, c.target.unit, freshPhone()))
		}},
		matrixRow{"GET /api/admin/points/workers", "admin", adminsInside, getPath(func(x matrixTarget) string { return "/api/admin/points/workers?unit=" + x.unit })},
		matrixRow{"GET /api/admin/points/redemptions", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/points/redemptions" })},
		// A worker outside the administrator's subtrees is not found: the body names them.
		matrixRow{"POST /api/admin/points/redemptions", "admin", "33 33 33 33 33 33 33 +4 +4", func(t *testing.T, c matrixCall) int {
			member, item := matrixPointsWorker(t, c.env, c.target.unit)
			return status(t, c, "POST", "/api/admin/points/redemptions", fmt.Sprintf(`{"member_id": %d, "item_id": %d, "quantity": 1}`, member, item))
		}},
		matrixRow{"POST /api/admin/points/redemptions/{id}/cancel", "admin", "33 33 33 33 33 33 33 +4 +4", func(t *testing.T, c matrixCall) int {
			member, item := matrixPointsWorker(t, c.env, c.target.unit)
			r, _, err := dispatch.NewMarket(c.env.pool).Redeem(context.Background(), []string{"140802", "140803"},
				dispatch.RedeemRequest{ItemID: item, MemberID: member, Quantity: 1}, member)
			if err != nil {
				t.Fatal(err)
			}
			return status(t, c, "POST", fmt.Sprintf("/api/admin/points/redemptions/%d/cancel", r.ID), `{"reason": "矩阵"}`)
		}},
		matrixRow{"GET /api/admin/points/window", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/points/window" })},
		matrixRow{"PUT /api/admin/points/window", "county-admin", countyAdmins, send("PUT", "/api/admin/points/window", `{"period": ""}`)},
		matrixRow{"GET /api/points/ranking", "figures-viewer", overseers, getPath(func(x matrixTarget) string { return "/api/points/ranking?unit=" + x.unit })},
		matrixRow{"GET /api/points/ranking.xlsx", "figures-viewer", overseers, getPath(func(x matrixTarget) string { return "/api/points/ranking.xlsx?unit=" + x.unit })},
		matrixRow{"GET /api/points/summary", "figures-viewer", overseers, getPath(func(x matrixTarget) string { return "/api/points/summary?unit=" + x.unit })},
		matrixRow{"GET /api/points/summary.xlsx", "figures-viewer", overseers, getPath(func(x matrixTarget) string { return "/api/points/summary.xlsx?unit=" + x.unit })},
	)
}

// marketItem makes an item of unit (a county or township: a longer code's township), its id.
func matrixMarketItem(t *testing.T, env *matrixEnv, unit string) int64 {
	t.Helper()
	if len(unit) > 9 {
		unit = unit[:9]
	}
	var id int64
	if err := env.pool.QueryRow(context.Background(), `INSERT INTO point_market_items (unit_code, name, price) VALUES ($1, $2, 1) RETURNING id`,
		unit, "矩阵"+freshPhone()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// matrixPointsWorker makes a grid worker with 100 points at a grid below unit when there is one in
// the small county, else in the county beside it; their id and a county item they may take.
func matrixPointsWorker(t *testing.T, env *matrixEnv, unit string) (int64, int64) {
	t.Helper()
	grid := "140802001001001"
	if !strings.HasPrefix(grid, unit) {
		grid = "140803001001001"
	}
	m := freshMember(t, env.fixture, grid)
	ctx := context.Background()
	if _, err := env.pool.Exec(ctx, `INSERT INTO point_rules (code, category, indicator, points, trigger)
		VALUES ('matrix_rule', '上报', '事件上报', 1, 'report_accepted') ON CONFLICT (code) DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	if _, err := env.pool.Exec(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
		SELECT $1, $2, date_trunc('month', now())::date, 100, 'manual', id, $3 FROM point_rules WHERE code = 'matrix_rule'`,
		m.ID, grid, fmt.Sprintf("matrix:%d", m.ID)); err != nil {
		t.Fatal(err)
	}
	return m.ID, matrixMarketItem(t, env, grid[:6])
}
