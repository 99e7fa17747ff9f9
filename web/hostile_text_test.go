package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// hostileText is what members type when they are testing us: SQL and LIKE meta-characters,
// markup that would run script if it were ever treated as HTML, bidirectional overrides,
// zero-width characters, characters JSON-in-JS trips on, and emoji of several code points. It
// starts and ends with visible characters (transitions trim surrounding space, on purpose).
const hostileText = `'; DROP TABLE cases;-- \ \\ \n %_% "quoted" ` + "`tick` ${x} {{7*7}} " +
	`<script>window.__xss=1</script><img src=x onerror="window.__xss=1"><b>粗</b>&amp;&lt; ` +
	"\u202eRTL\u202c \u200bzero\u200dwidth\ufeff \u2028\u2029 👩\u200d👩\u200d👧 🇨🇳 邻里纠纷"

// A category's names have at most 40 characters.
const (
	hostileCategoryZH = `<img src=x onerror="window.__xss=1">邻里`
	hostileCategoryEN = "'; DROP TABLE cases;-- %_\\ \u202e👩\u200d👩\u200d👧"
)

// Every text field a member can write is stored byte for byte in PostgreSQL and returned as it
// was, over HTTP and the websocket: a report's description and on-the-spot note, a transition's
// notes and parties, a category's names. NUL, which PostgreSQL text cannot hold, is refused as
// a bad field rather than failing as if the database were away.
func TestHostileTextIsStoredAndReturnedVerbatim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withLive())
	mediator := fx.member(t, "13900000011", "140802001001", grid.RoleMediator)
	admin := fx.member(t, "13900000012", "140802", grid.RoleAdmin)
	phone := connect(t, fx.ws, fx.token)
	console := connect(t, fx.ws, mediator)
	if m := subscribe(t, console, "s1", "centre", "140802001001"); m["type"] != "subscribed" {
		t.Fatalf("subscribe: %v", m)
	}

	// The report, over the websocket.
	report := reportMsg("r1", newClientID())
	report["report"].(map[string]any)["description"] = hostileText
	if err := phone.WriteJSON(report); err != nil {
		t.Fatal(err)
	}
	ack := readType(t, phone, "ack")
	caseID := int64(ack["receipt"].(map[string]any)["case_id"].(float64))
	onSpot := reportMsg("r2", newClientID())
	onSpot["report"].(map[string]any)["handled_on_spot"] = true
	onSpot["report"].(map[string]any)["on_spot_note"] = hostileText
	if err := phone.WriteJSON(onSpot); err != nil {
		t.Fatal(err)
	}
	if f := readType(t, phone, "ack"); f["id"] != "r2" {
		t.Fatalf("on-the-spot report: %v", f)
	}
	var description, note string
	if err := fx.pool.QueryRow(ctx, `SELECT (SELECT e.description FROM events e JOIN cases c ON c.event_id = e.id WHERE c.id = $1),
		(SELECT on_spot_note FROM events WHERE client_id = $2)`, caseID, onSpot["report"].(map[string]any)["client_id"]).Scan(&description, &note); err != nil {
		t.Fatal(err)
	}
	if description != hostileText || note != hostileText {
		t.Fatalf("stored description %q, note %q; want %q", description, note, hostileText)
	}

	// The transition's notes and parties, over HTTP; pushed to the console and the reporter.
	act := func(token, action string, fields map[string]any) response {
		t.Helper()
		var version int
		if err := fx.pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, caseID).Scan(&version); err != nil {
			t.Fatal(err)
		}
		fields["action"], fields["version"] = action, version
		b, _ := json.Marshal(fields)
		return call(t, "POST", fmt.Sprintf("%s/api/cases/%d/transitions", fx.base, caseID), token, string(b))
	}
	if r := act(mediator, "accept", map[string]any{}); r.status != http.StatusOK {
		t.Fatalf("accept: %d %v", r.status, r.body)
	}
	if r := act(mediator, "mediate", map[string]any{"reason": hostileText, "parties": hostileText[:60] + "…"}); r.status != http.StatusOK {
		t.Fatalf("mediate: %d %v", r.status, r.body)
	}
	var reason, parties string
	if err := fx.pool.QueryRow(ctx, `SELECT reason, parties FROM case_history WHERE case_id = $1 AND transition = 'mediate'`, caseID).Scan(&reason, &parties); err != nil {
		t.Fatal(err)
	}
	if reason != hostileText || parties != hostileText[:60]+"…" {
		t.Fatalf("stored reason %q, parties %q", reason, parties)
	}
	for name, c := range map[string]*websocket.Conn{"console": console, "phone": phone} {
		typ := map[string]string{"console": "case", "phone": "status"}[name]
		for {
			f := readType(t, c, typ)
			if f["type"] == "error" {
				t.Fatalf("%s: %v", name, f)
			}
			if f["reason"] == hostileText {
				break
			}
		}
	}

	// The case page gives it all back as it was.
	page := call(t, "GET", fmt.Sprintf("%s/api/cases/%d", fx.base, caseID), mediator, "")
	if got := page.body["case"].(map[string]any)["description"]; got != hostileText {
		t.Fatalf("case page description %q", got)
	}
	found := false
	for _, h := range page.body["history"].([]any) {
		h := h.(map[string]any)
		found = found || (h["transition"] == "mediate" && h["reason"] == hostileText && h["parties"] == hostileText[:60]+"…")
	}
	if !found {
		t.Fatalf("the history does not hold the notes verbatim: %v", page.body["history"])
	}

	// A category's names, through the administrators' route.
	category := map[string]any{"code": "hostile_names", "group": "dispute", "name_zh": hostileCategoryZH, "name_en": hostileCategoryEN,
		"start_level": 3, "grid_may_close": false, "auto_escalate": true, "active": true,
		"deadlines": map[string]any{"village_s": 86400, "township_s": 86400, "county_s": 86400, "urgent_s": 3600, "verify_s": 259200}}
	b, _ := json.Marshal(category)
	if r := call(t, "PUT", fx.base+"/api/admin/categories/hostile_names", admin, string(b)); r.status != http.StatusOK {
		t.Fatalf("save category: %d %v", r.status, r.body)
	}
	var nameZH, nameEN string
	if err := fx.pool.QueryRow(ctx, `SELECT name_zh, name_en FROM categories WHERE code = 'hostile_names'`).Scan(&nameZH, &nameEN); err != nil {
		t.Fatal(err)
	}
	if nameZH != hostileCategoryZH || nameEN != hostileCategoryEN {
		t.Fatalf("stored names %q %q", nameZH, nameEN)
	}
	cats := call(t, "GET", fx.base+"/api/admin/categories", admin, "") // GET /api/categories is cached per process
	found = false
	for _, c := range cats.body["categories"].([]any) {
		c := c.(map[string]any)
		found = found || (c["code"] == "hostile_names" && c["name_zh"] == nameZH && c["name_en"] == nameEN)
	}
	if !found {
		t.Fatalf("GET /api/admin/categories does not return the names verbatim")
	}

	// NUL is refused, field by field, and nothing is stored.
	nul := "before\x00after"
	bad := reportMsg("r3", newClientID())
	bad["report"].(map[string]any)["description"] = nul
	if err := phone.WriteJSON(bad); err != nil {
		t.Fatal(err)
	}
	for {
		f := read(t, phone)
		if f["id"] == "r3" {
			if f["code"] != "invalid_report" || f["field"] != "description" || f["retryable"] != false {
				t.Fatalf("a description with NUL: %v; want invalid_report on description, not retryable", f)
			}
			break
		}
	}
	if r := act(mediator, "mediate", map[string]any{"reason": nul}); r.status != http.StatusBadRequest {
		t.Errorf("notes with NUL: %d %v; want 400", r.status, r.body)
	}
	category["name_zh"] = nul
	b, _ = json.Marshal(category)
	if r := call(t, "PUT", fx.base+"/api/admin/categories/hostile_names", admin, string(b)); r.status != http.StatusBadRequest {
		t.Errorf("a category name with NUL: %d %v; want 400", r.status, r.body)
	}
}

