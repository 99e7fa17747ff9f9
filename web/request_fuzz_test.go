package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/griddispatch/griddispatch/grid"
)

// requestBody is one JSON body of the API (docs/api.md, docs/cases-api.md, docs/routing.md):
// how its handler reads it, checks it, and what an accepted one must satisfy.
type requestBody struct {
	name     string
	maxBytes int64
	// read decodes and checks a body as the handler does, returning the value it accepted.
	read func(w http.ResponseWriter, r *http.Request) (any, error)
	// holds checks the documented bounds of an accepted value.
	holds func(t *testing.T, v any)
}

var requestBodies = []requestBody{
	{"sign-in", maxSignInBody,
		func(w http.ResponseWriter, r *http.Request) (any, error) {
			var req signInRequest
			if err := decodeJSON(w, r, maxSignInBody, &req); err != nil {
				return nil, err
			}
			return req, req.check()
		},
		func(t *testing.T, v any) {
			req := v.(signInRequest)
			if grid.CheckPhone(req.Phone) != nil || len(req.Phone) != 11 {
				t.Fatalf("phone %q", req.Phone)
			}
			if len(req.Password) < 1 || len(req.Password) > grid.MaxPasswordBytes || !utf8.ValidString(req.Password) {
				t.Fatalf("password of %d bytes", len(req.Password))
			}
		}},
	{"transition", maxTransitionBody,
		func(w http.ResponseWriter, r *http.Request) (any, error) {
			var req transitionRequest
			if err := decodeJSON(w, r, maxTransitionBody, &req); err != nil {
				return nil, err
			}
			return req, req.check()
		},
		func(t *testing.T, v any) {
			req := v.(transitionRequest)
			for _, s := range append([]string{string(req.Action), req.Reason, string(req.Outcome), req.Parties}, req.Photos...) {
				if !utf8.ValidString(s) {
					t.Fatalf("text %q is not UTF-8", s)
				}
			}
			if strings.ContainsRune(req.Reason, 0) || strings.ContainsRune(req.Parties, 0) {
				t.Fatal("NUL in reason or parties")
			}
			if req.ToCentre != "" && (strings.Trim(req.ToCentre, "0123456789") != "" || grid.LevelOfCode(req.ToCentre) == 0) {
				t.Fatalf("to_centre %q", req.ToCentre)
			}
		}},
	{"notifications-read", maxNotificationsReadBody,
		func(w http.ResponseWriter, r *http.Request) (any, error) {
			var req notificationsRead
			if err := decodeJSON(w, r, maxNotificationsReadBody, &req); err != nil {
				return nil, err
			}
			return req, req.check()
		},
		func(t *testing.T, v any) {
			if req := v.(notificationsRead); req.UpTo <= 0 {
				t.Fatalf("up_to %d", req.UpTo)
			}
		}},
	{"admin-category", maxRoutingBody,
		func(w http.ResponseWriter, r *http.Request) (any, error) {
			var req routingJSON
			if err := decodeJSON(w, r, maxRoutingBody, &req); err != nil {
				return nil, err
			}
			return req, req.check("neighbour")
		},
		func(t *testing.T, v any) {
			req := v.(routingJSON)
			if req.Code != "neighbour" || strings.ContainsRune(req.NameZH, 0) || strings.ContainsRune(req.NameEN, 0) {
				t.Fatalf("category %+v", req)
			}
			c := req.category()
			for _, d := range []int64{int64(c.Deadlines.Village), int64(c.Deadlines.Township), int64(c.Deadlines.County), int64(c.Deadlines.Urgent)} {
				if d < 0 {
					t.Fatalf("deadline %d overflowed", d)
				}
			}
			if back := routingOf(c); allWithin(req) && back.Deadlines != req.Deadlines {
				t.Fatalf("deadlines %+v came back as %+v", req.Deadlines, back.Deadlines)
			}
		}},
}

// allWithin says whether every deadline is one the conversion keeps: 0 to 2^31 seconds.
func allWithin(r routingJSON) bool {
	for _, s := range []int64{r.Deadlines.Village, r.Deadlines.Township, r.Deadlines.County, r.Deadlines.Urgent, r.Deadlines.Verify} {
		if s < 0 || s > 1<<31 {
			return false
		}
	}
	return true
}

