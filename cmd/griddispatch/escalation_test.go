package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/dispatch/dispatchtest"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
	"github.com/griddispatch/griddispatch/web"
)

// TestShortDeadlineEscalatesOnceAcrossProcesses: two processes share PostgreSQL and NATS. An
// administrator shortens a category's village deadline to 2 s through one process; the other
// process's intake follows the change notice. A report made through the second process is
// escalated by the timer of one of them (the second is restarted meanwhile), exactly once, and
// a township console connected to the first sees the case arrive.
func TestShortDeadlineEscalatesOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	ns := dispatchtest.NATS(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	_, worker := signedInMember(t, db, "13900000001", "140802001001001", grid.RoleGridWorker)
	_, admin := signedInMember(t, db, "13900000002", "140802", grid.RoleAdmin)
	_, township := signedInMember(t, db, "13900000003", "140802001", grid.RoleMediator)
	a, b := startServer(t, db, ns.ClientURL()), startServer(t, db, ns.ClientURL())
	defer a.Close()
	dialer := func(m *Main, tok string) *websocket.Conn {
		d := websocket.Dialer{Subprotocols: []string{web.Subprotocol, "bearer." + tok}}
		c, _, err := d.Dial("ws://"+m.Addr()+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		return c
	}
	readUntil := func(c *websocket.Conn, typ string) map[string]any {
		for {
			var f map[string]any
			if err := c.ReadJSON(&f); err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if f["type"] == typ || f["type"] == "error" {
				return f
			}
		}
	}
	console := dialer(a, township)
	if err := console.WriteJSON(map[string]any{"type": "subscribe", "id": "s", "centre": "140802001"}); err != nil {
		t.Fatal(err)
	}
	if f := readUntil(console, "subscribed"); f["type"] != "subscribed" {
		t.Fatalf("subscribe: %v", f)
	}

	body := []byte(`{"code": "neighbour", "group": "dispute", "name_zh": "邻里纠纷", "name_en": "Neighbour dispute",
		"start_level": 3, "grid_may_close": true, "auto_escalate": true, "active": true,
		"deadlines": {"village_s": 2, "township_s": 3600, "county_s": 7200, "urgent_s": 1800, "verify_s": 86400}}`)
	req, _ := http.NewRequest("PUT", "http://"+a.Addr()+"/api/admin/categories/neighbour", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("saving the category: %v %v", resp, err)
	}
	resp.Body.Close()

	// The other process reads the catalogue again on the notice; until it has, its reports get the
	// old seven days, so report until one gets the new deadline.
	phone := dialer(b, worker)
	var caseID float64
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; caseID == 0; i++ {
		if time.Now().After(deadline) {
			t.Fatal("process b never applied the new deadline")
		}
		if err := phone.WriteJSON(map[string]any{"type": "report", "id": "r", "report": map[string]any{
			"client_id": newUUID(t), "category": "neighbour", "severity": "normal", "description": "邻里争执",
			"lon": 111.02, "lat": 35.02, "accuracy_m": 5, "happened_at": time.Now().Add(-time.Minute).Format(time.RFC3339)}}); err != nil {
			t.Fatal(err)
		}
		ack := readUntil(phone, "ack")
		id := ack["receipt"].(map[string]any)["case_id"]
		var short bool
		if err := db.Pool.QueryRow(ctx, `SELECT deadline_at < now() + interval '1 minute' FROM cases WHERE id = $1`, id).Scan(&short); err != nil {
			t.Fatal(err)
		}
		if short {
			caseID = id.(float64)
		}
	}
	b.Close() // one process goes down and comes back while the deadline runs
	b = startServer(t, db, ns.ClientURL())
	defer b.Close()

	for {
		f := readUntil(console, "case")
		if f["case_id"] == caseID && f["action"] == "escalate" {
			if f["actor"] != nil || f["centre"] != "140802001" || f["level"] != 2.0 {
				t.Fatalf("escalation frame: %v", f)
			}
			break
		}
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM case_history WHERE case_id = $1 AND actor_id IS NULL`, int64(caseID)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the timer acted %d times on the case (%v); want once", n, err)
	}
}

func newUUID(t *testing.T) string { return newUUIDb(t) }

func newUUIDb(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
