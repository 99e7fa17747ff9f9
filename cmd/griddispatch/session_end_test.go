package main

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch/dispatchtest"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// An administrator deactivates a member through one process while the member's phone is
// connected to another: the other closes the member's websocket when the notice arrives over
// NATS, well before its own session check (30 s) would have noticed.
func TestDeactivationClosesWebsocketsOnEveryProcess(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	ns := dispatchtest.NATS(t)
	a := startServer(t, db, ns.ClientURL())
	defer a.Close()
	b := startServer(t, db, ns.ClientURL())
	defer b.Close()
	_, admin := signedInMember(t, db, "13900000091", "140802", grid.RoleAdmin)
	worker, token := signedInMember(t, db, "13900000092", "140802001001001", grid.RoleGridWorker)

	conn := dialWS(t, b, token)
	closed := make(chan error, 1)
	go func() {
		conn.SetReadDeadline(time.Now().Add(time.Minute))
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				closed <- err
				return
			}
		}
	}()

	req, err := http.NewRequest(http.MethodPost, "http://"+a.Addr()+"/api/admin/members/"+strconv.FormatInt(worker.ID, 10)+"/deactivate", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("deactivate through process a: %d", resp.StatusCode)
	}
	start := time.Now()
	select {
	case err := <-closed:
		t.Logf("process b closed the websocket %v after the deactivation: %v", time.Since(start).Round(time.Millisecond), err)
	case <-time.After(10 * time.Second):
		t.Fatal("process b kept the deactivated member's websocket open; only its 30 s session check would close it")
	}
}
