package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// A frame over 64 KiB ends the connection with status 1009 (or, if the server closed while the
// client was still writing, a failed write), and the server lets go of it; the member's next
// connection works.
func TestOversizedFrameEndsTheConnection(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	s := fx.srv
	for _, size := range []int{64<<10 + 1, 1 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			c := connect(t, fx.ws, fx.token)
			frame := `{"type":"report","id":"big","report":{"description":"` + strings.Repeat("x", size) + `"}}`
			if err := c.WriteMessage(websocket.TextMessage, []byte(frame)); err == nil {
				if code, _ := closedWith(t, c); code != websocket.CloseMessageTooBig && code != 0 {
					t.Fatalf("closed with %d; want 1009", code)
				}
			}
			gridtest.Eventually(t, "the server to let go of the connection", func() bool { return web.Connections(s) == 0 })
		})
	}
	c := connect(t, fx.ws, fx.token)
	if err := c.WriteJSON(reportMsg("r1", newClientID())); err != nil {
		t.Fatal(err)
	}
	if f := read(t, c); f["type"] != "ack" {
		t.Fatalf("after the oversized frames: %v", f)
	}
}

// Every route that reads a body refuses one over its limit with 413 and the JSON error, whether
// the client announced its length or streamed it chunked, and stores nothing.
func TestOversizedBodiesAre413(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	admin := fx.member(t, "13900000090", "140802", grid.RoleAdmin)
	caseID := fx.submit(t, "13900000001", "两户因排水沟发生争执") // the reporter may act on it
	long := func(field string, n int) []byte { return []byte(`{"` + field + `":"` + strings.Repeat("x", n) + `"}`) }
	routes := []struct {
		name, method, path, token string
		limit                     int
		body                      func(n int) []byte
	}{
		{"sign-in", "POST", "/api/sessions", "", 4 << 10, func(n int) []byte { return long("password", n) }},
		{"transition", "POST", fmt.Sprintf("/api/cases/%d/transitions", caseID), fx.token, 32 << 10, func(n int) []byte { return long("reason", n) }},
		{"notifications read", "POST", "/api/my/notifications/read", fx.token, 1 << 10, func(n int) []byte { return long("up_to", n) }},
		{"category", "PUT", "/api/admin/categories/hostile", admin, 4 << 10, func(n int) []byte { return long("name_zh", n) }},
		{"photo", "POST", "/api/photos", fx.token, dispatch.MaxPhotoBytes, func(n int) []byte {
			return append(pngBytes(t, 1), make([]byte, n)...)
		}},
	}
	for _, rt := range routes {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s chunked=%v", rt.name, chunked), func(t *testing.T) {
				body := rt.body(rt.limit) // the limit's worth of padding, plus the JSON or the image around it
				var r io.Reader = bytes.NewReader(body)
				if chunked {
					r = io.MultiReader(r) // no length: net/http sends it chunked
				}
				req, err := http.NewRequest(rt.method, fx.base+rt.path, r)
				if err != nil {
					t.Fatal(err)
				}
				if rt.token != "" {
					req.Header.Set("Authorization", "Bearer "+rt.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var e struct{ Error, Message string }
				derr := jsonBody(resp.Body, &e)
				if resp.StatusCode != http.StatusRequestEntityTooLarge || derr != nil || e.Error != "too_large" || e.Message == "" {
					t.Fatalf("%d bytes: %d %+v (%v); want 413 too_large", len(body), resp.StatusCode, e, derr)
				}
			})
		}
	}
	if n := countOf(t, fx, `SELECT (SELECT count(*) FROM photos) + (SELECT count(*) FROM categories WHERE code = 'hostile')`); n != 0 {
		t.Fatalf("%d rows stored from oversized bodies", n)
	}
	// Just under the limit is not refused for its size.
	if r := call(t, "POST", fx.base+"/api/sessions", "", `{"phone":"13900000001","password":"`+strings.Repeat("x", 3<<10)+`"}`); r.status == http.StatusRequestEntityTooLarge {
		t.Fatalf("a 3 KiB sign-in: %d %v", r.status, r.body)
	}
}

// Request headers (and the request line) over the server's MaxHeaderBytes (64 KiB) get 431 before
// any handler runs.
func TestOversizedHeadersAre431(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	s := fx.srv
	if _, _, _, _, max := web.Timeouts(s); max != 64<<10 {
		t.Fatalf("MaxHeaderBytes is %d; docs/api.md says 64 KiB", max)
	}
	for _, tc := range []struct {
		name  string
		build func(req *http.Request)
	}{
		{"one long header", func(req *http.Request) { req.Header.Set("X-Padding", strings.Repeat("x", 80<<10)) }},
		{"many headers", func(req *http.Request) {
			for i := range 2000 {
				req.Header.Set(fmt.Sprintf("X-H%d", i), strings.Repeat("y", 40))
			}
		}},
		{"long bearer token", func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+strings.Repeat("A", 80<<10)) }},
		{"long URL", func(req *http.Request) { req.URL.RawQuery = "q=" + strings.Repeat("z", 80<<10) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", fx.base+"/api/me", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+fx.token)
			tc.build(req)
			resp, err := http.DefaultClient.Do(req)
			var ne *net.OpError
			if errors.As(err, &ne) {
				t.Fatalf("the server dropped the connection instead of answering: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Fatalf("status %d; want 431", resp.StatusCode)
			}
		})
	}
}
