package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/urfave/cli/v3"
)

// Config is one run of the fault harness.
type Config struct {
	Source    string   // the repository to build the binaries from
	WorkDir   string   // PostgreSQL's data, NATS stores, logs; emptied at the start
	BinDir    string   // griddispatch, nats-server and loadgen; built here unless NoBuild
	NoBuild   bool     // use the binaries in BinDir as they are
	PGBin     string   // PostgreSQL 15's bin directory
	PGPort    int      // the harness's own PostgreSQL
	Scenarios []string // single, cluster
	Workers   int      // loadgen phones
	Members   int      // grid workers they sign in as
	Rate      float64  // new reports per second
	Duration  time.Duration
	Outage    time.Duration // from a kill to the restart
	Drain     time.Duration // loadgen's wait for the last acknowledgements
	Apps      bool          // the phone app and the console in Chromium through the faults
	Out       io.Writer     // the summary
	Log       io.Writer     // progress
}

func newCommand() *cli.Command {
	return &cli.Command{
		Name:  "faults",
		Usage: "kill -9 and restart griddispatch, NATS and PostgreSQL under load, then check nothing acknowledged was lost (docs/faults.md)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "work-dir", Value: ".data/faults", Usage: "PostgreSQL data, NATS stores and logs (emptied first)"},
			&cli.StringFlag{Name: "bin-dir", Usage: "where the binaries are built (default: <work-dir>/bin)"},
			&cli.BoolFlag{Name: "no-build", Usage: "use the binaries already in --bin-dir"},
			&cli.StringFlag{Name: "pg-bin", Value: "/usr/lib/postgresql/15/bin", Usage: "PostgreSQL 15's bin directory"},
			&cli.IntFlag{Name: "pg-port", Value: 55442, Usage: "port of the harness's own PostgreSQL, on 127.0.0.1"},
			&cli.StringSliceFlag{Name: "scenario", Value: []string{"single", "cluster"}, Usage: "single, cluster, or both"},
			&cli.IntFlag{Name: "workers", Value: 250, Usage: "loadgen phones"},
			&cli.IntFlag{Name: "members", Value: 50, Usage: "grid workers the phones sign in as (bcrypt costs the server ~80 ms each)"},
			&cli.FloatFlag{Name: "rate", Value: 500, Usage: "new reports per second"},
			&cli.DurationFlag{Name: "duration", Value: 110 * time.Second, Usage: "how long loadgen reports; faults are spread evenly over it"},
			&cli.DurationFlag{Name: "outage", Value: 2 * time.Second, Usage: "how long a killed piece stays down before it is started again"},
			&cli.BoolFlag{Name: "apps", Value: true, Usage: "keep the phone app and the console open in Chromium through the faults (web/ui/e2e/faults_apps.mjs)"},
			&cli.DurationFlag{Name: "drain", Value: 90 * time.Second, Usage: "how long loadgen waits for the last acknowledgements"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			cfg := Config{Source: ".", WorkDir: cmd.String("work-dir"), BinDir: cmd.String("bin-dir"),
				NoBuild: cmd.Bool("no-build"), PGBin: cmd.String("pg-bin"), PGPort: int(cmd.Int("pg-port")),
				Scenarios: cmd.StringSlice("scenario"), Workers: int(cmd.Int("workers")), Members: int(cmd.Int("members")),
				Rate: cmd.Float("rate"), Duration: cmd.Duration("duration"), Outage: cmd.Duration("outage"),
				Drain: cmd.Duration("drain"), Apps: cmd.Bool("apps"), Out: os.Stdout, Log: os.Stderr}
			if err := cfg.check(); err != nil {
				return cli.Exit(err.Error(), 2)
			}
			ok, err := Run(ctx, cfg)
			if err != nil {
				return err
			}
			if !ok {
				return cli.Exit("fault tests FAILED", 3)
			}
			return nil
		},
	}
}

func (c *Config) check() error {
	for _, s := range c.Scenarios {
		if _, ok := scenarios[s]; !ok {
			return fmt.Errorf("--scenario %q: want single or cluster", s)
		}
	}
	switch {
	case len(c.Scenarios) == 0:
		return fmt.Errorf("--scenario: want single, cluster or both")
	case c.Workers < 1 || c.Members < 1 || c.Rate <= 0 || c.Duration <= 0:
		return fmt.Errorf("--workers, --members, --rate and --duration must be positive")
	case c.Outage < 0:
		return fmt.Errorf("--outage %s: want 0 or more", c.Outage)
	}
	c.Scenarios = slices.Compact(c.Scenarios)
	var err error
	if c.WorkDir, err = filepath.Abs(c.WorkDir); err != nil {
		return err
	}
	if c.BinDir == "" {
		c.BinDir = filepath.Join(c.WorkDir, "bin")
	}
	c.BinDir, err = filepath.Abs(c.BinDir)
	return err
}
