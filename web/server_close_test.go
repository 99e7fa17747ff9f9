package web_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/grid/background"
	"github.com/griddispatch/griddispatch/web"
)

// Server.Close closes the upgraded websockets, which net/http no longer tracks, with 1001 (going
// away: the apps reconnect), stops the session check, and waits for their goroutines. Not
// parallel: Running sees the whole test process.
func TestServerCloseEndsWebsocketsGoingAway(t *testing.T) {
	fx := newFixture(t)
	phones := []*websocket.Conn{connect(t, fx.ws, fx.token), connect(t, fx.ws, fx.token)}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := fx.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for i, c := range phones {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _, err := c.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
			t.Errorf("phone %d: %v; want close status 1001", i, err)
		}
	}
	if left := background.Running("web.(*wsConn)", "web.(*Server).checkSessions"); len(left) > 0 {
		t.Errorf("running after Close:\n%s", strings.Join(left, "\n\n"))
	}
	if err := fx.srv.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, err := dial(t, fx.ws, nil, web.Subprotocol, "bearer."+fx.token); err == nil {
		t.Error("a websocket opened after Close")
	}
}
