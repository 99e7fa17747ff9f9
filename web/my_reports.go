package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

type reportStatusJSON struct {
	ClientID    string        `json:"client_id"`
	EventID     int64         `json:"event_id"`
	CaseID      int64         `json:"case_id,omitempty"`
	Category    string        `json:"category"`
	Severity    string        `json:"severity"`
	Description string        `json:"description"`
	HappenedAt  time.Time     `json:"happened_at"`
	ReceivedAt  time.Time     `json:"received_at"`
	Located     bool          `json:"located"`
	Unit        string        `json:"unit,omitempty"`
	State       string        `json:"state,omitempty"`
	Level       dispatch.Tier `json:"level,omitempty"`
	Centre      string        `json:"centre,omitempty"`
	Version     int           `json:"version,omitempty"`
	DeadlineAt  *time.Time    `json:"deadline_at,omitempty"`

	// 并单: the main case the report was merged into, its state and outcome.
	MergedInto  int64   `json:"merged_into,omitempty"`
	MainState   string  `json:"main_state,omitempty"`
	MainOutcome string  `json:"main_outcome,omitempty"`
	Callback    *string `json:"callback,omitempty"` // 回访: pending, or how it ended
}

// handleMyReports: GET /api/my/reports?limit=N&before=EVENT&q=TEXT -> the member's own reports,
// newest first, a page at a time: next_before (when there may be more) asks for the next page;
// q finds a report by its description, case number or category ("#12": case 12 only).
func (s *Server) handleMyReports(w http.ResponseWriter, r *http.Request) {
	q, err := reportQuery(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := s.intake.ReportsBy(r.Context(), principalFrom(r.Context()).Member.ID, q)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]reportStatusJSON, len(list))
	for i, st := range list {
		out[i] = reportStatusJSON{ClientID: st.ClientID, EventID: st.EventID, CaseID: st.CaseID, Category: st.Category,
			Severity: st.Severity, Description: st.Description,
			HappenedAt: st.HappenedAt, ReceivedAt: st.ReceivedAt, Located: st.UnitCode != "", Unit: st.UnitCode,
			State: st.State, Level: st.Level, Centre: st.Centre, Version: st.Version, DeadlineAt: st.DeadlineAt,
			MergedInto: st.MergedInto, MainState: st.MainState, MainOutcome: st.MainOutcome, Callback: st.Callback}
	}
	body := map[string]any{"reports": out}
	if len(list) == q.Limit {
		body["next_before"] = list[len(list)-1].EventID
	}
	writeJSON(w, http.StatusOK, body)
}

func reportQuery(r *http.Request) (dispatch.ReportQuery, error) {
	limit, err := limitParam(r, 50, dispatch.MaxListedReports)
	if err != nil {
		return dispatch.ReportQuery{}, err
	}
	q := dispatch.ReportQuery{Limit: limit, Text: strings.TrimSpace(r.URL.Query().Get("q"))}
	if err := checkSearchText("q", q.Text); err != nil {
		return q, err
	}
	// "#12" is case 12 only; a bare "12" also finds descriptions that mention 12.
	if n, err := strconv.ParseInt(strings.TrimPrefix(q.Text, "#"), 10, 64); err == nil && strings.HasPrefix(q.Text, "#") && n > 0 {
		q.Text, q.CaseID = "", n
	}
	if v := r.URL.Query().Get("before"); v != "" {
		q.Before, err = strconv.ParseInt(v, 10, 64)
		if err != nil || q.Before < 1 {
			return q, &FieldError{Field: "before", Message: fmt.Sprintf("must be an event id (next_before of the previous page), not %.20q", v)}
		}
	}
	return q, nil
}
