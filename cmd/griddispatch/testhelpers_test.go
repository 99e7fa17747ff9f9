package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
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
