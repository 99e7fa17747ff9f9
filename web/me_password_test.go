package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// TestPasswordChangeRequiredAfterReset: an administrator resets a worker's password; the
// worker's websocket closes at once; signed in with the one-time code, the worker may only see
// who they are, sign out and choose a password, and the websocket is refused, until they choose
// one; then everything works, and the code no longer signs in. A code past its time does not.
func TestPasswordChangeRequiredAfterReset(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	admin := fx.member(t, "13900000221", "140802001", grid.RoleAdmin)
	worker := memberID(t, fx, "13900000001")
	conn, _, err := dial(t, fx.ws, nil, web.Subprotocol, "bearer."+fx.token)
	if err != nil {
		t.Fatal(err)
	}
	read(t, conn) // hello

	reset := call(t, "POST", fmt.Sprintf("%s/api/admin/members/%d/password-reset", fx.base, worker), admin, "")
	code, _ := reset.body["code"].(string)
	if reset.status != http.StatusOK || len(code) != 10 || reset.body["expires_at"] == nil {
		t.Fatalf("reset: %d %v", reset.status, reset.body)
	}
	if closed, _ := closedWith(t, conn); closed != 4401 {
		t.Fatalf("the worker's websocket closed with %d, want 4401 (session ended)", closed)
	}
	if r := call(t, "GET", fx.base+"/api/me", fx.token, ""); r.status != http.StatusUnauthorized {
		t.Fatalf("the old session after the reset: %d", r.status)
	}

	in := signIn(t, fx.base, "13900000001", code)
	token, _ := in.body["token"].(string)
	if in.status != http.StatusCreated || in.body["member"].(map[string]any)["must_change_password"] != true {
		t.Fatalf("sign in with the code: %d %v", in.status, in.body)
	}
	if r := call(t, "GET", fx.base+"/api/me", token, ""); r.status != http.StatusOK || r.body["must_change_password"] != true {
		t.Fatalf("/api/me with a pending code: %d %v", r.status, r.body)
	}
	for _, path := range []string{"/api/my/reports", "/api/categories", "/api/my/notifications"} {
		if r := call(t, "GET", fx.base+path, token, ""); r.status != http.StatusForbidden || r.body["error"] != "password_change_required" {
			t.Fatalf("%s with a pending code: %d %v", path, r.status, r.body)
		}
	}
	if _, resp, err := dial(t, fx.ws, nil, web.Subprotocol, "bearer."+token); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("websocket with a pending code: %v %v", resp, err)
	} else if refused := map[string]any{}; jsonBody(resp.Body, &refused) != nil || refused["error"] != "password_change_required" {
		t.Fatalf("websocket refusal body: %v", refused)
	}

	for _, tc := range []refusal{
		{"wrong current password", "POST", "/api/me/password", token, `{"current": "not the code", "new": "a new password"}`, 400, "bad_request", "current"},
		{"too short", "POST", "/api/me/password", token, `{"current": "` + code + `", "new": "short"}`, 400, "bad_request", "new"},
		{"the same again", "POST", "/api/me/password", token, `{"current": "` + code + `", "new": "` + code + `"}`, 400, "bad_request", "new"},
		{"unknown field", "POST", "/api/me/password", token, `{"current": "x", "new": "y", "old": "z"}`, 400, "bad_request", "old"},
		{"no session", "POST", "/api/me/password", "", `{"current": "x", "new": "y"}`, 401, "unauthenticated", ""},
	} {
		tc.check(t, fx.base)
	}
	if r := call(t, "POST", fx.base+"/api/me/password", token, `{"current": "`+code+`", "new": "a new password"}`); r.status != http.StatusNoContent {
		t.Fatalf("choose a password: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", fx.base+"/api/my/reports", token, ""); r.status != http.StatusOK {
		t.Fatalf("after choosing a password: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", fx.base+"/api/me", token, ""); r.body["must_change_password"] != false {
		t.Fatalf("/api/me after choosing a password: %v", r.body)
	}
	if c, _, err := dial(t, fx.ws, nil, web.Subprotocol, "bearer."+token); err != nil {
		t.Fatalf("websocket after choosing a password: %v", err)
	} else {
		c.Close()
	}
	if r := signIn(t, fx.base, "13900000001", code); r.status != http.StatusUnauthorized {
		t.Fatalf("the used code signs in: %d", r.status)
	}

	// A code past its 72 hours no longer signs in (set as a reset sets it, at bcrypt's lowest cost).
	gridtest.SetPassword(t, fx.pool, worker, "expiredcode")
	if _, err := fx.pool.Exec(context.Background(), `UPDATE members SET must_change_password = true,
		reset_expires_at = now() - interval '1 second' WHERE id = $1`, worker); err != nil {
		t.Fatal(err)
	}
	if r := signIn(t, fx.base, "13900000001", "expiredcode"); r.status != http.StatusUnauthorized || r.body["error"] != "invalid_credentials" {
		t.Fatalf("an expired code: %d %v", r.status, r.body)
	}
}

// TestAdminDeactivationClosesWebsockets: deactivating a member closes their open websocket at
// once, and their token stops working.
func TestAdminDeactivationClosesWebsockets(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	admin := fx.member(t, "13900000231", "140802", grid.RoleAdmin)
	conn, _, err := dial(t, fx.ws, nil, web.Subprotocol, "bearer."+fx.token)
	if err != nil {
		t.Fatal(err)
	}
	read(t, conn) // hello
	path := fmt.Sprintf("%s/api/admin/members/%d/deactivate", fx.base, memberID(t, fx, "13900000001"))
	if r := call(t, "POST", path, admin, ""); r.status != http.StatusNoContent {
		t.Fatalf("deactivate: %d %v", r.status, r.body)
	}
	code, errs := closedWith(t, conn)
	if code != 4401 || len(errs) != 1 || errs[0]["code"] != "session_ended" {
		t.Fatalf("closed with %d after %v; want 4401 after session_ended", code, errs)
	}
	gridtest.Eventually(t, "the token to be refused", func() bool {
		return call(t, "GET", fx.base+"/api/me", fx.token, "").status == http.StatusUnauthorized
	})
}

// TestOwnPasswordGuessesAreLimited: a wrong current password at POST /api/me/password counts
// as a failed sign-in of the member's phone, so a stolen session cannot guess the password
// faster than the sign-in form allows; refusals that are no guess (a short new password) do not
// count.
func TestOwnPasswordGuessesAreLimited(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	change := func(current, next string) response {
		return call(t, "POST", fx.base+"/api/me/password", fx.token, `{"current": "`+current+`", "new": "`+next+`"}`)
	}
	for range 3 {
		if r := change(password, "short"); r.status != http.StatusBadRequest || r.body["field"] != "new" {
			t.Fatalf("a short new password: %d %v", r.status, r.body)
		}
	}
	for i := range 5 {
		if r := change(fmt.Sprintf("guess-%d-wrong", i), "a new password"); r.status != http.StatusBadRequest || r.body["field"] != "current" {
			t.Fatalf("guess %d: %d %v", i, r.status, r.body)
		}
	}
	if r := change(password, "a new password"); r.status != http.StatusTooManyRequests || r.body["error"] != "rate_limited" {
		t.Fatalf("the sixth try, right this time: %d %v; want 429 after five wrong guesses", r.status, r.body)
	}
	if r := signIn(t, fx.base, "13900000001", password); r.status != http.StatusTooManyRequests {
		t.Fatalf("signing in after five wrong guesses through a session: %d", r.status)
	}
}
