package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
	"github.com/griddispatch/griddispatch/web"
)

// TestTwoProcessesOnANATSCluster is the deployment of docs/deploy.md in one test: a three-node
// NATS cluster with streams of three replicas, two processes on one database sharing a photos
// directory. Consoles on either process see every transition made through either, once; due
// cases escalate once with both timers running; the shared durable consumers count and notify
// each transition once; and after the stream's leader node and one process go down in the
// middle of reporting, reports are still acknowledged and nothing is lost.
func TestTwoProcessesOnANATSCluster(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	nats := startNATSCluster(t, 3)
	gridtest.Import(t, grid.NewStore(db.Pool))
	_, worker := signedInMember(t, db, "13900000001", "140802001001001", grid.RoleGridWorker)
	// The village's mediator acts on the cases and supervises the township too, so that their
	// consoles watch the whole subtree (one member fewer: signing in is slow under -race).
	var err error
	mediatorMember, mediator := signedInMember(t, db, "13900000002", "140802001001", grid.RoleMediator)
	err = grid.NewStore(db.Pool).Assign(ctx, grid.Assignment{MemberID: mediatorMember.ID, UnitCode: "140802001", Role: grid.RoleSupervisor})
	if err != nil {
		t.Fatal(err)
	}
	// The two processes start at the same moment and create the streams and durable consumers
	// with three replicas. (Scaling a deployment that ran one replica in place is another
	// matter: docs/deploy.md says why and how.)
	photos := t.TempDir()
	a, b := clusterMain(t, db, nats.URL(), photos), clusterMain(t, db, nats.URL(), photos)
	defer a.Close()
	bUp := true
	defer func() {
		if bUp {
			b.Close()
		}
	}()
	var started sync.WaitGroup
	errs := make([]error, 2)
	for i, m := range []*Main{a, b} {
		started.Go(func() { errs[i] = m.Run(ctx) })
	}
	started.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if a.nats != nil || b.nats != nil {
		t.Fatal("an embedded NATS server was started although --nats-url was given")
	}
	for _, ns := range nats.servers {
		gridtest.EventuallyWithin(t, 20*time.Second, "CASES with 3 replicas and both durable consumers on "+ns.Name(), func() bool {
			s := streamOn(t, ns, "CASES")
			return s != nil && s.Config.Replicas == 3 && hasConsumers(s, dispatch.NotifyConsumer, dispatch.StatsConsumer)
		})
	}

	// A photo uploaded through one process is served by the other.
	sha := uploadPhoto(t, a, worker)
	if code := getPhoto(t, b, worker, sha); code != http.StatusOK {
		t.Fatalf("photo uploaded through a, fetched through b: HTTP %d; want 200 (shared --photos-dir)", code)
	}

	consoleA, consoleB := watch(t, a, mediator), watch(t, b, mediator)
	phoneA, phoneB := newPhone(t, a, worker), newPhone(t, b, worker)
	var cases []int64
	for range 8 {
		cases = append(cases, phoneA.report(t), phoneB.report(t))
	}
	for i, id := range cases[:8] {
		act(t, []*Main{a, b}[i%2], mediator, db, id, "accept")
	}
	// Both timers find the other eight due at the same moment.
	due := cases[8:]
	if _, err := db.Pool.Exec(ctx, `UPDATE cases SET deadline_at = now() WHERE id = ANY($1)`, due); err != nil {
		t.Fatal(err)
	}
	gridtest.EventuallyWithin(t, 20*time.Second, "timer transition for every due case", func() bool {
		return count(t, db, `SELECT count(DISTINCT case_id) FROM case_history WHERE actor_id IS NULL AND case_id = ANY($1)`, due) == len(due)
	})
	converged(t, db, nats, a, mediatorMember.ID, consoleA, consoleB)

	// Mid-reporting, the node leading CASES and process b go down; a carries on.
	leader := nats.streamLeader("CASES")
	if leader == nil {
		t.Fatal("CASES has no leader")
	}
	var more []int64
	for i := range 12 {
		if i == 3 {
			leader.Shutdown()
			b.Close()
			bUp = false
		}
		more = append(more, phoneA.report(t))
	}
	for _, id := range more[:6] {
		act(t, a, mediator, db, id, "accept")
	}
	converged(t, db, nats, a, mediatorMember.ID, consoleA)

	if n := count(t, db, `SELECT count(*) FROM case_history WHERE actor_id IS NULL`); n != len(due) {
		t.Fatalf("%d timer transitions for %d due cases; want one each", n, len(due))
	}
	if n := count(t, db, `SELECT count(*) FROM cases`); n != len(cases)+len(more) {
		t.Fatalf("%d cases; want %d", n, len(cases)+len(more))
	}
}

