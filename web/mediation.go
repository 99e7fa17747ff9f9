package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// The mediation record of a case (docs/mediation.md): its attempts, each with parties,
// mediators, facts, claims and outcome; the agreement of a settled one (mediation_agreement.go),
// its signed copies (mediation_copies.go) and referrals (mediation_referral.go). Whoever reads
// the case reads the record; the parties' ID-card numbers and phones are in full only for the
// mediators of the centre that recorded the attempt (the store opens them for no one else).

// maxMediationBody bounds a record's JSON: three texts of 5,000 characters (up to 15 KB each in
// UTF-8), 20 parties and 10 mediators.
const maxMediationBody = 64 << 10

type mediationJSON struct {
	ID         int64                     `json:"id"`
	Seq        int                       `json:"seq"`
	Centre     string                    `json:"centre"`
	CentreName string                    `json:"centre_name"`
	Owned      bool                      `json:"owned"`
	Code       string                    `json:"code"` // the agreement's number, once settled
	Facts      string                    `json:"facts"`
	Claims     string                    `json:"claims"`
	Outcome    dispatch.MediationOutcome `json:"outcome"`
	Terms      string                    `json:"terms"`
	Parties    []dispatch.Party          `json:"parties"`
	Mediators  []dispatch.Mediator       `json:"mediators"`
	SettledOn  *string                   `json:"settled_on"`
	ConfirmBy  *string                   `json:"confirm_by"` // the last day to ask for judicial confirmation
	Version    int                       `json:"version"`
	CreatedAt  time.Time                 `json:"created_at"`
	UpdatedAt  time.Time                 `json:"updated_at"`
	Copies     []string                  `json:"copies"` // signed copies: the owner's only
	NCopies    int                       `json:"copies_count"`
	Referrals  []dispatch.Referral       `json:"referrals"`
}

// mediationInputJSON is what the console sends to record or change an attempt.
type mediationInputJSON struct {
	Version   int                       `json:"version"`
	Facts     string                    `json:"facts"`
	Claims    string                    `json:"claims"`
	Outcome   dispatch.MediationOutcome `json:"outcome"`
	Terms     string                    `json:"terms"`
	Parties   []dispatch.Party          `json:"parties"`
	Mediators []dispatch.Mediator       `json:"mediators"`
}

// agreementCode numbers an agreement: （2026）140802001调字第123-1号, the year it was settled,
// the owner centre, the case and the attempt.
func agreementCode(m dispatch.Mediation) string {
	if m.SettledOn == nil {
		return ""
	}
	return fmt.Sprintf("（%d）%s调字第%d-%d号", m.SettledOn.Year(), m.Centre, m.CaseID, m.Seq)
}

func mediationOf(m dispatch.Mediation) mediationJSON {
	out := mediationJSON{ID: m.ID, Seq: m.Seq, Centre: m.Centre, CentreName: m.CentreName, Owned: m.Owned, Code: agreementCode(m),
		Facts: m.Facts, Claims: m.Claims, Outcome: m.Outcome, Terms: m.Terms, Parties: m.Parties, Mediators: m.Mediators,
		Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Copies: m.Copies, NCopies: m.NCopies, Referrals: m.Referrals}
	if m.SettledOn != nil {
		on, by := m.SettledOn.Format(time.DateOnly), dispatch.ConfirmBy(*m.SettledOn).Format(time.DateOnly)
		out.SettledOn, out.ConfirmBy = &on, &by
	}
	for _, s := range []*[]string{&out.Copies} {
		if *s == nil {
			*s = []string{}
		}
	}
	if out.Referrals == nil {
		out.Referrals = []dispatch.Referral{}
	}
	return out
}

// ownerOf: the member mediates at the centre (and so owns its records).
func ownerOf(a access) dispatch.Owner { return func(centre string) bool { return a.centres[centre] } }

// mediationError tells a refused field as the error table's refusal, with its field.
func mediationError(err error) error {
	var me *dispatch.MediationError
	if errors.As(err, &me) {
		return refusedAs(dispatch.ErrBadMediation, me.Field, me.Error())
	}
	return err
}

// handleMediations: GET /api/cases/{id}/mediations -> the case's attempts, first to last, what
// the member may do, and the mediators of the case's centre (for the form).
func (s *Server) handleMediations(w http.ResponseWriter, r *http.Request) {
	c, acc := caseFrom(r.Context()), accessFrom(r.Context())
	list, err := s.mediations.List(r.Context(), c.ID, 0, ownerOf(acc))
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]mediationJSON, len(list))
	for i, m := range list {
		out[i] = mediationOf(m)
	}
	mayRecord := acc.centres[c.Centre] && dispatch.MediationOpen(c.State)
	var mediators []dispatch.Mediator
	if mayRecord {
		if mediators, err = s.mediations.CentreMediators(r.Context(), c.Centre); err != nil {
			writeError(w, s.logger, err)
			return
		}
	}
	if mediators == nil {
		mediators = []dispatch.Mediator{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"mediations": out, "may_record": mayRecord, "centre_mediators": mediators,
		"me": acc.member})
}

