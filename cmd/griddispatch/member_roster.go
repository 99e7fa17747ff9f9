package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/grid"
)

// memberRosterCommand imports and exports rosters, the spreadsheets counties keep of their
// people (docs/roster.md), as grid.CommandLine.
func memberRosterCommand(stdout io.Writer) *cli.Command {
	formatFlag := &cli.StringFlag{Name: "format", Usage: "xlsx or csv (default: by the file's extension)"}
	return &cli.Command{
		Name:  "roster",
		Usage: "import or export a roster: phone, name, unit code, role, one row per assignment (docs/roster.md)",
		Commands: []*cli.Command{
			{
				Name: "import", Usage: "add the roster's members and assignments, all or nothing", ArgsUsage: "FILE.xlsx | FILE.csv | -",
				Description: "Every problem of the file is listed, one per line; with any, nothing is written.\n" +
					"Members new to the grid get a one-time code each, printed once (or written to --codes).",
				Flags: []cli.Flag{formatFlag,
					&cli.BoolFlag{Name: "dry-run", Usage: "check everything and report, write nothing"},
					&cli.StringFlag{Name: "codes", Usage: "write the new members' one-time codes to this CSV file (created; not overwritten) instead of printing them"}},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if cmd.Args().Len() != 1 {
						return fmt.Errorf("member roster import: want exactly one FILE argument")
					}
					return importRoster(ctx, cmd, stdout, cmd.Args().First())
				},
			},
			{
				Name: "export", Usage: "write the roster of a subtree (default: everything)",
				Flags: []cli.Flag{formatFlag,
					&cli.StringFlag{Name: "unit", Usage: "the code of the subtree's root"},
					&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the file to write (default: standard output)"}},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					return exportRoster(ctx, cmd, stdout)
				},
			},
		},
	}
}

// rosterFormat is --format, else the file's extension; def when neither says.
func rosterFormat(cmd *cli.Command, path string, def grid.RosterFormat) (grid.RosterFormat, error) {
	f := cmd.String("format")
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	}
	switch grid.RosterFormat(f) {
	case grid.RosterXLSX, grid.RosterCSV:
		return grid.RosterFormat(f), nil
	case "":
		if def != "" {
			return def, nil
		}
	}
	return "", fmt.Errorf("--format %q: want xlsx or csv", f)
}

func importRoster(ctx context.Context, cmd *cli.Command, stdout io.Writer, path string) error {
	format, err := rosterFormat(cmd, path, "")
	if err != nil {
		return err
	}
	in := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	// The codes file is created before anything is written: codes are shown once, and a
	// committed import whose codes could not be saved would leave its members without them.
	var codes *os.File
	if p := cmd.String("codes"); p != "" && !cmd.Bool("dry-run") {
		if codes, err = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return fmt.Errorf("--codes: %w", err)
		}
		defer codes.Close()
	}
	rows, problems, err := grid.ReadRoster(in, format)
	if err != nil {
		return fmt.Errorf("%s: %w; nothing imported", path, err)
	}
	dry := cmd.Bool("dry-run")
	var rep grid.RosterReport
	if rows == nil { // a bad header, or no rows
		rep, err = grid.NewRosterReport(dry, problems), grid.ErrRosterRefused
	} else {
		err = withStore(ctx, cmd, func(s *grid.Store) error {
			var ierr error
			rep, ierr = s.ImportRoster(ctx, grid.CommandLine, rows, dry)
			return ierr
		})
	}
	for _, line := range rep.Lines() {
		fmt.Fprintln(stdout, line)
	}
	if errors.Is(err, grid.ErrRosterRefused) {
		return fmt.Errorf("%s: roster refused; nothing imported", path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w; nothing imported", path, err)
	}
	if len(rep.Codes) == 0 {
		return nil
	}
	if codes != nil {
		if err := writeRosterCodes(codes, rep.Codes); err != nil {
			return fmt.Errorf("imported, but the codes were not saved (reset those members' passwords): %w", err)
		}
		fmt.Fprintf(stdout, "%d one-time codes written to %s; hand each to its member, then delete the file\n", len(rep.Codes), codes.Name())
		return nil
	}
	fmt.Fprintf(stdout, "one-time codes, shown once (until %s):\n", rep.Codes[0].ExpiresAt.Format(time.DateTime))
	for _, c := range rep.Codes {
		fmt.Fprintf(stdout, "%d  %s  %s  %s\n", c.MemberID, c.Phone, c.Name, c.Code)
	}
	return nil
}

// writeRosterCodes writes the codes as CSV for Excel (UTF-8 with a byte-order mark).
func writeRosterCodes(f *os.File, codes []grid.RosterCode) error {
	if _, err := f.WriteString("\uFEFF"); err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.UseCRLF = true
	w.Write([]string{"member_id", "手机号", "姓名", "一次性密码", "有效期至"})
	for _, c := range codes {
		w.Write([]string{strconv.FormatInt(c.MemberID, 10), c.Phone, c.Name, c.Code, c.ExpiresAt.Format(time.DateTime)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

func exportRoster(ctx context.Context, cmd *cli.Command, stdout io.Writer) error {
	path := cmd.String("output")
	format, err := rosterFormat(cmd, path, grid.RosterCSV)
	if err != nil {
		return err
	}
	return withStore(ctx, cmd, func(s *grid.Store) error {
		if path == "" || path == "-" {
			_, err := s.ExportRoster(ctx, grid.CommandLine, cmd.String("unit"), format, stdout)
			return err
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		n, err := s.ExportRoster(ctx, grid.CommandLine, cmd.String("unit"), format, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(stdout, "%d rows written to %s\n", n, path)
		return nil
	})
}
