package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// caseAPI is a server with the bus and relay running, staff of the small county's centres
// signed in, and one neighbour dispute queued at village 140802001001.
type caseAPI struct {
	*fixture
	village, neighbour, township, supervisor, otherSupervisor string // tokens
	caseID                                                    int64
}

// newCaseAPI is the live fixture with those members and that case; opts add to the fixture.
func newCaseAPI(t *testing.T, opts ...fixtureOption) *caseAPI {
	t.Helper()
	opts = append([]fixtureOption{withLive(),
		withMember("13900000011", "140802001001", grid.RoleMediator),
		withMember("13900000012", "140802001002", grid.RoleMediator),
		withMember("13900000013", "140802001", grid.RoleMediator),
		withMember("13900000014", "140802001", grid.RoleSupervisor),
		withMember("13900000015", "140802002", grid.RoleSupervisor)}, opts...)
	fx := &caseAPI{fixture: newFixture(t, opts...)}
	fx.village, fx.neighbour, fx.township = fx.tokens["13900000011"], fx.tokens["13900000012"], fx.tokens["13900000013"]
	fx.supervisor, fx.otherSupervisor = fx.tokens["13900000014"], fx.tokens["13900000015"]
	fx.caseID = fx.report(t, "两户因排水沟发生争执")
	return fx
}

func (fx *caseAPI) caseURL(suffix string) string {
	return fmt.Sprintf("%s/api/cases/%d%s", fx.base, fx.caseID, suffix)
}

