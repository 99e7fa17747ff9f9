package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// The real apps through the faults (--apps): web/ui/e2e/faults_apps.mjs keeps a grid worker's
// phone app and their village mediator's console open in Chromium. At each kill the harness
// touches fault-N in the script's signal directory; the phone reports at once (into its outbox
// while the piece is down), and the script waits until the report is acknowledged with a case
// number and the console shows the case live, both having reconnected by themselves.
const (
	appsPhone    = "13901000011" // grid worker of 西花园社区第1网格 (140802001001001)
	appsMediator = "13901000009" // mediator of 西花园社区 (140802001001)
	appsLon      = "111.0847"
	appsLat      = "35.0653"
)

// appsStep is one line the script prints.
type appsStep struct {
	Step          string `json:"step"`
	N             int    `json:"n"`
	CaseID        int64  `json:"case_id"`
	PhoneAckedMs  int64  `json:"phone_acked_ms"`
	ConsoleSeenMs int64  `json:"console_seen_ms"`
	PhoneDrops    int    `json:"phone_drops"`
	ConsoleDrops  int    `json:"console_drops"`
}

type apps struct {
	dir    string
	cmd    *exec.Cmd
	mu     sync.Mutex
	steps  []appsStep
	ready  chan struct{}
	exited chan error
	faults int
}

// startApps runs the script against the first griddispatch (console) and the last (phone),
// and returns once both apps are signed in and online.
func (r *scenarioRun) startApps(ctx context.Context) (*apps, error) {
	a := &apps{dir: filepath.Join(r.dir, "apps"), ready: make(chan struct{}), exited: make(chan error, 1)}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(r.dir, "apps.log"))
	if err != nil {
		return nil, err
	}
	a.cmd = exec.CommandContext(ctx, "node", "e2e/faults_apps.mjs")
	a.cmd.Dir = filepath.Join(r.cfg.Source, "web", "ui")
	a.cmd.Env = append(os.Environ(), "PHONE_URL="+r.c.httpURL[len(r.c.httpURL)-1], "CONSOLE_URL="+r.c.httpURL[0],
		"PASSWORD="+demoPassword, "PHONE="+appsPhone, "MEDIATOR="+appsMediator, "LON="+appsLon, "LAT="+appsLat,
		"SIGNAL_DIR="+a.dir)
	a.cmd.Stderr = logFile
	out, err := a.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := a.cmd.Start(); err != nil {
		return nil, fmt.Errorf("node e2e/faults_apps.mjs: %w (make faults builds web/ui first)", err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(logFile, sc.Text())
			var s appsStep
			if json.Unmarshal(sc.Bytes(), &s) != nil {
				continue
			}
			a.mu.Lock()
			a.steps = append(a.steps, s)
			a.mu.Unlock()
			if s.Step == "ready" {
				close(a.ready)
			}
		}
		a.exited <- a.cmd.Wait()
		logFile.Close()
	}()
	select {
	case <-a.ready:
		return a, nil
	case err := <-a.exited:
		return nil, fmt.Errorf("the apps script ended before it was ready: %v (see %s)", err, logFile.Name())
	case <-time.After(3 * time.Minute):
		a.cmd.Process.Kill()
		return nil, fmt.Errorf("the apps were not online after 3 minutes (see %s)", logFile.Name())
	}
}

// fault tells the script a piece was just killed.
func (a *apps) fault() {
	a.faults++
	os.WriteFile(filepath.Join(a.dir, "fault-"+strconv.Itoa(a.faults)), nil, 0o644)
}

// finish waits for the script's last fault step, stops it, and checks every fault had one.
func (a *apps) finish(within time.Duration) (check, []appsStep) {
	c := check{What: "the phone app and the console in Chromium: each fault's report acknowledged and shown live, reconnected by themselves"}
	deadline := time.Now().Add(within)
	for a.count("fault") < a.faults && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	os.WriteFile(filepath.Join(a.dir, "stop"), nil, 0o644)
	select {
	case err := <-a.exited:
		c.Err = err
	case <-time.After(time.Minute):
		a.cmd.Process.Kill()
		c.Err = fmt.Errorf("the apps script did not stop")
	}
	c.Bad = int64(a.faults - a.count("fault"))
	a.mu.Lock()
	defer a.mu.Unlock()
	return c, append([]appsStep(nil), a.steps...)
}

func (a *apps) count(step string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, s := range a.steps {
		if s.Step == step {
			n++
		}
	}
	return n
}
