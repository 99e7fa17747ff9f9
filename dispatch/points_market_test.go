package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// marketFixture is the small county with a township administrator, two grid workers and a
// point rule; the earning side's consumer is not here, so points are ledger rows written in SQL.
type marketFixture struct {
	pool           *pgxpool.Pool
	market         *dispatch.Market
	admin          int64 // administers township 140802001
	worker, other  int64 // grid workers at 140802001001001 and 140802001001002
	rule           int64
	ledgerSequence int
}

const (
	marketTownship = "140802001"
	marketGrid     = "140802001001001"
)

func newMarketFixture(t *testing.T) *marketFixture {
	t.Helper()
	db := dbtest.New(t)
	g := grid.NewStore(db.Pool)
	gridtest.Import(t, g)
	ctx := context.Background()
	member := func(phone, unit string, role grid.Role) int64 {
		m, err := g.CreateMember(ctx, phone, "成员"+phone[7:])
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: unit, Role: role}); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	fx := &marketFixture{pool: db.Pool, market: dispatch.NewMarket(db.Pool)}
	fx.admin = member("13900000101", marketTownship, grid.RoleAdmin)
	fx.worker = member("13900000102", marketGrid, grid.RoleGridWorker)
	fx.other = member("13900000103", "140802001001002", grid.RoleGridWorker)
	fx.rule = insertMarketRule(t, db.Pool, "report_accepted_test", "上报", 5)
	return fx
}

// insertMarketRule makes a case rule of a category; its id.
func insertMarketRule(t testing.TB, pool *pgxpool.Pool, code, category string, points int) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), `INSERT INTO point_rules (code, category, indicator, points, trigger)
		VALUES ($1, $2, $2 || '指标', $3, 'report_accepted') RETURNING id`, code, category, points).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// earn books points earned by a case for member at grid in the current month.
func (fx *marketFixture) earn(t *testing.T, member int64, grid string, points int) {
	t.Helper()
	fx.ledgerSequence++
	if _, err := fx.pool.Exec(context.Background(), `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
		VALUES ($1, $2, date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date, $3, 'case', $4, $5)`,
		member, grid, points, fx.rule, fmt.Sprintf("test:%d:%d", member, fx.ledgerSequence)); err != nil {
		t.Fatal(err)
	}
}