// act posts a transition at the case's current version and returns the answer.
func (fx *caseAPI) act(t *testing.T, token, action, reason string, extra ...string) response {
	t.Helper()
	var version int
	if err := fx.pool.QueryRow(context.Background(), `SELECT version FROM cases WHERE id = $1`, fx.caseID).Scan(&version); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"action": %q, "version": %d, "reason": %q%s}`, action, version, reason, strings.Join(extra, ""))
	return call(t, "POST", fx.caseURL("/transitions"), token, body)
}

func TestQueueAndCasePageFollowJurisdiction(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	queue := func(token, centre, query string) response {
		return call(t, "GET", fx.base+"/api/centres/"+centre+"/queue"+query, token, "")
	}
	for _, tc := range []struct{ token, want string }{
		{fx.village, `centres=[map[code:140802001001 level:3 name:东阜村]] subtrees=[]`},
		{fx.supervisor, `centres=[] subtrees=[map[code:140802001 level:2 name:安邑街道 role:supervisor]]`},
	} {
		r := call(t, "GET", fx.base+"/api/my/centres", tc.token, "")
		if got := fmt.Sprintf("centres=%v subtrees=%v", r.body["centres"], r.body["subtrees"]); r.status != http.StatusOK || got != tc.want {
			t.Fatalf("my centres: %d %s; want %s", r.status, got, tc.want)
		}
	}
	r := queue(fx.village, "140802001001", "")
	cases, _ := r.body["cases"].([]any)
	if r.status != http.StatusOK || len(cases) != 1 || cases[0].(map[string]any)["id"] != float64(fx.caseID) {
		t.Fatalf("village queue: %d %v", r.status, r.body)
	}
	first := cases[0].(map[string]any)
	if first["state"] != "queued" || first["unit_name"] == "" || first["deadline_at"] == nil || first["overdue"] != false {
		t.Fatalf("queue row: %v", first)
	}
	for _, tc := range []struct {
		name, token, centre, query string
		status                     int
	}{
		{"supervisor above", fx.supervisor, "140802001001", "", http.StatusOK},
		{"search by place", fx.village, "140802001001", "?q=1", http.StatusOK},
		{"the tier above does not work the village's queue", fx.township, "140802001001", "", http.StatusForbidden},
		{"neighbouring village", fx.neighbour, "140802001001", "", http.StatusForbidden},
		{"another township's supervisor", fx.otherSupervisor, "140802001001", "", http.StatusForbidden},
		{"grid worker", fx.token, "140802001001", "", http.StatusForbidden},
		{"no session", "", "140802001001", "", http.StatusUnauthorized},
		{"not a centre code", fx.village, "14080200100100", "", http.StatusBadRequest},
		{"unknown state", fx.village, "140802001001", "?state=lost", http.StatusBadRequest},
		{"query too long", fx.village, "140802001001", "?q=" + strings.Repeat("争", 101), http.StatusBadRequest},
		{"limit out of range", fx.village, "140802001001", "?limit=0", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := queue(tc.token, tc.centre, tc.query); r.status != tc.status || (r.status >= 400 && r.body["error"] == nil) {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
		})
	}
	if r := queue(fx.village, "140802001001", "?q=%25"); len(r.body["cases"].([]any)) != 0 {
		t.Fatalf("q=%% matched as a wildcard: %v", r.body)
	}

	for _, tc := range []struct {
		name, token string
		status      int
		actions     string
	}{
		{"the centre's mediator", fx.village, http.StatusOK, "accept escalate transfer decline"}, // no return: nothing below a village; decline 退单 (issue 16)
		{"the township reads its subtree", fx.township, http.StatusOK, ""},
		{"the supervisor may urge", fx.supervisor, http.StatusOK, "urge"},
		{"the reporter", fx.token, http.StatusOK, ""},
		{"a neighbouring village", fx.neighbour, http.StatusNotFound, ""},
		{"another township", fx.otherSupervisor, http.StatusNotFound, ""},
	} {
		t.Run("case page: "+tc.name, func(t *testing.T) {
			r := call(t, "GET", fx.caseURL(""), tc.token, "")
			if r.status != tc.status {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
			if r.status != http.StatusOK {
				return
			}
			var got []string
			for _, a := range r.body["actions"].([]any) {
				got = append(got, a.(string))
			}
			if strings.Join(got, " ") != tc.actions {
				t.Fatalf("actions %v; want %q", got, tc.actions)
			}
			c := r.body["case"].(map[string]any)
			if c["description"] != "两户因排水沟发生争执" || len(r.body["history"].([]any)) != 1 || len(r.body["units"].([]any)) != 5 {
				t.Fatalf("case page: %v", r.body)
			}
		})
	}
	status, header, raw := do(t, "GET", fx.caseURL("/map"), fx.village, nil)
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct{ Code string } `json:"properties"`
		} `json:"features"`
	}
	if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "application/geo+json") || json.Unmarshal(raw, &fc) != nil {
		t.Fatalf("map: %d %s %q", status, header.Get("Content-Type"), raw)
	}
	found := false
	for _, f := range fc.Features {
		found = found || f.Properties.Code == "140802001001001001"
		if !strings.HasPrefix(f.Properties.Code, "140802001001") {
			t.Fatalf("map shows %s, outside the case's village", f.Properties.Code)
		}
	}
	if !found {
		t.Fatalf("the map lacks the case's micro-grid: %s", raw)
	}
	if s, _, _ := do(t, "GET", fx.caseURL("/map"), fx.neighbour, nil); s != http.StatusNotFound {
		t.Fatalf("map for a neighbouring village: %d", s)
	}
}

func TestTransitionsOverHTTP(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	refusals := []struct {
		name, token, action, reason, extra string
		stale                              bool
		status                             int
		code                               string
	}{
		{"stale version", fx.village, "accept", "", "", true, http.StatusConflict, "stale_version"},
		{"not from this state", fx.village, "settle", "已调解", `, "outcome": "mediated"`, false, http.StatusUnprocessableEntity, "not_allowed"},
		{"the tier above", fx.township, "accept", "", "", false, http.StatusForbidden, "forbidden"},
		{"outsider", fx.neighbour, "accept", "", "", false, http.StatusNotFound, "not_found"},
		{"the reporter cannot accept", fx.token, "accept", "", "", false, http.StatusForbidden, "forbidden"},
		{"unknown action", fx.village, "delete", "", "", false, http.StatusBadRequest, "bad_request"},
		{"unknown field", fx.village, "accept", "", `, "priority": 1`, false, http.StatusBadRequest, "bad_request"},
		{"escalate without a reason", fx.village, "escalate", "", "", false, http.StatusBadRequest, "bad_request"},
		{"escalate before any attempt", fx.village, "escalate", "太难", "", false, http.StatusUnprocessableEntity, "no_attempt_yet"},
		{"transfer to another township's village", fx.village, "transfer", "误派", `, "to_centre": "140802002001"`, false, http.StatusUnprocessableEntity, "unknown_centre"},
		{"a photo not uploaded by the actor", fx.village, "accept", "", `, "photos": ["` + strings.Repeat("a", 64) + `"]`, false, http.StatusBadRequest, "bad_request"},
		{"a supervisor's action", fx.village, "urge", "快办", "", false, http.StatusForbidden, "forbidden"},
		{"reason too long", fx.village, "escalate", strings.Repeat("长", dispatch.MaxReasonChars+1), "", false, http.StatusBadRequest, "bad_request"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			before := countRows(t, fx, `SELECT count(*) FROM case_history`)
			var r response
			if tc.stale {
				r = call(t, "POST", fx.caseURL("/transitions"), tc.token, `{"action": "accept", "version": 99}`)
			} else {
				r = fx.act(t, tc.token, tc.action, tc.reason, tc.extra)
			}
			if r.status != tc.status || r.body["error"] != tc.code {
				t.Fatalf("%d %v; want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if after := countRows(t, fx, `SELECT count(*) FROM case_history`); after != before {
				t.Fatal("a refused transition wrote history")
			}
		})
	}
	if r := call(t, "POST", fmt.Sprintf("%s/api/cases/abc/transitions", fx.base), fx.village, `{}`); r.status != http.StatusBadRequest {
		t.Fatalf("case id abc: %d", r.status)
	}
	for _, step := range []struct{ token, action, reason, extra string }{
		{fx.village, "accept", "", ""},
		{fx.village, "mediate", "召集双方调解", `, "parties": "张三、李四"`},
		{fx.village, "escalate", "需镇司法所", ""},
		{fx.township, "accept", "", ""},
	} {
		if r := fx.act(t, step.token, step.action, step.reason, step.extra); r.status != http.StatusOK {
			t.Fatalf("%s: %d %v", step.action, r.status, r.body)
		}
	}
	r := call(t, "GET", fx.base+"/api/centres/140802001/queue", fx.township, "")
	if cases := r.body["cases"].([]any); len(cases) != 1 || cases[0].(map[string]any)["state"] != "accepted" {
		t.Fatalf("township queue after escalation: %v", r.body)
	}
	if cases := call(t, "GET", fx.base+"/api/centres/140802001001/queue", fx.village, "").body["cases"].([]any); len(cases) != 0 {
		t.Fatalf("the village still lists the escalated case: %v", cases)
	}
	var parties string
	if err := fx.pool.QueryRow(context.Background(), `SELECT parties FROM case_history WHERE transition = 'mediate'`).Scan(&parties); err != nil || parties != "张三、李四" {
		t.Fatalf("parties %q (%v)", parties, err)
	}
	// Settled, the case awaits the reporter's verification: no deadline runs, it stays at the
	// bottom of the queue, and only the reporter may verify or reopen it.
	fx.act(t, fx.township, "mediate", "司法所调解")
	if r := fx.act(t, fx.township, "settle", "达成协议", `, "outcome": "mediated"`); r.status != http.StatusOK {
		t.Fatalf("settle: %d %v", r.status, r.body)
	}
	r = call(t, "GET", fx.base+"/api/centres/140802001/queue", fx.township, "")
	if cases := r.body["cases"].([]any); r.status != http.StatusOK || len(cases) != 1 || cases[0].(map[string]any)["state"] != "verifying" ||
		cases[0].(map[string]any)["deadline_at"] != nil {
		t.Fatalf("queue with a case awaiting verification: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", fx.caseURL(""), fx.token, ""); r.status != http.StatusOK || fmt.Sprint(r.body["actions"]) != "[verify rework]" {
		t.Fatalf("the reporter's case page while verifying: %d %v", r.status, r.body)
	}
	if r := fx.act(t, fx.token, "verify", "已核实"); r.status != http.StatusOK || r.body["case"].(map[string]any)["state"] != "closed" {
		t.Fatalf("verify: %d %v", r.status, r.body)
	}
	// Verified, it awaits its callback (回访) by the centre that settled it (case_callback_api_test.go).
	if r := call(t, "GET", fx.caseURL(""), fx.township, ""); r.status != http.StatusOK || fmt.Sprint(r.body["actions"]) != "[callback callback_try]" {
		t.Fatalf("a closed case's page: %d %v", r.status, r.body)
	}
}

func countRows(t *testing.T, fx *caseAPI, sql string) int {
	t.Helper()
	var n int
	if err := fx.pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// readType reads frames until one of the given type arrives.
func readType(t *testing.T, c *websocket.Conn, typ string) map[string]any {
	t.Helper()
	for {
		m := read(t, c)
		if m["type"] == typ || m["type"] == "error" {
			return m
		}
	}
}

func subscribe(t *testing.T, c *websocket.Conn, id, key, code string) map[string]any {
	t.Helper()
	if err := c.WriteJSON(map[string]any{"type": "subscribe", "id": id, key: code}); err != nil {
		t.Fatal(err)
	}
	for {
		m := read(t, c)
		if m["id"] == id {
			return m
		}
	}
}

// Consoles subscribe within their jurisdiction only, and see each transition of their centre
// or subtree live: the township sees nothing of the village's work until the case comes up.
func TestConsoleSubscriptionsAreLiveAndScoped(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	village, township, supervisor := connect(t, fx.ws, fx.village), connect(t, fx.ws, fx.township), connect(t, fx.ws, fx.supervisor)
	for _, tc := range []struct {
		name      string
		c         *websocket.Conn
		key, code string
		want      string
	}{
		{"own centre", village, "centre", "140802001001", "subscribed"},
		{"another village", village, "centre", "140802001002", "forbidden"},
		{"a mediator's subtree", village, "subtree", "140802001001", "forbidden"},
		{"township centre", township, "centre", "140802001", "subscribed"},
		{"supervised subtree", supervisor, "subtree", "140802001", "subscribed"},
		{"above the supervisor", supervisor, "subtree", "140802", "forbidden"},
		{"not a code", supervisor, "subtree", "14080x", "bad_message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := subscribe(t, tc.c, "s-"+tc.code, tc.key, tc.code)
			if got := m["type"]; got != tc.want && m["code"] != tc.want {
				t.Fatalf("%v; want %s", m, tc.want)
			}
		})
	}
	for _, step := range []struct{ token, action, reason string }{
		{fx.village, "accept", ""}, {fx.village, "mediate", "调解一次"}, {fx.village, "escalate", "需镇处理"},
	} {
		if r := fx.act(t, step.token, step.action, step.reason); r.status != http.StatusOK {
			t.Fatalf("%s: %d %v", step.action, r.status, r.body)
		}
	}
	for _, want := range []string{"accept", "mediate", "escalate"} {
		for name, c := range map[string]*websocket.Conn{"village": village, "supervisor": supervisor} {
			m := readType(t, c, "case")
			if m["action"] == "reported" { // the report itself, when its relay came after the subscription
				m = readType(t, c, "case")
			}
			if m["action"] != want || m["case_id"] != float64(fx.caseID) {
				t.Fatalf("%s console: %v; want %s", name, m, want)
			}
		}
	}
	m := readType(t, township, "case")
	if m["action"] != "escalate" || m["centre"] != "140802001" || m["from_centre"] != "140802001001" || m["state"] != "queued" {
		t.Fatalf("township console's first frame: %v", m)
	}
}

// TestStaffVerifyOnceTheReporterCannot: while a settled case awaits its reporter, the centre sees
// when verification is due and cannot verify; once the reporter's time has run out, the centre's
// mediator and the grid leader of the place are offered verify and rework, and the grid leader
// closes it; nobody else is.
func TestStaffVerifyOnceTheReporterCannot(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	leader := fx.member(t, "13900000016", "140802001001001", grid.RoleGridLeader)
	for _, step := range []struct{ action, reason, extra string }{
		{"accept", "", ""}, {"mediate", "调解", ""}, {"settle", "已调解", `, "outcome": "mediated"`},
	} {
		if r := fx.act(t, fx.village, step.action, step.reason, step.extra); r.status != http.StatusOK {
			t.Fatalf("%s: %d %v", step.action, r.status, r.body)
		}
	}
	actions := func(token string) string {
		t.Helper()
		r := call(t, "GET", fx.caseURL(""), token, "")
		if r.status != http.StatusOK {
			return fmt.Sprint(r.status)
		}
		return fmt.Sprint(r.body["actions"])
	}
	// What the member may verify in the reporter's stead, by case id.
	toVerify := func(token string) string {
		t.Helper()
		r := call(t, "GET", fx.base+"/api/my/verifications", token, "")
		if r.status != http.StatusOK {
			t.Fatalf("my verifications: %d %v", r.status, r.body)
		}
		var ids []any
		for _, c := range r.body["cases"].([]any) {
			ids = append(ids, c.(map[string]any)["id"])
		}
		return fmt.Sprint(ids)
	}
	mine := fmt.Sprintf("[%d]", fx.caseID)
	page := call(t, "GET", fx.caseURL(""), fx.village, "").body["case"].(map[string]any)
	if page["verify_due_at"] == nil || page["verify_lapse_at"] == nil || page["deadline_at"] != nil {
		t.Fatalf("a case awaiting verification: %v", page)
	}
	for who, want := range map[string]string{fx.village: "[]", leader: "[]", fx.token: "[verify rework]", fx.township: "[]"} {
		if got := actions(who); got != want {
			t.Fatalf("before the reporter's time ran out: %s, want %s", got, want)
		}
	}
	if got := toVerify(leader) + toVerify(fx.village); got != "[][]" {
		t.Fatalf("to verify before the reporter's time ran out: %s", got)
	}
	if _, err := fx.pool.Exec(context.Background(), `UPDATE cases SET verify_due_at = now() - interval '1 second' WHERE id = $1`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[string]string{leader: mine, fx.village: mine, fx.township: "[]", fx.neighbour: "[]", fx.token: "[]"} {
		if got := toVerify(who); got != want {
			t.Fatalf("to verify after the reporter's time ran out: %s, want %s", got, want)
		}
	}
	for who, want := range map[string]string{fx.village: "[verify rework]", leader: "[verify rework]", fx.token: "[verify rework]",
		fx.township: "[]", fx.supervisor: "[urge]", fx.neighbour: "404"} {
		if got := actions(who); got != want {
			t.Fatalf("after the reporter's time ran out: %s, want %s", got, want)
		}
	}
	if r := fx.act(t, fx.township, "verify", "代核查"); r.status != http.StatusForbidden {
		t.Fatalf("the township verifies: %d %v", r.status, r.body)
	}
	if r := fx.act(t, leader, "verify", "网格长现场核实"); r.status != http.StatusOK || r.body["case"].(map[string]any)["state"] != "closed" {
		t.Fatalf("the grid leader verifies: %d %v", r.status, r.body)
	}
	if got := toVerify(fx.village); got != "[]" {
		t.Fatalf("to verify once verified: %s", got)
	}
}
