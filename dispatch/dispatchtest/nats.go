// Package dispatchtest holds what tests of any package need to run dispatch for real: a NATS
// server with JetStream, in the test's process, its store in the test's temporary directory
// (STYLE.md: Port -1, t.TempDir()), and Eventually, the one way tests wait for what happens
// asynchronously. It imports nothing of ours, so dispatch's own internal tests may use it.
package dispatchtest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NATS starts a NATS server with JetStream on a free loopback port and stops it when the test
// ends.
func NATS(tb testing.TB) *server.Server {
	tb.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: tb.TempDir(),
		NoSigs: true, NoLog: true})
	if err != nil {
		tb.Fatal(err)
	}
	ns.Start()
	tb.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(10 * time.Second) {
		tb.Fatal("nats not ready")
	}
	return ns
}