func (fx *marketFixture) balance(t *testing.T, member int64) int64 {
	t.Helper()
	var b int64
	if err := fx.pool.QueryRow(context.Background(), `SELECT coalesce((SELECT balance FROM point_balances WHERE member_id = $1), 0)`,
		member).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (fx *marketFixture) item(t *testing.T, unit, name string, price int, stock *int) dispatch.MarketItem {
	t.Helper()
	it, err := fx.market.SaveItem(context.Background(), []string{unit[:min(len(unit), 9)]},
		dispatch.MarketItem{Unit: unit, Name: name, Price: price, Stock: stock, Active: true}, fx.admin)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestRedeemBooksOneLedgerRowAndStock: a redemption is a redemption row, one ledger row of
// kind 'redemption' with source redemption:<id> and -price×quantity, and the stock taken, all
// audited; its cancellation a counter-entry that gives points and stock back, once.
func TestRedeemBooksOneLedgerRowAndStock(t *testing.T) {
	t.Parallel()
	fx := newMarketFixture(t)
	ctx := context.Background()
	fx.earn(t, fx.worker, marketGrid, 100)
	stock := 5
	soap := fx.item(t, marketTownship, "洗衣液", 30, &stock)
	roots := []string{marketTownship}
	r, left, err := fx.market.Redeem(ctx, roots, dispatch.RedeemRequest{ItemID: soap.ID, MemberID: fx.worker, Quantity: 2}, fx.admin)
	if err != nil {
		t.Fatal(err)
	}
	if left != 40 || fx.balance(t, fx.worker) != 40 || r.Points() != 60 || r.Unit != marketGrid {
		t.Fatalf("redemption %+v, left %d, balance %d; want 60 points at %s, 40 left", r, left, fx.balance(t, fx.worker), marketGrid)
	}
	var kind, source string
	var points int
	if err := fx.pool.QueryRow(ctx, `SELECT kind, source, points FROM point_ledger WHERE source LIKE 'redemption:%'`).
		Scan(&kind, &source, &points); err != nil {
		t.Fatal(err)
	}
	if kind != "redemption" || source != fmt.Sprintf("redemption:%d", r.ID) || points != -60 {
		t.Errorf("ledger row %s %s %d; want redemption redemption:%d -60", kind, source, points, r.ID)
	}
	if it := marketItemStock(t, fx.pool, soap.ID); it != 3 {
		t.Errorf("stock %d after taking 2 of 5; want 3", it)
	}
	if _, err := fx.market.Cancel(ctx, roots, r.ID, "登记错误", fx.admin); err != nil {
		t.Fatal(err)
	}
	if b := fx.balance(t, fx.worker); b != 100 || marketItemStock(t, fx.pool, soap.ID) != 5 {
		t.Errorf("after cancelling: balance %d, stock %d; want 100 and 5", b, marketItemStock(t, fx.pool, soap.ID))
	}
	if _, err := fx.market.Cancel(ctx, roots, r.ID, "again", fx.admin); !errors.Is(err, dispatch.ErrAlreadyCancelled) {
		t.Errorf("cancelling twice: %v; want ErrAlreadyCancelled", err)
	}
	var audits int
	if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action IN ('points.redeem', 'points.redeem_cancel')
		AND member_id = $1 AND actor_id = $2`, fx.worker, fx.admin).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 2 {
		t.Errorf("%d audit entries of the redemption and its cancellation; want 2", audits)
	}
}

func marketItemStock(t *testing.T, pool *pgxpool.Pool, id int64) int {
	t.Helper()
	var s int
	if err := pool.QueryRow(context.Background(), `SELECT stock FROM point_market_items WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRedeemRefusals: each refusal is its own error, and books nothing.
func TestRedeemRefusals(t *testing.T) {
	t.Parallel()
	fx := newMarketFixture(t)
	ctx := context.Background()
	fx.earn(t, fx.worker, marketGrid, 50)
	one := 1
	soap := fx.item(t, marketTownship, "洗衣液", 30, &one)
	county := fx.item(t, "140802", "毛巾", 10, nil)
	other := fx.item(t, "140802002", "大米", 10, nil)
	roots := []string{marketTownship}
	for _, tc := range []struct {
		name  string
		roots []string
		req   dispatch.RedeemRequest
		want  error
	}{
		{"more than the balance", roots, dispatch.RedeemRequest{ItemID: county.ID, MemberID: fx.worker, Quantity: 6}, dispatch.ErrInsufficientPoints},
		{"more than the stock", roots, dispatch.RedeemRequest{ItemID: soap.ID, MemberID: fx.worker, Quantity: 2}, dispatch.ErrOutOfStock},
		{"another township's item", []string{"140802"}, dispatch.RedeemRequest{ItemID: other.ID, MemberID: fx.worker, Quantity: 1}, dispatch.ErrItemElsewhere},
		{"a worker outside the roots", []string{"140802002"}, dispatch.RedeemRequest{ItemID: county.ID, MemberID: fx.worker, Quantity: 1}, dispatch.ErrNoSuchWorker},
		{"not a grid worker", roots, dispatch.RedeemRequest{ItemID: county.ID, MemberID: fx.admin, Quantity: 1}, dispatch.ErrNoSuchWorker},
		{"no such item", roots, dispatch.RedeemRequest{ItemID: 1 << 40, MemberID: fx.worker, Quantity: 1}, dispatch.ErrItemNotFound},
		{"no quantity", roots, dispatch.RedeemRequest{ItemID: county.ID, MemberID: fx.worker, Quantity: 0}, dispatch.ErrBadRedemption},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := fx.market.Redeem(ctx, tc.roots, tc.req, fx.admin)
			if !errors.Is(err, tc.want) {
				t.Fatalf("%v; want %v", err, tc.want)
			}
		})
	}
	_, _, err := fx.market.Redeem(ctx, roots, dispatch.RedeemRequest{ItemID: county.ID, MemberID: fx.worker, Quantity: 6}, fx.admin)
	if e, ok := dispatch.AsInsufficientPoints(err); !ok || e.Balance != 50 || e.Cost != 60 {
		t.Errorf("refusal %v; want the balance 50 and the cost 60", err)
	}
	county.Active = false
	if _, err := fx.market.SaveItem(ctx, []string{"140802"}, county, fx.admin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fx.market.Redeem(ctx, roots, dispatch.RedeemRequest{ItemID: county.ID, MemberID: fx.worker, Quantity: 1}, fx.admin); !errors.Is(err, dispatch.ErrItemInactive) {
		t.Errorf("an inactive item: %v; want ErrItemInactive", err)
	}
	if b := fx.balance(t, fx.worker); b != 50 {
		t.Errorf("balance %d after refusals; want 50", b)
	}
	if _, err := fx.market.SaveItem(ctx, roots, dispatch.MarketItem{Unit: "140802002", Name: "x", Price: 1, Active: true}, fx.admin); !errors.Is(err, dispatch.ErrNotYours) {
		t.Errorf("an item of another township: %v; want ErrNotYours", err)
	}
	if _, err := fx.market.SaveItem(ctx, roots, dispatch.MarketItem{Unit: marketTownship, Name: "洗衣液", Price: 1, Active: true}, fx.admin); !errors.Is(err, dispatch.ErrDuplicateItem) {
		t.Errorf("a second item of the same name: %v; want ErrDuplicateItem", err)
	}
}

// TestRedeemConcurrently: many redemptions at once for one worker, on one stocked item and on
// an unstocked one, never take the balance or the stock below zero, and what went through adds
// up to the ledger exactly.
func TestRedeemConcurrently(t *testing.T) {
	t.Parallel()
	fx := newMarketFixture(t)
	ctx := context.Background()
	fx.earn(t, fx.worker, marketGrid, 100)
	fx.earn(t, fx.worker, marketGrid, 7)
	stock := 4
	soap := fx.item(t, marketTownship, "洗衣液", 10, &stock)
	towel := fx.item(t, marketTownship, "毛巾", 7, nil)
	const tries = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := map[int64]int{}, map[error]int{}
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			item := soap.ID
			if i%2 == 1 {
				item = towel.ID
			}
			_, _, err := fx.market.Redeem(ctx, []string{marketTownship}, dispatch.RedeemRequest{ItemID: item, MemberID: fx.worker, Quantity: 1}, fx.admin)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok[item]++
			case errors.Is(err, dispatch.ErrInsufficientPoints):
				refused[dispatch.ErrInsufficientPoints]++
			case errors.Is(err, dispatch.ErrOutOfStock):
				refused[dispatch.ErrOutOfStock]++
			default:
				t.Errorf("redeem: %v", err)
			}
		}()
	}
	wg.Wait()
	spent := int64(ok[soap.ID]*10 + ok[towel.ID]*7)
	b := fx.balance(t, fx.worker)
	var ledger int64
	if err := fx.pool.QueryRow(ctx, `SELECT sum(points) FROM point_ledger WHERE member_id = $1`, fx.worker).Scan(&ledger); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d soap, %d towels redeemed; refused %v; balance %d", ok[soap.ID], ok[towel.ID], refused, b)
	switch {
	case b < 0 || b != 107-spent || ledger != b:
		t.Errorf("balance %d, ledger sum %d; want 107 - %d, never negative", b, ledger, spent)
	case ok[soap.ID] > 4 || marketItemStock(t, fx.pool, soap.ID) != 4-ok[soap.ID]:
		t.Errorf("%d soap redeemed of 4, stock %d", ok[soap.ID], marketItemStock(t, fx.pool, soap.ID))
	case b >= 7:
		t.Errorf("balance %d left while redemptions of 7 were refused", b)
	}
}

