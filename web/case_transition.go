package web

import (
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

type transitionRequest struct {
	Action   dispatch.Action  `json:"action"`
	Version  int              `json:"version"`
	Reason   string           `json:"reason"`
	Outcome  dispatch.Outcome `json:"outcome"`
	ToCentre string           `json:"to_centre"`
	Parties  string           `json:"parties"`
	Photos   []string         `json:"photos"`
}

// maxTransitionBody fits the longest reason and parties in UTF-8 with room to spare.
const maxTransitionBody = 32 << 10

type caseViewJSON struct {
	ID         int64              `json:"id"`
	State      dispatch.CaseState `json:"state"`
	Level      int                `json:"level"`
	Centre     string             `json:"centre"`
	Version    int                `json:"version"`
	DeadlineAt *time.Time         `json:"deadline_at"`
}

// handleTransition: POST /api/cases/{id}/transitions -> one action on the case. A member who
// may not read the case gets 404; one who may read it but not take this action gets 403.
func (s *Server) handleTransition(w http.ResponseWriter, r *http.Request) {
	var req transitionRequest
	if err := decodeJSON(w, r, maxTransitionBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	c := caseFrom(r.Context())
	v, err := s.cases.Apply(r.Context(), dispatch.Transition{CaseID: c.ID, Version: req.Version, Action: req.Action,
		ActorID: principalFrom(r.Context()).Member.ID, Reason: req.Reason, Outcome: req.Outcome,
		ToCentre: req.ToCentre, Parties: req.Parties, Photos: req.Photos})
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"transition_id": v.TransitionID, "case": caseViewJSON{ID: v.ID,
		State: v.State, Level: v.Level, Centre: v.Centre, Version: v.Version, DeadlineAt: v.DeadlineAt}})
}
