package main

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// natsCluster is a JetStream cluster of real NATS servers in the test's process, routed to
// each other on loopback, each with its store in the test's temporary directory.
type natsCluster struct {
	servers []*server.Server
}

// startNATSCluster starts n servers and waits until JetStream has a meta leader.
func startNATSCluster(tb testing.TB, n int) *natsCluster {
	tb.Helper()
	ports := make([]int, n)
	routes := make([]string, n)
	for i := range ports {
		ports[i] = freePort(tb)
		routes[i] = fmt.Sprintf("nats://127.0.0.1:%d", ports[i])
	}
	c := &natsCluster{}
	for i := range n {
		ns, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: -1,
			JetStream: true, StoreDir: tb.TempDir(), NoSigs: true, NoLog: true,
			Cluster: server.ClusterOpts{Name: "griddispatch-test", Host: "127.0.0.1", Port: ports[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
		})
		if err != nil {
			tb.Fatal(err)
		}
		ns.Start()
		tb.Cleanup(ns.Shutdown)
		c.servers = append(c.servers, ns)
	}
	for _, ns := range c.servers {
		if !ns.ReadyForConnections(10 * time.Second) {
			tb.Fatalf("nats %s not ready", ns.Name())
		}
	}
	gridtest.EventuallyWithin(tb, 30*time.Second, "a JetStream meta leader", func() bool { return c.leader() != nil })
	return c
}

// freePort is a loopback TCP port nobody listened on a moment ago (cluster routes must be
// known before the servers start, so port 0 cannot be used for them).
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// URL lists every server's client address, as --nats-url takes it.
func (c *natsCluster) URL() string {
	urls := make([]string, len(c.servers))
	for i, ns := range c.servers {
		urls[i] = ns.ClientURL()
	}
	return strings.Join(urls, ",")
}

// leader is the server leading the JetStream meta group, nil while it is elected.
func (c *natsCluster) leader() *server.Server {
	for _, ns := range c.servers {
		if ns.Running() && ns.JetStreamIsLeader() {
			return ns
		}
	}
	return nil
}

// streamLeader is the server leading the stream's raft group, nil while it is elected.
func (c *natsCluster) streamLeader(stream string) *server.Server {
	for _, ns := range c.servers {
		if ns.Running() && ns.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, stream) {
			return ns
		}
	}
	return nil
}

// streamOn is what server ns holds of a stream, with its consumers; nil if it holds none.
func streamOn(tb testing.TB, ns *server.Server, name string) *server.StreamDetail {
	tb.Helper()
	acc, err := ns.JszAccount(&server.JSzOptions{Account: server.DEFAULT_GLOBAL_ACCOUNT, Streams: true,
		Consumer: true, Config: true})
	if err != nil {
		tb.Fatal(err)
	}
	for i := range acc.Streams {
		if acc.Streams[i].Name == name {
			return &acc.Streams[i]
		}
	}
	return nil
}
