package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// caseID reads {id} of a /api/cases/{id} route.
func caseID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: case id must be a positive integer", ErrBadRequest)
	}
	return id, nil
}

// readableSummary loads the case of {id} if the member (whose access guard put in the
// context) may read it; a case they may not read is ErrCaseNotFound, like one that does not
// exist, so case numbers cannot be probed.
func (s *Server) readableSummary(r *http.Request) (dispatch.CaseSummary, error) {
	id, err := caseID(r)
	if err != nil {
		return dispatch.CaseSummary{}, err
	}
	c, err := s.cases.Summary(r.Context(), id)
	if err != nil {
		return c, err
	}
	if !accessFrom(r.Context()).readsCase(c) {
		return dispatch.CaseSummary{}, dispatch.ErrCaseNotFound
	}
	return c, nil
}

// handleCase: GET /api/cases/{id} -> the case page: report, place, history, what I may do.
func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) {
	d, err := s.cases.Detail(r.Context(), caseFrom(r.Context()).ID)
	acc := accessFrom(r.Context())
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	page := casePage(d, d.Actions(acc.roles(d.CaseSummary, time.Now())))
	page.MergedReports, page.MergedTotal, page.MergedInto = mergedOf(d, acc.readsAsStaff(d.CaseSummary))
	writeJSON(w, http.StatusOK, page)
}

// handleCaseMap: GET /api/cases/{id}/map -> GeoJSON of the case's village (or the deepest unit
// above the grids it has) with its grids and micro-grids.
func (s *Server) handleCaseMap(w http.ResponseWriter, r *http.Request) {
	c := caseFrom(r.Context())
	root := c.Unit[:min(len(c.Unit), grid.Village.CodeLength())] // its village, or the deeper unit it lies in
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	if _, err := s.auth.grid.Export(r.Context(), root, w); err != nil {
		s.logger.Warn("case map", "case", c.ID, "err", err) // headers are sent; the body is cut short
	}
}
