package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/dispatch/dispatchtest"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestWorkingHoursDeadlineSkipsTheBreakAcrossProcesses: two processes share PostgreSQL and NATS.
// Through the first, an administrator makes today a working day (调休, whatever weekday it is),
// sets working hours that stop at the end of the next minute and start again a minute later,
// and gives the village tier a deadline in working hours a few seconds longer than what is
// left before the break. A report made through the second process is escalated by one timer,
// once, within 2 s of its deadline, which falls after the break: a calendar-time deadline
// would have fired during the break, a minute early.
func TestWorkingHoursDeadlineSkipsTheBreakAcrossProcesses(t *testing.T) {
	t.Parallel()
	now := time.Now().In(dispatch.CalendarZone)
	minute := now.Hour()*60 + now.Minute()
	if now.Second() >= 40 { // the break starts at the end of the next minute: leave the set-up 20 s at least
		minute++
	}
	if minute > 24*60-5 {
		t.Skip("too close to midnight in China for a break within the day")
	}
	db := dbtest.New(t)
	ctx := context.Background()
	ns := dispatchtest.NATS(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	_, worker := signedInMember(t, db, "13900000001", "140802001001001", grid.RoleGridWorker)
	_, admin := signedInMember(t, db, "13900000002", "140802", grid.RoleAdmin)
	_, township := signedInMember(t, db, "13900000003", "140802001", grid.RoleMediator)
	a, b := startServer(t, db, ns.ClientURL()), startServer(t, db, ns.ClientURL())
	defer a.Close()
	put := func(path, body string) {
		t.Helper()
		req, _ := http.NewRequest("PUT", "http://"+a.Addr()+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	// dialer is dialWS with room for the wait for the break within the day
	dialer := func(m *Main, tok string) *websocket.Conn {
		c := dialWS(t, m, tok)
		c.SetReadDeadline(time.Now().Add(4 * time.Minute))
		return c
	}
	console := dialer(a, township)
	if err := console.WriteJSON(map[string]any{"type": "subscribe", "id": "s", "centre": "140802001"}); err != nil {
		t.Fatal(err)
	}
	if f := readFrame(t, console, "subscribed"); f["type"] != "subscribed" {
		t.Fatalf("subscribe: %v", f)
	}

	hhmm := func(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, dispatch.CalendarZone)
	breakStarts := midnight.Add(time.Duration(minute+1) * time.Minute)
	workResumes := breakStarts.Add(time.Minute)
	put("/api/admin/calendar/days/"+now.Format(time.DateOnly), `{"kind": "workday", "name": "测试调休上班"}`)
	put("/api/admin/calendar/hours", fmt.Sprintf(`{"hours": [{"start": %q, "end": %q}, {"start": %q, "end": %q}]}`,
		hhmm(max(minute-30, 0)), hhmm(minute+1), hhmm(minute+2), hhmm(minute+4)))
	village := int(time.Until(breakStarts)/time.Second) + 5
	put("/api/admin/categories/neighbour", fmt.Sprintf(`{"code": "neighbour", "group": "dispute", "name_zh": "邻里纠纷",
		"name_en": "Neighbour dispute", "start_level": 3, "grid_may_close": true, "auto_escalate": true, "active": true,
		"deadlines": {"village_s": %d, "township_s": 3600, "county_s": 7200, "urgent_s": 1800, "verify_s": 86400},
		"clocks": {"village": "working_hours"}}`, village))

	// The second process reads the catalogue again on the change notice: report until a case
	// gets the working-hours deadline.
	phone := dialer(b, worker)
	var caseID float64
	var due time.Time
	for caseID == 0 {
		if time.Now().After(breakStarts) {
			t.Fatal("process b never applied the new deadline before the break")
		}
		if err := phone.WriteJSON(map[string]any{"type": "report", "id": "r", "report": map[string]any{
			"client_id": newUUID(t), "category": "neighbour", "severity": "normal", "description": "邻里争执",
			"lon": 111.02, "lat": 35.02, "accuracy_m": 5, "happened_at": time.Now().Add(-time.Minute).Format(time.RFC3339)}}); err != nil {
			t.Fatal(err)
		}
		id := readFrame(t, phone, "ack")["receipt"].(map[string]any)["case_id"]
		var clock *string
		if err := db.Pool.QueryRow(ctx, `SELECT deadline_at, deadline_clock FROM cases WHERE id = $1`, id).Scan(&due, &clock); err != nil {
			t.Fatal(err)
		}
		if clock != nil && *clock == "working_hours" {
			caseID = id.(float64)
		}
	}
	if due.Before(workResumes) || due.After(workResumes.Add(10*time.Second)) {
		t.Fatalf("deadline %s; want within seconds after work resumes at %s", due, workResumes)
	}
	b.Close() // one process goes down and comes back while the deadline runs
	b = startServer(t, db, ns.ClientURL())
	defer b.Close()

	for {
		f := readFrame(t, console, "case")
		if f["case_id"] == caseID && f["action"] == "escalate" {
			break
		}
	}
	var n int
	var at time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), max(at) FROM case_history WHERE case_id = $1 AND actor_id IS NULL`,
		int64(caseID)).Scan(&n, &at); err != nil || n != 1 {
		t.Fatalf("the timer acted %d times on the case (%v); want once", n, err)
	}
	if at.Before(due) || at.Sub(due) > 2*time.Second {
		t.Fatalf("escalated at %s; deadline %s: want at most 2 s after it", at, due)
	}
}