// The queue's search matches what was typed as text: LIKE's % and _ and the backslash match
// themselves, and quotes are just characters.
func TestQueueSearchTakesMetaCharactersLiterally(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	mediator := fx.member(t, "13900000011", "140802001001", grid.RoleMediator)
	special := fx.submit(t, "13900000001", `完成 100% 的 a_b 与 C:\dir 和 O'Brien`)
	fx.submit(t, "13900000001", "两户因排水沟发生争执 abc")
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"%", []int64{special}},
		{"_", []int64{special}},
		{`\`, []int64{special}},
		{"'", []int64{special}},
		{"a_b", []int64{special}},
		{"a%b", nil},
		{"'; DROP TABLE cases;--", nil},
		{`\%`, nil},
	} {
		t.Run(tc.q, func(t *testing.T) {
			r := call(t, "GET", fx.base+"/api/centres/140802001001/queue?q="+url.QueryEscape(tc.q), mediator, "")
			if r.status != http.StatusOK {
				t.Fatalf("%d %v", r.status, r.body)
			}
			var got []int64
			for _, c := range r.body["cases"].([]any) {
				got = append(got, int64(c.(map[string]any)["id"].(float64)))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("q=%q found %v; want %v", tc.q, got, tc.want)
			}
		})
	}
	if n := countOf(t, fx, `SELECT count(*) FROM cases`); n != 2 {
		t.Fatalf("%d cases after the searches", n)
	}
}

// A User-Agent is the client's text too: bytes that are not UTF-8, and one long enough to be cut
// inside a character, are stored cleaned instead of failing the sign-in.
func TestSignInWithAHostileUserAgent(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	for _, ua := range []string{"Mozilla/5.0 \xff\xfe\xc0", "x" + strings.Repeat("字", 400), `'; DROP TABLE sessions;-- <script>`} {
		req, _ := http.NewRequest("POST", fx.base+"/api/sessions", strings.NewReader(`{"phone":"13900000001","password":"`+password+`"}`))
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var s struct{ Token string }
		jsonBody(resp.Body, &s)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("sign-in with User-Agent %q: %d", ua[:20], resp.StatusCode)
		}
		var stored string
		if err := fx.pool.QueryRow(context.Background(), `SELECT user_agent FROM sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, s.Token).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(stored) || len(stored) > 512 || (utf8.ValidString(ua) && !strings.HasPrefix(ua, stored)) ||
			(len(ua) <= 512 && utf8.ValidString(ua) && stored != ua) {
			t.Fatalf("stored User-Agent %q for %q", stored, ua)
		}
	}
}

// Names exported to CSV cannot become spreadsheet formulas: text beginning with =, +, -, @ is
// prefixed with an apostrophe in the file (the JSON keeps it verbatim).
func TestCSVExportDefusesFormulas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withLive())
	admin := fx.member(t, "13900000071", "140802", grid.RoleAdmin)
	supervisor := fx.member(t, "13900000072", "140802001", grid.RoleSupervisor)
	const formula, village = `=HYPERLINK("http://evil.example","点我")`, "+1-1 村"
	category := map[string]any{"code": "formula_names", "group": "dispute", "name_zh": formula, "name_en": "@SUM(1+1)",
		"start_level": 3, "grid_may_close": false, "auto_escalate": false, "active": true,
		"deadlines": map[string]any{"village_s": 86400, "township_s": 86400, "county_s": 86400, "urgent_s": 3600, "verify_s": 259200}}
	b, _ := json.Marshal(category)
	if r := call(t, "PUT", fx.base+"/api/admin/categories/formula_names", admin, string(b)); r.status != http.StatusOK {
		t.Fatalf("save category: %d %v", r.status, r.body)
	}
	if _, err := fx.pool.Exec(ctx, `UPDATE units SET name = $1 WHERE code = '140802001001'`, village); err != nil {
		t.Fatal(err)
	}
	worker := fx.memberID(t, "13900000001")
	if _, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker, Category: "formula_names",
		Severity: "normal", Description: "=1+1", Lon: 111.02, Lat: 35.02, HappenedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	gridtest.Eventually(t, "the figures to hold the case", func() bool {
		r := call(t, "GET", fx.base+"/api/stats/summary?unit=140802001", supervisor, "")
		return r.status == http.StatusOK && r.body["received"] == 1.0
	})
	cell := func(route, code string) (file, jsonName string) {
		t.Helper()
		status, _, raw := do(t, "GET", fx.base+"/api/stats/"+route+"?unit=140802001&format=csv", supervisor, nil)
		if status != http.StatusOK {
			t.Fatalf("%s CSV: %d %s", route, status, raw)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if rec[0] == code || rec[0] == `="`+code+`"` { // unit codes are ="…" text cells (stats_export.go)
				file = rec[1]
			}
		}
		r := call(t, "GET", fx.base+"/api/stats/"+route+"?unit=140802001", supervisor, "")
		for _, row := range r.body[route].([]any) {
			if row := row.(map[string]any); row["code"] == code {
				jsonName, _ = row["name"].(string)
			}
		}
		return file, jsonName
	}
	if file, js := cell("categories", "formula_names"); file != "'"+formula || js != formula {
		t.Errorf("category in the CSV %q, in the JSON %q; want %q and %q", file, js, "'"+formula, formula)
	}
	if file, js := cell("units", "140802001001"); file != "'"+village || js != village {
		t.Errorf("village in the CSV %q, in the JSON %q; want %q and %q", file, js, "'"+village, village)
	}
}
