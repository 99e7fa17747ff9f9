package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/web"
	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// bulletinCommand writes the weekly bulletin of a unit (docs/dashboard.md item 11) as the
// dashboard's PDF, for a scheduler to send: cron on Monday morning, say.
func bulletinCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "bulletin",
		Usage: "write a unit's weekly bulletin (一周一通报) as a PDF, e.g. --unit 140802 --week 2026-11-30 --out b.pdf",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "unit", Required: true, Usage: "code of the county, township, village or grid"},
			&cli.StringFlag{Name: "week", Usage: "any day of the week, YYYY-MM-DD (default: last week)"},
			&cli.StringFlag{Name: "lang", Value: "zh", Usage: "zh or en"},
			&cli.StringFlag{Name: "format", Value: "pdf", Usage: "pdf, or json (the dashboard's GET /api/stats/bulletin)"},
			&cli.StringFlag{Name: "out", Required: true, Usage: "file to write; - for standard output"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			cfg := configFrom(cmd)
			if err := cfg.validate(); err != nil {
				return err
			}
			unit, lang, format := cmd.String("unit"), cmd.String("lang"), cmd.String("format")
			if l := grid.LevelOfCode(unit); l < grid.County || l > grid.Grid || !digits(unit) {
				return fmt.Errorf("--unit %q: want the code of a county, township, village or grid", unit)
			}
			if lang != "zh" && lang != "en" {
				return fmt.Errorf("--lang %q: want zh or en", lang)
			}
			if format != "pdf" && format != "json" {
				return fmt.Errorf("--format %q: want pdf or json", format)
			}
			today := dispatch.StatsToday(time.Now())
			day := today.AddDate(0, 0, -7)
			if v := cmd.String("week"); v != "" {
				t, err := dispatch.ParseStatsDate(v)
				if err != nil || t.Year() < 2000 || t.Year() > 2100 {
					return fmt.Errorf("--week %q: want a date YYYY-MM-DD", v)
				}
				day = t
			}
			var font *pdfdoc.Font
			if format == "pdf" { // before the database: without a font there is nothing to write
				var err error
				if font, err = pdfdoc.LoadFont(cfg.PDFFont); err != nil {
					return fmt.Errorf("%w (or --pdf-font)", err)
				}
			}
			pool, err := openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer pool.Close()
			src := web.BulletinSource{Stats: dispatch.NewStats(pool), Units: grid.NewStore(pool),
				Categories: catalogueNames{dispatch.NewCatalogue(pool)}, Figures: cfg.Figures,
				PointsFigures: dispatch.NewPointsFigures(pool)}
			src.Ratings = dispatch.NewRatings(pool, dispatch.NewStats(pool)) // the week's flags and stars (docs/ratings.md)
			b, err := src.Build(ctx, unit, day, lang, today)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if format == "json" {
				err = json.NewEncoder(&buf).Encode(b)
			} else {
				err = web.WriteBulletinPDF(&buf, b, font)
			}
			if err != nil {
				return err
			}
			out := cmd.String("out")
			if out == "-" {
				_, err = stdout.Write(buf.Bytes())
				return err
			}
			if err := writeFileAtomic(out, buf.Bytes()); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "bulletin %s of %s %s (%s to %s): %s, %d bytes\n", b.Number, b.Unit.Code, b.Unit.Name, b.From, b.To, out, buf.Len())
			return nil
		},
	}
}

// catalogueNames names categories from the whole catalogue, retired ones too: a past week's
// cases may be of a category no longer offered.
type catalogueNames struct{ *dispatch.Catalogue }

func (c catalogueNames) Categories(ctx context.Context) ([]dispatch.Category, error) {
	return c.List(ctx)
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// writeFileAtomic writes through a temporary file renamed into place, so a scheduler that
// sends the file never sends half of one.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".bulletin-*.tmp")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
