package main

import (
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
)

func gridImportCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "import units from GeoJSON or an ESRI Shapefile, all or nothing",
		ArgsUsage: "FILE.geojson | - | FOLDER | FILE.zip | FILE.shp",
		Description: "GeoJSON: a FeatureCollection (from standard input with -) of Polygons or MultiPolygons with\n" +
			"properties code, name, level (1-5), parent_code (omitted for a county) and optionally\n" +
			"population and households. Shapefile: a folder or a .zip holding one .shp with its .dbf\n" +
			"(and .prj, .cpg), or a .shp beside them; level and parent come from the codes where the\n" +
			"table has no such fields. Units are inserted, or updated when the code exists. Every problem\n" +
			"of the file is reported at once: its features', then, with the units in place in the\n" +
			"transaction, invalid polygons, unknown parents, units outside their parents, overlaps, gaps\n" +
			"and units far from the rest; a file with any of them (but the last) changes nothing.\n" +
			"Coordinates are converted to WGS84 from --crs, or from what the file says (docs/grid.md).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "crs", Usage: "the file's coordinate system: wgs84 (EPSG:4326, GPS), cgcs2000 (EPSG:4490, " +
				"天地图 and most government GIS), gcj02 (AMap/高德, Tencent) or bd09 (Baidu); default: what the file says, else wgs84"},
			&cli.StringFlag{Name: "encoding", Usage: "Shapefile: the text encoding of the .dbf (utf-8, gbk or gb18030); default: the .cpg's, else utf-8"},
			&cli.StringFlag{Name: "code-field", Usage: "Shapefile: the field holding the unit code (default: code)"},
			&cli.StringFlag{Name: "name-field", Usage: "Shapefile: the field holding the name (default: name)"},
			&cli.StringFlag{Name: "level-field", Usage: "Shapefile: the field holding the level (default: level, else from the code)"},
			&cli.StringFlag{Name: "parent-field", Usage: "Shapefile: the field holding the parent's code (default: parent_cod, else from the code)"},
			&cli.StringFlag{Name: "layer", Usage: "Shapefile: which .shp, where a folder or .zip holds several"},
			&cli.BoolFlag{Name: "dry-run", Usage: "check everything and report, write nothing"},
			&cli.BoolFlag{Name: "make-valid", Usage: "repair invalid polygons with ST_MakeValid and say what changed, instead of refusing them"},
			&cli.BoolFlag{Name: "allow-topology-problems", Usage: "import even if units end up outside their parents, overlapping or leaving gaps"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return fmt.Errorf("grid import: want exactly one FILE argument")
			}
			path := cmd.Args().First()
			units, took, err := readImport(cmd, path)
			var features *grid.FeatureProblems
			var one *grid.FeatureError
			switch {
			case errors.As(err, &features) || errors.As(err, &one):
				// The features that could be read still go through the other checks, so that one
				// report says everything; the import itself is off.
				fmt.Fprintf(stdout, "%s: %v\n", path, err)
			case err != nil:
				return fmt.Errorf("%s: %w; nothing imported", path, err)
			}
			if took != geo.WGS84 && took != geo.CGCS2000 && took != "" {
				fmt.Fprintf(stdout, "coordinates converted from %s to WGS84\n", took)
			}
			o := grid.ImportOptions{DryRun: cmd.Bool("dry-run") || err != nil, MakeValid: cmd.Bool("make-valid"),
				AllowTopologyProblems: cmd.Bool("allow-topology-problems"),
				Detail:                map[string]any{"file": filepath.Base(path), "crs": string(took), "source": "command_line"}}
			return withStore(ctx, cmd, func(s *grid.Store) error {
				rep, ierr := s.ImportWith(ctx, units, o)
				for _, line := range rep.Lines() {
					fmt.Fprintln(stdout, line)
				}
				switch {
				case err != nil:
					return fmt.Errorf("%s: the features above could not be read; nothing imported", path)
				case ierr != nil:
					return fmt.Errorf("%s: %w; nothing imported", path, ierr)
				case !rep.Committed:
					fmt.Fprintf(stdout, "dry run of %s: %d units, %d problems, %d repairs; nothing written\n",
						path, len(units), len(rep.Problems), len(rep.Repairs))
					return nil
				}
				fmt.Fprintf(stdout, "imported %d units from %s: %d new, %d updated\n", len(units), path, rep.Result.Inserted, rep.Result.Updated)
				return nil
			})
		},
	}
}

// readImport reads the units of an import file: GeoJSON, or a Shapefile by folder, .zip or .shp.
func readImport(cmd *cli.Command, path string) ([]grid.Unit, geo.CRS, error) {
	var crs geo.CRS
	if v := cmd.String("crs"); v != "" {
		var err error
		if crs, err = geo.ParseCRS(v); err != nil {
			return nil, "", fmt.Errorf("--crs: %w", err)
		}
	}
	if path == "-" {
		return grid.ReadGeoJSONAs(bufio.NewReader(os.Stdin), crs)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, "", err
	}
	o := grid.ShapefileOptions{CRS: crs, CodeField: cmd.String("code-field"), NameField: cmd.String("name-field"),
		LevelField: cmd.String("level-field"), ParentField: cmd.String("parent-field"), Layer: cmd.String("layer")}
	if v := cmd.String("encoding"); v != "" {
		if o.Encoding, err = grid.ParseTextEncoding(v); err != nil {
			return nil, "", fmt.Errorf("--encoding: %w", err)
		}
	}
	var fsys fs.FS
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case st.IsDir():
		fsys = os.DirFS(path)
	case ext == ".zip":
		z, err := zip.OpenReader(path)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %v", grid.ErrBadShapefile, err)
		}
		defer z.Close()
		fsys = z
	case ext == ".shp":
		fsys, o.Layer = os.DirFS(filepath.Dir(path)), filepath.Base(path)
	default:
		f, err := os.Open(path)
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		return grid.ReadGeoJSONAs(bufio.NewReader(f), crs)
	}
	return grid.ReadShapefile(fsys, o)
}
