package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// staffRole is a member a jurisdiction test signs in as: their phone, unit and role.
type staffRole struct {
	name, phone, unit string
	role              grid.Role
}

// matrixRoles are the roles of the matrix, each at its own unit of the small county 140802.
var matrixRoles = []staffRole{
	{"grid worker", "13900000101", "140802001001001", grid.RoleGridWorker},
	{"grid leader", "13900000102", "140802001001001", grid.RoleGridLeader},
	{"village mediator", "13900000103", "140802001001", grid.RoleMediator},
	{"township mediator", "13900000104", "140802001", grid.RoleMediator},
	{"county mediator", "13900000105", "140802", grid.RoleMediator},
	{"township supervisor", "13900000106", "140802001", grid.RoleSupervisor},
	{"county supervisor", "13900000107", "140802", grid.RoleSupervisor},
	{"admin", "13900000108", "140802", grid.RoleAdmin},
	{"township admin", "13900000109", "140802001", grid.RoleAdmin},
}

// matrixTarget is what a role reaches for: the same things inside its subtree (a centre, a unit,
// a case with a photo, a point) or in the sibling subtree at its own level.
type matrixTarget struct {
	centre, unit string
	caseID       int64
	photo        string
	lon, lat     float64
	// below is the unit an administrator's grid routes reach for: the unit's first child, or
	// the unit itself without one (so that a change set's root, the parent of what it
	// renames, is inside for each administrator, and the sibling township's is not).
	below string
}

// matrixCall is one try: a member (or nobody) reaching for a target.
type matrixCall struct {
	env    *matrixEnv
	phone  string // "" for nobody
	token  string
	target matrixTarget
}

// matrixRow is a route or a subscription with its policy and the expected outcomes, per role in
// matrixRoles' order, inside then outside: '+' allowed, '3' refused (403, or a forbidden
// frame), '4' hidden (404). Without a token every route but the public ones answers 401.
type matrixRow struct {
	pattern, policy, expect string
	try                     func(t *testing.T, c matrixCall) int
}

const (
	everyone     = "++ ++ ++ ++ ++ ++ ++ ++ ++"
	caseStaff    = "44 +4 +4 +4 +4 +4 +4 +4 +4"
	watchers     = "33 33 +3 +3 +3 +3 +3 +3 +3"
	overseers    = "33 33 33 33 33 +3 +3 +3 +3"
	adminsOnly   = "33 33 33 33 33 33 33 ++ ++"
	adminsInside = "33 33 33 33 33 33 33 +3 +3"
	countyAdmins = "33 33 33 33 33 33 33 ++ 33"
)

