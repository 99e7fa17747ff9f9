package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// refusedUpgrade dials /ws with the token as the protocol says and returns the refusal's status
// and JSON body; a connection that is admitted fails the test.
func refusedUpgrade(t *testing.T, url string, header http.Header, protocols ...string) (int, map[string]any) {
	t.Helper()
	c, resp, err := dial(t, url, header, protocols...)
	if err == nil {
		c.Close()
		t.Fatalf("the upgrade was admitted (%v)", protocols)
	}
	if resp == nil {
		t.Fatalf("no HTTP answer to the upgrade: %v", err)
	}
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("the refusal's body is not JSON: %q", raw)
	}
	return resp.StatusCode, body
}

// A token that was signed out is refused everywhere, and the connection it opened before is
// closed at once, with an error frame saying why and close status 4401; the server lets go of it.
func TestSignedOutTokenIsReplayedInVain(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	s := fx.srv // the default session check (30 s): sign-out must not wait for it
	c := connect(t, fx.ws, fx.token)
	if r := call(t, "DELETE", fx.base+"/api/sessions/current", fx.token, ""); r.status != http.StatusNoContent {
		t.Fatalf("sign out: %d %v", r.status, r.body)
	}
	code, errs := closedWith(t, c)
	if code != 4401 || len(errs) != 1 || errs[0]["code"] != "session_ended" || errs[0]["retryable"] != false {
		t.Fatalf("the open socket after sign-out: close %d, error frames %v; want session_ended and 4401", code, errs)
	}
	gridtest.Eventually(t, "the server to let go of the connection", func() bool { return web.Connections(s) == 0 })
	for _, r := range []struct{ method, path string }{{"GET", "/api/me"}, {"GET", "/api/my/reports"}, {"DELETE", "/api/sessions/current"}} {
		if got := call(t, r.method, fx.base+r.path, fx.token, ""); got.status != http.StatusUnauthorized || got.body["error"] != "unauthenticated" {
			t.Errorf("replayed %s %s: %d %v; want 401 unauthenticated", r.method, r.path, got.status, got.body)
		}
	}
	if status, body := refusedUpgrade(t, fx.ws, nil, web.Subprotocol, "bearer."+fx.token); status != http.StatusUnauthorized || body["error"] != "unauthenticated" {
		t.Fatalf("replayed upgrade: %d %v", status, body)
	}
}

// A session that ends in the database while its socket is open (expired, revoked by another
// process, deleted) closes the socket at the next session check; the other member's socket
// stays open and working.
func TestSessionsEndingElsewhereCloseTheirSockets(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withTune(func(s *web.Server) { web.SetWebsocketTimings(s, time.Minute, 2*time.Minute, 50*time.Millisecond) }))
	s := fx.srv
	ctx := context.Background()
	bystander := connect(t, fx.ws, fx.token)
	for i, tc := range []struct{ name, sql string }{
		{"expired", `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to($1, 'UTF8'))`},
		{"revoked by another process", `UPDATE sessions SET revoked_at = now() WHERE token_hash = sha256(convert_to($1, 'UTF8'))`},
		{"deleted", `DELETE FROM sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := fx.member(t, "1390000020"+string(rune('0'+i)), "140802001001001", grid.RoleGridWorker)
			c := connect(t, fx.ws, token)
			if tag, err := fx.pool.Exec(ctx, tc.sql, token); err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("%s: %v %v", tc.sql, tag, err)
			}
			code, errs := closedWith(t, c)
			if code != 4401 || len(errs) != 1 || errs[0]["code"] != "session_ended" {
				t.Fatalf("close %d, error frames %v; want session_ended and 4401", code, errs)
			}
			if r := call(t, "GET", fx.base+"/api/me", token, ""); r.status != http.StatusUnauthorized {
				t.Fatalf("/api/me: %d %v", r.status, r.body)
			}
			if status, _ := refusedUpgrade(t, fx.ws, nil, web.Subprotocol, "bearer."+token); status != http.StatusUnauthorized {
				t.Fatalf("upgrade: %d", status)
			}
		})
	}
	gridtest.Eventually(t, "only the bystander's connection to remain", func() bool { return web.Connections(s) == 1 })
	if err := bystander.WriteJSON(reportMsg("r1", newClientID())); err != nil {
		t.Fatal(err)
	}
	if f := read(t, bystander); f["type"] != "ack" {
		t.Fatalf("the bystander's socket: %v", f)
	}
}

// Tokens that were never issued, or were altered, get 401 with the JSON error over HTTP and on
// the upgrade; so does a valid token anywhere but where the protocol carries it.
func TestForgedAndMisplacedTokensAreRefused(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	tok := fx.token
	flip := "A"
	if tok[len(tok)-1] == 'A' {
		flip = "B"
	}
	for _, tc := range []struct{ name, token string }{
		{"tampered", tok[:len(tok)-1] + flip},
		{"truncated", tok[:len(tok)-2]},
		{"extended", tok + "A"},
		{"another case", strings.ToUpper(tok)},
		{"garbage", "!!!!"},
		{"SQL", "' OR '1'='1"},
		{"non-ASCII", "令牌令牌令牌"},
		{"overlong", strings.Repeat(tok, 40)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.token == tok {
				t.Skip("the change left the token as it was")
			}
			r := call(t, "GET", fx.base+"/api/me", tc.token, "")
			if r.status != http.StatusUnauthorized || r.body["error"] != "unauthenticated" || r.header.Get("WWW-Authenticate") == "" {
				t.Fatalf("HTTP: %d %v %v", r.status, r.header, r.body)
			}
			if strings.ContainsAny(tc.token, " '!令") { // not a subprotocol token: the client refuses to send it
				return
			}
			if status, body := refusedUpgrade(t, fx.ws, nil, web.Subprotocol, "bearer."+tc.token); status != http.StatusUnauthorized || body["error"] != "unauthenticated" {
				t.Fatalf("upgrade: %d %v", status, body)
			}
		})
	}
	misplaced := []struct {
		name string
		run  func(t *testing.T) int
	}{
		{"query string on HTTP", func(t *testing.T) int {
			return call(t, "GET", fx.base+"/api/me?access_token="+tok+"&token="+tok, "", "").status
		}},
		{"scheme other than Bearer", func(t *testing.T) int {
			req, _ := http.NewRequest("GET", fx.base+"/api/me", nil)
			req.Header.Set("Authorization", "Basic "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}},
		{"query string on the upgrade", func(t *testing.T) int {
			status, _ := refusedUpgrade(t, fx.ws+"?access_token="+tok+"&token="+tok, nil, web.Subprotocol)
			return status
		}},
		{"Authorization header on the upgrade", func(t *testing.T) int {
			status, _ := refusedUpgrade(t, fx.ws, http.Header{"Authorization": {"Bearer " + tok}}, web.Subprotocol)
			return status
		}},
		{"cookie on the upgrade", func(t *testing.T) int {
			status, _ := refusedUpgrade(t, fx.ws, http.Header{"Cookie": {"token=" + tok}}, web.Subprotocol)
			return status
		}},
	}
	for _, tc := range misplaced {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.run(t); got != http.StatusUnauthorized {
				t.Fatalf("status %d; want 401", got)
			}
		})
	}
	// The token itself is still good where it belongs.
	connect(t, fx.ws, tok)
}
