package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// startLoadgen starts reconnecting phones over every griddispatch and returns when they
// report, with the time they started.
func (r *scenarioRun) startLoadgen(ctx context.Context) (*process, time.Time, error) {
	lg := &process{name: "loadgen", path: filepath.Join(r.cfg.BinDir, "loadgen"), logPath: filepath.Join(r.dir, "loadgen.log"),
		args: []string{"--url", strings.Join(r.c.httpURL, ","), "--database-url", r.dbURL, "--root", demoCounty,
			"--workers", strconv.Itoa(r.cfg.Workers), "--members", strconv.Itoa(r.cfg.Members),
			"--rate", strconv.FormatFloat(r.cfg.Rate, 'f', -1, 64), "--duration", r.cfg.Duration.String(),
			"--drain", r.cfg.Drain.String(), "--reconnect", "--result-file", filepath.Join(r.dir, "loadgen.json")}}
	if err := lg.start(); err != nil {
		return nil, time.Time{}, err
	}
	deadline := time.Now().Add(loadgenStartWait)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(lg.logPath)
		if strings.Contains(string(b), "reporting ") {
			// loadgen starts its schedule a second after saying so.
			start := time.Now().Add(time.Second)
			fmt.Fprintf(r.cfg.Log, "%s: loadgen reporting %g/s from %d phones for %s\n", r.name, r.cfg.Rate, r.cfg.Workers, r.cfg.Duration)
			return lg, start, nil
		}
		if !lg.running() {
			return nil, time.Time{}, fmt.Errorf("loadgen exited before reporting:\n%s", b)
		}
		select {
		case <-ctx.Done():
			lg.kill()
			return nil, time.Time{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	lg.kill()
	return nil, time.Time{}, fmt.Errorf("loadgen not reporting within %s (see %s)", loadgenStartWait, lg.logPath)
}

// loadgenResult is the part of loadgen's --result-file the harness uses.
type loadgenResult struct {
	Reports, AckedReports, Messages, Resends, Acks, DupAcks int64
	FreshTwice, Disagreeing, Waiting, Reconnects, Abandoned int64
	Disconnects                                             int64
	Errors                                                  map[string]int64
	Check                                                   struct{ Acked, Events, Cases, Unlocated, Missing, WrongEvent, WrongCases, CaseForUnloc int64 }
	CheckOK, Consistent                                     bool
	Interruptions                                           []interruption
}

type interruption struct {
	Phone int       `json:"phone"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
}

func readLoadgenResult(path, logPath string) (loadgenResult, error) {
	var r loadgenResult
	b, err := os.ReadFile(path)
	if err != nil {
		log, _ := os.ReadFile(logPath)
		return r, fmt.Errorf("loadgen wrote no result: %w\n%s", err, log)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("loadgen result %s: %w", path, err)
	}
	return r, nil
}
