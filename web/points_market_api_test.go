package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/griddispatch/griddispatch/grid"
)

// marketAPI is the small county with a township administrator, a county administrator, a
// county supervisor and the fixture's grid worker, who has earned points (ledger rows written
// here: the earning side's consumer is another part of issue 17).
type marketAPI struct {
	*fixture
	admin, countyAdmin, supervisor string // tokens
	worker                         int64
}

const (
	marketAdminPhone       = "13900000301"
	marketCountyAdminPhone = "13900000302"
	marketSupervisorPhone  = "13900000303"
)

func newMarketAPI(t *testing.T, opts ...fixtureOption) *marketAPI {
	t.Helper()
	fx := newFixture(t, append(opts, withMember(marketAdminPhone, "140802001", grid.RoleAdmin),
		withMember(marketCountyAdminPhone, "140802", grid.RoleAdmin),
		withMember(marketSupervisorPhone, "140802", grid.RoleSupervisor))...)
	p := &marketAPI{fixture: fx, admin: fx.tokens[marketAdminPhone], countyAdmin: fx.tokens[marketCountyAdminPhone],
		supervisor: fx.tokens[marketSupervisorPhone], worker: fx.memberID(t, "13900000001")}
	// Rules of their own: the earning side's migration seeds a default scheme with other codes.
	if _, err := fx.pool.Exec(context.Background(), `INSERT INTO point_rules (code, category, indicator, points, trigger)
		VALUES ('market_reported', '事件上报', '上报事件被受理', 2, 'report_accepted'),
		       ('market_settled', '矛盾化解', '网格内化解', 5, 'settled_at_grid')`); err != nil {
		t.Fatal(err)
	}
	return p
}

// earn books points for member at grid this month by rule.
func (p *marketAPI) earn(t *testing.T, member int64, grid, rule string, points int) {
	t.Helper()
	if _, err := p.pool.Exec(context.Background(), `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
		SELECT $1, $2, date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date, $3, 'case', id, $4 FROM point_rules WHERE code = $5`,
		member, grid, points, fmt.Sprintf("test:%d:%s:%d", member, rule, time.Now().UnixNano()), rule); err != nil {
		t.Fatal(err)
	}
}

// TestRedemptionRoutes: an administrator adds an item and records redemptions; one that costs
// more than the balance is 409 with the balance; a cancellation gives the points back; a
// county's window refuses redemptions outside it; bad input is a 400 naming the field.
func TestRedemptionRoutes(t *testing.T) {
	t.Parallel()
	p := newMarketAPI(t)
	p.earn(t, p.worker, "140802001001001", "market_settled", 50)
	item := call(t, "POST", p.base+"/api/admin/points/items", p.admin, `{"unit": "140802001", "name": "洗衣液", "price": 20, "stock": 10, "active": true}`)
	if item.status != http.StatusCreated {
		t.Fatalf("add item: %d %v", item.status, item.body)
	}
	id := int64(item.body["id"].(float64))
	redeem := func(qty int) response {
		return call(t, "POST", p.base+"/api/admin/points/redemptions", p.admin,
			fmt.Sprintf(`{"member_id": %d, "item_id": %d, "quantity": %d}`, p.worker, id, qty))
	}
	r := redeem(2)
	if r.status != http.StatusCreated || r.body["balance"] != 10.0 {
		t.Fatalf("redeem 2 of 20: %d %v; want 201 and 10 left", r.status, r.body)
	}
	red := int64(r.body["redemption"].(map[string]any)["id"].(float64))
	if r := redeem(1); r.status != http.StatusConflict || r.body["error"] != "insufficient_points" || r.body["balance"] != 10.0 || r.body["cost"] != 20.0 {
		t.Errorf("redeem beyond the balance: %d %v; want 409 insufficient_points with the balance 10 and the cost 20", r.status, r.body)
	}
	workers := call(t, "GET", p.base+"/api/admin/points/workers?unit=140802001001", p.admin, "")
	if list, _ := workers.body["workers"].([]any); workers.status != 200 || len(list) != 1 || list[0].(map[string]any)["balance"] != 10.0 {
		t.Errorf("workers: %d %v; want the worker with 10 points", workers.status, workers.body)
	}
	if r := call(t, "POST", fmt.Sprintf("%s/api/admin/points/redemptions/%d/cancel", p.base, red), p.admin, `{"reason": "登记错误"}`); r.status != 200 || r.body["cancelled_at"] == nil {
		t.Fatalf("cancel: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", fmt.Sprintf("%s/api/admin/points/redemptions/%d/cancel", p.base, red), p.admin, `{"reason": "again"}`); r.status != http.StatusConflict || r.body["error"] != "already_cancelled" {
		t.Errorf("cancel twice: %d %v; want 409 already_cancelled", r.status, r.body)
	}
	list := call(t, "GET", p.base+"/api/admin/points/redemptions", p.admin, "")
	if reds, _ := list.body["redemptions"].([]any); len(reds) != 1 || reds[0].(map[string]any)["cancel_reason"] != "登记错误" {
		t.Errorf("redemptions: %v", list.body)
	}
	for _, tc := range []struct {
		name, method, path, body, field string
		token                           string
	}{
		{"no name", "POST", "/api/admin/points/items", `{"unit": "140802001", "name": "", "price": 5, "active": true}`, "", p.admin},
		{"a village's supermarket", "POST", "/api/admin/points/items", `{"unit": "140802001001", "name": "x", "price": 5, "active": true}`, "unit", p.admin},
		{"a price of nothing", "POST", "/api/admin/points/items", `{"unit": "140802001", "name": "x", "price": 0, "active": true}`, "", p.admin},
		{"too many at once", "POST", "/api/admin/points/redemptions", fmt.Sprintf(`{"member_id": %d, "item_id": %d, "quantity": 101}`, p.worker, id), "quantity", p.admin},
		{"no reason", "POST", fmt.Sprintf("/api/admin/points/redemptions/%d/cancel", red), `{"reason": " "}`, "reason", p.admin},
		{"a yearly window", "PUT", "/api/admin/points/window", `{"period": "year", "last_days": 10}`, "period", p.countyAdmin},
		{"a window of 40 days", "PUT", "/api/admin/points/window", `{"period": "quarter", "last_days": 40}`, "last_days", p.countyAdmin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, p.base+tc.path, tc.token, tc.body)
			if r.status != http.StatusBadRequest || (tc.field != "" && r.body["field"] != tc.field) {
				t.Errorf("%d %v; want 400 on field %q", r.status, r.body, tc.field)
			}
		})
	}
	// A window of the last day of each month: closed on any other day.
	win := call(t, "PUT", p.base+"/api/admin/points/window", p.countyAdmin, `{"period": "month", "last_days": 1}`)
	if win.status != 200 {
		t.Fatalf("window: %d %v", win.status, win.body)
	}
	r = redeem(1)
	if open := win.body["open"] == true; open && r.status != http.StatusCreated || !open && (r.status != http.StatusConflict || r.body["error"] != "outside_window") {
		t.Errorf("redeem with the window open %v: %d %v", open, r.status, r.body)
	}
	var audits int
	if err := p.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action LIKE 'points.%'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits < 4 { // the item, a redemption, its cancellation, the window
		t.Errorf("%d audit entries of the supermarket; want at least 4", audits)
	}
}

