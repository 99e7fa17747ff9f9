package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// fault is a piece of the deployment the harness kills and starts again.
type fault string

const (
	faultGriddispatch fault = "griddispatch"
	faultNATS         fault = "nats"
	faultPostgres     fault = "postgres"
)

// scenario is a deployment and the faults injected into it, in turn.
type scenario struct {
	natsNodes, servers int
	faults             []fault
}

var scenarios = map[string]scenario{
	"single":  {natsNodes: 1, servers: 1, faults: []fault{faultGriddispatch, faultNATS, faultPostgres}},
	"cluster": {natsNodes: 3, servers: 2, faults: []fault{faultNATS, faultGriddispatch}},
}

// The demo county the load reports in, and the console watching it: a county supervisor
// (docs/api.md, "Demo accounts").
const (
	demoCounty       = "140802"
	consolePhone     = "13901000003"
	demoPassword     = "demo1408"
	loadgenStartWait = 5 * time.Minute
)

// scenarioRun is one scenario being run.
type scenarioRun struct {
	name     string
	sc       scenario
	cfg      Config
	pg       *postgres
	dir      string
	dbURL    string
	c        cluster
	replicas int // the streams' replicas, as JetStream reports them
	console  *console
	apps     *apps     // the phone app and console in Chromium, with --apps
	start    time.Time // when loadgen began reporting
}

// scenarioResult is what one scenario measured and checked.
type scenarioResult struct {
	Name     string
	Replicas int
	Loadgen  loadgenResult
	Faults   []faultResult
	Totals   storeTotals
	Checks   []check
	Frames   int // case frames the console received
	Distinct int // distinct transitions among them
	Repeated int // transitions it received more than once (allowed after a reconnection)
	LateLive bool
	Start    time.Time
	Apps     []appsStep
}

func runScenario(ctx context.Context, cfg Config, pg *postgres, name string) (*scenarioResult, error) {
	r := &scenarioRun{name: name, sc: scenarios[name], cfg: cfg, pg: pg, dir: filepath.Join(cfg.WorkDir, name)}
	if err := os.RemoveAll(r.dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Log, "== %s: %d NATS node(s), %d griddispatch process(es); logs in %s\n", name, r.sc.natsNodes, r.sc.servers, r.dir)
	if err := r.setUpDatabase(ctx); err != nil {
		return nil, err
	}
	defer r.stop()
	if err := r.startCluster(ctx); err != nil {
		return nil, err
	}
	consoleCtx, stopConsole := context.WithCancel(ctx)
	defer stopConsole()
	r.console = newConsole(r.c.httpURL, consolePhone, demoPassword, demoCounty)
	go r.console.run(consoleCtx)
	if cfg.Apps {
		appsCtx, stopApps := context.WithCancel(ctx) // outlives the console: finish stops it
		defer stopApps()
		var err error
		if r.apps, err = r.startApps(appsCtx); err != nil {
			return nil, err
		}
	}

	res := &scenarioResult{Name: name, Replicas: r.replicas}
	lg, start, err := r.startLoadgen(ctx)
	if err != nil {
		return nil, err
	}
	defer lg.kill()
	res.Start, r.start = start, start
	for i, f := range r.sc.faults {
		// Faults over the first 60% of the load: the rest is for the last recovery (crash
		// recovery replays the WAL since the last checkpoint) and the updates after it.
		at := start.Add(cfg.Duration * 6 * time.Duration(i+1) / time.Duration(10*len(r.sc.faults)))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Until(at)):
		}
		fr, err := r.inject(ctx, f)
		if err != nil {
			return nil, err
		}
		res.Faults = append(res.Faults, fr)
	}
	// The console must be seen to get updates after the last fault, so the load must outlast it.
	if last := res.Faults[len(res.Faults)-1]; last.Relayed.After(start.Add(cfg.Duration - time.Second)) {
		return nil, fmt.Errorf("the last fault recovered %.1fs after loadgen began, too close to the end of its %s: lengthen --duration",
			last.Relayed.Sub(start).Seconds(), cfg.Duration)
	}
	fmt.Fprintf(cfg.Log, "%s: faults done; waiting for loadgen to finish and check\n", name)
	if err := waitExit(ctx, lg, cfg.Duration+cfg.Drain+15*time.Minute); err != nil {
		return nil, err
	}
	if res.Loadgen, err = readLoadgenResult(filepath.Join(r.dir, "loadgen.json"), filepath.Join(r.dir, "loadgen.log")); err != nil {
		return nil, err
	}
	for i := range res.Faults {
		until := time.Now()
		if i+1 < len(res.Faults) {
			until = res.Faults[i+1].Killed
		}
		res.Faults[i].Console = r.console.around(res.Faults[i].Killed, until)
		res.Faults[i].Phones = phonesAround(res.Loadgen.Interruptions, res.Faults[i].Killed, until)
	}
	stopConsole()
	fmt.Fprintf(cfg.Log, "%s: console subscribed at%s\n", name, r.console.log(start))
	res.Frames, res.Distinct, res.Repeated = r.console.counts()
	if n := len(res.Faults); n > 0 {
		res.LateLive = r.console.lastFrame().After(res.Faults[n-1].Ready)
	}
	if err := r.check(ctx, res); err != nil {
		return nil, err
	}
	if r.apps != nil {
		c, steps := r.apps.finish(3 * time.Minute)
		res.Checks, res.Apps = append(res.Checks, c), steps
	}
	return res, nil
}

