package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// auditMonths gives last month and this month (first days) in the county's zone.
func auditMonths() (last, this time.Time) {
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	this = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return this.AddDate(0, -1, 0), this
}

// bookRow writes a manual ledger row of rule for the member at grid in month, with its day (the
// month's 10th), as an approved item would; it returns the row's id.
func bookRow(t *testing.T, fx *fixture, member int64, grid string, month time.Time, rule string) int64 {
	t.Helper()
	var id int64
	err := fx.pool.QueryRow(context.Background(), `WITH r AS (SELECT id, points FROM point_rules WHERE code = $4),
l AS (INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source, note)
      SELECT $1, $2, $3, r.points, 'manual', r.id, 'audit-test:' || gen_random_uuid(), '巡查记录' FROM r RETURNING id, member_id, rule_id)
INSERT INTO point_occurrences (ledger_id, member_id, rule_id, occurred_on) SELECT id, member_id, rule_id, $3::date + 9 FROM l RETURNING ledger_id`,
		member, grid, month, rule).Scan(&id)
	if err != nil {
		t.Fatalf("book %s: %v", rule, err)
	}
	return id
}

// TestPointsAuditRoutes: the months of a township's year with their state and totals, and a
// month's rows and per-worker totals below a township, village or grid, read by its supervisor
// or administrator and the county's (403 for anyone else, 400 naming the field for bad input);
// a cancelled row shows as cancelled with its counter-entry's month, a confirmed month by whom
// and when; a month of more rows than a page says so. The months' totals equal the reference
// SQL of docs/points.md.
func TestPointsAuditRoutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t)
	supervisor := fx.member(t, "13900000031", "140802001", grid.RoleSupervisor)
	admin := fx.member(t, "13900000032", "140802001", grid.RoleAdmin)
	county := fx.member(t, "13900000033", "140802", grid.RoleSupervisor)
	leader := fx.member(t, "13900000034", "140802001001001", grid.RoleGridLeader)
	other := fx.member(t, "13900000035", "140802002", grid.RoleSupervisor)
	mediator := fx.member(t, "13900000036", "140802001", grid.RoleMediator)
	fx.member(t, "13900000037", "140802001001002", grid.RoleGridWorker)
	// a grid of the township next door, whose rows are not this township's
	if _, err := fx.pool.Exec(ctx, `INSERT INTO units (code, parent_code, level, name, geom)
SELECT '140802002001', code, 3, '邻镇一村', geom FROM units WHERE code = '140802002'
UNION ALL SELECT '140802002001001', '140802002001', 4, '邻镇一村第一网格', geom FROM units WHERE code = '140802002'`); err != nil {
		t.Fatal(err)
	}
	fx.member(t, "13900000038", "140802002001001", grid.RoleGridWorker)
	w1, w2, w3 := fx.memberID(t, "13900000001"), fx.memberID(t, "13900000037"), fx.memberID(t, "13900000038")
	last, this := auditMonths()
	lastM, thisM := last.Format("2006-01"), this.Format("2006-01")

	patrol := bookRow(t, fx, w1, "140802001001001", last, "patrol")
	hazard := bookRow(t, fx, w1, "140802001001001", last, "hazard_check")
	bookRow(t, fx, w1, "140802001001001", last, "meeting_absent")
	bookRow(t, fx, w2, "140802001001002", last, "household_visit")
	bookRow(t, fx, w3, "140802002001001", last, "patrol") // another township's
	bookRow(t, fx, w1, "140802001001001", this, "patrol")

	want := func(res response, status int, what string) map[string]any {
		t.Helper()
		if res.status != status {
			t.Fatalf("%s: %d %v, want %d", what, res.status, res.body, status)
		}
		return res.body
	}
	months := func(token, query string) response {
		return call(t, "GET", fx.base+"/api/points/months?"+query, token, "")
	}
	rows := func(token, query string) response {
		return call(t, "GET", fx.base+"/api/points/rows?"+query, token, "")
	}
	year := fmt.Sprintf("unit=140802001&year=%d", last.Year())
	monthOf := func(body map[string]any, m string) map[string]any {
		t.Helper()
		for _, x := range body["months"].([]any) {
			if x.(map[string]any)["month"] == m {
				return x.(map[string]any)
			}
		}
		t.Fatalf("no month %s in %v", m, body["months"])
		return nil
	}

	t.Run("who reads", func(t *testing.T) {
		for _, c := range []struct {
			who, token string
			status     int
		}{
			{"the township's supervisor", supervisor, 200}, {"its administrator", admin, 200}, {"the county's supervisor", county, 200},
			{"a grid leader", leader, 403}, {"a worker", fx.token, 403}, {"the township's mediator", mediator, 403},
			{"another township's supervisor", other, 403},
		} {
			if got := months(c.token, year).status; got != c.status {
				t.Errorf("%s reading the months: %d, want %d", c.who, got, c.status)
			}
			if got := rows(c.token, "unit=140802001001001&month="+lastM).status; got != c.status {
				t.Errorf("%s reading the rows: %d, want %d", c.who, got, c.status)
			}
		}
		if got := months("", year).status; got != http.StatusUnauthorized {
			t.Errorf("nobody: %d, want 401", got)
		}
		if got := want(months(admin, year), 200, "the admin's months")["can_confirm"]; got != false {
			t.Errorf("an administrator may confirm: %v, want false (supervisors confirm)", got)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, c := range []struct{ route, query, field string }{
			{"months", "unit=140802", "unit"}, {"months", "unit=14080200x", "unit"}, {"months", "year=2026", "unit"},
			{"months", "unit=140802001&year=26", "year"}, {"months", "unit=140802001&year=abc", "year"},
			{"rows", "unit=140802&month=" + lastM, "unit"}, {"rows", "unit=1408020010011&month=" + lastM, "unit"},
			{"rows", "unit=140802001&month=2026-13", "month"}, {"rows", "unit=140802001", "month"},
			{"rows", "unit=140802001&month=" + lastM + "&member=-3", "member"}, {"rows", "unit=140802001&month=" + lastM + "&member=x", "member"},
		} {
			body := want(call(t, "GET", fx.base+"/api/points/"+c.route+"?"+c.query, supervisor, ""), 400, c.route+"?"+c.query)
			if body["field"] != c.field {
				t.Errorf("%s?%s: field %v, want %s", c.route, c.query, body["field"], c.field)
			}
		}
	})

	t.Run("the year and the month", func(t *testing.T) {
		body := want(months(supervisor, year), 200, "the months")
		if n := len(body["months"].([]any)); n != 12 || body["can_confirm"] != true || body["name"] == "" {
			t.Fatalf("the year: %d months, %v", n, body)
		}
		m := monthOf(body, lastM)
		if m["when"] != "past" || m["confirmed"] != false || m["earned"] != float64(4) || m["lost"] != float64(2) || m["rows"] != float64(4) {
			t.Errorf("last month %v: want past, open, earned 4, lost 2, 4 rows", m)
		}
		if this.Year() == last.Year() {
			if m := monthOf(body, thisM); m["when"] != "current" || m["rows"] != float64(1) {
				t.Errorf("this month %v: want current, 1 row", m)
			}
		}
		if m := monthOf(body, fmt.Sprintf("%d-12", last.Year())); this.Year() == last.Year() && m["when"] != "future" && this.Month() != 12 {
			t.Errorf("December %v: want future", m)
		}

		got := want(rows(supervisor, "unit=140802001&month="+lastM), 200, "the township's rows")
		list := got["rows"].([]any)
		if len(list) != 4 || got["more"] != false || got["can_cancel"] != true || got["can_confirm"] != true {
			t.Fatalf("the township's rows: %v", got)
		}
		for _, r := range list {
			if r.(map[string]any)["member_id"] == float64(w3) {
				t.Errorf("another township's row listed: %v", r)
			}
		}
		first := list[0].(map[string]any)
		if first["id"] != float64(patrol) || first["grid"] != "140802001001001" || first["indicator"] != "网格巡查" || first["day"] != last.AddDate(0, 0, 9).Format(time.DateOnly) || first["grid_name"] == "" || first["worker"] == "" {
			t.Errorf("the first row: %v", first)
		}
		workers := got["workers"].([]any)
		if len(workers) != 2 {
			t.Fatalf("workers %v, want 2", workers)
		}
		if w := workers[0].(map[string]any); w["member_id"] != float64(w1) || w["earned"] != float64(3) || w["lost"] != float64(2) || w["rows"] != float64(3) {
			t.Errorf("the first worker's totals %v: want earned 3, lost 2, 3 rows", w)
		}
		if n := len(want(rows(county, "unit=140802001001002&month="+lastM), 200, "a grid's rows")["rows"].([]any)); n != 1 {
			t.Errorf("the second grid's rows: %d, want 1", n)
		}
		if n := len(want(rows(supervisor, fmt.Sprintf("unit=140802001&month=%s&member=%d", lastM, w1)), 200, "a worker's rows")["rows"].([]any)); n != 3 {
			t.Errorf("the first worker's rows: %d, want 3", n)
		}
	})

	t.Run("cancelled and confirmed", func(t *testing.T) {
		want(call(t, "POST", fmt.Sprintf("%s/api/points/rows/%d/cancel", fx.base, hazard), supervisor, `{"reason": "隐患排查记录不实"}`), 200, "the cancel")
		got := want(rows(supervisor, "unit=140802001001001&month="+lastM), 200, "the rows after the cancel")
		for _, r := range got["rows"].([]any) {
			r := r.(map[string]any)
			if cancelled := r["id"] == float64(hazard); r["cancelled"] != cancelled || (cancelled && r["cancelled_in"] != thisM) {
				t.Errorf("row %v: cancelled %v in %v, want %v in %s", r["id"], r["cancelled"], r["cancelled_in"], cancelled, thisM)
			}
		}
		now := want(rows(supervisor, "unit=140802001&month="+thisM), 200, "this month's rows")["rows"].([]any)
		found := false
		for _, r := range now {
			r := r.(map[string]any)
			if r["kind"] == "reversal" && r["reverses"] == float64(hazard) && r["points"] == float64(-2) && r["indicator"] == "安全隐患排查" && r["note"] == "隐患排查记录不实" {
				found = true
			}
		}
		if !found {
			t.Errorf("no counter-entry of row %d in this month: %v", hazard, now)
		}
		want(call(t, "POST", fx.base+"/api/points/months", supervisor, fmt.Sprintf(`{"township": "140802001", "month": %q}`, lastM)), 201, "confirming last month")
		m := monthOf(want(months(county, year), 200, "the months after"), lastM)
		var name string
		if err := fx.pool.QueryRow(ctx, `SELECT name FROM members WHERE phone = '13900000031'`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if m["confirmed"] != true || m["confirmed_by_name"] != name || m["confirmed_at"] == nil {
			t.Errorf("last month after the confirmation: %v, want confirmed by %s", m, name)
		}
		if got := want(rows(admin, "unit=140802001&month="+lastM), 200, "the confirmed rows")["month"].(map[string]any); got["confirmed"] != true {
			t.Errorf("the rows' month: %v, want confirmed", got)
		}
	})

	t.Run("a page of rows", func(t *testing.T) {
		earlier := last.AddDate(0, -1, 0)
		if _, err := fx.pool.Exec(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
SELECT $1, '140802001001002', $2, 1, 'manual', r.id, 'audit-bulk:' || g FROM point_rules r, generate_series(1, 501) g WHERE r.code = 'patrol'`, w2, earlier); err != nil {
			t.Fatal(err)
		}
		got := want(rows(supervisor, "unit=140802001&month="+earlier.Format("2006-01")), 200, "a full month")
		if n := len(got["rows"].([]any)); n != 500 || got["more"] != true {
			t.Errorf("a month of 501 rows: %d shown, more %v; want 500 and more", n, got["more"])
		}
		if w := got["workers"].([]any); len(w) != 1 || w[0].(map[string]any)["rows"] != float64(501) {
			t.Errorf("the worker's totals count every row: %v", w)
		}
	})

	// The months' totals equal the reference SQL over random rows of both townships, 40 a round.
	t.Run("the reference SQL", func(t *testing.T) {
		seed := time.Now().UnixNano()
		t.Logf("seed %d (AUDIT_SEED repeats it)", seed)
		if v, err := strconv.ParseInt(os.Getenv("AUDIT_SEED"), 10, 64); err == nil {
			seed = v
		}
		rnd := rand.New(rand.NewPCG(uint64(seed), 0))
		grids := []string{"140802001001001", "140802001001002", "140802002001001"}
		for round := range 5 {
			for i := range 40 {
				points := rnd.IntN(50) + 1
				if rnd.IntN(3) == 0 {
					points = -points
				}
				month := this.AddDate(0, -rnd.IntN(15), 0)
				if _, err := fx.pool.Exec(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source)
SELECT $1, $2, point_open_month($2, $3::date), $4, 'manual', id, $5 FROM point_rules WHERE code = 'patrol'`,
					[]int64{w1, w2, w3}[rnd.IntN(3)], grids[rnd.IntN(3)], month, points, fmt.Sprintf("audit-random:%d:%d", round, i)); err != nil {
					t.Fatal(err)
				}
			}
			for _, y := range []int{this.AddDate(0, -14, 0).Year(), this.Year()} {
				body := want(months(county, fmt.Sprintf("unit=140802001&year=%d", y)), 200, "the months")
				ref, err := fx.pool.Query(ctx, auditReference, "140802001", y)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for ref.Next() {
					var m string
					var earned, lost, n int64
					if err := ref.Scan(&m, &earned, &lost, &n); err != nil {
						t.Fatal(err)
					}
					seen[m] = true
					if got := monthOf(body, m); got["earned"] != float64(earned) || got["lost"] != float64(lost) || got["rows"] != float64(n) {
						t.Errorf("round %d, %s: %v, the reference says earned %d, lost %d, %d rows", round, m, got, earned, lost, n)
					}
				}
				ref.Close()
				if err := ref.Err(); err != nil {
					t.Fatal(err)
				}
				for _, x := range body["months"].([]any) {
					if x := x.(map[string]any); !seen[x["month"].(string)] && x["rows"] != float64(0) {
						t.Errorf("round %d, %v: rows where the reference has none", round, x)
					}
				}
			}
		}
	})
}

// auditReference is docs/points.md's plain SQL of a township's month totals.
var auditReference = strings.TrimSpace(`
SELECT to_char(month, 'YYYY-MM'), sum(greatest(points, 0)), sum(greatest(-points, 0)), count(*)
FROM point_ledger WHERE left(unit_code, 9) = $1 AND extract(year FROM month) = $2
GROUP BY month ORDER BY month`)
