package web

import (
	"context"
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

// readable loads a case the signed-in member may read, with load (the case's summary or its
// whole page); a case they may not read is ErrCaseNotFound, like one that does not exist, so
// case numbers cannot be probed.
func readable[T any](s *Server, r *http.Request, load func(context.Context, int64) (T, error), summary func(T) dispatch.CaseSummary) (T, access, error) {
	var zero T
	id, err := caseID(r)
	if err != nil {
		return zero, access{}, err
	}
	acc, err := s.accessOf(r.Context(), principalFrom(r.Context()))
	if err != nil {
		return zero, acc, err
	}
	c, err := load(r.Context(), id)
	if err != nil {
		return zero, acc, err
	}
	if !acc.readsCase(summary(c)) {
		return zero, acc, dispatch.ErrCaseNotFound
	}
	return c, acc, nil
}

func (s *Server) readableCase(r *http.Request) (dispatch.CaseDetail, access, error) {
	return readable(s, r, s.cases.Detail, func(d dispatch.CaseDetail) dispatch.CaseSummary { return d.CaseSummary })
}

func (s *Server) readableSummary(r *http.Request) (dispatch.CaseSummary, access, error) {
	return readable(s, r, s.cases.Summary, func(c dispatch.CaseSummary) dispatch.CaseSummary { return c })
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
	c, _, err := s.readableSummary(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	root := c.Unit[:min(len(c.Unit), grid.Village.CodeLength())] // its village, or the deeper unit it lies in
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	if _, err := s.auth.grid.Export(r.Context(), root, w); err != nil {
		s.logger.Warn("case map", "case", c.ID, "err", err) // headers are sent; the body is cut short
	}
}
