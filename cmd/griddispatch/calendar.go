package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/dispatch"
)

// calendarCommand edits the county's working calendar from the command line, as the admin
// routes do (docs/admin-api.md, "Working calendar"); the audit log records no member as actor.
func calendarCommand(stdout io.Writer) *cli.Command {
	withCalendar := func(ctx context.Context, cmd *cli.Command, fn func(*dispatch.CalendarStore) error) error {
		pool, err := openDB(ctx, configFrom(cmd))
		if err != nil {
			return err
		}
		defer pool.Close()
		return fn(dispatch.NewCalendarStore(pool))
	}
	return &cli.Command{
		Name:  "calendar",
		Usage: "the working calendar: hours, holidays and make-up working days (docs/routing.md)",
		Commands: []*cli.Command{
			{
				Name: "show", Usage: "print a year's working hours, holidays and make-up days", ArgsUsage: "[YEAR]",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					year := time.Now().In(dispatch.CalendarZone).Year()
					if cmd.Args().Len() > 0 {
						y, err := strconv.Atoi(cmd.Args().First())
						if err != nil {
							return fmt.Errorf("calendar show: want a year such as 2026")
						}
						year = y
					}
					return withCalendar(ctx, cmd, func(s *dispatch.CalendarStore) error {
						v, err := s.Year(ctx, year)
						if err != nil {
							return err
						}
						var hours []string
						for _, h := range v.Hours {
							hours = append(hours, fmt.Sprintf("%02d:%02d-%02d:%02d", h.Start/60, h.Start%60, h.End/60, h.End%60))
						}
						fmt.Fprintf(stdout, "hours %s\n", strings.Join(hours, ","))
						for _, d := range v.Days {
							fmt.Fprintf(stdout, "%s %s %s\n", d.Date, d.Kind, d.Name)
						}
						return nil
					})
				},
			},
			{
				Name: "set", Usage: "make a date a holiday or a make-up working day", ArgsUsage: "YYYY-MM-DD holiday|workday NAME",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					args := cmd.Args().Slice()
					if len(args) != 3 {
						return fmt.Errorf("calendar set: want YYYY-MM-DD holiday|workday NAME")
					}
					d, err := dispatch.ParseDate(args[0])
					if err != nil {
						return err
					}
					return withCalendar(ctx, cmd, func(s *dispatch.CalendarStore) error {
						return s.SetDay(ctx, dispatch.CalendarDay{Date: d, Kind: dispatch.DayKind(args[1]), Name: args[2]}, nil)
					})
				},
			},
			{
				Name: "unset", Usage: "return a date to the weekday rule", ArgsUsage: "YYYY-MM-DD",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					d, err := dispatch.ParseDate(cmd.Args().First())
					if err != nil {
						return err
					}
					return withCalendar(ctx, cmd, func(s *dispatch.CalendarStore) error { return s.DeleteDay(ctx, d, nil) })
				},
			},
			{
				Name: "hours", Usage: "set the working hours of every working day", ArgsUsage: "HH:MM-HH:MM[,HH:MM-HH:MM...]",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					hours, err := parseHours(cmd.Args().First())
					if err != nil {
						return err
					}
					return withCalendar(ctx, cmd, func(s *dispatch.CalendarStore) error { return s.SetHours(ctx, hours, nil) })
				},
			},
		},
	}
}

// parseHours reads 08:30-12:00,14:30-17:30.
func parseHours(s string) ([]dispatch.Span, error) {
	var hours []dispatch.Span
	minutes := func(v string) (int, error) {
		t, err := time.Parse("15:04", v)
		if err != nil {
			return 0, fmt.Errorf("calendar hours: %q is not HH:MM", v)
		}
		return t.Hour()*60 + t.Minute(), nil
	}
	for _, part := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, fmt.Errorf("calendar hours: want HH:MM-HH:MM[,HH:MM-HH:MM...]")
		}
		start, err := minutes(from)
		if err != nil {
			return nil, err
		}
		end, err := minutes(to)
		if err != nil {
			return nil, err
		}
		hours = append(hours, dispatch.Span{Start: start, End: end})
	}
	return hours, nil
}
