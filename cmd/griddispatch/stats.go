package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/dispatch"
)

func statsCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "stats",
		Usage: "the dashboard's counters (docs/metrics.md)",
		Commands: []*cli.Command{{
			Name: "rebuild",
			Usage: "recompute every counter from the case history: after a bulk load, or to repair counters " +
				"after NATS lost messages; transitions wait while it runs",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				pool, err := openDB(ctx, configFrom(cmd))
				if err != nil {
					return err
				}
				defer pool.Close()
				start := time.Now()
				if err := dispatch.RebuildStats(ctx, pool); err != nil {
					return err
				}
				var rows int64
				if err := pool.QueryRow(ctx, `SELECT count(*) FROM case_stats`).Scan(&rows); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "statistics rebuilt: %d rows in %.1fs\n", rows, time.Since(start).Seconds())
				return nil
			},
		}, bulletinCommand(stdout)},
	}
}
