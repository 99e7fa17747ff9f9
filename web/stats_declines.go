package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/griddispatch/griddispatch/dispatch"
)

// Bounds of GET /api/stats/declines.
const (
	defaultDeclinesMin   = 2
	maxDeclinesMin       = 100
	defaultDeclinesLimit = 50
	maxDeclinesLimit     = 200
)

type declinedCaseJSON struct {
	ID       int64              `json:"id"`
	Declines int                `json:"declines"`
	State    dispatch.CaseState `json:"state"`
	Centre   string             `json:"centre"`
	Unit     string             `json:"unit"`
	UnitName string             `json:"unit_name"`
	Category string             `json:"category"`
	OpenedOn string             `json:"opened_on"`
}

// handleStatsDeclines: GET /api/stats/declines?unit&from&to&category[&min][&limit] -> the cases
// of the period declined (退单) min times or more (反复退单), most declined first, and how many
// there are (docs/stats-api.md).
func (s *Server) handleStatsDeclines(w http.ResponseWriter, r *http.Request, req statsRequest) error {
	min := defaultDeclinesMin
	if v := r.URL.Query().Get("min"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDeclinesMin {
			return fmt.Errorf("%w: min must be a number from 1 to %d", ErrBadRequest, maxDeclinesMin)
		}
		min = n
	}
	limit, err := limitParam(r, defaultDeclinesLimit, maxDeclinesLimit)
	if err != nil {
		return err
	}
	list, total, err := s.stats.RepeatedDeclines(r.Context(), req.StatsFilter, min, limit)
	if err != nil {
		return err
	}
	out := make([]declinedCaseJSON, len(list))
	for i, c := range list {
		out[i] = declinedCaseJSON{ID: c.ID, Declines: c.Declines, State: c.State, Centre: c.Centre, Unit: c.Unit,
			UnitName: c.UnitName, Category: c.Category, OpenedOn: c.OpenedAt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"min": min, "count": total, "cases": out})
	return nil
}
