package web

import (
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// declineToRuleJSON is a case declined below, with its decline.
type declineToRuleJSON struct {
	Case       caseSummaryJSON        `json:"case"`
	CentreName string                 `json:"centre_name"` // the centre that declined it
	ReasonCode dispatch.DeclineReason `json:"reason_code"`
	Reason     string                 `json:"reason"`
	DeclinedAt time.Time              `json:"declined_at"`
}

// handleDeclinesToRule: GET /api/centres/{code}/declines?limit=N -> the cases centres below
// declined (退单), awaiting this centre's ruling, with their reason codes and words
// (docs/api.md). The console's 待裁定退单 panel.
func (s *Server) handleDeclinesToRule(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code") // checked by its policy (routes.go)
	limit, err := limitParam(r, dispatch.DefaultQueueLn, dispatch.MaxQueueLimit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := s.cases.(RulingLists).DeclinesToRule(r.Context(), code, limit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]declineToRuleJSON, len(list))
	for i, x := range list {
		out[i] = declineToRuleJSON{Case: summaryJSON(x.Case), CentreName: x.CentreName, ReasonCode: x.ReasonCode, Reason: x.Reason, DeclinedAt: x.DeclinedAt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": time.Now().UTC(), "declines": out})
}