// TestRedemptionWindow: a county's window refuses a redemption outside it and lets one in.
func TestRedemptionWindow(t *testing.T) {
	t.Parallel()
	fx := newMarketFixture(t)
	ctx := context.Background()
	fx.earn(t, fx.worker, marketGrid, 100)
	towel := fx.item(t, "140802", "毛巾", 7, nil)
	if err := fx.market.SaveWindow(ctx, "140802", &dispatch.RedemptionWindow{Period: "quarter", LastDays: 10}, fx.admin); err != nil {
		t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	req := dispatch.RedeemRequest{ItemID: towel.ID, MemberID: fx.worker, Quantity: 1}
	for _, tc := range []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 12, 21, 0, 0, 0, 0, shanghai), false},
		{time.Date(2026, 12, 22, 0, 0, 0, 0, shanghai), true},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, shanghai), true},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, shanghai), false},
		{time.Date(2027, 3, 22, 0, 0, 0, 0, shanghai), true},
		{time.Date(2027, 5, 22, 0, 0, 0, 0, shanghai), false},
	} {
		fx.market.SetClock(func() time.Time { return tc.at })
		_, _, err := fx.market.Redeem(ctx, []string{marketTownship}, req, fx.admin)
		if tc.open && err != nil || !tc.open && !errors.Is(err, dispatch.ErrOutsideWindow) {
			t.Errorf("at %s: %v; want open %v", tc.at, err, tc.open)
		}
	}
	if err := fx.market.SaveWindow(ctx, "140802", nil, fx.admin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fx.market.Redeem(ctx, []string{marketTownship}, req, fx.admin); err != nil {
		t.Errorf("without a window: %v", err)
	}
	if err := fx.market.SaveWindow(ctx, "140802", &dispatch.RedemptionWindow{Period: "year", LastDays: 10}, fx.admin); !errors.Is(err, dispatch.ErrBadWindow) {
		t.Errorf("a yearly window: %v; want ErrBadWindow", err)
	}
}

