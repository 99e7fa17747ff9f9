package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v3"

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
			},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				counties, err := grid.DemoCounties()
				if err != nil {
					return err
				}
				if c := cmd.String("county"); c != "" {
					counties = []string{c}
				}
				return withStore(ctx, cmd, func(s *grid.Store) error {
					start := time.Now()
					var units, members int
					for _, c := range counties {
						t := time.Now()
						res, err := s.LoadDemo(ctx, c, cmd.Uint64("seed"))
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
				})
			},
		}},
	}
}
