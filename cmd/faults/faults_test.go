package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestFaultsShort is make faults in small: both scenarios with a couple of thousand reports
// each, every fault injected, every check run. Like the database tests it skips without
// TEST_DATABASE_URL (which make test sets) and fails under CI=true, though it runs a
// PostgreSQL cluster of its own, so that killing it disturbs no other test.
func TestFaultsShort(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_DATABASE_URL is not set (CI=true): run make test")
		}
		t.Skip("TEST_DATABASE_URL is not set: make test runs this")
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cfg := Config{Source: "../..", WorkDir: t.TempDir(), PGBin: "/usr/lib/postgresql/15/bin", PGPort: port,
		Scenarios: []string{"single", "cluster"}, Workers: 30, Members: 10, Rate: 100, Duration: 70 * time.Second,
		Outage: time.Second, Drain: 60 * time.Second, Out: &out, Log: testLog{t}}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	ok, err := Run(ctx, cfg)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatal("fault tests failed: see the summary above")
	}
	for _, want := range []string{"== scenario single", "== scenario cluster", "lost 0", "fault tests: ok"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary without %q", want)
		}
	}
}

// testLog sends the harness's progress to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
