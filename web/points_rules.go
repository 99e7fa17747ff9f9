package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/griddispatch/griddispatch/dispatch"
)

// handlePointRules: GET /api/admin/point-rules -> every rule, the inactive too, with the
// triggers and cap periods the form offers.
func (s *Server) handlePointRules(w http.ResponseWriter, r *http.Request) {
	rules, err := s.points.Rules(r.Context(), true)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rules, "triggers": dispatch.PointTriggers, "cap_periods": dispatch.PointCapPeriods})
}

// handlePointRuleSave: POST /api/admin/point-rules (201, a new rule) and PUT
// /api/admin/point-rules/{id} (the rule replaced; its code and trigger stay) -> the rule. The
// scheme is one for the county, like the routing catalogue: a county administrator's.
func (s *Server) handlePointRuleSave(w http.ResponseWriter, r *http.Request) {
	var rule dispatch.PointRule
	if err := decodeJSON(w, r, maxPointBody, &rule); err != nil {
		writeError(w, s.logger, err)
		return
	}
	status := http.StatusCreated
	rule.ID = 0
	if v := r.PathValue("id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			writeError(w, s.logger, fmt.Errorf("%w: %w", ErrNotFound, dispatch.ErrPointNotFound))
			return
		}
		rule.ID, status = id, http.StatusOK
	}
	saved, err := s.points.SaveRule(r.Context(), rule, principalFrom(r.Context()).Member.ID)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, status, saved)
}
