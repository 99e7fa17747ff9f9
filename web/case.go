package web

import (
	"fmt"
	"net/http"
	"strconv"

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

// readableCase loads a case the signed-in member may read; a case they may not read is
// ErrCaseNotFound, like one that does not exist, so case numbers cannot be probed.
func (s *Server) readableCase(r *http.Request) (dispatch.CaseDetail, access, error) {
	id, err := caseID(r)
	if err != nil {
		return dispatch.CaseDetail{}, access{}, err
	}
	acc, err := s.accessOf(r.Context(), principalFrom(r.Context()))
	if err != nil {
		return dispatch.CaseDetail{}, acc, err
	}
	d, err := s.cases.Detail(r.Context(), id)
	if err != nil {
		return d, acc, err
	}
	if !acc.readsCase(d.CaseSummary) {
		return dispatch.CaseDetail{}, acc, dispatch.ErrCaseNotFound
	}
	return d, acc, nil
}

// handleCase: GET /api/cases/{id} -> the case page: report, place, history, what I may do.
func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) {
	d, acc, err := s.readableCase(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, casePage(d, dispatch.ActionsFor(d.State, acc.roles(d.CaseSummary))))
}

// handleCaseMap: GET /api/cases/{id}/map -> GeoJSON of the case's village (or the deepest unit
// above the grids it has) with its grids and micro-grids.
func (s *Server) handleCaseMap(w http.ResponseWriter, r *http.Request) {
	d, _, err := s.readableCase(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	root := d.Path.Units[min(grid.Village, d.Path.Level)].Code
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	if _, err := s.auth.grid.Export(r.Context(), root, w); err != nil {
		s.logger.Warn("case map", "case", d.ID, "err", err) // headers are sent; the body is cut short
	}
}
