package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/background"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
	"github.com/griddispatch/griddispatch/web"
)

// Main.Close stops every background part it started and waits for them (docs/runtime.md): a
// phone's websocket is closed with 1001, nothing of dispatch, grid or web runs afterwards, and
// closing twice is harmless. Not parallel: Running sees the whole test process.
func TestMainCloseStopsEveryPart(t *testing.T) {
	db := dbtest.New(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	_, token := signedInMember(t, db, "13900000001", "140802001001001", grid.RoleGridWorker)
	m := startMain(t, db.URL) // its cleanup closes it a second time
	d := websocket.Dialer{Subprotocols: []string{web.Subprotocol, "bearer." + token}, HandshakeTimeout: 5 * time.Second}
	phone, _, err := d.Dial("ws://"+m.Addr()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer phone.Close()
	phone.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := phone.ReadMessage(); err != nil { // hello
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, err = phone.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("the phone got %v; want close status 1001", err)
	}
	if left := background.Running("dispatch.(*", "grid.(*LiveLocator)", "grid.(*ChangeScheduler)",
		"web.(*wsConn)", "web.(*Server).checkSessions"); len(left) > 0 {
		t.Errorf("running after Close:\n%s", strings.Join(left, "\n\n"))
	}
}
