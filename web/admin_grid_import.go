package web

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
)

// Bounds of a grid upload: the file, and a Shapefile's .zip unpacked (a zip's headers bound
// what archive/zip will inflate, so a small bomb cannot unpack to more than they say).
const (
	maxGridUpload      = 64 << 20
	maxZipUnpacked     = 256 << 20
	maxZipFiles        = 64
	maxFieldNameLength = 64
	maxForbiddenCodes  = 10 // named in a refusal
)

// handleGridImport: POST /api/admin/grid/imports, the file as the body -> the import report
// (docs/admin-api.md, "The grid"); 422 import_refused with the report when the file's features
// cannot all be read or its problems refuse it. Nothing is written unless everything passes.
func (s *Server) handleGridImport(w http.ResponseWriter, r *http.Request) {
	a, acc := adminFrom(r.Context())
	q := r.URL.Query()
	opts, format, crs, so, err := importOptions(q)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	data, err := readRequestBody(w, r, maxGridUpload)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	units, took, readErr := readGridUpload(data, format, crs, so)
	var fp *grid.FeatureProblems
	var fe *grid.FeatureError
	rep := importReportJSON{DryRun: opts.DryRun, CRS: took, FeatureProblems: []featureProblemJSON{}}
	switch {
	case errors.As(readErr, &fp):
		rep.FeatureProblems, rep.MoreFeatureProblems = featureProblemsOf(fp.Problems), fp.More
	case errors.As(readErr, &fe):
		rep.FeatureProblems = featureProblemsOf([]*grid.FeatureError{fe})
	case readErr != nil:
		writeError(w, s.logger, readErr)
		return
	}
	if len(units) == 0 && readErr == nil {
		writeError(w, s.logger, &FieldError{Message: "the file has no units"})
		return
	}
	if err := importScope(acc, units); err != nil {
		writeError(w, s.logger, err)
		return
	}
	// The features that could be read still go through every check, so that one report says
	// everything; with unreadable features nothing is written.
	opts.DryRun = opts.DryRun || readErr != nil
	opts.By, opts.Detail = a.By, map[string]any{"format": format, "crs": string(took), "source": "admin_app"}
	var ir grid.ImportReport
	var ierr error
	if len(units) > 0 {
		ir, ierr = s.auth.grid.ImportWith(r.Context(), units, opts)
		if ierr != nil && !errors.Is(ierr, grid.ErrImportRefused) {
			writeError(w, s.logger, ierr)
			return
		}
	}
	rep.fill(ir, units)
	switch {
	case readErr != nil:
		writeError(w, s.logger, withReport(fmt.Errorf("%w: %d features of the file cannot be read; nothing imported",
			grid.ErrImportRefused, len(rep.FeatureProblems)+rep.MoreFeatureProblems), rep))
		return
	case ierr != nil:
		writeError(w, s.logger, withReport(fmt.Errorf("%w; nothing imported", ierr), rep))
		return
	}
	if ir.Committed {
		s.gridChanged()
		s.logger.InfoContext(r.Context(), "grid imported", "by", *a.By, "units", len(units),
			"inserted", ir.Result.Inserted, "updated", ir.Result.Updated)
	}
	writeJSON(w, http.StatusOK, rep)
}

// gridChanged rebuilds this process's locate index at once; the others rebuild on the
// grid.changed notice that the units table's trigger sends through the outbox.
func (s *Server) gridChanged() {
	if l, ok := s.locator.(interface{ Changed() }); ok {
		l.Changed()
	}
}

func importOptions(q map[string][]string) (o grid.ImportOptions, format string, crs geo.CRS, so grid.ShapefileOptions, err error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	o = grid.ImportOptions{DryRun: get("dry_run") == "1", MakeValid: get("make_valid") == "1",
		AllowTopologyProblems: get("allow_topology_problems") == "1"}
	switch format = get("format"); format {
	case "":
		format = "geojson"
	case "geojson", "shapefile":
	default:
		return o, "", "", so, &FieldError{Field: "format", Message: "geojson or shapefile (as a .zip)"}
	}
	if v := get("crs"); v != "" {
		if crs, err = geo.ParseCRS(v); err != nil {
			return o, "", "", so, &FieldError{Field: "crs", Message: "wgs84, cgcs2000, gcj02 or bd09"}
		}
	}
	so.CRS = crs
	if v := get("encoding"); v != "" {
		if so.Encoding, err = grid.ParseTextEncoding(v); err != nil {
			return o, "", "", so, &FieldError{Field: "encoding", Message: "utf-8, gbk or gb18030"}
		}
	}
	for _, f := range []struct {
		name string
		to   *string
	}{{"code_field", &so.CodeField}, {"name_field", &so.NameField}} {
		v := get(f.name)
		if len(v) > maxFieldNameLength || strings.ContainsFunc(v, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
			return o, "", "", so, &FieldError{Field: f.name, Message: fmt.Sprintf("a field name of at most %d bytes", maxFieldNameLength)}
		}
		*f.to = v
	}
	return o, format, crs, so, nil
}

// readGridUpload reads the units of an uploaded file, converted to WGS84.
func readGridUpload(data []byte, format string, crs geo.CRS, so grid.ShapefileOptions) ([]grid.Unit, geo.CRS, error) {
	if format == "geojson" {
		return grid.ReadGeoJSONAs(bytes.NewReader(data), crs)
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, "", fmt.Errorf("%w: a Shapefile is uploaded as a .zip of its .shp, .dbf, .prj and .cpg: %v", grid.ErrBadShapefile, err)
	}
	if len(z.File) > maxZipFiles {
		return nil, "", fmt.Errorf("%w: the .zip holds %d files; at most %d", grid.ErrBadShapefile, len(z.File), maxZipFiles)
	}
	var total uint64
	for _, f := range z.File {
		total += f.UncompressedSize64
		if total > maxZipUnpacked || f.UncompressedSize64 > maxZipUnpacked {
			return nil, "", fmt.Errorf("%w: the .zip unpacks to more than %d MiB", grid.ErrBadShapefile, maxZipUnpacked>>20)
		}
	}
	return grid.ReadShapefile(z, so)
}

// importScope refuses units outside the administrator's subtrees, naming some of them.
func importScope(acc access, units []grid.Unit) error {
	var outside []string
	n := 0
	for _, u := range units {
		if !acc.administersUnit(u.Code) {
			if n++; len(outside) < maxForbiddenCodes {
				outside = append(outside, u.Code)
			}
		}
	}
	if n == 0 {
		return nil
	}
	more := ""
	if n > len(outside) {
		more = fmt.Sprintf(" and %d more", n-len(outside))
	}
	return fmt.Errorf("%w: units outside what you administer: %s%s", ErrForbidden, strings.Join(outside, ", "), more)
}
