package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer lets the test read the server's log while the server writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer builds the real griddispatch binary and serves databaseURL with it (embedded
// NATS, its own data directory), stopping it with SIGTERM when the test ends. It returns the
// address served.
func startServer(t *testing.T, databaseURL string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "griddispatch")
	if out, err := exec.Command("go", "build", "-o", bin, "../griddispatch").CombinedOutput(); err != nil {
		t.Fatalf("build griddispatch: %v\n%s", err, out)
	}
	logs := &lockedBuffer{}
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-format", "json")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+databaseURL)
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("griddispatch still running 30s after SIGTERM\n%s", logs)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "serving" {
				return rec.Addr
			}
		}
		select {
		case <-exited:
			t.Fatalf("griddispatch exited before serving:\n%s", logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("griddispatch not serving within 60s:\n%s", logs)
	return ""
}
