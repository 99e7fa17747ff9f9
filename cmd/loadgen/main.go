// Command loadgen plays many grid workers' phones against a griddispatch server: it reports
// over websockets at a given rate and measures throughput and acknowledgement latency, then
// checks in PostgreSQL that every acknowledged report was stored exactly once. With --idle it
// only holds connections open and measures what they cost the server. See docs/loadgen.md.
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
		fmt.Fprintln(os.Stderr, "loadgen:", msg)
	}
	os.Exit(code)
}