// FuzzRequestBodies sends each JSON request body (selected by which) through the decoding and
// checks of its handler: nothing panics; a refused body is answered 400 or 413 with an error
// code and a message; an accepted one satisfies the documented bounds and, encoded again,
// decodes and checks to the same value.
func FuzzRequestBodies(f *testing.F) {
	seeds := map[int][]string{
		0: {`{"phone":"13800000001","password":"correct horse"}`, `{"phone":"13800000001","password":"` + strings.Repeat("密", 24) + `"}`,
			`{"phone":"1380000000１","password":"x"}`, `{"phone":"13800000001","password":""}`,
			`{"phone":"13800000001' OR '1'='1","password":"' OR 1=1;--"}`, `{"phone":13800000001,"password":"x"}`},
		1: {`{"action":"accept","version":3}`, `{"action":"settle","version":7,"reason":"双方签署调解协议","outcome":"mediated"}`,
			`{"action":"mediate","version":4,"reason":"约双方到村委会","parties":"张三、李四","photos":["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}`,
			`{"action":"transfer","version":2,"reason":"misrouted","to_centre":"140802002"}`,
			`{"action":"transfer","version":2,"reason":"x","to_centre":"140802\u0000\u0000\u0000"}`,
			`{"action":"escalate","version":1e400,"reason":"<script>alert(1)</script>"}`,
			`{"action":"rework","version":-9223372036854775808,"reason":"a\u0000b"}`,
			`{"action":"urge","version":1,"reason":"` + strings.Repeat("催", 2001) + `"}`},
		2: {`{"up_to":41}`, `{"up_to":0}`, `{"up_to":9223372036854775807}`, `{"up_to":9223372036854775808}`, `{"up_to":"41"}`,
			`{"up_to":41}{"up_to":42}`, `{"up_to":41,"up_to":-1}`},
		3: {`{"code":"neighbour","group":"dispute","name_zh":"邻里纠纷","name_en":"Neighbour dispute","start_level":3,
			"grid_may_close":true,"deadlines":{"village_s":259200,"township_s":604800,"county_s":1296000,"urgent_s":` + "86400" + `,"verify_s":259200},
			"auto_escalate":true,"active":true}`,
			`{"code":"neighbour","name_zh":"邻\u0000里","deadlines":{"village_s":` + "9223372036854775807" + `,"urgent_s":-1}}`,
			`{"code":"streetlight","group":"x"}`, `{"code":"neighbour","deadlines":{"village_s":1.5}}`},
	}
	nasty := []string{``, `null`, `[]`, `"x"`, "\x00", "{\"phone\":\"\xff\"}", `{"a":` + strings.Repeat(`[`, 5000),
		strings.Repeat(" ", 5000) + `{}`, `{}` + strings.Repeat(" ", 70000)}
	for which, bodies := range seeds {
		for _, b := range append(bodies, nasty...) {
			f.Add(uint8(which), []byte(b))
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		body := requestBodies[int(which)%len(requestBodies)]
		v, err := readBody(body, data)
		if err != nil {
			rec := httptest.NewRecorder()
			writeError(rec, logger, err)
			var e apiError
			if (rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge) ||
				json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Code == "" || e.Message == "" {
				t.Fatalf("%s refused with %d %s (from %v); want 400 or 413 with a code and message", body.name, rec.Code, rec.Body, err)
			}
			if rec.Code == http.StatusRequestEntityTooLarge && int64(len(data)) <= body.maxBytes {
				t.Fatalf("%s: %d bytes refused as too large; the limit is %d", body.name, len(data), body.maxBytes)
			}
			return
		}
		if int64(len(data)) > body.maxBytes {
			t.Fatalf("%s: %d bytes accepted; the limit is %d", body.name, len(data), body.maxBytes)
		}
		body.holds(t, v)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: accepted body does not encode: %v", body.name, err)
		}
		again, err := readBody(body, b)
		if err != nil {
			t.Fatalf("%s: accepted body encoded as %s is refused: %v", body.name, b, err)
		}
		if !reflect.DeepEqual(v, again) {
			t.Fatalf("%s: round trip changed the body:\n%+v\n%+v", body.name, v, again)
		}
	})
}

func readBody(body requestBody, data []byte) (any, error) {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(data))
	return body.read(httptest.NewRecorder(), r)
}

// TestRequestChecksRefuseNUL: a NUL in a transition's text, a transfer to a centre that is no
// code, or a NUL in a category's name passed the checks and failed in PostgreSQL, answered
// 503 as if worth retrying.
func TestRequestChecksRefuseNUL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body requestBody
		data string
	}{
		{"reason", requestBodies[1], `{"action":"rework","version":1,"reason":"a\u0000b"}`},
		{"parties", requestBodies[1], `{"action":"mediate","version":1,"reason":"x","parties":"\u0000"}`},
		{"to_centre", requestBodies[1], `{"action":"transfer","version":1,"reason":"x","to_centre":"140802\u0000\u0000\u0000"}`},
		{"name_zh", requestBodies[3], `{"code":"neighbour","name_zh":"邻\u0000里"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := readBody(tc.body, []byte(tc.data)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