// TestPointsRankingRoutes: the ranking and the yearly summary as JSON and as workbooks whose
// cells are the figures; earnings count, redemptions do not; bad queries name the field.
func TestPointsRankingRoutes(t *testing.T) {
	t.Parallel()
	p := newMarketAPI(t)
	other := p.member(t, "13900000304", "140802001001002", grid.RoleGridWorker)
	_ = other
	second := p.memberID(t, "13900000304")
	p.earn(t, p.worker, "140802001001001", "market_settled", 30)
	p.earn(t, p.worker, "140802001001001", "market_reported", 4)
	p.earn(t, second, "140802001001002", "market_reported", 34)
	item := call(t, "POST", p.base+"/api/admin/points/items", p.admin, `{"unit": "140802001", "name": "毛巾", "price": 30, "stock": null, "active": true}`)
	if r := call(t, "POST", p.base+"/api/admin/points/redemptions", p.admin,
		fmt.Sprintf(`{"member_id": %d, "item_id": %d}`, p.worker, int64(item.body["id"].(float64)))); r.status != http.StatusCreated {
		t.Fatalf("redeem: %d %v", r.status, r.body)
	}
	month := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	rk := call(t, "GET", p.base+"/api/points/ranking?unit=140802&level=worker&period=month&month="+month, p.supervisor, "")
	rows, _ := rk.body["rows"].([]any)
	if rk.status != 200 || len(rows) != 2 {
		t.Fatalf("ranking: %d %v", rk.status, rk.body)
	}
	for _, row := range rows { // 34 each, spending aside: ranked equal
		if r := row.(map[string]any); r["rank"] != 1.0 || r["points"] != 34.0 {
			t.Errorf("ranking row %v; want rank 1 with 34 points", r)
		}
	}
	grids := call(t, "GET", p.base+"/api/points/ranking?unit=140802001&level=grid&period=year&per_capita=1&month="+month, p.supervisor, "")
	if rows, _ := grids.body["rows"].([]any); len(rows) != 2 || rows[0].(map[string]any)["per_capita"] != 34.0 {
		t.Errorf("grids per worker: %v", grids.body)
	}
	status, header, raw := do(t, "GET", p.base+"/api/points/ranking.xlsx?unit=140802&level=township&month="+month, p.supervisor, nil)
	cells := marketSheetCells(t, status, header, raw)
	if want := [][]string{{"名次", "代码", "单位", "积分", "网格员数", "人均积分"}, {"1", "140802001", "安邑街道", "68", "2", "34"}, {"2", "140802002", "大渠街道", "0", "0", ""}}; !marketSameCells(cells, want) {
		t.Errorf("ranking workbook %v; want %v", cells, want)
	}
	year := month[:4]
	sum := call(t, "GET", p.base+"/api/points/summary?unit=140802&year="+year, p.supervisor, "")
	if tot, _ := sum.body["totals"].(map[string]any); sum.status != 200 || tot["earned_total"] != 68.0 || tot["spent"] != 30.0 {
		t.Errorf("summary: %d %v; want 68 earned and 30 spent in all", sum.status, sum.body)
	}
	status, header, raw = do(t, "GET", p.base+"/api/points/summary.xlsx?unit=140802&lang=en&year="+year, p.supervisor, nil)
	cells = marketSheetCells(t, status, header, raw)
	want := [][]string{{"Grid code", "Grid", "Name", "事件上报", "矛盾化解", "Earned", "Lost", "Spent", "Balance at year end"},
		{"140802001001001", "东阜村第1网格", "成员0001", "4", "30", "34", "0", "30", "4"},
		{"140802001001002", "东阜村第2网格", "成员0304", "34", "0", "34", "0", "0", "34"},
		{"", "", "Total", "38", "30", "68", "0", "30", "38"}}
	if !marketSameCells(cells, want) {
		t.Errorf("summary workbook %v; want %v", cells, want)
	}
	for _, tc := range []struct{ query, field string }{
		{"level=county", "level"}, {"level=grid&unit=140802001001001", "level"}, {"period=week", "period"},
		{"month=2026-13", "month"}, {"per_capita=1", "per_capita"}, {"per_capita=yes&level=grid", "per_capita"},
	} {
		unit := "140802"
		if !strings.Contains(tc.query, "unit=") {
			tc.query += "&unit=" + unit
		}
		if r := call(t, "GET", p.base+"/api/points/ranking?"+tc.query, p.supervisor, ""); r.status != 400 || r.body["field"] != tc.field {
			t.Errorf("%s: %d %v; want 400 on %s", tc.query, r.status, r.body, tc.field)
		}
	}
	if r := call(t, "GET", p.base+"/api/points/summary?unit=140802&year=1999", p.supervisor, ""); r.status != 400 || r.body["field"] != "year" {
		t.Errorf("year 1999: %d %v", r.status, r.body)
	}
}

