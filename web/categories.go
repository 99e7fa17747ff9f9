package web

import (
	"net/http"

	"github.com/griddispatch/griddispatch/dispatch"
)

type categoryJSON struct {
	Code         string        `json:"code"`
	Group        string        `json:"group"`
	NameZH       string        `json:"name_zh"`
	NameEN       string        `json:"name_en"`
	StartLevel   dispatch.Tier `json:"start_level"`
	GridMayClose bool          `json:"grid_may_close"`
}

// handleCategories: GET /api/categories -> the active catalogue, for the report form's picker.
func (s *Server) handleCategories(w http.ResponseWriter, r *http.Request) {
	list, err := s.intake.Categories(r.Context())
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]categoryJSON, len(list))
	for i, c := range list {
		out[i] = categoryJSON{Code: c.Code, Group: c.Group, NameZH: c.NameZH, NameEN: c.NameEN,
			StartLevel: c.StartLevel, GridMayClose: c.GridMayClose}
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": out})
}
