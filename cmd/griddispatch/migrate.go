package main

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/migrations"
)

func migrateCommand(stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "bring the database schema up to this binary's version (safe to run from several processes)",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			cfg := configFrom(cmd)
			logger, err := newLogger(stderr, cfg)
			if err != nil {
				return err
			}
			pool, err := openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer pool.Close()
			conn, err := pool.Acquire(ctx)
			if err != nil {
				return fmt.Errorf("database: %w", err)
			}
			defer conn.Release()
			before, err := migrations.Current(ctx, conn)
			if err != nil {
				return err
			}
			if err := migrations.Migrate(ctx, conn.Conn()); err != nil {
				return err
			}
			logger.Info("schema migrated", "from_version", before, "to_version", migrations.Latest())
			return nil
		},
	}
}
