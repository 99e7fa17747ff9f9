package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// The calendar routes: the shipped year, edits and their refusals with specific statuses, and
// clocks on a category (working days must be whole days).
func TestAdministratorsEditTheWorkingCalendar(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	admin := fx.member(t, "13900000031", "140802", grid.RoleAdmin)
	r := call(t, "GET", fx.base+"/api/admin/calendar?year=2026", admin, "")
	days, _ := r.body["days"].([]any)
	if r.status != http.StatusOK || len(days) != 6+33 {
		t.Fatalf("2026: %d, %d days (%v); want the notice's 33 holidays and 6 make-up days", r.status, len(days), r.body)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"year out of range", "GET", "/api/admin/calendar?year=1900", "", http.StatusBadRequest, "bad_request"},
		{"a make-up Saturday", "PUT", "/api/admin/calendar/days/2027-02-20", `{"kind": "workday", "name": "春节调休上班"}`, http.StatusOK, ""},
		{"not a date", "PUT", "/api/admin/calendar/days/2027-02-30", `{"kind": "holiday", "name": "x"}`, http.StatusBadRequest, "bad_request"},
		{"unknown kind", "PUT", "/api/admin/calendar/days/2027-02-09", `{"kind": "half", "name": "x"}`, http.StatusBadRequest, "bad_calendar"},
		{"no name", "PUT", "/api/admin/calendar/days/2027-02-09", `{"kind": "holiday", "name": " "}`, http.StatusBadRequest, "bad_calendar"},
		{"another date in the body", "PUT", "/api/admin/calendar/days/2027-02-09", `{"date": "2027-02-10", "kind": "holiday", "name": "春节"}`, http.StatusBadRequest, "bad_request"},
		{"unknown field", "PUT", "/api/admin/calendar/days/2027-02-09", `{"kind": "holiday", "name": "春节", "x": 1}`, http.StatusBadRequest, "bad_request"},
		{"removed", "DELETE", "/api/admin/calendar/days/2027-02-20", "", http.StatusNoContent, ""},
		{"nothing to remove", "DELETE", "/api/admin/calendar/days/2027-02-20", "", http.StatusNotFound, "not_found"},
		{"hours overlap", "PUT", "/api/admin/calendar/hours", `{"hours": [{"start": "08:30", "end": "12:00"}, {"start": "11:00", "end": "17:00"}]}`, http.StatusBadRequest, "bad_calendar"},
		{"not a time", "PUT", "/api/admin/calendar/hours", `{"hours": [{"start": "8:30", "end": "12:00"}]}`, http.StatusBadRequest, "bad_request"},
		{"no hours", "PUT", "/api/admin/calendar/hours", `{"hours": []}`, http.StatusBadRequest, "bad_request"},
		{"new hours", "PUT", "/api/admin/calendar/hours", `{"hours": [{"start": "09:00", "end": "12:00"}, {"start": "13:30", "end": "17:00"}]}`, http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, fx.base+tc.path, admin, tc.body)
			if r.status != tc.status || tc.code != "" && r.body["error"] != tc.code {
				t.Fatalf("%d %v; want %d %s", r.status, r.body, tc.status, tc.code)
			}
		})
	}
	var n int
	if err := fx.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action LIKE 'calendar.%'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d calendar edits audited (%v); want 3", n, err)
	}

	const neighbour = `{"code": "neighbour", "group": "dispute", "name_zh": "邻里纠纷", "name_en": "Neighbour dispute",
		"start_level": 3, "grid_may_close": true, "auto_escalate": true, "active": true,
		"deadlines": {"village_s": 259200, "township_s": 604800, "county_s": 1209600, "urgent_s": 7200, "verify_s": 172800},
		"clocks": {"village": "working_days", "urgent": "working_hours"}}`
	if r := call(t, "PUT", fx.base+"/api/admin/categories/neighbour", admin, neighbour); r.status != http.StatusOK {
		t.Fatalf("clocks: %d %v", r.status, r.body)
	}
	var village, urgent, county string
	if err := fx.pool.QueryRow(context.Background(), `SELECT village_clock, urgent_clock, county_clock FROM categories
		WHERE code = 'neighbour'`).Scan(&village, &urgent, &county); err != nil || village != "working_days" || urgent != "working_hours" || county != "calendar" {
		t.Fatalf("stored clocks %s %s %s (%v)", village, urgent, county, err)
	}
	for _, body := range []string{
		`"clocks": {"village": "working_days", "urgent": "working_days"}`, // 7,200 s is not whole days
		`"clocks": {"village": "lunar"}`,
	} {
		bad := neighbour[:len(neighbour)-len(`"clocks": {"village": "working_days", "urgent": "working_hours"}}`)] + body + "}"
		if r := call(t, "PUT", fx.base+"/api/admin/categories/neighbour", admin, bad); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %v; want 400", body, r.status, r.body)
		}
	}
}
