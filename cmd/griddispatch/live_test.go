package main

import (
	"context"
	"io"
	"log/slog"
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
	db := dbtest.New(t)
	ctx := context.Background()
	ns := dispatchtest.NATS(t)

	g := grid.NewStore(db.Pool)
	gridtest.Import(t, g)
	m, err := g.CreateMember(ctx, "13900000001", "李强")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetPassword(ctx, m.ID, "phone-password"); err != nil {
		t.Fatal(err)
	}
	if err := g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: "140802001001001", Role: grid.RoleGridWorker}); err != nil {
		t.Fatal(err)
	}

	start := func() *Main {
		cfg := DefaultConfig()
		cfg.DatabaseURL, cfg.NATSURL, cfg.Listen, cfg.DataDir = db.URL, ns.ClientURL(), "127.0.0.1:0", t.TempDir()
		m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := m.Run(ctx); err != nil {
			m.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	a, b := start(), start()

	phone := func(srv *Main) *websocket.Conn {
		sess, err := web.NewAuth(db.Pool, g).SignIn(ctx, "13900000001", "phone-password", "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		d := websocket.Dialer{Subprotocols: []string{web.Subprotocol, "bearer." + sess.Token}}
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

	err = first.WriteJSON(map[string]any{"type": "report", "id": "r1", "report": map[string]any{
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
