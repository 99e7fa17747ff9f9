package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

type transitionRequest struct {
	Action   dispatch.Action  `json:"action"`
	Version  int              `json:"version"`
	Reason   string           `json:"reason"`
	Outcome  dispatch.Outcome `json:"outcome"`
	ToCentre string           `json:"to_centre"`
	Parties  string           `json:"parties"`
	Photos   []string         `json:"photos"`
	Grade    dispatch.Grade   `json:"grade"` // accept (optional), regrade (required): simple, complex, difficult
	Major    bool             `json:"major"` // with a grade: 重大

	MergeInto int64 `json:"merge_into"` // merge (并单): the main case

	Satisfaction dispatch.Satisfaction `json:"satisfaction"` // for callback: satisfied, basic or dissatisfied
	Until        *time.Time            `json:"until"`        // extend_request: the deadline asked for; park: the review date
	// ReasonCode: decline (退单): not_ours, wrong_address, duplicate or other.
	ReasonCode dispatch.DeclineReason `json:"reason_code"`

	ToMember int64 `json:"to_member"` // lead_handover: the county leader the case goes to (one of lead_to)
}

// maxTransitionBody fits the longest reason and parties in UTF-8 with room to spare.
const maxTransitionBody = 32 << 10

// check refuses what dispatch would pass on to PostgreSQL only to fail there, answered 503 as
// if worth retrying: a NUL in the text (text columns cannot hold one) and a centre to transfer
// to that is not a code. dispatch checks the rest.
func (req transitionRequest) check() error {
	switch {
	case strings.ContainsRune(req.Reason, 0) || strings.ContainsRune(req.Parties, 0):
		return fmt.Errorf("%w: reason and parties cannot contain NUL", ErrBadRequest)
	case req.ToCentre != "" && (!isDigits(req.ToCentre) || grid.LevelOfCode(req.ToCentre) == 0):
		return fmt.Errorf("%w: to_centre must be a unit code", ErrBadRequest)
	}
	return nil
}

type caseViewJSON struct {
	ID         int64              `json:"id"`
	State      dispatch.CaseState `json:"state"`
	Level      dispatch.Tier      `json:"level"`
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
	if err := req.check(); err != nil {
		writeError(w, s.logger, err)
		return
	}
	c := caseFrom(r.Context())
	v, err := s.cases.Apply(r.Context(), dispatch.Transition{CaseID: c.ID, Version: req.Version, Action: req.Action,
		ActorID: principalFrom(r.Context()).Member.ID, Reason: req.Reason, Outcome: req.Outcome,
		ToCentre: req.ToCentre, Parties: req.Parties, Photos: req.Photos, Grade: req.Grade, Major: req.Major, MergeInto: req.MergeInto,
		Satisfaction: req.Satisfaction, Until: req.Until, ReasonCode: req.ReasonCode, ToMember: req.ToMember})
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"transition_id": v.TransitionID, "case": caseViewJSON{ID: v.ID,
		State: v.State, Level: v.Level, Centre: v.Centre, Version: v.Version, DeadlineAt: v.DeadlineAt}})
}