// marketSheetCells reads the first sheet of a workbook answer, every row as text.
func marketSheetCells(t *testing.T, status int, header http.Header, raw []byte) [][]string {
	t.Helper()
	if status != 200 || !strings.Contains(header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("workbook: %d %s %.200s", status, header.Get("Content-Type"), raw)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// marketSameCells compares rows, a missing trailing cell as an empty one.
func marketSameCells(got, want [][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		for j := range max(len(got[i]), len(want[i])) {
			var g, w string
			if j < len(got[i]) {
				g = got[i][j]
			}
			if j < len(want[i]) {
				w = want[i][j]
			}
			if g != w {
				return false
			}
		}
	}
	return true
}

// TestBulletinPointsSection: the weekly bulletin names the month's best workers by points, in
// its JSON and its PDF.
func TestBulletinPointsSection(t *testing.T) {
	t.Parallel()
	p := newMarketAPI(t)
	p.earn(t, p.worker, "140802001001001", "market_settled", 25)
	week := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	b := call(t, "GET", p.base+"/api/stats/bulletin?unit=140802&week="+week, p.supervisor, "")
	sec, _ := b.body["points"].(map[string]any)
	top, _ := sec["top"].([]any)
	if b.status != 200 || len(top) != 1 || top[0].(map[string]any)["points"] != 25.0 || top[0].(map[string]any)["name"] != "成员0001" {
		t.Fatalf("bulletin points: %d %v", b.status, b.body["points"])
	}
	// A township without points: an empty list (the dashboard draws it), not null.
	none := call(t, "GET", p.base+"/api/stats/bulletin?unit=140802002&week="+week, p.supervisor, "")
	if sec, _ := none.body["points"].(map[string]any); sec == nil || sec["top"] == nil {
		t.Errorf("bulletin points without points: %v; want an empty list", none.body["points"])
	}
	status, _, raw := do(t, "GET", p.base+"/api/stats/bulletin?format=pdf&unit=140802&week="+week, p.supervisor, nil)
	if status != 200 {
		t.Fatalf("bulletin PDF: %d %s", status, raw)
	}
	text := pdfText(t, raw)
	if !strings.Contains(text, "网格员积分前五名") || !strings.Contains(text, "成员0001") {
		t.Errorf("the PDF has no points section: %s", text)
	}
}
