package web

import (
	"net/http"

	"github.com/griddispatch/griddispatch/dispatch"
)

// Referrals of an attempt (docs/mediation.md, "Referral"): to a court for judicial confirmation
// of its agreement, or to another body of 三调联动; a recorded step of the mediation record, with
// its result recorded later. The owner centre records them.

// handleReferral: POST /api/cases/{id}/mediations/{mid}/referrals {kind, body, referred_on,
// reason} -> 201 the attempt.
func (s *Server) handleReferral(w http.ResponseWriter, r *http.Request) {
	c, acc := caseFrom(r.Context()), accessFrom(r.Context())
	id, err := pathID(r.PathValue("mid"), "mediation record")
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var req dispatch.Referral
	if err := decodeJSON(w, r, 8<<10, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if _, err := s.mediations.Refer(r.Context(), c.ID, id, req, ownerOf(acc), acc.member); err != nil {
		writeError(w, s.logger, mediationError(err))
		return
	}
	s.writeMediation(w, r, http.StatusCreated, id)
}

// handleReferralResult: PUT /api/cases/{id}/mediations/{mid}/referrals/{rid} {version, result,
// result_on, result_note} -> the attempt.
func (s *Server) handleReferralResult(w http.ResponseWriter, r *http.Request) {
	c, acc := caseFrom(r.Context()), accessFrom(r.Context())
	id, err := pathID(r.PathValue("mid"), "mediation record")
	var rid int64
	if err == nil {
		rid, err = pathID(r.PathValue("rid"), "referral")
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var req struct {
		Version    int                     `json:"version"`
		Result     dispatch.ReferralResult `json:"result"`
		ResultOn   string                  `json:"result_on"`
		ResultNote string                  `json:"result_note"`
	}
	if err := decodeJSON(w, r, 8<<10, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if req.Version <= 0 {
		writeError(w, s.logger, &FieldError{Field: "version", Message: "the version the referral was read at"})
		return
	}
	if err := s.mediations.RecordResult(r.Context(), c.ID, id, rid, req.Version, req.Result, req.ResultOn, req.ResultNote,
		ownerOf(acc), acc.member); err != nil {
		writeError(w, s.logger, mediationError(err))
		return
	}
	s.writeMediation(w, r, http.StatusOK, id)
}
