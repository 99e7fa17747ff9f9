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

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/web"
)

// tunedFixture is newFixture with a hand on the server before it opens: tune shortens its
// timeouts (web's hostile_export_test.go), and the server is returned to look into.
func tunedFixture(t *testing.T, tune func(*web.Server)) (*fixture, *web.Server) {
	t.Helper()
	fx := openFixture(t, nil, tune)
	return fx, fx.srv
}

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

// submitCase stores a neighbour dispute reported by the member with phone and returns its case.
func submitCase(t *testing.T, fx *fixture, phone, description string) int64 {
	t.Helper()
	var reporter int64
	if err := fx.pool.QueryRow(context.Background(), `SELECT id FROM members WHERE phone = $1`, phone).Scan(&reporter); err != nil {
		t.Fatal(err)
	}
	rc, err := fx.intake.Submit(context.Background(), dispatch.Report{ClientID: newClientID(), ReporterID: reporter,
		Category: "neighbour", Severity: "normal", Description: description, Lon: 111.02, Lat: 35.02,
		HappenedAt: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return rc.CaseID
}
