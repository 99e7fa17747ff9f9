// Command faults kills and restarts the pieces of a griddispatch deployment while cmd/loadgen
// reports through it, then checks that nothing acknowledged was lost or duplicated: scenario
// single kills griddispatch, the NATS server and PostgreSQL in turn; scenario cluster runs three
// NATS nodes and two griddispatch processes and kills one of each. It runs its own PostgreSQL
// cluster and NATS servers, never the ones of make run and make test. See docs/faults.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v3"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newCommand().Run(ctx, os.Args)
	if err == nil {
		return
	}
	code := 1
	var exit cli.ExitCoder
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, "faults:", msg)
	}
	os.Exit(code)
}
