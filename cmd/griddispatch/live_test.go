package main

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/dispatch/dispatchtest"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
	"github.com/griddispatch/griddispatch/web"
)

// TestStatusReachesPhoneOnAnotherProcess runs two servers against one database and one NATS
// server, as a deployment of two processes does. A member's report made through one reaches
// the same member's other phone, connected to the other, as a status frame.
func TestStatusReachesPhoneOnAnotherProcess(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ns := dispatchtest.NATS(t)

	gridtest.Import(t, grid.NewStore(db.Pool))
	_, token := signedInMember(t, db, "13900000001", "140802001001001", grid.RoleGridWorker)
	a, b := startServer(t, db, ns.ClientURL()), startServer(t, db, ns.ClientURL())
	defer a.Close()
	defer b.Close()

	phone := func(srv *Main) *websocket.Conn {
		d := websocket.Dialer{Subprotocols: []string{web.Subprotocol, "bearer." + token}}
		c, _, err := d.Dial("ws://"+srv.Addr()+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		var hello map[string]any
		if err := c.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
			t.Fatalf("hello: %v %v", hello, err)
		}
		return c
	}
	first, second := phone(a), phone(b)

	err := first.WriteJSON(map[string]any{"type": "report", "id": "r1", "report": map[string]any{
		"client_id": "0b7e5a58-6a36-4c55-9d7e-0c1e2f3a4b5c", "category": "road", "severity": "urgent",
		"description": "路面塌陷", "lon": 111.02, "lat": 35.02, "accuracy_m": 5,
		"happened_at": time.Now().Add(-time.Minute).Format(time.RFC3339)}})
	if err != nil {
		t.Fatal(err)
	}
	var ack map[string]any
	first.SetReadDeadline(time.Now().Add(20 * time.Second))
	if err := first.ReadJSON(&ack); err != nil || ack["type"] != "ack" {
		t.Fatalf("ack: %v %v", ack, err)
	}
	caseID := ack["receipt"].(map[string]any)["case_id"]

	second.SetReadDeadline(time.Now().Add(20 * time.Second))
	var status map[string]any
	if err := second.ReadJSON(&status); err != nil {
		t.Fatalf("no status on the phone connected to the other process: %v", err)
	}
	if status["type"] != "status" || status["transition"] != "reported" || status["case_id"] != caseID ||
		status["state"] != "queued" || status["centre"] != "140802001001" {
		t.Fatalf("status: %v; want case %v reported, queued at 140802001001", status, caseID)
	}
}
