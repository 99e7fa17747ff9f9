package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/dispatch/demohistory"
	"github.com/griddispatch/griddispatch/grid"
)

func demoCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "the demo city: Yuncheng, Shanxi (real names and codes, generated polygons and members)",
		Commands: []*cli.Command{{
			Name:  "load",
			Usage: "load the demo city, or one county of it; counties already loaded are left alone",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "county", Usage: "load only this county, e.g. 140802 (盐湖区)"},
				&cli.Uint64Flag{Name: "seed", Value: grid.DemoSeed, Usage: "seed of the generated polygons and members"},
				&cli.IntFlag{Name: "history", Usage: "then add this many past cases over every county loaded, with their full history (docs/demo-history.md)"},
				&cli.IntFlag{Name: "history-days", Value: 730, Usage: "spread the past cases over this many days, ending now"},
				&cli.Uint64Flag{Name: "history-seed", Value: 1, Usage: "seed of the past cases: the same seed gives the same history"},
				&cli.BoolFlag{Name: "history-top-up", Usage: "count the cases already stored towards --history and add only the difference (make demo uses it: running it again adds nothing)"},
				&cli.IntFlag{Name: "history-conns", Value: 2, Usage: "connections copying history in parallel"},
				&cli.StringFlag{Name: "history-bulk", Value: "auto", Usage: "drop foreign keys and three indexes during the load and restore them after: auto (for 500,000 cases or more, when no other client is connected), always or never"},
			},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				counties, err := grid.DemoCounties()
				if err != nil {
					return err
				}
				if c := cmd.String("county"); c != "" {
					counties = []string{c}
				}
				pool, err := openDB(ctx, configFrom(cmd))
				if err != nil {
					return err
				}
				defer pool.Close()
				if restored, err := demohistory.RestoreAfterLoad(ctx, pool); err != nil {
					return err
				} else if restored {
					fmt.Fprintln(stderr, "restored the constraints an interrupted history load had dropped")
				}
				if err := loadDemo(ctx, grid.NewStore(pool), counties, cmd.Uint64("seed"), stdout, stderr); err != nil {
					return err
				}
				if cmd.Int("history") <= 0 {
					return nil
				}
				return loadHistory(ctx, pool, cmd, stdout, stderr)
			},
		}},
	}
}

func loadDemo(ctx context.Context, s *grid.Store, counties []string, seed uint64, stdout, stderr io.Writer) error {
	start := time.Now()
	var units, members int
	for _, c := range counties {
		t := time.Now()
		res, err := s.LoadDemo(ctx, c, seed)
		if err != nil {
			return err
		}
		if !res.Loaded {
			fmt.Fprintf(stderr, "county %s already loaded\n", c)
			continue
		}
		units += res.Units
		members += res.Members
		fmt.Fprintf(stderr, "county %s: %d units, %d members in %.1fs\n", c, res.Units, res.Members, time.Since(t).Seconds())
	}
	fmt.Fprintf(stdout, "demo loaded: %d units, %d members in %.1fs\n", units, members, time.Since(start).Seconds())
	return nil
}

// loadHistory adds past cases over everything loaded; the dashboard's figures are rebuilt from
// the history at the end.
func loadHistory(ctx context.Context, pool *pgxpool.Pool, cmd *cli.Command, stdout, stderr io.Writer) error {
	n := int64(cmd.Int("history"))
	if cmd.Bool("history-top-up") {
		have, err := demohistory.CaseCount(ctx, pool)
		if err != nil {
			return err
		}
		if have >= n {
			fmt.Fprintf(stdout, "history: %d cases stored already, none added\n", have)
			return nil
		}
		n -= have
	}
	bulk, ok := map[string]demohistory.Bulk{"auto": demohistory.BulkAuto, "always": demohistory.BulkAlways,
		"never": demohistory.BulkNever}[cmd.String("history-bulk")]
	if !ok {
		return fmt.Errorf("--history-bulk %q: want auto, always or never", cmd.String("history-bulk"))
	}
	start := time.Now()
	opts := demohistory.Options{Cases: int(n), Days: int(cmd.Int("history-days")), Seed: cmd.Uint64("history-seed"), Now: start}
	lastShown := start
	res, err := demohistory.Load(ctx, pool, opts, demohistory.Writer{Conns: int(cmd.Int("history-conns")), Bulk: bulk,
		Progress: func(days, of int) {
			if time.Since(lastShown) >= 10*time.Second || days == of {
				lastShown = time.Now()
				fmt.Fprintf(stderr, "history: %d of %d days written (%.0fs)\n", days, of, time.Since(start).Seconds())
			}
		},
		Phase: func(name string, took time.Duration) {
			fmt.Fprintf(stderr, "history: %s done in %.1fs (%.0fs)\n", name, took.Seconds(), time.Since(start).Seconds())
		}})
	if err != nil {
		return err
	}
	mode := "constraints kept"
	if res.Bulk {
		mode = fmt.Sprintf("bulk: constraints restored in %.1fs", res.Restore.Seconds())
	}
	rows := res.Cases*2 + res.Rows // events, cases and history rows
	fmt.Fprintf(stdout, "history: %d cases, %d history rows (%d rows in all) in %.1fs: counted in %.1fs, written in %.1fs (%.0f rows/s), %s, statistics in %.1fs\n",
		res.Cases, res.Rows, rows, time.Since(start).Seconds(), res.Count.Seconds(), res.Write.Seconds(),
		float64(rows)/res.Write.Seconds(), mode, res.Stats.Seconds())
	return nil
}
