package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v3"
)

func serveCommand(stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "serve the API, the apps and the health probes until SIGINT or SIGTERM",
		Description: "Without --nats-url an embedded NATS server with JetStream keeps its store under --data-dir.\n" +
			"/healthz answers while the process is up; /readyz when PostgreSQL, the schema and NATS are.",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			cfg := configFrom(cmd)
			logger, err := newLogger(stderr, cfg)
			if err != nil {
				return err
			}
			m := &Main{Config: cfg, Logger: logger}
			if err := m.Run(ctx); err != nil {
				return errors.Join(err, m.Close())
			}
			<-ctx.Done()
			logger.Info("shutting down")
			return m.Close()
		},
	}
}
