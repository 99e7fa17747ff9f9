// Command griddispatch is the one binary of griddispatch: the server and its tools.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v3"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newCommand(os.Stdout, os.Stderr).Run(ctx, os.Args)
	if err == nil {
		return
	}
	code := 1
	var exit cli.ExitCoder
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, "griddispatch:", msg)
	}
	os.Exit(code)
}

// newCommand builds the command tree; tests run it in-process with their own writers.
func newCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "griddispatch",
		Usage: "grid-governance incident dispatcher: five-level grid, case routing through mediation tiers",
		Description: "Every flag can also be set from the environment variable named beside it.\n" +
			"Commands that touch the database need --database-url.",
		Flags:     globalFlags(),
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are returned to main, which prints them once and picks the exit status.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		Commands: []*cli.Command{
			serveCommand(stderr),
			migrateCommand(stderr),
			gridCommand(stdout, stderr),
			memberCommand(stdout),
			demoCommand(stdout, stderr),
			statsCommand(stdout),
			calendarCommand(stdout),
		},
	}
}
