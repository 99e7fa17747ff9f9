package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// TestAdminCalendarApp is issue 16's admin screens in real Chromium (admin_calendar.mjs): the
// working calendar (a holiday and a make-up working day set on the grid, one removed, bad hours
// refused with the server's words, good ones saved), a tier's clock in the categories, and a
// grade rule; at 360 px the month grids fit; a township administrator only reads. PostgreSQL
// and the API must hold what the screens showed. Screenshots with GRIDDISPATCH_SHOTS=dir.
func TestAdminCalendarApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("admin"), withLive())
	county := fx.member(t, "13900000041", "140802", grid.RoleAdmin)
	fx.member(t, "13900000042", "140802001", grid.RoleAdmin)

	steps := map[string]map[string]any{}
	browserScript(t, "admin_calendar.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, ok := m["step"].(string); ok {
				steps[s] = m
			}
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "COUNTY=13900000041", "TOWNSHIP=13900000042")
	for _, s := range []string{"days", "hours", "clocks", "grades", "narrow", "read_only", "done"} {
		if steps[s] == nil {
			t.Fatalf("the script never reported %q (got %v)", s, steps)
		}
	}

	// (1) The calendar: what the grid showed, the API and PostgreSQL hold.
	d := steps["days"]
	kindOf := func(k string) string { v, _ := d[k].([]any); s, _ := v[0].(string); return s }
	labelOf := func(k string) string { v, _ := d[k].([]any); s, _ := v[2].(string); return s }
	bgOf := func(k string) string { v, _ := d[k].([]any); s, _ := v[3].(string); return s }
	if kindOf("holiday") != "holiday" || kindOf("makeup") != "workday" || d["removed"] != "work" {
		t.Errorf("the grid: %v", d)
	}
	if !strings.Contains(labelOf("holiday"), "测试假日") || !strings.Contains(labelOf("makeup"), "测试调休上班") {
		t.Errorf("the days' names: %q, %q", labelOf("holiday"), labelOf("makeup"))
	}
	if b := []string{bgOf("holiday"), bgOf("makeup"), d["weekend_bg"].(string)}; b[0] == b[1] || b[0] == b[2] || b[1] == b[2] {
		t.Errorf("holidays, make-up days and weekends must look different: %v", b)
	}
	named := strings.Join(toStrings(d["named"]), " | ")
	if !strings.Contains(named, "测试假日") || !strings.Contains(named, "测试调休上班") || strings.Contains(named, "将被取消") {
		t.Errorf("March's named days: %s", named)
	}
	if r, _ := d["reloaded"].([]any); len(r) != 2 || r[0] != "holiday" || r[1] != "workday" {
		t.Errorf("after a reload: %v", d["reloaded"])
	}
	if d["name_needed"] != "请填写名称" {
		t.Errorf("a holiday without a name: %q", d["name_needed"])
	}
	if len(toStrings(d["legend"])) != 4 {
		t.Errorf("the legend: %v", d["legend"])
	}
	r := call(t, "GET", fx.base+"/api/admin/calendar?year=2027", county, "")
	got := map[string]string{}
	days, _ := r.body["days"].([]any)
	for _, x := range days {
		m := x.(map[string]any)
		got[m["date"].(string)] = m["kind"].(string) + " " + m["name"].(string)
	}
	if got["2027-03-08"] != "holiday 测试假日" || got["2027-03-13"] != "workday 测试调休上班" || got["2027-03-09"] != "" {
		t.Errorf("the API's 2027 March: 8th %q, 9th %q, 13th %q", got["2027-03-08"], got["2027-03-09"], got["2027-03-13"])
	}
	h := steps["hours"]
	if s, _ := h["bad_form"].(string); !strings.Contains(s, "8:30") {
		t.Errorf("a time in the wrong form: %q", s)
	}
	if s, _ := h["overlap"].(string); !strings.Contains(s, "工作日历设置有误") || !strings.Contains(s, "overlapping") {
		t.Errorf("overlapping hours: %q; want the server's refusal", s)
	}
	var hours string
	if err := fx.pool.QueryRow(ctx, `SELECT hours::text FROM calendar_settings`).Scan(&hours); err != nil || hours != "[[540, 720], [840, 1080]]" {
		t.Errorf("working hours in PostgreSQL: %s (%v); want 09:00-12:00, 14:00-18:00", hours, err)
	}

	// (2) The village tier's clock.
	c := steps["clocks"]
	if s, _ := c["whole_days"].(string); !strings.Contains(s, "村级期限按工作日计时，期限须为整天") {
		t.Errorf("36 working-day hours: %q", s)
	}
	var clock string
	var villageS int64
	if err := fx.pool.QueryRow(ctx, `SELECT village_clock, village_deadline_s FROM categories WHERE code = 'neighbour'`).
		Scan(&clock, &villageS); err != nil || clock != "working_days" || villageS != 2*86400 {
		t.Errorf("neighbour's village tier: %s, %d s (%v); want working_days, 2 days", clock, villageS, err)
	}

	// (3) The grade rule.
	g := steps["grades"]
	if s := strings.Join(toStrings(g["grades"]), ","); s != "简单,复杂,疑难,重大" {
		t.Errorf("the grades listed: %s", s)
	}
	if s, _ := g["bad_pct"].(string); !strings.Contains(s, "10 到 1000") {
		t.Errorf("a share of 5%%: %q", s)
	}
	var tier, pct int
	if err := fx.pool.QueryRow(ctx, `SELECT coalesce(tier, 0), deadline_pct FROM grade_rules WHERE grade = 'complex'`).Scan(&tier, &pct); err != nil ||
		tier != int(grid.Township) || pct != 150 {
		t.Errorf("complex: tier %d, %d%% (%v); want the township, 150%%", tier, pct, err)
	}
	var audited int
	if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action IN ('calendar.day', 'calendar.day_delete', 'calendar.hours',
		'category.save', 'grade_rule.save') AND actor_id = (SELECT id FROM members WHERE phone = '13900000041')`).Scan(&audited); err != nil || audited != 7 {
		t.Errorf("%d edits audited (%v); want 3 days, 1 removal, 1 hours, 1 category, 1 grade rule", audited, err)
	}

	// At 360 px.
	n := steps["narrow"]
	for _, page := range []string{"calendar", "categories", "grades"} {
		f, _ := n[page].(map[string]any)
		if f["page"] != true || f["grids"] != true || len(toStrings(f["small"])) != 0 {
			t.Errorf("%s at 360 px: %v", page, f)
		}
	}
	if f, _ := n["calendar"].(map[string]any); f["narrowest"].(float64) < 40 {
		t.Errorf("a day is %v px wide at 360 px; want at least 40", f["narrowest"])
	}
	if n["dialog_fits"] != true || !strings.Contains(strings.Join(toStrings(n["legend"]), ","), "Make-up working day") {
		t.Errorf("at 360 px in English: %v", n)
	}

	// The township's administrator.
	ro := steps["read_only"]
	if ro["note"] != true || ro["day_buttons"] != 0.0 || ro["save_hours"] != 0.0 || ro["grade_saves"] != 0.0 ||
		ro["marked"] != "holiday" || ro["complex_tier"] != "township" {
		t.Errorf("a township administrator: %v", ro)
	}
	if r := call(t, "PUT", fx.base+"/api/admin/calendar/days/2027-03-15", fx.member(t, "13900000043", "140802001", grid.RoleAdmin),
		`{"kind": "holiday", "name": "x"}`); r.status != http.StatusForbidden {
		t.Errorf("a township administrator's PUT: %d", r.status)
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
