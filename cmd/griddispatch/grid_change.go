package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
)

func gridChangeCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "change",
		Usage: "split, merge, redraw, rename and retire units by reviewable change sets (docs/grid.md)",
		Commands: []*cli.Command{
			gridChangeDraftCommand(stdout),
			{
				Name: "list", Usage: "list change sets, newest first",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "root", Usage: "only those under this unit code"},
					&cli.IntFlag{Name: "limit", Value: 50, Usage: "at most this many"},
				},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					return withStore(ctx, cmd, func(s *grid.Store) error {
						sets, err := s.Changes(ctx, cmd.String("root"), int(min(max(cmd.Int("limit"), 1), 1000)))
						if err != nil {
							return err
						}
						for _, cs := range sets {
							state := string(cs.State)
							if cs.ScheduledAt != nil {
								state = "scheduled"
							}
							fmt.Fprintf(stdout, "%d  %s  %-9s  effective %s  under %s  %d operations  %s\n", cs.ID,
								cs.CreatedAt.Format("2006-01-02 15:04"), state, cs.EffectiveOn, cs.RootCode, len(cs.Operations), cs.Title)
							if cs.ScheduleError != "" {
								fmt.Fprintf(stdout, "    not applied on schedule: %s\n", cs.ScheduleError)
							}
						}
						return nil
					})
				},
			},
			{
				Name: "show", Usage: "preview a change set: what applying it would do now, and what it would find", ArgsUsage: "ID",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "map", Usage: "write the preview map (GeoJSON: retired, added, before/after, context) to this file, for QGIS"},
					&cli.BoolFlag{Name: "allow-topology-problems", Usage: "count gaps and overlaps as allowed, as apply would with this flag"},
				},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					id, err := changeID(cmd)
					if err != nil {
						return err
					}
					return withStore(ctx, cmd, func(s *grid.Store) error {
						o := grid.ChangeOptions{AllowTopologyProblems: cmd.Bool("allow-topology-problems")}
						rep, err := s.PreviewChange(ctx, id, o)
						if err != nil {
							return err
						}
						printChange(stdout, rep, o)
						if path := cmd.String("map"); path != "" && rep.Map != nil {
							return os.WriteFile(path, rep.Map, 0o644)
						}
						return nil
					})
				},
			},
			{
				Name: "apply", Usage: "apply a draft on or after its effective day, all or nothing", ArgsUsage: "ID",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "allow-topology-problems", Usage: "apply even if units end up outside their parents, overlapping or leaving gaps"},
				},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					id, err := changeID(cmd)
					if err != nil {
						return err
					}
					return withStore(ctx, cmd, func(s *grid.Store) error {
						o := grid.ChangeOptions{AllowTopologyProblems: cmd.Bool("allow-topology-problems")}
						rep, err := s.ApplyChange(ctx, id, nil, o)
						for _, line := range rep.Lines() {
							fmt.Fprintln(stdout, line)
						}
						if err != nil {
							return fmt.Errorf("change %d: %w; nothing changed", id, err)
						}
						fmt.Fprintf(stdout, "applied change %d: %d retired, %d added, %d redrawn, %d renamed; %d assignments moved, %d flagged\n",
							id, len(rep.Retired), len(rep.Added), len(rep.Redrawn), len(rep.Renamed), len(rep.Moved), len(rep.Flagged))
						return nil
					})
				},
			},
			scheduleCommand("schedule", "have the server apply a draft when its effective day begins (docs/grid.md)", (*grid.Store).ScheduleChange),
			scheduleCommand("unschedule", "take a draft off the schedule; it stays a draft", (*grid.Store).UnscheduleChange),
			{
				Name: "discard", Usage: "set a draft aside; it stays on record", ArgsUsage: "ID",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					id, err := changeID(cmd)
					if err != nil {
						return err
					}
					return withStore(ctx, cmd, func(s *grid.Store) error { return s.DiscardChange(ctx, id, nil) })
				},
			},
		},
	}
}

// scheduleCommand puts a draft on the schedule or takes it off, as fn does.
func scheduleCommand(name, usage string, fn func(*grid.Store, context.Context, int64, *int64) (grid.ChangeSet, error)) *cli.Command {
	return &cli.Command{
		Name: name, Usage: usage, ArgsUsage: "ID",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			id, err := changeID(cmd)
			if err != nil {
				return err
			}
			return withStore(ctx, cmd, func(s *grid.Store) error {
				cs, err := fn(s, ctx, id, nil)
				if err != nil {
					return err
				}
				if cs.ScheduledAt != nil {
					fmt.Fprintf(cmd.Root().Writer, "change %d will be applied when %s begins in the county\n", id, cs.EffectiveOn)
				} else {
					fmt.Fprintf(cmd.Root().Writer, "change %d is a draft, not scheduled\n", id)
				}
				return nil
			})
		},
	}
}

func gridChangeDraftCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "draft",
		Usage: "propose a change set; it is checked and stored, and changes nothing until applied",
		Description: "Either --file with the change set as JSON (the API's format, docs/grid.md), or the operations as\n" +
			"flags, combined into one set: --split CODE or --merge CODE,CODE with --into FILE.geojson (the\n" +
			"new units, in grid import's format), --redraw FILE.geojson (each feature a new polygon for its\n" +
			"code), --rename CODE=NAME and --move RETIRED=UNIT (where a retired unit's staff go).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "file", Usage: "the change set as JSON: {title, effective_on, operations, moves}"},
			&cli.StringFlag{Name: "title", Usage: "what the change is, for reviewers (e.g. 东阜村第2网格拆分)"},
			&cli.StringFlag{Name: "effective", Usage: "the day it takes effect, YYYY-MM-DD (default today)"},
			&cli.StringFlag{Name: "split", Usage: "retire this unit in favour of the units of --into"},
			&cli.StringFlag{Name: "merge", Usage: "retire these units (comma-separated) in favour of the one unit of --into"},
			&cli.StringFlag{Name: "into", Usage: "GeoJSON of the units a --split or --merge makes"},
			&cli.StringFlag{Name: "redraw", Usage: "GeoJSON whose features give current units new polygons"},
			&cli.StringSliceFlag{Name: "rename", Usage: "CODE=NAME (repeatable)"},
			&cli.StringSliceFlag{Name: "move", Usage: "RETIRED=UNIT: move the retired unit's assignments (repeatable)"},
			&cli.StringFlag{Name: "crs", Usage: "the coordinate system of the GeoJSON files (as grid import --crs)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			req, err := changeRequestFrom(cmd)
			if err != nil {
				return fmt.Errorf("grid change draft: %w", err)
			}
			return withStore(ctx, cmd, func(s *grid.Store) error {
				rep, err := s.DraftChange(ctx, req)
				if err != nil {
					for _, line := range rep.Lines() {
						fmt.Fprintln(stdout, line)
					}
					return fmt.Errorf("%w; nothing stored", err)
				}
				fmt.Fprintf(stdout, "drafted change %d under %s, effective %s\n", rep.Change.ID, rep.Change.RootCode, rep.Change.EffectiveOn)
				printChange(stdout, rep, grid.ChangeOptions{})
				return nil
			})
		},
	}
}

func printChange(w io.Writer, rep grid.ChangeReport, o grid.ChangeOptions) {
	for _, line := range rep.Lines() {
		fmt.Fprintln(w, line)
	}
	if rep.Change.State != grid.ChangeDraft {
		fmt.Fprintf(w, "change %d is %s\n", rep.Change.ID, rep.Change.State)
		return
	}
	if n := rep.Refusing(o); n > 0 {
		fmt.Fprintf(w, "change %d: %d problems stop it from being applied\n", rep.Change.ID, n)
		return
	}
	fmt.Fprintf(w, "change %d can be applied: griddispatch grid change apply %d\n", rep.Change.ID, rep.Change.ID)
}

func changeID(cmd *cli.Command) (int64, error) {
	id, err := strconv.ParseInt(cmd.Args().First(), 10, 64)
	if cmd.Args().Len() != 1 || err != nil || id <= 0 {
		return 0, fmt.Errorf("grid change %s: want one change set ID", cmd.Name)
	}
	return id, nil
}

// changeRequestFrom builds the change set of the draft command's flags.
func changeRequestFrom(cmd *cli.Command) (grid.ChangeRequest, error) {
	var req grid.ChangeRequest
	if path := cmd.String("file"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return req, err
		}
		if err := json.Unmarshal(b, &req); err != nil {
			return req, fmt.Errorf("%s: %w", path, err)
		}
	}
	if t := cmd.String("title"); t != "" {
		req.Title = t
	}
	if d := cmd.String("effective"); d != "" {
		req.EffectiveOn = d
	}
	var crs geo.CRS
	if v := cmd.String("crs"); v != "" {
		var err error
		if crs, err = geo.ParseCRS(v); err != nil {
			return req, fmt.Errorf("--crs: %w", err)
		}
	}
	split, merge, into := cmd.String("split"), cmd.String("merge"), cmd.String("into")
	if (split != "" || merge != "") != (into != "") || split != "" && merge != "" {
		return req, errors.New("--split or --merge goes with --into, one of them at a time")
	}
	if into != "" {
		units, err := readUnitsFile(into, crs)
		if err != nil {
			return req, err
		}
		if split != "" {
			req.Operations = append(req.Operations, grid.Split(split, units)...)
		} else if len(units) != 1 {
			return req, fmt.Errorf("--into %s: a merge makes one unit, the file has %d", into, len(units))
		} else {
			req.Operations = append(req.Operations, grid.Merge(strings.Split(merge, ","), units[0])...)
		}
	}
	if path := cmd.String("redraw"); path != "" {
		units, err := readUnitsFile(path, crs)
		if err != nil {
			return req, err
		}
		for _, u := range units {
			req.Operations = append(req.Operations, grid.ChangeOp{Op: grid.OpRedraw, Code: u.Code, Geom: u.Geom})
		}
	}
	for _, kv := range cmd.StringSlice("rename") {
		code, name, ok := strings.Cut(kv, "=")
		if !ok {
			return req, fmt.Errorf("--rename %q: want CODE=NAME", kv)
		}
		req.Operations = append(req.Operations, grid.ChangeOp{Op: grid.OpRename, Code: code, Name: name})
	}
	for _, kv := range cmd.StringSlice("move") {
		from, to, ok := strings.Cut(kv, "=")
		if !ok {
			return req, fmt.Errorf("--move %q: want RETIRED=UNIT", kv)
		}
		if req.Moves == nil {
			req.Moves = map[string]string{}
		}
		req.Moves[from] = to
	}
	return req, nil
}

func readUnitsFile(path string, crs geo.CRS) ([]grid.Unit, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	units, _, err := grid.ReadGeoJSONAs(bufio.NewReader(f), crs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return units, nil
}
