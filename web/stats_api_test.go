package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/xuri/excelize/v2"

	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// The dashboard's routes answer a supervisor for their subtree only, follow cases as they
// move, and export the same tables as CSV and Excel.
func TestStatsRoutesFollowCasesWithinJurisdiction(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	fx.report(t, "第二起纠纷")
	fx.report(t, "第三起纠纷")
	stats := func(route, token, query string) response {
		t.Helper()
		return call(t, "GET", fx.base+"/api/stats/"+route+"?"+query, token, "")
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	period := "from=" + today + "&to=" + today

	for _, tc := range []struct {
		name, token, route, query string
		status                    int
	}{
		{"own township", fx.supervisor, "summary", "unit=140802001&" + period, 200},
		{"own village", fx.supervisor, "units", "unit=140802001001&" + period, 200},
		{"another township", fx.supervisor, "summary", "unit=140802002&" + period, 403},
		{"above", fx.supervisor, "summary", "unit=140802&" + period, 403},
		{"a mediator", fx.village, "summary", "unit=140802001001&" + period, 403},
		{"a grid worker", fx.token, "units", "unit=140802001001", 403},
		{"no session", "", "summary", "unit=140802001", 401},
		{"not a code", fx.supervisor, "summary", "unit=14080x", 400},
		{"a micro-grid", fx.supervisor, "summary", "unit=140802001001001001", 400},
		{"bad date", fx.supervisor, "summary", "unit=140802001&from=2026-13-01", 400},
		{"backwards", fx.supervisor, "summary", "unit=140802001&from=2026-02-01&to=2026-01-01", 400},
		{"too long", fx.supervisor, "summary", "unit=140802001&from=2001-01-01&to=2026-01-01", 400},
		{"bad category", fx.supervisor, "summary", "unit=140802001&category=x%27%3BDROP%20TABLE", 400},
		{"bad format", fx.supervisor, "units", "unit=140802001&format=pdf", 400},
		{"bad step", fx.supervisor, "trend", "unit=140802001&by=year", 400},
		{"map elsewhere", fx.supervisor, "map", "unit=140802002", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := stats(tc.route, tc.token, tc.query)
			if r.status != tc.status {
				t.Fatalf("%s?%s: %d %v, want %d", tc.route, tc.query, r.status, r.body, tc.status)
			}
			if tc.status != 200 && (r.body["error"] == nil || r.body["message"] == "") {
				t.Fatalf("error without a code and message: %v", r.body)
			}
		})
	}

	// Settle and verify the first case: the figures follow once the applier has counted it.
	for _, step := range []struct{ token, action, extra string }{
		{fx.village, "accept", ""}, {fx.village, "mediate", ""},
		{fx.village, "settle", `, "outcome": "mediated"`}, {fx.token, "verify", ""},
	} {
		if r := fx.act(t, step.token, step.action, "处理", step.extra); r.status != 200 {
			t.Fatalf("%s: %d %v", step.action, r.status, r.body)
		}
	}
	var sum response
	gridtest.Eventually(t, "the closure counted", func() bool {
		sum = stats("summary", fx.supervisor, "unit=140802001&"+period)
		return sum.body["closed"] == 1.0
	})
	if sum.body["received"] != 3.0 || sum.body["mediated"] != 1.0 || sum.body["open"] != 2.0 || sum.body["settled_low"] != 1.0 {
		t.Fatalf("summary: %v", sum.body)
	}
	if r, _ := sum.body["closure_rate"].(float64); r < 0.333 || r > 0.334 {
		t.Fatalf("closure rate %v", sum.body["closure_rate"])
	}
	units := stats("units", fx.supervisor, "unit=140802001&"+period).body["units"].([]any)
	if len(units) != 2 {
		t.Fatalf("units of the township: %v", units)
	}
	first := units[0].(map[string]any)
	if first["code"] != "140802001001" || first["received"] != 3.0 || first["closed"] != 1.0 || first["name"] == "" {
		t.Fatalf("the first village: %v", first)
	}
	if second := units[1].(map[string]any); second["received"] != 0.0 || second["closure_rate"] != nil {
		t.Fatalf("a village without cases: %v", second)
	}
	tiers := stats("tiers", fx.supervisor, "unit=140802001&"+period).body["tiers"].([]any)
	if village := tiers[2].(map[string]any); len(tiers) != 4 || village["closed"] != 1.0 || village["arrived"] != 3.0 {
		t.Fatalf("tiers: %v", tiers)
	}
	cats := stats("categories", fx.supervisor, "unit=140802001&"+period).body["categories"].([]any)
	if len(cats) != 1 || cats[0].(map[string]any)["code"] != "neighbour" || cats[0].(map[string]any)["name"] != "邻里纠纷" {
		t.Fatalf("categories: %v", cats)
	}
	points := stats("trend", fx.supervisor, "unit=140802001&by=month&"+period).body["points"].([]any)
	if len(points) != 1 || points[0].(map[string]any)["received"] != 3.0 || points[0].(map[string]any)["from"] != today {
		t.Fatalf("trend: %v", points)
	}

	// The same table as CSV (with a byte-order mark for Excel) and as a workbook.
	status, header, body := do(t, "GET", fx.base+"/api/stats/units?unit=140802001&format=csv&"+period, fx.supervisor, nil)
	if status != 200 || !bytes.HasPrefix(body, []byte("\ufeff代码,单位,受理,办结,办结率")) ||
		!strings.Contains(string(body), `"=""140802001001""",`) || !strings.Contains(string(body), ",33.33%,") ||
		!strings.Contains(header.Get("Content-Disposition"), "units-140802001-") {
		t.Fatalf("csv: %d %v\n%s", status, header, body)
	}
	status, header, body = do(t, "GET", fx.base+"/api/stats/units?unit=140802001&format=xlsx&lang=en&"+period, fx.supervisor, nil)
	if status != 200 || !strings.Contains(header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %v", status, header)
	}
	book, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows(book.GetSheetName(0))
	if err != nil || len(rows) != 3 || rows[0][2] != "Received" || rows[1][0] != "140802001001" || rows[1][2] != "3" || rows[1][4] != "33.33%" {
		t.Fatalf("xlsx rows: %v (%v)", rows, err)
	}

	// The map: the township's two villages; the browser keeps it by ETag.
	status, header, body = do(t, "GET", fx.base+"/api/stats/map?unit=140802001", fx.supervisor, nil)
	if status != 200 || strings.Count(string(body), `"type" : "Feature"`)+strings.Count(string(body), `"type": "Feature"`)+strings.Count(string(body), `"type":"Feature"`) != 2 ||
		!strings.Contains(string(body), "140802001002") {
		t.Fatalf("map: %d %s", status, body)
	}
	req, _ := http.NewRequest("GET", fx.base+"/api/stats/map?unit=140802001", nil)
	req.Header.Set("Authorization", "Bearer "+fx.supervisor)
	req.Header.Set("If-None-Match", header.Get("ETag"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("map again with its ETag: %d", resp.StatusCode)
	}

	scope := stats("scope", fx.supervisor, "").body["units"].([]any)
	if len(scope) != 1 || scope[0].(map[string]any)["code"] != "140802001" {
		t.Fatalf("scope: %v", scope)
	}
}

// A dashboard subscribed with stats hears, after the counters commit, that the figures of its
// subtree changed; one outside it hears nothing, and nobody may ask for stats of what is not
// theirs.
func TestStatsFramesReachDashboardsOfTheSubtree(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	gridtest.Eventually(t, "the report counted", func() bool { return countRows(t, fx, `SELECT count(*) FROM stats_applied`) == 1 })
	mine, other := connect(t, fx.ws, fx.supervisor), connect(t, fx.ws, fx.otherSupervisor)
	for _, c := range []struct {
		conn *websocket.Conn
		code string
	}{{mine, "140802001"}, {other, "140802002"}} {
		if err := c.conn.WriteJSON(map[string]any{"type": "subscribe", "id": "s", "subtree": c.code, "stats": true}); err != nil {
			t.Fatal(err)
		}
		if m := readType(t, c.conn, "subscribed"); m["type"] != "subscribed" {
			t.Fatalf("subscribe %s: %v", c.code, m)
		}
	}
	if err := other.WriteJSON(map[string]any{"type": "subscribe", "id": "x", "subtree": "140802001", "stats": true}); err != nil {
		t.Fatal(err)
	}
	if m := readType(t, other, "subscribed"); m["type"] != "error" || m["code"] != "forbidden" {
		t.Fatalf("another township's stats: %v", m)
	}
	fx.report(t, "又一起纠纷") // an accept would change no figure, and send no frame
	m := readType(t, mine, "stats")
	units, _ := m["units"].([]any)
	if m["type"] != "stats" || len(units) == 0 || !strings.HasPrefix(units[0].(string), "140802001001") {
		t.Fatalf("stats frame: %v", m)
	}
	if n := countRows(t, fx, `SELECT count(*) FROM stats_applied`); n != 2 {
		t.Fatalf("the frame came before the counters committed: %d applied", n)
	}
	_ = other.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	for {
		var f map[string]any
		if err := other.ReadJSON(&f); err != nil {
			break // nothing for the other township
		}
		if f["type"] == "stats" {
			t.Fatalf("the other township heard: %v", f)
		}
	}
}