// setUpDatabase makes the scenario's database: PostGIS, the migrations, the demo county.
func (r *scenarioRun) setUpDatabase(ctx context.Context) error {
	db := "faults_" + r.name
	if err := r.pg.createDatabase(ctx, db); err != nil {
		return err
	}
	r.dbURL = r.pg.url(db)
	for _, args := range [][]string{{"migrate"}, {"demo", "load", "--county", demoCounty}} {
		cmd := exec.CommandContext(ctx, filepath.Join(r.cfg.BinDir, "griddispatch"), args...)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+r.dbURL)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("griddispatch %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	// Crash recovery then replays the load's WAL, not the demo's.
	conn, err := pgx.Connect(ctx, r.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CHECKPOINT")
	return err
}

// startCluster starts the NATS nodes, waits for JetStream, then the griddispatch processes.
func (r *scenarioRun) startCluster(ctx context.Context) error {
	var err error
	if r.c.nats, r.c.natsURL, err = natsNodes(r.cfg.BinDir, r.dir, r.sc.natsNodes); err != nil {
		return err
	}
	if err := startAll(r.c.nats); err != nil {
		return err
	}
	if err := waitJetStream(ctx, r.c.natsURL, 60*time.Second); err != nil {
		return err
	}
	var extra []string
	if r.sc.natsNodes > 1 && supportsReplicas(ctx, r.cfg.BinDir) {
		extra = []string{"--nats-replicas", strconv.Itoa(r.sc.natsNodes)}
	}
	if r.c.servers, r.c.httpURL, err = griddispatchServers(r.cfg.BinDir, r.dir, r.dbURL, r.c.natsURL, r.sc.servers, extra); err != nil {
		return err
	}
	// One first, so that the others find the streams made.
	if err := r.c.servers[0].start(); err != nil {
		return err
	}
	if _, err := waitReady(ctx, r.c.httpURL[:1], 90*time.Second); err != nil {
		return fmt.Errorf("%w (see %s)", err, r.c.servers[0].logPath)
	}
	if err := startAll(r.c.servers[1:]); err != nil {
		return err
	}
	if _, err := waitReady(ctx, r.c.httpURL, 90*time.Second); err != nil {
		return fmt.Errorf("%w (see the griddispatch logs in %s)", err, r.dir)
	}
	_, r.replicas, err = streamPlacement(ctx, r.c.natsURL, "CASES")
	return err
}

func waitExit(ctx context.Context, p *process, within time.Duration) error {
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(within):
		return fmt.Errorf("%s still running after %s (see %s)", p.name, within, p.logPath)
	}
}

// check waits for the relay to catch up, then runs the store and stream checks.
func (r *scenarioRun) check(ctx context.Context, res *scenarioResult) error {
	conn, err := pgx.Connect(ctx, r.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if err := waitRelayed(ctx, conn, 60*time.Second); err != nil {
		return err
	}
	if res.Totals, err = countStore(ctx, conn); err != nil {
		return err
	}
	res.Checks = runStoreChecks(ctx, conn)
	sc, err := streamChecks(ctx, conn, r.c.natsURL)
	if err != nil {
		return err
	}
	res.Checks = append(res.Checks, sc...)
	return nil
}

// stop ends the scenario's processes: griddispatch first, then NATS.
func (r *scenarioRun) stop() {
	stopAll(r.c.servers)
	stopAll(r.c.nats)
}
