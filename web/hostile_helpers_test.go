package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// closedWith reads until the server closes the connection and returns the close frame's code
// (0 if the connection ended without one) and the error frames that came before it. A read
// timeout fails the test: the server kept the connection open.
func closedWith(t *testing.T, c *websocket.Conn) (code int, errs []map[string]any) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		var m map[string]any
		err := c.ReadJSON(&m)
		if err == nil {
			if m["type"] == "error" {
				errs = append(errs, m)
			}
			continue
		}
		var ce *websocket.CloseError
		var ne net.Error
		switch {
		case errors.As(err, &ce):
			return ce.Code, errs
		case errors.As(err, &ne) && ne.Timeout():
			t.Fatalf("the server kept the connection open (errors so far: %v)", errs)
		}
		return 0, errs
	}
}

// jsonBody decodes a response body.
func jsonBody(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// countOf runs a query that returns one number.
func countOf(t *testing.T, fx *fixture, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := fx.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
