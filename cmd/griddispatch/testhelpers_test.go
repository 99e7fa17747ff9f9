package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
	"github.com/griddispatch/griddispatch/web"
)

// syncWriter lets the test read a child's stderr while the child writes it.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) snapshot() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

// waitForLog polls the child's JSON log for a message and returns its addr attribute.
func waitForLog(t *testing.T, cmd *exec.Cmd, logs *bytes.Buffer, msg string) string {
	t.Helper()
	sw := cmd.Stderr.(*syncWriter)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(sw.snapshot()))
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
				addr, _ := rec["addr"].(string)
				return addr
			}
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %q in the log within 60s:\n%s", msg, sw.snapshot())
	return ""
}

var _ io.Writer = (*syncWriter)(nil)

// signedInMember creates a member with one assignment, signs them in, and returns them with
// their session token.
func signedInMember(tb testing.TB, db *dbtest.DB, phone, unit string, role grid.Role) (grid.Member, string) {
	tb.Helper()
	ctx := context.Background()
	g := grid.NewStore(db.Pool)
	m, err := g.CreateMember(ctx, phone, "成员")
	if err != nil {
		tb.Fatal(err)
	}
	gridtest.SetPassword(tb, db.Pool, m.ID, "a-password")
	if err := g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: unit, Role: role}); err != nil {
		tb.Fatal(err)
	}
	s, err := web.NewAuth(db.Pool, g).SignIn(ctx, phone, "a-password", "127.0.0.1", "test")
	if err != nil {
		tb.Fatal(err)
	}
	return m, s.Token
}

// startServer runs a serve process on a free port against the database and, unless natsURL is
// empty, that NATS server (else an embedded one). The caller closes it.
func startServer(tb testing.TB, db *dbtest.DB, natsURL string) *Main {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.Listen, cfg.DataDir = db.URL, natsURL, "127.0.0.1:0", tb.TempDir()
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		tb.Fatal(err)
	}
	return m
}
