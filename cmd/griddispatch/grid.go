package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/grid"
)

func gridCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "grid",
		Usage: "import, export, validate and change the five-level grid",
		Commands: []*cli.Command{
			gridImportCommand(stdout),
			gridExportCommand(stdout, stderr),
			gridValidateCommand(stdout),
			gridLocateCommand(stdout),
			gridChangeCommand(stdout),
		},
	}
}

func gridExportCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write units as a GeoJSON FeatureCollection that grid import reads back",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Usage: "export only the subtree under this unit code"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to this file instead of standard output"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			out := stdout
			if path := cmd.String("output"); path != "" {
				f, err := os.Create(path)
				if err != nil {
					return err
				}
				defer f.Close()
				out = f
			}
			bw := bufio.NewWriterSize(out, 1<<20)
			return withStore(ctx, cmd, func(s *grid.Store) error {
				n, err := s.Export(ctx, cmd.String("root"), bw)
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				if err := bw.Flush(); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				fmt.Fprintf(stderr, "exported %d units\n", n)
				return nil
			})
		},
	}
}

func gridValidateCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "report invalid polygons, children outside parents, overlapping siblings and gaps; exit 1 if any",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Usage: "validate only the subtree under this unit code"},
			&cli.FloatFlag{Name: "tolerance", Value: 1, Usage: "ignore defects smaller than this many square metres"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return withStore(ctx, cmd, func(s *grid.Store) error {
				root := cmd.String("root")
				start := time.Now()
				problems, err := s.Validate(ctx, root, grid.Tolerance{AreaM2: cmd.Float("tolerance")})
				if err != nil {
					return fmt.Errorf("validate: %w", err)
				}
				counts, err := s.CountByLevel(ctx, root)
				if err != nil {
					return err
				}
				for _, p := range problems {
					fmt.Fprintln(stdout, p.String())
				}
				units := counts[1] + counts[2] + counts[3] + counts[4] + counts[5]
				fmt.Fprintf(stdout, "checked %d units (%d counties, %d townships, %d villages, %d grids, %d micro-grids) in %.1fs: %d problems\n",
					units, counts[1], counts[2], counts[3], counts[4], counts[5], time.Since(start).Seconds(), len(problems))
				if len(problems) > 0 {
					return cli.Exit("", 1)
				}
				return nil
			})
		},
	}
}

func gridLocateCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "locate",
		Usage:     "place a point (WGS84 longitude latitude) in the grid, as reports are placed",
		ArgsUsage: "LONGITUDE LATITUDE",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 2 {
				return fmt.Errorf("grid locate: want LONGITUDE LATITUDE")
			}
			lon, errLon := strconv.ParseFloat(cmd.Args().Get(0), 64)
			lat, errLat := strconv.ParseFloat(cmd.Args().Get(1), 64)
			if errLon != nil || errLat != nil {
				return fmt.Errorf("grid locate: %q %q are not numbers", cmd.Args().Get(0), cmd.Args().Get(1))
			}
			return withStore(ctx, cmd, func(s *grid.Store) error {
				loc, err := s.NewLocator(ctx, cmd.Float("near-metres"))
				if err != nil {
					return err
				}
				got, ok := loc.Locate(lon, lat)
				if !ok {
					fmt.Fprintf(stdout, "%g %g is outside the grid (more than %g m from any unit)\n", lon, lat, cmd.Float("near-metres"))
					return cli.Exit("", 1)
				}
				for l := grid.County; l <= got.Level; l++ {
					fmt.Fprintf(stdout, "%-10s  %-18s  %s\n", l, got.Units[l].Code, got.Units[l].Name)
				}
				if got.Metres > 0 {
					fmt.Fprintf(stdout, "%.1f m outside the grid, placed in the nearest unit\n", got.Metres)
				}
				return nil
			})
		},
	}
}

// withStore opens the database for a one-shot command.
func withStore(ctx context.Context, cmd *cli.Command, fn func(*grid.Store) error) error {
	pool, err := openDB(ctx, configFrom(cmd))
	if err != nil {
		return err
	}
	defer pool.Close()
	return fn(grid.NewStore(pool))
}
