package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// maxVerifications bounds GET /api/my/verifications.
const maxVerifications = 200

// handleMyVerifications: GET /api/my/verifications?limit=N -> the cases awaiting verification
// whose reporter's time has run out and that the member may verify instead: at a centre they
// mediate, or in a grid they lead (docs/cases-api.md).
func (s *Server) handleMyVerifications(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxVerifications {
			writeError(w, s.logger, &FieldError{Field: "limit", Message: fmt.Sprintf("must be 1 to %d", maxVerifications)})
			return
		}
		limit = n
	}
	list, err := s.cases.StaffVerifications(r.Context(), principalFrom(r.Context()).Member.ID, limit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]caseSummaryJSON, len(list))
	for i, c := range list {
		out[i] = summaryJSON(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out})
}