// converged waits until everything committed has gone round the bus, and checks it went round
// once: the outbox is published, the CASES stream holds each of its case rows once, each
// console saw every transition once, the mediator has a notification for each reported case,
// and the live counters equal those recomputed from the history.
func converged(t *testing.T, db *dbtest.DB, nats *natsCluster, m *Main, mediatorID int64, consoles ...*console) {
	t.Helper()
	ctx := context.Background()
	gridtest.EventuallyWithin(t, 45*time.Second, "outbox published", func() bool {
		return count(t, db, `SELECT count(*) FROM outbox WHERE published_at IS NULL`) == 0
	})
	transitions := ids(t, db, `SELECT id FROM case_history ORDER BY id`)
	for i, c := range consoles {
		gridtest.EventuallyWithin(t, 45*time.Second, fmt.Sprintf("all %d transitions on console %d", len(transitions), i), func() bool {
			return c.sawAll(transitions)
		})
		if dup := c.duplicates(); len(dup) > 0 {
			t.Fatalf("console %d saw transitions more than once: %v", i, dup)
		}
	}
	for _, name := range []string{dispatch.NotifyConsumer, dispatch.StatsConsumer} {
		gridtest.EventuallyWithin(t, 45*time.Second, name+" consumer caught up", func() bool {
			n, err := m.bus.Pending(ctx, name)
			return err == nil && n == 0
		})
	}
	if n := count(t, db, `SELECT count(*) FROM case_history h WHERE h.transition = 'reported'
		AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.transition_id = h.id AND n.member_id = $1)`, mediatorID); n != 0 {
		t.Fatalf("%d reported cases without the village mediator's notification", n)
	}
	stored := count(t, db, `SELECT count(*) FROM outbox WHERE subject LIKE 'case.%' OR subject LIKE 'event.%'`)
	var held uint64
	gridtest.EventuallyWithin(t, 20*time.Second, fmt.Sprintf("CASES holding the %d outbox rows", stored), func() bool {
		leader := nats.streamLeader("CASES")
		if leader == nil {
			return false
		}
		if s := streamOn(t, leader, "CASES"); s != nil {
			held = s.State.Msgs
		}
		return held >= uint64(stored)
	})
	if held != uint64(stored) {
		t.Fatalf("CASES holds %d messages; want the %d outbox rows, once each", held, stored)
	}
	statsEqualRebuild(t, db)
}