// handleMediationCreate: POST /api/cases/{id}/mediations {facts, claims, outcome, terms,
// parties, mediators} -> 201 the attempt. A mediator of the case's current centre only.
func (s *Server) handleMediationCreate(w http.ResponseWriter, r *http.Request) {
	c, acc := caseFrom(r.Context()), accessFrom(r.Context())
	if !acc.centres[c.Centre] {
		writeError(w, s.logger, fmt.Errorf("%w: a mediation is recorded by the case's centre", dispatch.ErrNotYours))
		return
	}
	var req mediationInputJSON
	if err := decodeJSON(w, r, maxMediationBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	id, err := s.mediations.Create(r.Context(), c.ID, c.Centre, req.input(), acc.member)
	if err != nil {
		writeError(w, s.logger, mediationError(err))
		return
	}
	s.historyOfAttempt(r, c, id)
	s.writeMediation(w, r, http.StatusCreated, id)
}

// historyOfAttempt makes a recorded attempt the case's 调处 too, through the state machine: a
// history row (the reporter reads it: the attempt's number and outcome only, no party) that
// lets a dispute be settled and, on an accepted case, moves it to 调处中. Should the case have
// moved meanwhile, the record stands and the mediator takes 调处 by hand; that is logged.
func (s *Server) historyOfAttempt(r *http.Request, c dispatch.CaseSummary, id int64) {
	if !dispatch.Allowed(dispatch.ActMediate, c.State) {
		return
	}
	m, err := s.mediation(r, id)
	if err == nil {
		_, err = s.cases.Apply(r.Context(), dispatch.Transition{CaseID: c.ID, Version: c.Version, Action: dispatch.ActMediate,
			ActorID: accessFrom(r.Context()).member, Reason: fmt.Sprintf("登记调解记录（第%d次）：%s", m.Seq, outcomeZh[m.Outcome])})
	}
	if err != nil {
		s.logger.Warn("a mediation was recorded without its 调处 history row", "case_id", c.ID, "mediation_id", id, "err", err)
	}
}

var outcomeZh = map[dispatch.MediationOutcome]string{dispatch.MediationPending: "调解中", dispatch.MediationSettled: "调解成功",
	dispatch.MediationUnsettled: "调解不成", dispatch.MediationReferred: "已移交"}

// handleMediationSave: PUT /api/cases/{id}/mediations/{mid} {version, ...} -> the attempt. The
// owner centre only; 409 if it changed since version.
func (s *Server) handleMediationSave(w http.ResponseWriter, r *http.Request) {
	c, acc := caseFrom(r.Context()), accessFrom(r.Context())
	id, err := pathID(r.PathValue("mid"), "mediation record")
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var req mediationInputJSON
	if err := decodeJSON(w, r, maxMediationBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if req.Version <= 0 {
		writeError(w, s.logger, &FieldError{Field: "version", Message: "the version the record was read at"})
		return
	}
	if err := s.mediations.Update(r.Context(), c.ID, id, req.Version, req.input(), ownerOf(acc), acc.member); err != nil {
		writeError(w, s.logger, mediationError(err))
		return
	}
	s.writeMediation(w, r, http.StatusOK, id)
}

func (req mediationInputJSON) input() dispatch.MediationInput {
	return dispatch.MediationInput{Facts: req.Facts, Claims: req.Claims, Outcome: req.Outcome, Terms: req.Terms,
		Parties: req.Parties, Mediators: req.Mediators}
}

// writeMediation answers with one attempt as the member reads it.
func (s *Server) writeMediation(w http.ResponseWriter, r *http.Request, status int, id int64) {
	m, err := s.mediation(r, id)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, status, mediationOf(m))
}

// mediation reads one attempt of the route's case as the member reads it.
func (s *Server) mediation(r *http.Request, id int64) (dispatch.Mediation, error) {
	list, err := s.mediations.List(r.Context(), caseFrom(r.Context()).ID, id, ownerOf(accessFrom(r.Context())))
	if err != nil {
		return dispatch.Mediation{}, err
	}
	if len(list) == 0 {
		return dispatch.Mediation{}, dispatch.ErrMediationNotFound
	}
	return list[0], nil
}
