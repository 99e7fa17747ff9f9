package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cluster is what one scenario runs: NATS nodes and griddispatch processes, against one
// database of the harness's PostgreSQL.
type cluster struct {
	nats    []*process
	servers []*process
	natsURL string   // every node, comma-separated, as griddispatch is given it
	httpURL []string // each griddispatch's base URL
}

// freePort asks the kernel for a port free on loopback now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func freePorts(n int) ([]int, error) {
	ports := make([]int, n)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	return ports, nil
}

// natsNodes describes n nats-server processes with JetStream on loopback; with n > 1 they form
// one cluster through routes.
func natsNodes(bin, dir string, n int) ([]*process, string, error) {
	client, err := freePorts(n)
	if err != nil {
		return nil, "", err
	}
	routes, err := freePorts(n)
	if err != nil {
		return nil, "", err
	}
	var nodes []*process
	var urls, routeURLs []string
	for i := range n {
		urls = append(urls, "nats://127.0.0.1:"+strconv.Itoa(client[i]))
		routeURLs = append(routeURLs, "nats://127.0.0.1:"+strconv.Itoa(routes[i]))
	}
	for i := range n {
		name := fmt.Sprintf("nats-%c", 'a'+i)
		store := filepath.Join(dir, name)
		if err := os.MkdirAll(store, 0o755); err != nil {
			return nil, "", err
		}
		args := []string{"-a", "127.0.0.1", "-p", strconv.Itoa(client[i]), "-js", "-sd", store, "-n", name}
		if n > 1 {
			args = append(args, "--cluster_name", "griddispatch-faults", "--cluster", routeURLs[i],
				"--routes", strings.Join(routeURLs, ","))
		}
		nodes = append(nodes, &process{name: name, path: filepath.Join(bin, "nats-server"), args: args,
			logPath: filepath.Join(dir, name+".log")})
	}
	return nodes, strings.Join(urls, ","), nil
}

// griddispatchServers describes n griddispatch serve processes on the NATS at natsURL.
func griddispatchServers(bin, dir, databaseURL, natsURL string, n int, extra []string) ([]*process, []string, error) {
	ports, err := freePorts(n)
	if err != nil {
		return nil, nil, err
	}
	var servers []*process
	var urls []string
	for i := range n {
		name := fmt.Sprintf("griddispatch-%d", i+1)
		data := filepath.Join(dir, name)
		if err := os.MkdirAll(data, 0o755); err != nil {
			return nil, nil, err
		}
		listen := "127.0.0.1:" + strconv.Itoa(ports[i])
		args := append([]string{"serve", "--listen", listen, "--data-dir", data, "--nats-url", natsURL,
			"--log-format", "json"}, extra...)
		servers = append(servers, &process{name: name, path: filepath.Join(bin, "griddispatch"), args: args,
			env: []string{"DATABASE_URL=" + databaseURL}, logPath: filepath.Join(dir, name+".log")})
		urls = append(urls, "http://"+listen)
	}
	return servers, urls, nil
}

var httpClient = &http.Client{Timeout: 2 * time.Second}

// ready says whether a griddispatch answers /readyz with 200: PostgreSQL, the schema, NATS
// with JetStream and the grid index all fine.
func ready(ctx context.Context, base string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return false
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// waitReady polls every base URL's /readyz until all are green, and says when they were.
func waitReady(ctx context.Context, bases []string, within time.Duration) (time.Time, error) {
	deadline := time.Now().Add(within)
	for {
		all := true
		for _, b := range bases {
			if !ready(ctx, b) {
				all = false
				break
			}
		}
		if all {
			return time.Now(), nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s not ready within %s", strings.Join(bases, ", "), within)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// startAll starts processes in order.
func startAll(ps []*process) error {
	for _, p := range ps {
		if err := p.start(); err != nil {
			return err
		}
	}
	return nil
}

// stopAll stops processes, the last started first.
func stopAll(ps []*process) {
	for i := len(ps) - 1; i >= 0; i-- {
		ps[i].stop()
	}
}
