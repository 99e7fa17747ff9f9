package web

import (
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// handleCallbacks: GET /api/centres/{code}/callbacks?limit=N -> the centre's cases awaiting their
// callback (回访), the closest to their deadline first (docs/cases-api.md).
func (s *Server) handleCallbacks(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code") // checked by its policy (routes.go)
	limit, err := limitParam(r, dispatch.DefaultQueueLn, dispatch.MaxQueueLimit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := s.cases.Callbacks(r.Context(), code, limit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": time.Now().UTC(), "cases": summariesJSON(list)})
}
