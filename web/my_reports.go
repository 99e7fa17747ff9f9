package web

import (
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

type reportStatusJSON struct {
	ClientID   string     `json:"client_id"`
	EventID    int64      `json:"event_id"`
	CaseID     int64      `json:"case_id,omitempty"`
	Category   string     `json:"category"`
	HappenedAt time.Time  `json:"happened_at"`
	ReceivedAt time.Time  `json:"received_at"`
	Located    bool       `json:"located"`
	Unit       string     `json:"unit,omitempty"`
	State      string     `json:"state,omitempty"`
	Level      int        `json:"level,omitempty"`
	Centre     string     `json:"centre,omitempty"`
	Version    int        `json:"version,omitempty"`
	DeadlineAt *time.Time `json:"deadline_at,omitempty"`
}

// handleMyReports: GET /api/my/reports?limit=N -> the member's own reports, newest first.
func (s *Server) handleMyReports(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, 50, dispatch.MaxListedReports)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := s.intake.ReportsBy(r.Context(), principalFrom(r.Context()).Member.ID, limit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]reportStatusJSON, len(list))
	for i, st := range list {
		out[i] = reportStatusJSON{ClientID: st.ClientID, EventID: st.EventID, CaseID: st.CaseID, Category: st.Category,
			HappenedAt: st.HappenedAt, ReceivedAt: st.ReceivedAt, Located: st.UnitCode != "", Unit: st.UnitCode,
			State: st.State, Level: st.Level, Centre: st.Centre, Version: st.Version, DeadlineAt: st.DeadlineAt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": out})
}
