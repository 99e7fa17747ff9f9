package web

import (
	"fmt"
	"net/http"

	"github.com/griddispatch/griddispatch/dispatch"
)

// maxRatingSchemeBody bounds a scheme: five marks and up to 250 indicators.
const maxRatingSchemeBody = 1 << 18

// handleRatingSchemesAdmin: GET /api/admin/rating-schemes -> every scheme, with the bounds an
// editor needs.
func (s *Server) handleRatingSchemesAdmin(w http.ResponseWriter, r *http.Request) {
	list, err := s.ratings.Schemes(r.Context())
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schemes": list, "metrics": dispatch.RatingMetrics,
		"max_marks": dispatch.MaxRatingMarks, "max_indicators": dispatch.MaxRatingIndicators, "max_notice_days": dispatch.MaxRatingNoticeDays})
}

// handleRatingSchemeSave: PUT /api/admin/rating-schemes/{code} {scheme} -> the scheme as saved:
// created, or its settings, marks and indicators replaced; audited (rating_scheme.save).
func (s *Server) handleRatingSchemeSave(w http.ResponseWriter, r *http.Request) {
	var body dispatch.RatingScheme
	if err := decodeJSON(w, r, maxRatingSchemeBody, &body); err != nil {
		writeError(w, s.logger, err)
		return
	}
	code := r.PathValue("code")
	if body.Code == "" {
		body.Code = code
	}
	if body.Code != code {
		writeError(w, s.logger, fmt.Errorf("%w: the body's code must be the one in the path", ErrBadRequest))
		return
	}
	saved, err := s.ratings.SaveScheme(r.Context(), body, principalFrom(r.Context()).Member.ID)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}
