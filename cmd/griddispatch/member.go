package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/grid"
)

// memberCommand administers people from the command line, as grid.CommandLine: everywhere,
// recorded in the audit log with no member as actor (docs/admin.md).
func memberCommand(stdout io.Writer) *cli.Command {
	idAction := func(fn func(ctx context.Context, cmd *cli.Command, s *grid.Store, id int64) error) cli.ActionFunc {
		return func(ctx context.Context, cmd *cli.Command) error {
			id, err := strconv.ParseInt(cmd.Args().First(), 10, 64)
			if cmd.Args().Len() < 1 || err != nil || id <= 0 {
				return fmt.Errorf("member %s: want a member ID", cmd.Name)
			}
			return withStore(ctx, cmd, func(s *grid.Store) error { return fn(ctx, cmd, s, id) })
		}
	}
	assignFlag := &cli.StringSliceFlag{Name: "assign", Usage: "UNIT:ROLE, e.g. 140802001001001:grid_worker (repeatable)"}
	return &cli.Command{
		Name:  "member",
		Usage: "add, assign, deactivate and reset members; read the audit log (docs/admin.md)",
		Commands: []*cli.Command{
			{
				Name: "add", Usage: "register a member with their assignments",
				Flags: []cli.Flag{&cli.StringFlag{Name: "phone", Required: true}, &cli.StringFlag{Name: "name", Required: true}, assignFlag},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					as, err := parseAssignments(cmd.StringSlice("assign"))
					if err != nil {
						return err
					}
					return withStore(ctx, cmd, func(s *grid.Store) error {
						m, err := s.AddMember(ctx, grid.CommandLine, cmd.String("phone"), cmd.String("name"), as)
						if err == nil {
							fmt.Fprintf(stdout, "member %d %s %s added\n", m.ID, m.Name, m.Phone)
						}
						return err
					})
				},
			},
			{
				Name: "assign", Usage: "give a member more assignments", ArgsUsage: "ID", Flags: []cli.Flag{assignFlag},
				Action: idAction(func(ctx context.Context, cmd *cli.Command, s *grid.Store, id int64) error {
					return eachAssignment(cmd.StringSlice("assign"), func(a grid.Assignment) error { return s.AssignMember(ctx, grid.CommandLine, id, a) })
				}),
			},
			{
				Name: "unassign", Usage: "remove assignments of a member", ArgsUsage: "ID", Flags: []cli.Flag{assignFlag},
				Action: idAction(func(ctx context.Context, cmd *cli.Command, s *grid.Store, id int64) error {
					return eachAssignment(cmd.StringSlice("assign"), func(a grid.Assignment) error { return s.UnassignMember(ctx, grid.CommandLine, id, a) })
				}),
			},
			{
				Name: "move", Usage: "move an assignment to another unit (clears a change set's flag)", ArgsUsage: "ID UNIT:ROLE NEW_UNIT",
				Action: idAction(func(ctx context.Context, cmd *cli.Command, s *grid.Store, id int64) error {
					args := cmd.Args().Slice()
					if len(args) != 3 {
						return fmt.Errorf("member move: want ID UNIT:ROLE NEW_UNIT")
					}
					as, err := parseAssignments(args[1:2])
					if err != nil {
						return err
					}
					return s.MoveAssignment(ctx, grid.CommandLine, id, as[0], args[2])
				}),
			},
			{
				Name: "deactivate", Usage: "sign a member out everywhere and remove their assignments; their history stays", ArgsUsage: "ID",
				Action: idAction(func(ctx context.Context, cmd *cli.Command, s *grid.Store, id int64) error {
					sessions, err := s.DeactivateMember(ctx, grid.CommandLine, id)
					if err == nil {
						fmt.Fprintf(stdout, "member %d deactivated; %d sessions ended (their websockets close within 30 s)\n", id, len(sessions))
					}
					return err
				}),
			},
			{
				Name: "release-phone", Usage: "free a deactivated member's phone number for a new member", ArgsUsage: "ID",
				Action: idAction(func(ctx context.Context, cmd *cli.Command, s *grid.Store, id int64) error {
					return s.ReleasePhone(ctx, grid.CommandLine, id)
				}),
			},
			{
				Name: "reset-password", Usage: "give a member a one-time code that signs in only to choose a new password", ArgsUsage: "ID",
				Action: idAction(func(ctx context.Context, cmd *cli.Command, s *grid.Store, id int64) error {
					code, expires, _, err := s.ResetPassword(ctx, grid.CommandLine, id)
					if err == nil {
						fmt.Fprintf(stdout, "one-time code for member %d: %s (until %s)\n", id, code, expires.Format(time.DateTime))
					}
					return err
				}),
			},
			{
				Name: "list", Usage: "list members",
				Flags: []cli.Flag{&cli.StringFlag{Name: "unit"}, &cli.StringFlag{Name: "role"}, &cli.StringFlag{Name: "search"},
					&cli.BoolFlag{Name: "flagged", Usage: "only members left on retired units by a change set"},
					&cli.BoolFlag{Name: "inactive", Usage: "include deactivated members"}},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					return withStore(ctx, cmd, func(s *grid.Store) error {
						list, total, err := s.SearchMembers(ctx, grid.CommandLine, grid.MemberQuery{Text: cmd.String("search"), Unit: cmd.String("unit"),
							Role: grid.Role(cmd.String("role")), Flagged: cmd.Bool("flagged"), Inactive: cmd.Bool("inactive")})
						if err != nil {
							return err
						}
						for _, m := range list {
							var as []string
							for _, a := range m.Assignments {
								mark := ""
								if a.Flagged {
									mark = " (flagged: unit retired)"
								}
								as = append(as, a.UnitCode+":"+string(a.Role)+mark)
							}
							state := "active"
							if m.DeactivatedAt != nil {
								state = "deactivated"
							}
							fmt.Fprintf(stdout, "%d  %s  %s  %s  %s\n", m.ID, m.Phone, m.Name, state, strings.Join(as, ", "))
						}
						fmt.Fprintf(stdout, "%d of %d members\n", len(list), total)
						return nil
					})
				},
			},
			{
				Name: "audit", Usage: "write the audit log as CSV, newest first",
				Flags: []cli.Flag{&cli.IntFlag{Name: "member"}, &cli.IntFlag{Name: "limit", Value: 1000}},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					return withStore(ctx, cmd, func(s *grid.Store) error {
						es, err := s.AuditLog(ctx, grid.CommandLine, grid.AuditQuery{Member: int64(cmd.Int("member")), Limit: cmd.Int("limit")})
						if err != nil {
							return err
						}
						return writeAuditCSV(stdout, es)
					})
				},
			},
			memberRosterCommand(stdout),
		},
	}
}

// writeAuditCSV writes entries with a header; the command line's entries have no actor.
func writeAuditCSV(w io.Writer, es []grid.AuditEntry) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "actor_id", "actor", "action", "member_id", "member", "units", "detail"})
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	for _, e := range es {
		cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339), id(e.ActorID), e.ActorName, e.Action,
			id(e.MemberID), e.MemberName, strings.Join(e.Units, " "), string(e.Detail)})
	}
	cw.Flush()
	return cw.Error()
}

func parseAssignments(specs []string) ([]grid.Assignment, error) {
	out := make([]grid.Assignment, 0, len(specs))
	for _, sp := range specs {
		unit, role, ok := strings.Cut(sp, ":")
		if !ok {
			return nil, fmt.Errorf("--assign %q: want UNIT:ROLE", sp)
		}
		out = append(out, grid.Assignment{UnitCode: unit, Role: grid.Role(role)})
	}
	return out, nil
}

func eachAssignment(specs []string, fn func(grid.Assignment) error) error {
	as, err := parseAssignments(specs)
	if err != nil {
		return err
	}
	if len(as) == 0 {
		return fmt.Errorf("want at least one --assign UNIT:ROLE")
	}
	for _, a := range as {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}