// statsEqualRebuild compares the counters kept by the stats consumer with a rebuild from the
// history (docs/metrics.md), which would differ if a transition was counted twice or never.
func statsEqualRebuild(t *testing.T, db *dbtest.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `DROP TABLE IF EXISTS live_stats; CREATE TABLE live_stats AS SELECT * FROM case_stats`); err != nil {
		t.Fatal(err)
	}
	if err := dispatch.RebuildStats(ctx, db.Pool); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SELECT count(*) FROM (SELECT * FROM live_stats EXCEPT ALL SELECT * FROM case_stats) d`,
		`SELECT count(*) FROM (SELECT * FROM case_stats EXCEPT ALL SELECT * FROM live_stats) d`} {
		if n := count(t, db, q); n != 0 {
			t.Fatalf("live counters differ from a rebuild in %d rows (%s)", n, q)
		}
	}
	if count(t, db, `SELECT count(*) FROM case_stats`) == 0 {
		t.Fatal("no counters at all")
	}
}

// clusterMain is a serve process, not yet running, for the database and an external NATS
// cluster, with streams of three replicas and the shared photos directory.
func clusterMain(tb testing.TB, db *dbtest.DB, natsURL, photos string) *Main {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.NATSReplicas = db.URL, natsURL, 3
	cfg.Listen, cfg.DataDir, cfg.PhotosDir = "127.0.0.1:0", tb.TempDir(), photos
	return &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func hasConsumers(s *server.StreamDetail, names ...string) bool {
	have := map[string]bool{}
	for _, c := range s.Consumer {
		have[c.Name] = true
	}
	for _, n := range names {
		if !have[n] {
			return false
		}
	}
	return true
}

// console is a supervisor's websocket watching township 140802001, recording every case frame.
type console struct {
	mu   sync.Mutex
	seen map[int64]int // transition id: frames
}

func watch(t *testing.T, m *Main, token string) *console {
	t.Helper()
	conn := dialWS(t, m, token)
	if err := conn.WriteJSON(map[string]any{"type": "subscribe", "id": "s", "subtree": "140802001"}); err != nil {
		t.Fatal(err)
	}
	if f := readFrame(t, conn, "subscribed"); f["type"] != "subscribed" {
		t.Fatalf("subscribe: %v", f)
	}
	conn.SetReadDeadline(time.Time{})
	c := &console{seen: map[int64]int{}}
	go func() {
		for {
			var f struct {
				Type         string `json:"type"`
				TransitionID int64  `json:"transition_id"`
			}
			if err := conn.ReadJSON(&f); err != nil {
				return // closed by the test or by its process going down
			}
			if f.Type == "case" {
				c.mu.Lock()
				c.seen[f.TransitionID]++
				c.mu.Unlock()
			}
		}
	}()
	return c
}

func (c *console) sawAll(transitions []int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range transitions {
		if c.seen[id] == 0 {
			return false
		}
	}
	return true
}

func (c *console) duplicates() map[int64]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	dup := map[int64]int{}
	for id, n := range c.seen {
		if n > 1 {
			dup[id] = n
		}
	}
	return dup
}

// phone is a grid worker's websocket that reports one case at a time.
type phone struct{ conn *websocket.Conn }

func newPhone(t *testing.T, m *Main, token string) *phone { return &phone{dialWS(t, m, token)} }

// report sends a report and returns the case of its acknowledgement.
func (p *phone) report(t *testing.T) int64 {
	t.Helper()
	err := p.conn.WriteJSON(map[string]any{"type": "report", "id": "r", "report": map[string]any{
		"client_id": newUUID(t), "category": "road", "severity": "normal", "description": "路面塌陷",
		"lon": 111.02, "lat": 35.02, "accuracy_m": 5, "happened_at": time.Now().Add(-time.Minute).Format(time.RFC3339)}})
	if err != nil {
		t.Fatal(err)
	}
	p.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	ack := readFrame(t, p.conn, "ack")
	receipt, _ := ack["receipt"].(map[string]any)
	id, _ := receipt["case_id"].(float64)
	if ack["type"] != "ack" || id == 0 {
		t.Fatalf("report: %v; want an ack with a case", ack)
	}
	return int64(id)
}

func dialWS(t *testing.T, m *Main, token string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{web.Subprotocol, "bearer." + token}}
	conn, _, err := d.Dial("ws://"+m.Addr()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	if f := readFrame(t, conn, "hello"); f["type"] != "hello" {
		t.Fatalf("hello: %v", f)
	}
	return conn
}

// readFrame reads frames until one of type typ or an error frame.
func readFrame(t *testing.T, conn *websocket.Conn, typ string) map[string]any {
	t.Helper()
	for {
		var f map[string]any
		if err := conn.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if f["type"] == typ || f["type"] == "error" {
			return f
		}
	}
}

// act applies a transition to a case through m's HTTP API, at the case's current version.
func act(t *testing.T, m *Main, token string, db *dbtest.DB, caseID int64, action string) {
	t.Helper()
	version := count(t, db, `SELECT version FROM cases WHERE id = $1`, caseID)
	body, _ := json.Marshal(map[string]any{"action": action, "version": version, "reason": "受理"})
	resp := call(t, m, token, "POST", fmt.Sprintf("/api/cases/%d/transitions", caseID), "application/json", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s case %d through %s: HTTP %d", action, caseID, m.Addr(), resp.StatusCode)
	}
}

func uploadPhoto(t *testing.T, m *Main, token string) string {
	t.Helper()
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
	resp := call(t, m, token, "POST", "/api/photos", "image/png", png)
	var ph struct {
		SHA256 string `json:"sha256"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&ph) != nil {
		t.Fatalf("upload: HTTP %d", resp.StatusCode)
	}
	return ph.SHA256
}

func getPhoto(t *testing.T, m *Main, token, sha string) int {
	t.Helper()
	return call(t, m, token, "GET", "/api/photos/"+sha, "", nil).StatusCode
}

// call makes one authenticated request; the body is closed when the test ends.
func call(t *testing.T, m *Main, token, method, path, contentType string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+m.Addr()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func count(t *testing.T, db *dbtest.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func ids(t *testing.T, db *dbtest.DB, q string) []int64 {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
