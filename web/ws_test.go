package web_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/web"
)

func wsServer(t *testing.T) (wsURL, token string) {
	t.Helper()
	fx := newFixture(t)
	return fx.ws, fx.token
}

func dial(t *testing.T, url string, header http.Header, protocols ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: protocols, HandshakeTimeout: 5 * time.Second}
	c, resp, err := d.Dial(url, header)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, resp, err
}

func connect(t *testing.T, url, token string) *websocket.Conn {
	t.Helper()
	c, _, err := dial(t, url, nil, web.Subprotocol, "bearer."+token)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subprotocol() != web.Subprotocol {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
	if hello := read(t, c); hello["type"] != "hello" || hello["protocol"] != 1.0 {
		t.Fatalf("first frame: %v", hello)
	}
	return c
}

func read(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return m
}

func newClientID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func reportMsg(id, clientID string) map[string]any {
	return map[string]any{"type": "report", "id": id, "report": map[string]any{
		"client_id": clientID, "category": "neighbour", "severity": "normal", "description": "邻里因噪音争吵",
		"lon": 111.02, "lat": 35.02, "accuracy_m": 12, "happened_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}}
}

func TestWebsocketReportIsAcknowledgedOnce(t *testing.T) {
	t.Parallel()
	url, token := wsServer(t)
	c := connect(t, url, token)
	clientID := newClientID()
	if err := c.WriteJSON(reportMsg("r1", clientID)); err != nil {
		t.Fatal(err)
	}
	ack := read(t, c)
	rc, _ := ack["receipt"].(map[string]any)
	units, _ := rc["units"].([]any)
	if ack["type"] != "ack" || ack["id"] != "r1" || rc["case_id"] == nil || rc["located"] != true || rc["duplicate"] != false || len(units) != 5 {
		t.Fatalf("ack: %v", ack)
	}
	if u := units[2].(map[string]any); u["name"] != "东阜村" || u["code"] != "140802001001" {
		t.Fatalf("village in receipt: %v", u)
	}
	// The phone resends (it never saw the ack): same case, marked duplicate.
	if err := c.WriteJSON(reportMsg("r2", clientID)); err != nil {
		t.Fatal(err)
	}
	again := read(t, c)
	rc2, _ := again["receipt"].(map[string]any)
	if again["id"] != "r2" || rc2["case_id"] != rc["case_id"] || rc2["duplicate"] != true {
		t.Fatalf("resend: %v", again)
	}
	// Markup and SQL in a description are just text: stored, never interpreted.
	hostile := reportMsg("r3", newClientID())
	hostile["report"].(map[string]any)["description"] = `<script>alert(1)</script>'; DROP TABLE events; --`
	if err := c.WriteJSON(hostile); err != nil {
		t.Fatal(err)
	}
	if f := read(t, c); f["type"] != "ack" {
		t.Fatalf("hostile text: %v", f)
	}
}

func TestWebsocketErrorFrames(t *testing.T) {
	t.Parallel()
	url, token := wsServer(t)
	c := connect(t, url, token)
	bad := reportMsg("r1", newClientID())
	bad["report"].(map[string]any)["description"] = ""
	cases := []struct {
		name  string
		frame any
		code  string
		field string
	}{
		{"invalid field", bad, "invalid_report", "description"},
		{"not JSON", "this is not json", "bad_message", ""},
		{"unknown field", map[string]any{"type": "report", "id": "x", "report": map[string]any{}, "extra": 1}, "bad_message", ""},
		{"unknown type", map[string]any{"type": "delete_everything", "id": "x"}, "unknown_type", ""},
		{"report without id", map[string]any{"type": "report", "report": map[string]any{}}, "bad_message", ""},
		{"client id not a UUID", reportMsg("r9", "bad-uuid"), "invalid_report", "client_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if s, ok := tc.frame.(string); ok {
				err = c.WriteMessage(websocket.TextMessage, []byte(s))
			} else {
				err = c.WriteJSON(tc.frame)
			}
			if err != nil {
				t.Fatal(err)
			}
			f := read(t, c)
			if f["type"] != "error" || f["code"] != tc.code || (tc.field != "" && f["field"] != tc.field) || f["message"] == "" || f["retryable"] != false {
				t.Fatalf("frame: %v; want error %s on %q", f, tc.code, tc.field)
			}
		})
	}
}

func TestWebsocketHandshakeRefusals(t *testing.T) {
	t.Parallel()
	url, token := wsServer(t)
	cases := []struct {
		name      string
		protocols []string
		origin    string
		status    int
	}{
		{"no token", []string{web.Subprotocol}, "", http.StatusUnauthorized},
		{"wrong token", []string{web.Subprotocol, "bearer.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "", http.StatusUnauthorized},
		{"no subprotocol", []string{"bearer." + token}, "", http.StatusBadRequest},
		{"foreign origin", []string{web.Subprotocol, "bearer." + token}, "https://evil.example.com", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			_, resp, err := dial(t, url, h, tc.protocols...)
			if err == nil || resp == nil || resp.StatusCode != tc.status {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Fatalf("handshake: err %v, status %d; want %d", err, status, tc.status)
			}
		})
	}
	// A configured origin is welcome.
	h := http.Header{"Origin": {"https://app.example.cn"}}
	if _, _, err := dial(t, url, h, web.Subprotocol, "bearer."+token); err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
}

func TestWebsocketLimits(t *testing.T) {
	t.Parallel()
	url, token := wsServer(t)

	t.Run("oversized frame closes the connection", func(t *testing.T) {
		c := connect(t, url, token)
		big := reportMsg("big", newClientID())
		big["report"].(map[string]any)["description"] = strings.Repeat("字", 30_000) // ~90 KB
		// The server closes as soon as it has read the frame's length, possibly while the
		// client is still writing it: then the write fails. Otherwise the close frame says 1009.
		if err := c.WriteJSON(big); err != nil {
			return
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := c.ReadMessage()
			if err == nil {
				continue // frames sent before the close
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseMessageTooBig {
				t.Fatalf("closed with %d; want 1009", ce.Code)
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the connection stayed open after an oversized frame")
			}
			return
		}
	})

	t.Run("a flood is answered with rate_limited", func(t *testing.T) {
		c := connect(t, url, token)
		for i := range 60 {
			if err := c.WriteJSON(map[string]any{"type": "nonsense", "id": fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
		limited := 0
		for range 60 {
			if f := read(t, c); f["code"] == "rate_limited" && f["retryable"] == true {
				limited++
			}
		}
		if limited == 0 {
			t.Fatal("60 messages at once were all accepted")
		}
	})
}
