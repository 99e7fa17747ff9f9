package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// subprotocol is version 1 of the phone protocol (docs/protocol.md).
const subprotocol = "griddispatch.v1"

// dialers open websockets from several local addresses in turn: loopback has about 28,000
// ephemeral ports per source address, so 100,000 connections need at least four.
type dialers struct {
	urls []string // websocket endpoints, one per server
	list []*websocket.Dialer
}

func newDialers(cfg Config) *dialers {
	// Phones mostly wait; a shared pool means an idle one holds no write buffer.
	pool := &sync.Pool{}
	mk := func(local net.Addr) *websocket.Dialer {
		nd := &net.Dialer{Timeout: 30 * time.Second, LocalAddr: local}
		return &websocket.Dialer{NetDialContext: nd.DialContext, HandshakeTimeout: 30 * time.Second,
			ReadBufferSize: 1024, WriteBufferSize: 1024, WriteBufferPool: pool}
	}
	d := &dialers{}
	for _, u := range cfg.URLs {
		d.urls = append(d.urls, wsURL(u))
	}
	for _, ip := range cfg.SourceAddrs {
		d.list = append(d.list, mk(&net.TCPAddr{IP: ip}))
	}
	if len(d.list) == 0 {
		d.list = append(d.list, mk(nil))
	}
	return d
}

// errTokenRefused is a 401 at the upgrade: the token belongs to another database, or was revoked.
var errTokenRefused = errors.New("the server refused the session token (401); if --sessions-file holds tokens of another database, delete it")

// dial connects phone i, to server i mod len(urls), with a member's token and reads the
// server's hello.
func (d *dialers) dial(ctx context.Context, i int, token string) (*websocket.Conn, error) {
	return d.dialServer(ctx, i, i, token)
}

// dialServer connects phone i to server n mod len(urls).
func (d *dialers) dialServer(ctx context.Context, i, n int, token string) (*websocket.Conn, error) {
	wd := *d.list[i%len(d.list)]
	wd.Subprotocols = []string{subprotocol, "bearer." + token}
	url := d.urls[n%len(d.urls)]
	ws, resp, err := wd.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return nil, errTokenRefused
		}
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %s", url, resp.Status)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var hello struct {
		Type string `json:"type"`
	}
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		ws.Close()
		return nil, fmt.Errorf("no hello from the server: %v", err)
	}
	ws.SetReadDeadline(time.Time{})
	return ws, nil
}
