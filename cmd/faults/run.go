package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// Run builds the binaries, starts the harness's PostgreSQL, runs each scenario and prints the
// summary. ok is false when anything acknowledged was lost or duplicated or a check failed.
func Run(ctx context.Context, cfg Config) (ok bool, err error) {
	t := time.Now()
	if !cfg.NoBuild {
		if err := build(ctx, cfg.Source, cfg.BinDir, cfg.Log); err != nil {
			return false, err
		}
	}
	fmt.Fprintf(cfg.Log, "starting PostgreSQL on 127.0.0.1:%d in %s\n", cfg.PGPort, filepath.Join(cfg.WorkDir, "pg"))
	pg, err := initPostgres(ctx, cfg.PGBin, filepath.Join(cfg.WorkDir, "pg"), cfg.PGPort)
	if err != nil {
		return false, err
	}
	defer pg.stop(context.WithoutCancel(ctx))
	ok = true
	for _, name := range cfg.Scenarios {
		res, err := runScenario(ctx, cfg, pg, name)
		if err != nil {
			return false, fmt.Errorf("scenario %s: %w", name, err)
		}
		ok = res.print(cfg.Out, cfg) && ok
	}
	fmt.Fprintf(cfg.Out, "fault tests: %s in %s\n", okOrFailed(ok), time.Since(t).Round(time.Second))
	return ok, nil
}
