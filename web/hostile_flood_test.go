package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// A phone that sends 60 reports at once gets an answer to each: an ack for those within the
// burst allowance, rate_limited (retryable) for the rest. What was acked is stored, exactly
// once; what was refused is not; resent at the allowed pace, every report ends up stored once.
func TestReportFloodIsRateLimitedWithoutLosingAcks(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := connect(t, fx.ws, fx.token)
	const n = 60
	clientIDs := map[string]string{}
	for i := range n {
		id := fmt.Sprint("r", i)
		clientIDs[id] = newClientID()
		if err := c.WriteJSON(reportMsg(id, clientIDs[id])); err != nil {
			t.Fatal(err)
		}
	}
	acked := map[string]bool{}
	limited := 0
	answered := map[any]bool{} // every answer repeats its report's id, so the phone knows which to resend
	for range n {
		f := read(t, c)
		switch {
		case f["type"] == "ack":
			acked[f["id"].(string)] = true
		case f["code"] == "rate_limited" && f["retryable"] == true:
			limited++
		default:
			t.Fatalf("unexpected answer: %v", f)
		}
		if _, sent := clientIDs[fmt.Sprint(f["id"])]; !sent || answered[f["id"]] {
			t.Fatalf("an answer with id %v: not one sent, or answered twice", f["id"])
		}
		answered[f["id"]] = true
	}
	if limited == 0 || len(acked)+limited != n {
		t.Fatalf("%d acked, %d rate_limited of %d; want some of each, one answer per report", len(acked), limited, n)
	}
	stored := func() map[string]bool {
		rows, err := fx.pool.Query(t.Context(), `SELECT e.client_id::text FROM events e JOIN members m ON m.id = e.reporter_id
			WHERE m.phone = '13900000001'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			if out[id] {
				t.Fatalf("client id %s stored twice", id)
			}
			out[id] = true
		}
		return out
	}
	db := stored()
	for id := range acked {
		if !db[clientIDs[id]] {
			t.Fatalf("report %s was acked but is not stored", id)
		}
	}
	if len(db) != len(acked) {
		t.Fatalf("%d reports stored, %d acked: a refused report was stored", len(db), len(acked))
	}
	// The phone keeps what was not acked and resends it, one at a time, backing off when told.
	for id, clientID := range clientIDs {
		for !acked[id] {
			if err := c.WriteJSON(reportMsg(id, clientID)); err != nil {
				t.Fatal(err)
			}
			f := read(t, c)
			if f["type"] == "ack" && f["id"] == id {
				acked[id] = true
			} else if f["code"] != "rate_limited" {
				t.Fatalf("resending %s: %v", id, f)
			} else {
				time.Sleep(200 * time.Millisecond) // the phone's back-off: one message per 1/5 s is allowed
			}
		}
	}
	if db := stored(); len(db) != n {
		t.Fatalf("%d reports stored after the resends; want %d, once each", len(db), n)
	}
}

// Sign-in attempts sent all at once get no more guesses than the same attempts one by one: five
// wrong passwords for a phone, then 429 with Retry-After and the JSON error, also for the right
// password; and twenty failures for an address, across phone numbers.
func TestSignInBurstsAreCountedOneByOne(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	burst := func(n int, body func(i int) string) map[int]int {
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := call(t, "POST", fx.base+"/api/sessions", "", body(i))
				if r.status == http.StatusTooManyRequests && (r.header.Get("Retry-After") == "" || r.body["error"] != "rate_limited") {
					t.Errorf("429 without Retry-After or the JSON error: %v %v", r.header, r.body)
				}
				mu.Lock()
				statuses[r.status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return statuses
	}
	signInBody := func(phone, pw string) string {
		b, _ := json.Marshal(map[string]string{"phone": phone, "password": pw})
		return string(b)
	}
	got := burst(15, func(i int) string { return signInBody("13900000001", fmt.Sprintf("wrong password %d", i)) })
	if got[http.StatusUnauthorized] != 5 || got[http.StatusTooManyRequests] != 10 {
		t.Fatalf("15 wrong passwords at once for one phone: %v; want 5 × 401 and 10 × 429", got)
	}
	if r := signIn(t, fx.base, "13900000001", password); r.status != http.StatusTooManyRequests {
		t.Fatalf("the right password after the burst: %d %v; want 429", r.status, r.body)
	}
	// The address has five failures; fourteen more are recorded as if from other numbers (each
	// attempt costs a bcrypt, which the test spares the machine). Ten attempts at once for yet
	// other numbers: one more failure is allowed, twenty in all.
	if _, err := fx.pool.Exec(t.Context(), `INSERT INTO sign_in_failures (key) SELECT 'address:127.0.0.1' FROM generate_series(1, 14)`); err != nil {
		t.Fatal(err)
	}
	got = burst(10, func(i int) string { return signInBody(fmt.Sprintf("1380000%04d", i), "wrong password") })
	if got[http.StatusUnauthorized] != 1 || got[http.StatusTooManyRequests] != 9 {
		t.Fatalf("10 attempts at once for other phones: %v; want 1 × 401 (the twentieth failure of the address) and 9 × 429", got)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM sign_in_failures WHERE key = 'address:127.0.0.1'`); n != 20 {
		t.Fatalf("%d failures recorded for the address; want 20", n)
	}
}

// One member's connections on a process are capped: past the cap the oldest is closed with an
// error frame too_many_connections and status 4429, so that one token cannot hold the server's
// memory; the newer ones and other members' connections carry on.
func TestConnectionsPerMemberAreCapped(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withTune(func(s *web.Server) { web.SetConnectionsPerMember(s, 3) }))
	s := fx.srv
	other := fx.member(t, "13900000002", "140802001001001", grid.RoleGridWorker)
	o := connect(t, fx.ws, other)
	first := connect(t, fx.ws, fx.token)
	connect(t, fx.ws, fx.token)
	connect(t, fx.ws, fx.token)
	if n := web.Connections(s); n != 4 {
		t.Fatalf("%d connections; want 4", n)
	}
	newest := connect(t, fx.ws, fx.token) // the fourth of the member
	code, errs := closedWith(t, first)
	if code != 4429 || len(errs) != 1 || errs[0]["code"] != "too_many_connections" {
		t.Fatalf("the oldest connection: close %d, errors %v; want too_many_connections and 4429", code, errs)
	}
	gridtest.Eventually(t, "three of the member's and one of the other's", func() bool { return web.Connections(s) == 4 })
	for _, c := range []*websocket.Conn{newest, o} {
		if err := c.WriteJSON(reportMsg("r", newClientID())); err != nil {
			t.Fatal(err)
		}
		if f := read(t, c); f["type"] != "ack" {
			t.Fatalf("a connection within the cap: %v", f)
		}
	}
}
