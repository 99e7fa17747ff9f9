package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// The roster (docs/admin-api.md, "Roster"; docs/roster.md): the county's Excel list of who
// works where, exported and imported by the same columns.

// maxRosterUpload bounds an uploaded roster.
const maxRosterUpload = 20 << 20

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type rosterReportJSON struct {
	DryRun           bool                `json:"dry_run"`
	Committed        bool                `json:"committed"`
	Rows             int                 `json:"rows"`
	MembersAdded     int                 `json:"members_added"`
	AssignmentsAdded int                 `json:"assignments_added"`
	Problems         []rosterProblemJSON `json:"problems"`
	More             int                 `json:"more"`
	Codes            []rosterCodeJSON    `json:"codes"`
}

type rosterProblemJSON struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

type rosterCodeJSON struct {
	MemberID  int64     `json:"member_id"`
	Phone     string    `json:"phone"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// rosterReportOf is the store's report with the problems found reading the file, all at once
// and in row order, each once.
func rosterReportOf(rep grid.RosterReport, reading []grid.RosterProblem) rosterReportJSON {
	out := rosterReportJSON{DryRun: rep.DryRun, Committed: rep.Committed, Rows: rep.Rows, MembersAdded: rep.MembersAdded,
		AssignmentsAdded: rep.AssignmentsAdded, More: rep.More, Problems: []rosterProblemJSON{}, Codes: []rosterCodeJSON{}}
	seen := map[rosterProblemJSON]bool{}
	for _, p := range append(slices.Clone(rep.Problems), reading...) {
		j := rosterProblemJSON(p)
		key := rosterProblemJSON{Row: j.Row, Column: j.Column, Kind: j.Kind}
		if !seen[key] {
			seen[key] = true
			out.Problems = append(out.Problems, j)
		}
	}
	slices.SortStableFunc(out.Problems, func(a, b rosterProblemJSON) int { return cmp.Compare(a.Row, b.Row) })
	if n := len(out.Problems); n > grid.MaxReportedProblems {
		out.More += n - grid.MaxReportedProblems
		out.Problems = out.Problems[:grid.MaxReportedProblems]
	}
	for _, c := range rep.Codes {
		out.Codes = append(out.Codes, rosterCodeJSON(c))
	}
	return out
}

// rosterFormat is the format asked for by format=, else by the Content-Type, else by the
// file's first bytes (an xlsx workbook is a zip).
func rosterFormat(r *http.Request, data []byte) (grid.RosterFormat, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "xlsx", "csv":
		return grid.RosterFormat(f), nil
	case "":
	default:
		return "", &FieldError{Field: "format", Message: "xlsx or csv"}
	}
	switch ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct {
	case xlsxType:
		return grid.RosterXLSX, nil
	case "text/csv":
		return grid.RosterCSV, nil
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return grid.RosterXLSX, nil
	}
	return grid.RosterCSV, nil
}

// handleRosterImport: POST /api/admin/roster?dry_run=1, the file as the body -> the report;
// 422 roster_refused with it when any row has a problem, and then nothing is written.
func (s *Server) handleRosterImport(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	dryRun := r.URL.Query().Get("dry_run") == "1"
	data, err := readRequestBody(w, r, maxRosterUpload)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	format, err := rosterFormat(r, data)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	rows, reading, err := grid.ReadRoster(bytes.NewReader(data), format)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	if len(rows) == 0 && len(reading) > 0 { // a bad header, or no rows
		rep := rosterReportOf(grid.NewRosterReport(dryRun, reading), nil)
		writeError(w, s.logger, withReport(fmt.Errorf("%w: %s", grid.ErrRosterRefused, reading[0].Message), rep))
		return
	}
	// With problems found reading, the store only checks (all problems at once) and writes nothing.
	rep, err := s.auth.grid.ImportRoster(r.Context(), a, rows, dryRun || len(reading) > 0)
	rep.DryRun = dryRun
	switch {
	case err == nil && len(reading) > 0:
		err = fmt.Errorf("%w: %d problems reading the file; nothing written", grid.ErrRosterRefused, len(reading))
		fallthrough
	case errors.Is(err, grid.ErrRosterRefused):
		writeError(w, s.logger, withReport(err, rosterReportOf(rep, reading)))
		return
	case err != nil:
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, rosterReportOf(rep, nil))
}

// handleRosterExport: GET /api/admin/roster?unit=&format=xlsx|csv -> the roster of the unit's
// subtree (default: every subtree the administrator administers) as a file.
func (s *Server) handleRosterExport(w http.ResponseWriter, r *http.Request) {
	a, acc := adminFrom(r.Context())
	q := r.URL.Query()
	unit, format := q.Get("unit"), grid.RosterFormat(q.Get("format"))
	var err error
	switch format {
	case "":
		format = grid.RosterXLSX
	case grid.RosterXLSX, grid.RosterCSV:
	default:
		err = &FieldError{Field: "format", Message: "xlsx or csv"}
	}
	if err == nil && unit != "" {
		err = acc.unitInScope("unit", unit)
	}
	var buf bytes.Buffer
	if err == nil {
		_, err = s.auth.grid.ExportRoster(r.Context(), a, unit, format, &buf)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	name, ctype := "roster", xlsxType
	if unit != "" {
		name += "-" + unit
	}
	if format == grid.RosterCSV {
		ctype = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
