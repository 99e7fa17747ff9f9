package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/grid"
)

// reportFrame is a report frame as raw text, its report's members given as JSON text, so that a
// test can send what no JSON encoder would write.
func reportFrame(id, members string) string {
	return fmt.Sprintf(`{"type":"report","id":%q,"report":{"client_id":%q,"category":"neighbour","severity":"normal",`+
		`"description":"两户争执","accuracy_m":12%s}}`, id, newClientID(), members)
}

// goWords are what an error message written for clients must not contain: the decoder's view.
var goWords = []string{"Go ", "struct", "float64", "reportJSON", "json:", "unmarshal"}

// TestRefusedReportsRepeatTheirID: a report refused before its fields are read is answered with
// an error frame that repeats its id and names the field, in words a client's author can act on;
// nothing is stored. Keys are matched exactly and once; a position is required.
func TestRefusedReportsRepeatTheirID(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	when := `,"happened_at":"` + time.Now().Add(-time.Hour).Format(time.RFC3339) + `"`
	place := `,"lon":111.02,"lat":35.02`
	for _, tc := range []struct {
		name, frame, id, code, field string
	}{
		{"lon a string", reportFrame("a1", when+`,"lon":"111.02","lat":35.02`), "a1", "invalid_report", "lon"},
		{"lon NaN", reportFrame("a2", when+`,"lon":NaN,"lat":35.02`), "a2", "invalid_report", "lon"},
		{"lon 1e400", reportFrame("a3", when+`,"lon":1e400,"lat":35.02`), "a3", "invalid_report", "lon"},
		{"happened_at unparseable", reportFrame("a4", place+`,"happened_at":"yesterday"`), "a4", "invalid_report", "happened_at"},
		{"happened_at without a zone", reportFrame("a5", place+`,"happened_at":"2026-11-22T08:30:00"`), "a5", "invalid_report", "happened_at"},
		{"unknown field in the report", reportFrame("a6", place+when+`,"priority":1`), "a6", "invalid_report", "priority"},
		{"a key in another case", reportFrame("a7", when+`,"Lon":111.02,"lat":35.02`), "a7", "invalid_report", "Lon"},
		{"a key twice", reportFrame("a8", place+when+`,"lon":112`), "a8", "invalid_report", "lon"},
		{"an escaped lone surrogate", reportFrame("a9", place+when+`,"on_spot_note":"\ud800"`), "a9", "invalid_report", "on_spot_note"},
		{"a photo not a string", reportFrame("a10", place+when+`,"photos":[1]`), "a10", "invalid_report", "photos"},
		{"lon null", reportFrame("b1", when+`,"lon":null,"lat":35.02`), "b1", "invalid_report", "lon"},
		{"no position", reportFrame("b2", when), "b2", "invalid_report", "lon"},
		{"no lat", reportFrame("b3", when+`,"lon":111.02`), "b3", "invalid_report", "lat"},
		{"no happened_at", reportFrame("b4", place), "b4", "invalid_report", "happened_at"},
		{"unknown top-level field", `{"type":"report","id":"c1","report":{},"extra":1}`, "c1", "bad_message", "extra"},
		{"data after the object", reportFrame("c2", place+when) + `{"type":"report"}`, "c2", "bad_message", ""},
		{"two objects", reportFrame("c3", place+when) + " " + reportFrame("c3b", place+when), "c3", "bad_message", ""},
		{"id twice", `{"type":"report","id":"c4","id":"c5","report":{}}`, "c4", "bad_message", "id"},
		{"not JSON", `report me`, "", "bad_message", ""},
		// An id after what cannot be parsed cannot be read: phones send it first (docs/protocol.md).
		{"id after a syntax error", `{"type":"report","report":{"lon":NaN},"id":"late"}`, "", "invalid_report", "lon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t, fx.ws, fx.token) // a connection each: the frames would outrun the rate limit
			before := countOf(t, fx, `SELECT count(*) FROM events`)
			if err := c.WriteMessage(websocket.TextMessage, []byte(tc.frame)); err != nil {
				t.Fatal(err)
			}
			f := read(t, c)
			id, _ := f["id"].(string)
			msg, _ := f["message"].(string)
			field, _ := f["field"].(string)
			if f["type"] != "error" || f["code"] != tc.code || id != tc.id || field != tc.field || f["retryable"] != false || msg == "" {
				t.Fatalf("%v; want %s with id %q and field %q", f, tc.code, tc.id, tc.field)
			}
			for _, w := range goWords {
				if strings.Contains(msg, w) {
					t.Errorf("the message %q speaks of %q", msg, w)
				}
			}
			if tc.field != "" && !strings.HasPrefix(msg, tc.field) && !strings.Contains(msg, tc.field+":") {
				t.Errorf("the message %q does not name %s", msg, tc.field)
			}
			if after := countOf(t, fx, `SELECT count(*) FROM events`); after != before {
				t.Fatalf("a refused report was stored")
			}
		})
	}
	// A good report is acknowledged, with how far outside the grid it lies.
	c := connect(t, fx.ws, fx.token)
	if err := c.WriteMessage(websocket.TextMessage, []byte(reportFrame("ok", place+when))); err != nil {
		t.Fatal(err)
	}
	ack := read(t, c)
	rc, _ := ack["receipt"].(map[string]any)
	if ack["type"] != "ack" || ack["id"] != "ok" || rc["outside_metres"] != 0.0 {
		t.Fatalf("a good report after the refusals: %v", ack)
	}
}