// TestRedemptionWindowDays: the last days of a month or quarter in the county's time; a window
// longer than a month is all of it.
func TestRedemptionWindowDays(t *testing.T) {
	t.Parallel()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, shanghai) }
	for _, tc := range []struct {
		w     dispatch.RedemptionWindow
		at    time.Time
		open  bool
		opens string
	}{
		{dispatch.RedemptionWindow{Period: "month", LastDays: 3}, at(2027, 2, 25, 23), false, "2027-02-26"},
		{dispatch.RedemptionWindow{Period: "month", LastDays: 3}, at(2027, 2, 26, 0), true, "2027-02-26"},
		{dispatch.RedemptionWindow{Period: "month", LastDays: 31}, at(2027, 2, 1, 0), true, "2027-02-01"},
		{dispatch.RedemptionWindow{Period: "quarter", LastDays: 10}, at(2026, 9, 20, 12), false, "2026-09-21"},
		{dispatch.RedemptionWindow{Period: "quarter", LastDays: 10}, at(2026, 7, 1, 0), false, "2026-09-21"},
		// 18:00 UTC on 20 September is 02:00 on the 21st in the county: open.
		{dispatch.RedemptionWindow{Period: "quarter", LastDays: 10}, time.Date(2026, 9, 20, 18, 0, 0, 0, time.UTC), true, "2026-09-21"},
	} {
		open, opens := tc.w.Open(tc.at)
		if open != tc.open || opens.Format(time.DateOnly) != tc.opens {
			t.Errorf("%+v at %s: open %v from %s; want %v from %s", tc.w, tc.at, open, opens.Format(time.DateOnly), tc.open, tc.opens)
		}
	}
}
