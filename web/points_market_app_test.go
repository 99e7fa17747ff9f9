package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestPointsMarketInTheBrowser: a township administrator records a redemption in the admin app
// and the worker's balance falls (in the page and in PostgreSQL); a refused one says the balance;
// the county supervisor's dashboard ranks the worker by what they earned and downloads the
// ranking as Excel, whose cells are checked here (points_market.mjs).
func TestPointsMarketInTheBrowser(t *testing.T) {
	t.Parallel()
	p := newMarketAPI(t, withBrowser("admin", "dashboard"))
	p.earn(t, p.worker, "140802001001001", "market_settled", 50)
	if r := call(t, "POST", p.base+"/api/admin/points/items", p.admin, `{"unit": "140802001", "name": "洗衣液", "price": 20, "stock": 10, "active": true}`); r.status != http.StatusCreated {
		t.Fatalf("add item: %d %v", r.status, r.body)
	}
	xlsx := filepath.Join(t.TempDir(), "ranking.xlsx")
	out := browserScript(t, "points_market.mjs", nil, "BASE_URL="+p.base, "PASSWORD="+password, "ADMIN="+marketAdminPhone,
		"SUPERVISOR="+marketSupervisorPhone, "WORKER=成员0001", "XLSX="+xlsx)
	var done bool
	for _, line := range marketLines(out) {
		var step struct {
			Done bool `json:"done"`
		}
		if json.Unmarshal(line, &step) == nil && step.Done {
			done = true
		}
	}
	if !done {
		t.Fatalf("script output %s", out)
	}
	var balance, redemptions int64
	if err := p.pool.QueryRow(context.Background(), `SELECT (SELECT balance FROM point_balances WHERE member_id = $1),
		(SELECT count(*) FROM point_redemptions WHERE member_id = $1 AND cancelled_at IS NULL)`, p.worker).Scan(&balance, &redemptions); err != nil {
		t.Fatal(err)
	}
	if balance != 10 || redemptions != 1 {
		t.Errorf("balance %d after %d redemptions; want 10 after one of 2 × 20", balance, redemptions)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"名次", "姓名", "网格代码", "网格", "积分"}, {"1", "成员0001", "140802001001001", "东阜村第1网格", "50"}}
	if !marketSameCells(rows, want) {
		t.Errorf("the downloaded ranking %v; want %v", rows, want)
	}
}

// marketLines cuts a script's output into its lines.
func marketLines(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, b[start:i])
			start = i + 1
		}
	}
	return append(out, b[start:])
}