// TestTextFrameNotUTF8Closes1007: invalid UTF-8 in a text frame is refused, not stored with
// U+FFFD in its place; the error frame repeats the id and names the field, then the connection
// closes with 1007 (RFC 6455 §8.1). A binary frame is refused without closing.
func TestTextFrameNotUTF8Closes1007(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := connect(t, fx.ws, fx.token)
	if err := c.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"report","id":"bin","report":{}}`)); err != nil {
		t.Fatal(err)
	}
	if f := read(t, c); f["code"] != "bad_message" || f["id"] != "bin" {
		t.Fatalf("binary frame: %v", f)
	}
	when := `,"happened_at":"` + time.Now().Add(-time.Hour).Format(time.RFC3339) + `"`
	frame := strings.Replace(reportFrame("u1", `,"lon":111.02,"lat":35.02`+when), "两户争执", "两户\xff争执", 1)
	if err := c.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	code, errs := closedWith(t, c)
	if code != websocket.CloseInvalidFramePayloadData || len(errs) != 1 || errs[0]["id"] != "u1" ||
		errs[0]["code"] != "invalid_report" || errs[0]["field"] != "description" {
		t.Fatalf("closed with %d after %v; want 1007 after invalid_report on description for u1", code, errs)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM events`); n != 0 {
		t.Fatalf("%d events stored", n)
	}
}

// TestRefusalsOverHTTPNameTheField: bodies and query parameters are read as strictly as frames,
// and a refusal names the field in JSON; a refused upgrade answers JSON too.
func TestRefusalsOverHTTPNameTheField(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	mediator := fx.member(t, "13900000301", "140802001001", grid.RoleMediator)
	supervisor := fx.member(t, "13900000302", "140802", grid.RoleSupervisor)
	id := fx.submit(t, "13900000001", "严格解析")
	transitions := fmt.Sprintf("%s/api/cases/%d/transitions", fx.base, id)
	for _, tc := range []struct {
		name, method, url, token, body string
		status                         int
		field                          string
	}{
		{"a key in another case", "POST", transitions, mediator, `{"Action":"accept","version":1}`, 400, "Action"},
		{"a key twice", "POST", transitions, mediator, `{"action":"accept","action":"urge","version":1}`, 400, "action"},
		{"a number as a string", "POST", transitions, mediator, `{"action":"accept","version":"1"}`, 400, "version"},
		{"a fraction for a whole number", "POST", transitions, mediator, `{"action":"accept","version":1.5}`, 400, "version"},
		{"a lone surrogate", "POST", transitions, mediator, `{"action":"mediate","version":1,"reason":"\udc00"}`, 400, "reason"},
		{"a photo not a string", "POST", transitions, mediator, `{"action":"mediate","version":1,"reason":"x","photos":[7]}`, 400, "photos[0]"},
		{"an unknown queue category", "GET", fx.base + "/api/centres/140802001001/queue?category=nosuch", mediator, "", 400, "category"},
		{"a known queue category", "GET", fx.base + "/api/centres/140802001001/queue?category=neighbour", mediator, "", 200, ""},
		{"an unknown stats category", "GET", fx.base + "/api/stats/summary?unit=140802&category=nosuch", supervisor, "", 400, "category"},
		{"a known stats category", "GET", fx.base + "/api/stats/summary?unit=140802&category=neighbour", supervisor, "", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, tc.url, tc.token, tc.body)
			field, _ := r.body["field"].(string)
			msg, _ := r.body["message"].(string)
			if r.status != tc.status || field != tc.field {
				t.Fatalf("%d %v; want %d naming %q", r.status, r.body, tc.status, tc.field)
			}
			for _, w := range goWords {
				if strings.Contains(msg, w) {
					t.Errorf("the message %q speaks of %q", msg, w)
				}
			}
		})
	}
	if n := countOf(t, fx, `SELECT count(*) FROM case_history WHERE case_id = $1`, id); n != 1 {
		t.Fatalf("refused transitions wrote %d history rows", n-1)
	}
	status, body := refusedUpgrade(t, fx.ws, http.Header{"Origin": {"https://evil.example.com"}}, "griddispatch.v1", "bearer."+fx.token)
	if status != http.StatusForbidden || body["error"] != "forbidden" || body["message"] == "" {
		t.Fatalf("foreign origin: %d %v", status, body)
	}
}