var matrix = []matrixRow{
	{"GET /healthz", "public", everyone, getPath(func(matrixTarget) string { return "/healthz" })},
	{"GET /readyz", "public", everyone, getPath(func(matrixTarget) string { return "/readyz" })},
	{"GET /", "public", everyone, getPath(func(matrixTarget) string { return "/" })},
	{"POST /api/sessions", "public", everyone, trySignIn},
	{"DELETE /api/sessions/current", "member", everyone, trySignOut},
	{"GET /api/me", "member", everyone, getPath(func(matrixTarget) string { return "/api/me" })},
	{"POST /api/me/password", "member", everyone, tryPasswordChange},
	{"GET /ws", "member-socket", everyone, tryConnect},
	{"GET /api/my/reports", "member", everyone, getPath(func(matrixTarget) string { return "/api/my/reports" })},
	{"GET /api/categories", "member", everyone, getPath(func(matrixTarget) string { return "/api/categories" })},
	{"GET /api/locate", "member", everyone, getPath(func(x matrixTarget) string { return fmt.Sprintf("/api/locate?lon=%g&lat=%g", x.lon, x.lat) })},
	// The phone's map: a grid worker's or leader's own grid only; everyone else has none there.
	{"GET /api/my/grid", "member", "+3 +3 33 33 33 33 33 33 33", getPath(func(x matrixTarget) string { return "/api/my/grid?unit=" + x.unit })},
	{"GET /api/my/centres", "member", everyone, getPath(func(matrixTarget) string { return "/api/my/centres" })},
	{"GET /api/my/verifications", "member", everyone, getPath(func(matrixTarget) string { return "/api/my/verifications" })},
	{"GET /api/centres/{code}/queue", "centre-watcher", watchers, getPath(func(x matrixTarget) string { return "/api/centres/" + x.centre + "/queue" })},
	{"GET /api/centres/{code}/callbacks", "centre-watcher", watchers, getPath(func(x matrixTarget) string { return "/api/centres/" + x.centre + "/callbacks" })},
	// 退单待裁决 and 延期申请 (issue 16): the declines below a centre; the extension requests only
	// supervisors decide (everyone else 403, whatever the unit).
	{"GET /api/centres/{code}/declines", "centre-watcher", watchers, getPath(func(x matrixTarget) string { return "/api/centres/" + x.centre + "/declines" })},
	{"GET /api/extensions/pending", "member", "33 33 33 33 33 +3 +3 33 33", getPath(func(x matrixTarget) string { return "/api/extensions/pending?unit=" + x.unit })},
	{"GET /api/cases/{id}", "case-reader", caseStaff, getPath(func(x matrixTarget) string { return fmt.Sprintf("/api/cases/%d", x.caseID) })},
	{"GET /api/cases/{id}/map", "case-reader", caseStaff, getPath(func(x matrixTarget) string { return fmt.Sprintf("/api/cases/%d/map", x.caseID) })},
	// Urging is a supervisor's: other readers are refused by the state machine, others never see it.
	{"POST /api/cases/{id}/transitions", "case-reader", "44 34 34 34 34 +4 +4 34 34", tryUrge},
	// 并单: only the mediators of the case's current centre (the village, inside); readers 403.
	{"GET /api/centres/{code}/duplicates", "centre-watcher", "33 33 +3 +3 +3 33 33 33 33", getPath(func(x matrixTarget) string { return "/api/centres/" + x.centre + "/duplicates" })},
	{"GET /api/cases/{id}/duplicates", "case-reader", "44 34 +4 34 34 34 34 34 34", getPath(func(x matrixTarget) string { return fmt.Sprintf("/api/cases/%d/duplicates", x.caseID) })},
	{"POST /api/cases/{id}/distinct", "case-reader", "44 34 +4 34 34 34 34 34 34", tryDistinct},
	{"GET /api/my/notifications", "member", everyone, getPath(func(matrixTarget) string { return "/api/my/notifications" })},
	{"POST /api/my/notifications/read", "member", everyone, send("POST", "/api/my/notifications/read", `{"up_to": 1}`)},
	{"GET /api/admin/categories", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/categories" })},
	{"PUT /api/admin/categories/{code}", "county-admin", countyAdmins, trySaveCategory},
	// The working calendar is one for the county, as the catalogue is (admin_calendar.go).
	{"GET /api/calendar", "member", everyone, getPath(func(matrixTarget) string { return "/api/calendar" })},
	{"GET /api/admin/calendar", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/calendar?year=2026" })},
	{"PUT /api/admin/calendar/hours", "county-admin", countyAdmins,
		send("PUT", "/api/admin/calendar/hours", `{"hours": [{"start": "08:30", "end": "12:00"}, {"start": "14:30", "end": "17:30"}]}`)},
	{"PUT /api/admin/calendar/days/{date}", "county-admin", countyAdmins,
		send("PUT", "/api/admin/calendar/days/2026-12-31", `{"kind": "holiday", "name": "测试"}`)},
	{"DELETE /api/admin/calendar/days/{date}", "county-admin", countyAdmins, tryDeleteCalendarDay},
	// The grade rules are part of the routing catalogue (admin_grade_rules.go).
	{"GET /api/admin/grade-rules", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/grade-rules" })},
	{"PUT /api/admin/grade-rules/{grade}", "county-admin", countyAdmins,
		send("PUT", "/api/admin/grade-rules/complex", `{"tier": "", "deadline_pct": 100}`)},
	{"GET /api/admin/members", "admin", adminsInside, getPath(func(x matrixTarget) string { return "/api/admin/members?unit=" + x.unit })},
	{"POST /api/admin/members", "admin", adminsInside, tryAddMember},
	{"POST /api/admin/members/{id}/assignments", "admin", adminsInside, onMember("POST", "/assignments", `{"unit_code": "{unit}", "role": "{role}"}`)},
	{"DELETE /api/admin/members/{id}/assignments/{unit}/{role}", "admin", adminsInside, onMember("DELETE", "/assignments/{unit}/{role}", "")},
	{"POST /api/admin/members/{id}/move", "admin", adminsInside, onMember("POST", "/move", `{"unit_code": "{unit}", "role": "{role}", "to": "{unit}"}`)},
	{"POST /api/admin/members/{id}/deactivate", "admin", adminsInside, onMember("POST", "/deactivate", "")},
	{"POST /api/admin/members/{id}/release-phone", "admin", adminsInside, tryReleasePhone},
	{"POST /api/admin/members/{id}/password-reset", "admin", adminsInside, onMember("POST", "/password-reset", "")},
	{"GET /api/admin/audit", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/audit?limit=5" })},
	{"GET /api/admin/audit.csv", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/audit.csv?limit=5" })},
	{"GET /api/admin/units", "admin", adminsInside, getPath(func(x matrixTarget) string { return "/api/admin/units?parent=" + x.unit })},
	{"GET /api/admin/units/search", "admin", adminsOnly, getPath(func(x matrixTarget) string { return "/api/admin/units/search?q=" + x.unit })},
	{"GET /api/admin/units/{code}", "admin", adminsInside, getPath(func(x matrixTarget) string { return "/api/admin/units/" + x.unit })},
	{"GET /api/admin/outlines", "admin", adminsInside, getPath(func(x matrixTarget) string { return "/api/admin/outlines?parent=" + x.unit })},
	{"POST /api/admin/grid/imports", "admin", adminsInside, tryImport},
	{"GET /api/admin/grid/changes", "admin", adminsInside, getPath(func(x matrixTarget) string { return "/api/admin/grid/changes?root=" + x.unit })},
	{"POST /api/admin/grid/changes", "admin", adminsInside, tryDraft},
	{"GET /api/admin/grid/changes/{id}", "admin", adminsInside, onChange("GET", "")},
	{"POST /api/admin/grid/changes/{id}/apply", "admin", adminsInside, onChange("POST", "/apply")},
	{"POST /api/admin/grid/changes/{id}/discard", "admin", adminsInside, onChange("POST", "/discard")},
	{"POST /api/admin/grid/changes/{id}/schedule", "admin", adminsInside, onChange("POST", "/schedule")},
	{"POST /api/admin/grid/changes/{id}/unschedule", "admin", adminsInside, onChange("POST", "/unschedule")},
	{"GET /api/admin/roster", "admin", adminsInside, getPath(func(x matrixTarget) string { return "/api/admin/roster?format=csv&unit=" + x.unit })},
	{"POST /api/admin/roster", "admin", adminsInside, tryRoster},
	{"GET /api/stats/scope", "member", everyone, getPath(func(matrixTarget) string { return "/api/stats/scope" })},
	{"GET /api/stats/summary", "figures-viewer", overseers, figures("summary")},
	{"GET /api/stats/units", "figures-viewer", overseers, figures("units")},
	{"GET /api/stats/trend", "figures-viewer", overseers, figures("trend")},
	{"GET /api/stats/categories", "figures-viewer", overseers, figures("categories")},
	{"GET /api/stats/tiers", "figures-viewer", overseers, figures("tiers")},
	{"GET /api/stats/map", "figures-viewer", overseers, figures("map")},
	{"GET /api/stats/bulletin", "figures-viewer", overseers, figures("bulletin")},
	{"GET /api/stats/declines", "figures-viewer", overseers, figures("declines")},
	{"POST /api/photos", "member", everyone, tryUpload},
	{"GET /api/photos/{sha256}", "photo-viewer", caseStaff, getPath(func(x matrixTarget) string { return "/api/photos/" + x.photo })},
	{"centre", "centre-watcher", watchers, trySubscribe(`{"type":"subscribe","id":"m","centre":%q}`, true)},
	{"subtree", "subtree-watcher", overseers, trySubscribe(`{"type":"subscribe","id":"m","subtree":%q}`, false)},
	{"subtree+stats", "figures-viewer", overseers, trySubscribe(`{"type":"subscribe","id":"m","subtree":%q,"stats":true}`, false)},
}

// TestJurisdictionMatrix tries every route the server serves and every websocket subscription as
// every role, inside and outside its subtree, and as nobody. A route served without a row here,
// registered without a policy, or registered outside routes.go fails it.
func TestJurisdictionMatrix(t *testing.T) {
	t.Parallel()
	env := newMatrixEnv(t)
	rows := map[string]matrixRow{}
	for _, row := range matrix {
		rows[row.pattern] = row
	}
	served := append(env.srv.Routes(), web.Subscriptions()...)
	if len(served) != len(matrix) {
		t.Errorf("%d routes and subscriptions served, %d in the matrix", len(served), len(matrix))
	}
	for _, r := range served {
		row, ok := rows[r.Pattern]
		switch {
		case !ok:
			t.Errorf("%s (policy %q) is served but has no row in the jurisdiction matrix", r.Pattern, r.Policy)
		case r.Policy == "" || r.Policy != row.policy:
			t.Errorf("%s is served with policy %q, the matrix expects %q", r.Pattern, r.Policy, row.policy)
		}
	}
	for _, row := range matrix {
		want := strings.Fields(row.expect)
		for i, role := range matrixRoles {
			var got [2]byte
			for side, target := range []matrixTarget{env.inside[i], env.outside[i]} {
				got[side] = outcome(row.try(t, matrixCall{env: env, phone: role.phone, token: env.tokens[i], target: target}))
			}
			if string(got[:]) != want[i] {
				t.Errorf("%s as %s: inside/outside %s, want %s", row.pattern, role.name, got[:], want[i])
			}
		}
		anon := row.try(t, matrixCall{env: env, phone: "13900000001", target: env.inside[0]})
		if public := row.policy == "public"; public && outcome(anon) != '+' || !public && anon != http.StatusUnauthorized {
			t.Errorf("%s without a session: %d", row.pattern, anon)
		}
	}
}

func outcome(status int) byte {
	switch {
	case status == http.StatusSwitchingProtocols || status >= 200 && status < 400:
		return '+'
	case status == http.StatusForbidden:
		return '3'
	case status == http.StatusNotFound:
		return '4'
	}
	return '?'
}

// matrixEnv is the server, the roles signed in, a second county 140803 beside the first, and
// one case with a photo in each subtree the roles reach for.
type matrixEnv struct {
	*fixture
	tokens          []string
	inside, outside []matrixTarget
	category        string // the neighbour category's routing, as an admin saves it
}

func newMatrixEnv(t *testing.T) *matrixEnv {
	ctx := context.Background()
	env := &matrixEnv{fixture: newFixture(t)}
	other := bytes.ReplaceAll(bytes.ReplaceAll(gridtest.SmallCounty, []byte(`"140802`), []byte(`"140803`)), []byte("111."), []byte("112."))
	units, err := grid.ReadGeoJSON(bytes.NewReader(other))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.g.Import(ctx, units); err != nil {
		t.Fatal(err)
	}
	loc, err := env.g.NewLocator(ctx, grid.DefaultNearMetres) // knows both counties
	if err != nil {
		t.Fatal(err)
	}
	intake := dispatch.NewIntake(env.pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := intake.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(intake.Close)
	worker := env.memberID(t, "13900000001")
	photos := dispatch.NewPhotos(env.dataDir, env.pool)
	place := func(shade uint8, lon, lat float64, centre, unit string) matrixTarget {
		ph, err := photos.Save(ctx, worker, pngBytes(t, shade))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker, Category: "neighbour",
			Severity: "normal", Description: "矩阵", Lon: lon, Lat: lat, HappenedAt: time.Now().Add(-time.Hour), Photos: []string{ph.SHA256}})
		if err != nil || rc.CaseID == 0 {
			t.Fatalf("report at %g,%g: %+v %v", lon, lat, rc, err)
		}
		return matrixTarget{centre: centre, unit: unit, caseID: rc.CaseID, photo: ph.SHA256, lon: lon, lat: lat}
	}
	home := place(10, 111.02, 35.02, "140802001001", "")
	siblings := map[int]matrixTarget{ // by the length of the role's unit code
		15: place(20, 111.07, 35.04, "140802001002", "140802001001002"),
		12: place(30, 111.04, 35.14, "140802001002", "140802001002"),
		9:  place(40, 111.14, 35.08, "140802002", "140802002"),
		6:  place(50, 112.02, 35.02, "140803", "140803"),
	}
	below := func(x matrixTarget) matrixTarget {
		x.below = x.unit
		if _, err := env.g.Unit(ctx, x.unit+"001"); err == nil {
			x.below = x.unit + "001"
		}
		return x
	}
	for i, r := range matrixRoles {
		env.tokens = append(env.tokens, env.member(t, r.phone, r.unit, r.role))
		in := home
		in.unit = r.unit
		if len(r.unit) <= 12 {
			in.centre = r.unit
		}
		env.inside, env.outside = append(env.inside, below(in)), append(env.outside, below(siblings[len(r.unit)]))
		if r.role == grid.RoleAdmin && env.category == "" {
			list := call(t, "GET", env.base+"/api/admin/categories", env.tokens[i], "")
			for _, c := range list.body["categories"].([]any) {
				if c.(map[string]any)["code"] == "neighbour" {
					b, _ := json.Marshal(c)
					env.category = string(b)
				}
			}
		}
	}
	if env.category == "" {
		t.Fatal("no neighbour category in the catalogue")
	}
	return env
}

// noRedirects answers with the first response: "/" redirects to the phone app.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func status(t *testing.T, c matrixCall, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, c.env.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func getPath(path func(matrixTarget) string) func(*testing.T, matrixCall) int {
	return func(t *testing.T, c matrixCall) int { return status(t, c, "GET", path(c.target), "") }
}

func send(method, path, body string) func(*testing.T, matrixCall) int {
	return func(t *testing.T, c matrixCall) int { return status(t, c, method, path, body) }
}

func figures(name string) func(*testing.T, matrixCall) int {
	return getPath(func(x matrixTarget) string { return "/api/stats/" + name + "?unit=" + x.unit })
}

func trySignIn(t *testing.T, c matrixCall) int {
	return status(t, c, "POST", "/api/sessions", fmt.Sprintf(`{"phone": %q, "password": %q}`, c.phone, password))
}

// trySignOut signs out of a session of its own, so that the role's token lives on.
func trySignOut(t *testing.T, c matrixCall) int {
	if c.token != "" {
		c.token = signIn(t, c.env.base, c.phone, password).body["token"].(string)
	}
	return status(t, c, "DELETE", "/api/sessions/current", "")
}

func tryUrge(t *testing.T, c matrixCall) int {
	var version int
	if err := c.env.pool.QueryRow(context.Background(), `SELECT version FROM cases WHERE id = $1`, c.target.caseID).Scan(&version); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"action": "urge", "version": %d, "reason": "请加快办理"}`, version)
	return status(t, c, "POST", fmt.Sprintf("/api/cases/%d/transitions", c.target.caseID), body)
}

// tryDistinct marks the target case and another case of its centre distinct (204 when allowed).
func tryDistinct(t *testing.T, c matrixCall) int {
	var other int64
	if err := c.env.pool.QueryRow(context.Background(), `SELECT coalesce(max(o.id), 0) FROM cases o JOIN cases x ON x.id = $1
		WHERE o.centre_code = x.centre_code AND o.id <> x.id`, c.target.caseID).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if other == 0 { // a second report of the same matter, copied from the target's
		if err := c.env.pool.QueryRow(context.Background(), `
			WITH e AS (INSERT INTO events (client_id, reporter_id, category, severity, description, location, happened_at, unit_code)
			           SELECT gen_random_uuid(), e.reporter_id, e.category, e.severity, e.description, e.location, e.happened_at, e.unit_code
			           FROM events e JOIN cases x ON x.event_id = e.id WHERE x.id = $1 RETURNING id)
			INSERT INTO cases (event_id, unit_code, state, level, centre_code)
			SELECT e.id, x.unit_code, 'queued', x.level, x.centre_code FROM e, cases x WHERE x.id = $1 RETURNING id`,
			c.target.caseID).Scan(&other); err != nil {
			t.Fatal(err)
		}
	}
	return status(t, c, "POST", fmt.Sprintf("/api/cases/%d/distinct", c.target.caseID), fmt.Sprintf(`{"other": %d}`, other))
}

func trySaveCategory(t *testing.T, c matrixCall) int {
	return status(t, c, "PUT", "/api/admin/categories/neighbour", c.env.category)
}

// tryDeleteCalendarDay removes a day that is there whoever asks.
func tryDeleteCalendarDay(t *testing.T, c matrixCall) int {
	if _, err := c.env.pool.Exec(context.Background(), `INSERT INTO calendar_days (day, kind, name) VALUES ('2027-12-31', 'holiday', 'x')
		ON CONFLICT (day) DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	return status(t, c, "DELETE", "/api/admin/calendar/days/2027-12-31", "")
}

func tryUpload(t *testing.T, c matrixCall) int {
	return status(t, c, "POST", "/api/photos", string(pngBytes(t, 99)))
}

// tryConnect opens a websocket: 101 when the handshake succeeds.
func tryConnect(t *testing.T, c matrixCall) int {
	conn, resp, err := dial(t, c.env.ws, nil, web.Subprotocol, "bearer."+c.token)
	if err != nil {
		if resp == nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	conn.Close()
	return resp.StatusCode
}

// trySubscribe connects and subscribes: 200 when subscribed, 403 for a forbidden frame.
func trySubscribe(frame string, centre bool) func(*testing.T, matrixCall) int {
	return func(t *testing.T, c matrixCall) int {
		conn, resp, err := dial(t, c.env.ws, nil, web.Subprotocol, "bearer."+c.token)
		if err != nil {
			if resp == nil {
				t.Fatal(err)
			}
			return resp.StatusCode
		}
		defer conn.Close()
		code := c.target.unit
		if centre {
			code = c.target.centre
		}
		if err := conn.WriteMessage(1, []byte(fmt.Sprintf(frame, code))); err != nil {
			t.Fatal(err)
		}
		for {
			m := read(t, conn)
			switch {
			case m["type"] == "subscribed":
				return http.StatusOK
			case m["type"] == "error" && m["code"] == "forbidden":
				return http.StatusForbidden
			case m["type"] == "error":
				t.Fatalf("subscribe %s: %v", code, m)
			}
		}
	}
}

// TestRoutesAreRegisteredOnlyWithAPolicy: handlers reach the mux only through routes.go's
// table, which refuses a route without a policy; a HandleFunc anywhere else would bypass it.
func TestRoutesAreRegisteredOnlyWithAPolicy(t *testing.T) {
	t.Parallel()
	files, err := sourceFiles()
	if err != nil {
		t.Fatal(err)
	}
	var offenders []string
	for name, src := range files {
		if name == "routes.go" {
			continue
		}
		for _, call := range []string{".HandleFunc(", ".Handle("} {
			if strings.Contains(src, call) {
				offenders = append(offenders, name+": "+call)
			}
		}
	}
	sort.Strings(offenders)
	if len(offenders) > 0 {
		t.Errorf("routes registered outside routes.go, without a policy: %v", offenders)
	}
}

// sourceFiles reads the package's non-test Go files.
func sourceFiles() (map[string]string, error) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out[n] = string(b)
	}
	return out, nil
}
