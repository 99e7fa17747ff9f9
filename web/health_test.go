package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/griddispatch/griddispatch/web"
)

func serve(t *testing.T, checks []web.Check) string {
	t.Helper()
	s, err := web.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Checks: checks})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return "http://" + s.Addr()
}

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("%s: Content-Type %q", url, ct)
	}
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	hang := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	cases := []struct {
		name     string
		checks   []web.Check
		wantCode int
		wantBad  string
	}{
		{"all pass", []web.Check{{"postgres", ok}, {"nats", ok}}, http.StatusOK, ""},
		{"one fails", []web.Check{{"postgres", ok}, {"nats", down}}, http.StatusServiceUnavailable, "nats"},
		{"one hangs", []web.Check{{"postgres", hang}, {"nats", ok}}, http.StatusServiceUnavailable, "postgres"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := serve(t, tc.checks)
			code, body := get(t, base+"/readyz")
			if code != tc.wantCode {
				t.Fatalf("/readyz: %d %v; want %d", code, body, tc.wantCode)
			}
			checks := body["checks"].(map[string]any)
			for name, result := range checks {
				if (name == tc.wantBad) == (result == "ok") {
					t.Errorf("check %s: %v", name, result)
				}
			}
			if code, body := get(t, base+"/healthz"); code != http.StatusOK || body["status"] != "ok" {
				t.Fatalf("/healthz: %d %v", code, body)
			}
		})
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	base := serve(t, nil)
	resp, err := http.Post(base+"/readyz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /readyz: %d", resp.StatusCode)
	}
}
