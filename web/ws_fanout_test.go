package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// consoleRig is a hub with n websocket consoles subscribed to one centre, each connection
// served by the production reader and writer, without sign-in (the hub is what is measured).
type consoleRig struct {
	s       *Server
	clients []*websocket.Conn
	server  []*wsConn
	mu      sync.Mutex
}

func newConsoleRig(tb testing.TB, n int) *consoleRig {
	tb.Helper()
	rig := &consoleRig{s: &Server{logger: slog.New(slog.NewTextHandler(io.Discard, nil)), hub: newHub()}}
	up := websocket.Upgrader{ReadBufferSize: readBufferBytes, WriteBufferSize: writeBufferBytes, WriteBufferPool: &writeBuffers}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		c := &wsConn{s: rig.s, ws: ws, p: Principal{Member: grid.Member{ID: 1}}, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}
		rig.s.hub.subscribe(c, subscription{code: "140802001"})
		rig.mu.Lock()
		rig.server = append(rig.server, c)
		rig.mu.Unlock()
		go c.writer()
		go c.reader()
	}))
	tb.Cleanup(srv.Close)
	for range n {
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { c.Close() })
		rig.clients = append(rig.clients, c)
	}
	gridtest.Eventually(tb, "every console subscribed", func() bool { return rig.subscribed() >= n })
	return rig
}

func (rig *consoleRig) subscribed() int {
	rig.s.hub.mu.Lock()
	defer rig.s.hub.mu.Unlock()
	return len(rig.s.hub.byCentre["140802001"])
}

// transition is the payload of one transition into centre 140802001, stamped with when it was
// handed to the hub.
func transition(id int64) []byte { return transitionWith(id, "需镇司法所") }

func transitionWith(id int64, reason string) []byte {
	b, _ := json.Marshal(dispatch.CaseEvent{TransitionID: id, CaseID: id, Action: "escalate", State: dispatch.StateQueued,
		Level: 2, Centre: "140802001", FromCentre: "140802001001", Unit: "140802001001001001", UnitName: "东阜村第1网格第1微网格",
		Category: "neighbour", Severity: "normal", Reporter: 2, Actor: 3, Version: 5, Reason: reason,
		At: time.Now()})
	return b
}

// A console that stops reading is cut off once its queue is full; the others receive every
// frame meanwhile, and the hub never waits for the slow one.
func TestSlowConsoleIsCutOffNotWaitedFor(t *testing.T) {
	t.Parallel()
	rig := newConsoleRig(t, 4)
	slow := rig.clients[0] // never reads
	var received [3]atomic.Int64
	for i, c := range rig.clients[1:] {
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
				received[i].Add(1)
			}
		}()
	}
	// Frames of 6 KB (the longest reason), 18 MB in all: more than the kernel buffers between
	// the server and the slow console hold.
	const frames = 3000
	reason := strings.Repeat("调", dispatch.MaxReasonChars)
	for i := range int64(frames) {
		rig.s.hub.deliver("case.escalate.140802.001.001.001.001", transitionWith(i+1, reason))
		for j := range received { // keep the fast ones within their queue, as a real rate would
			for received[j].Load() < i-sendQueue/2 {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}
	for j := range received {
		gridtest.Eventually(t, fmt.Sprintf("console %d to receive all %d frames", j+1, frames), func() bool {
			return received[j].Load() >= frames
		})
	}
	rig.mu.Lock()
	defer rig.mu.Unlock()
	cut := 0
	for _, c := range rig.server {
		if c.ctx.Err() != nil {
			cut++
		}
	}
	if cut != 1 {
		t.Fatalf("%d consoles were cut off; want only the one that stopped reading", cut)
	}
	if _, _, err := slow.ReadMessage(); err != nil {
		return
	}
	for { // what the kernel buffered, then the end
		slow.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := slow.ReadMessage(); err != nil {
			if strings.Contains(err.Error(), "timeout") {
				t.Fatalf("the slow console's connection was not closed: %v", err)
			}
			return
		}
	}
}

// frameTime reads a frame's "at" without decoding the rest, so that the consoles, which share
// the machine with the server here, take as little of its CPU as they can.
func frameTime(data []byte) (time.Time, bool) {
	i := bytes.LastIndex(data, []byte(`"at":"`))
	if i < 0 {
		return time.Time{}, false
	}
	rest := data[i+6:]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:j]))
	return t, err == nil
}

// BenchmarkFanout hands transitions to the hub at a steady rate for consoles watching their
// centre, and measures frames delivered per second and the delay from hand-over to receipt.
// b.N is the number of transitions; every console receives each one.
func BenchmarkFanout(b *testing.B) {
	for _, tc := range []struct{ consoles, rate int }{{100, 1000}, {1000, 100}, {1000, 200}} {
		b.Run(fmt.Sprintf("consoles=%d/transitions_per_s=%d", tc.consoles, tc.rate), func(b *testing.B) {
			rig := newConsoleRig(b, tc.consoles)
			var frames atomic.Int64
			var mu sync.Mutex
			var delays []time.Duration
			for _, c := range rig.clients {
				go func() {
					for {
						_, data, err := c.ReadMessage()
						if err != nil {
							return
						}
						if at, ok := frameTime(data); ok {
							d := time.Since(at)
							mu.Lock()
							delays = append(delays, d)
							mu.Unlock()
						}
						frames.Add(1)
					}
				}()
			}
			interval := time.Second / time.Duration(tc.rate)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
					time.Sleep(wait)
				}
				rig.s.hub.deliver("case.escalate.140802.001.001.001.001", transition(int64(i+1)))
			}
			want := int64(b.N * tc.consoles)
			deadline := time.Now().Add(60 * time.Second)
			for frames.Load() < want && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if got := frames.Load(); got < want {
				cut := 0
				for _, c := range rig.server {
					if c.ctx.Err() != nil {
						cut++
					}
				}
				b.Fatalf("%d of %d frames delivered; %d consoles cut off", got, want, cut)
			}
			mu.Lock()
			slices.Sort(delays)
			p := func(q float64) float64 { return float64(delays[int(q*float64(len(delays)-1))]) / 1e6 }
			b.ReportMetric(float64(want)/elapsed.Seconds(), "frames/s")
			b.ReportMetric(p(0.5), "p50_ms")
			b.ReportMetric(p(0.99), "p99_ms")
			b.ReportMetric(p(1), "max_ms")
			mu.Unlock()
		})
	}
}
