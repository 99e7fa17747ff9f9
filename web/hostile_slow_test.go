package web_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// The production server has a timeout for every phase of a request, so that no client can hold a
// connection by being slow (the tests below shorten them to see them act).
func TestServerTimeoutsAreSet(t *testing.T) {
	t.Parallel()
	s := newFixture(t).srv
	header, read, write, idle, _ := web.Timeouts(s)
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": header, "ReadTimeout": read, "WriteTimeout": write, "IdleTimeout": idle} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s is %v; want a bound of at most 2 minutes", name, d)
		}
	}
}

// trickle dials addr and writes data a byte at a time until the server closes the connection,
// and says whether it did before the client gave up (20 s), with what the server answered.
func trickle(t *testing.T, addr, data string) (cutOff bool, answer string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return trickleOn(t, conn, data)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// Slow-loris: a client that sends its headers a byte at a time, or its body, never finishing, is
// cut off by the server's ReadHeaderTimeout and ReadTimeout.
func TestSlowClientsAreCutOff(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withTune(func(s *web.Server) { web.SetHTTPTimeouts(s, 300*time.Millisecond, time.Second, time.Second) }))
	addr := strings.TrimPrefix(fx.base, "http://")
	endless := strings.Repeat("X-Slow: loris\r\n", 200) // 60 s at a byte every 20 ms
	t.Run("headers a byte at a time", func(t *testing.T) {
		if cut, _ := trickle(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n"+endless); !cut {
			t.Fatal("the server waited for headers that never ended")
		}
	})
	t.Run("websocket handshake a byte at a time", func(t *testing.T) {
		if cut, _ := trickle(t, addr, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+endless); !cut {
			t.Fatal("the server waited for a handshake that never ended")
		}
	})
	t.Run("body a byte at a time", func(t *testing.T) {
		body := `{"phone":"13900000001","password":"` + strings.Repeat("x", 3000)
		req := fmt.Sprintf("POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body)+2)
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Write([]byte(req)); err != nil { // the headers at once: only the body is slow
			t.Fatal(err)
		}
		cut, answer := trickleOn(t, conn, body)
		if !cut {
			t.Fatal("the server waited for a body that never ended")
		}
		if answer != "" && !strings.HasPrefix(answer, "HTTP/1.1 4") {
			t.Fatalf("answer to the slow body: %q", answer)
		}
	})
	t.Run("idle keep-alive connection after a request", func(t *testing.T) {
		// A finished request leaves the connection idle: the server closes it after IdleTimeout.
		if cut, _ := trickle(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); !cut {
			t.Fatal("the idle connection stayed open")
		}
	})
}

// trickleOn is trickle on a connection already open.
func trickleOn(t *testing.T, conn net.Conn, data string) (bool, string) {
	t.Helper()
	var closed atomic.Bool
	got := make(chan string, 1)
	go func() {
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		var b strings.Builder
		buf := make([]byte, 512)
		for {
			n, err := conn.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				closed.Store(!isTimeout(err))
				got <- b.String()
				return
			}
		}
	}()
	for i := 0; i < len(data) && !closed.Load(); i++ {
		if _, err := conn.Write([]byte{data[i]}); err != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	answer := <-got
	return closed.Load(), answer
}

// A websocket whose client never answers pings is closed once pongWait has passed without a pong,
// and the server lets go of it; one that answers stays open however long it lasts.
func TestWebsocketWithoutPongsIsClosed(t *testing.T) {
	t.Parallel()
	// A pong may wait for a core on a loaded machine (make test runs two Chromiums beside the
	// race-instrumented tests): with 300 ms to answer, one late pong closed the live connection
	// and failed make test once. Two seconds still close the silent one quickly.
	fx := newFixture(t, withTune(func(s *web.Server) {
		web.SetWebsocketTimings(s, 200*time.Millisecond, 2*time.Second, 30*time.Second)
	}))
	s := fx.srv
	t.Run("answers pings", func(t *testing.T) {
		c := connect(t, fx.ws, fx.token)
		var pings atomic.Int32
		c.SetPingHandler(func(data string) error {
			pings.Add(1)
			return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		gridtest.Eventually(t, "ten pings (three pong waits)", func() bool { return pings.Load() >= 10 })
		if err := c.WriteJSON(reportMsg("r1", newClientID())); err != nil {
			t.Fatalf("the connection that answered pings was closed: %v", err)
		}
		if web.Connections(s) != 1 {
			t.Fatalf("%d connections held; want the live one", web.Connections(s))
		}
		c.Close()
		gridtest.Eventually(t, "the closed connection to be let go", func() bool { return web.Connections(s) == 0 })
	})
	t.Run("never answers", func(t *testing.T) {
		c := connect(t, fx.ws, fx.token)
		var pings atomic.Int32
		c.SetPingHandler(func(string) error { pings.Add(1); return nil }) // read, never answered
		closedWith(t, c)
		if pings.Load() == 0 {
			t.Fatal("closed before any ping")
		}
		gridtest.Eventually(t, "the server to let go of the silent connection", func() bool { return web.Connections(s) == 0 })
	})
	t.Run("half a frame", func(t *testing.T) {
		c := connect(t, fx.ws, fx.token)
		c.SetPingHandler(func(string) error { return nil }) // a pong now would land inside the frame
		// A text frame announcing 4,096 bytes (masked, as from a client), then 10 of them.
		frame := append([]byte{0x81, 0x80 | 126, 0x10, 0x00, 1, 2, 3, 4}, []byte("{\"type\":\"r")...)
		if _, err := c.UnderlyingConn().Write(frame); err != nil {
			t.Fatal(err)
		}
		closedWith(t, c)
		gridtest.Eventually(t, "the server to let go of the half-sent frame", func() bool { return web.Connections(s) == 0 })
	})
}

// A phone that writes but never reads fills its outgoing queue with answers (here rate_limited
// errors): at 512 queued frames the server drops it rather than buffer without bound, and it
// can connect again.
func TestClientThatNeverReadsIsDropped(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	s := fx.srv
	// A small receive buffer, so that the kernel holds few of the answers the test never reads.
	d := websocket.Dialer{Subprotocols: []string{web.Subprotocol, "bearer." + fx.token}, HandshakeTimeout: 5 * time.Second,
		NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
			if err != nil {
				return err
			}
			return serr
		}}).DialContext}
	c, _, err := d.DialContext(context.Background(), fx.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The hub counts the connection once its handler runs, a moment after the handshake.
	gridtest.Eventually(t, "the server to count the connection", func() bool { return web.Connections(s) == 1 })
	msg := []byte(`{"type":"ping?","id":"x"}`)
	sent := 0
	for ; sent < 50_000 && web.Connections(s) == 1; sent++ {
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
			break // the server has closed it
		}
	}
	gridtest.Eventually(t, "the server to drop the client that does not read", func() bool { return web.Connections(s) == 0 })
	t.Logf("dropped after %d messages", sent)
	// What the kernel had buffered, then the end: never all 50,000 answers.
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	read := 0
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			if isTimeout(err) {
				t.Fatalf("the dropped connection is still open after %d frames", read)
			}
			break
		}
		read++
	}
	if read >= sent {
		t.Fatalf("read %d answers to %d messages: nothing was dropped", read, sent)
	}
	connect(t, fx.ws, fx.token)
}
