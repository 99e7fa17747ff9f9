package web

import "net/http"

// maxVerifications bounds GET /api/my/verifications.
const maxVerifications = 200

// handleMyVerifications: GET /api/my/verifications?limit=N -> the cases awaiting verification
// whose reporter's time has run out and that the member may verify instead: at a centre they
// mediate, or in a grid they lead (docs/cases-api.md).
func (s *Server) handleMyVerifications(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, 50, maxVerifications)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := s.cases.StaffVerifications(r.Context(), principalFrom(r.Context()).Member.ID, limit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": summariesJSON(list)})
}
