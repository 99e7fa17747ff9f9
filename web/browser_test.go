package web_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// browsers bounds how many Chromium scripts run at once in this test process, whatever
// -parallel says: each is a Chromium and a node process beside the server under test, and two
// at a time is what two cores carry (docs/testing.md). GRIDDISPATCH_BROWSERS=n changes it.
var browsers = make(chan struct{}, browserSlots())

func browserSlots() int {
	if n, err := strconv.Atoi(os.Getenv("GRIDDISPATCH_BROWSERS")); err == nil && n > 0 {
		return n
	}
	return 2
}

// browserScript runs one of web/ui/e2e's scripts in headless Chromium, handing each line it
// prints to onLine (if not nil), and returns all it printed. `make test` installs Chromium and
// the npm packages and builds the apps first; a plain `go test` without them fails, saying so,
// unless GRIDDISPATCH_SKIP_BROWSER=1. Each script launches a Chromium of its own with a fresh
// profile, against the test's own server, so browser tests run in parallel; the script gets
// SHOTS, the test's folder under GRIDDISPATCH_SHOTS, unless env names another.
func browserScript(t *testing.T, script string, onLine func(string), env ...string) []byte {
	t.Helper()
	needBrowser(t, "phone")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed")
	}
	browsers <- struct{}{}
	defer func() { <-browsers }()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", script))
	cmd.Dir = "ui"
	cmd.Env = append(os.Environ(), "SHOTS="+shotsDir(t))
	cmd.Env = append(cmd.Env, env...)
	cmd.Env = append(cmd.Env, "SCREENSHOT="+filepath.Join(t.TempDir(), "failure.png"))
	var stdout, stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(pipe)
	for lines.Scan() {
		stdout.Write(lines.Bytes())
		stdout.WriteByte('\n')
		if onLine != nil {
			onLine(lines.Text())
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.String())
	}
	t.Logf("%s:\n%s", script, stderr.String())
	return stdout.Bytes()
}

// shotsDir is where this test's scripts keep their screenshots: a folder named for the test
// under GRIDDISPATCH_SHOTS, so that tests running at once never write the same file; "" (no
// screenshots) when GRIDDISPATCH_SHOTS is not set.
func shotsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("GRIDDISPATCH_SHOTS")
	if root == "" {
		return ""
	}
	dir := filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
