package main

import (
	"io"
	"net"
	"sync"
	"testing"
)

// cuttingProxy forwards TCP connections to a server and can cut them all at once, as a
// server's death looks to its clients.
type cuttingProxy struct {
	l  net.Listener
	mu sync.Mutex
	cs []net.Conn
}

func newCuttingProxy(t *testing.T, target string) *cuttingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{l: l}
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.cs = append(p.cs, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *cuttingProxy) addr() string { return p.l.Addr().String() }

// count is how many connections are open through the proxy.
func (p *cuttingProxy) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.cs) / 2
}

// cut closes every connection made so far.
func (p *cuttingProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.cs {
		c.Close()
	}
	p.cs = nil
}
