package web

import (
	"net/http"

	"github.com/griddispatch/griddispatch/grid"
)

// The actions on one member (docs/admin-api.md, "Members"). The store checks that the member
// lies in the administrator's subtrees, all of their assignments for what concerns the whole
// member (deactivate, reset, release the phone), inside the change's transaction.

type assignJSON struct {
	UnitCode string    `json:"unit_code"`
	Role     grid.Role `json:"role"`
}

type moveJSON struct {
	UnitCode string    `json:"unit_code"`
	Role     grid.Role `json:"role"`
	To       string    `json:"to"`
}

const maxActionBody = 4 << 10

// handleMemberAssign: POST /api/admin/members/{id}/assignments {"unit_code", "role"} -> 204.
func (s *Server) handleMemberAssign(w http.ResponseWriter, r *http.Request) {
	a, acc := adminFrom(r.Context())
	var req assignJSON
	id, err := pathID(r.PathValue("id"), "member")
	if err == nil {
		err = decodeJSON(w, r, maxActionBody, &req)
	}
	if err == nil {
		err = checkAssignment(acc, "", req.UnitCode, req.Role)
	}
	if err == nil {
		err = s.auth.grid.AssignMember(r.Context(), a, id, grid.Assignment{MemberID: id, UnitCode: req.UnitCode, Role: req.Role})
	}
	s.answerAction(w, err)
}

// handleMemberUnassign: DELETE /api/admin/members/{id}/assignments/{unit}/{role} -> 204.
func (s *Server) handleMemberUnassign(w http.ResponseWriter, r *http.Request) {
	a, acc := adminFrom(r.Context())
	id, err := pathID(r.PathValue("id"), "member")
	unit, role := r.PathValue("unit"), grid.Role(r.PathValue("role"))
	if err == nil {
		err = acc.unitInScope("unit", unit)
	}
	if err == nil && !role.Valid() {
		err = &FieldError{Field: "role", Message: "not a role: " + quoteShort(string(role))}
	}
	if err == nil {
		err = s.auth.grid.UnassignMember(r.Context(), a, id, grid.Assignment{MemberID: id, UnitCode: unit, Role: role})
	}
	s.answerAction(w, err)
}

// handleMemberMove: POST /api/admin/members/{id}/move {"unit_code", "role", "to"} -> 204; a
// flagged assignment of a retired unit loses its flag on its new unit.
func (s *Server) handleMemberMove(w http.ResponseWriter, r *http.Request) {
	a, acc := adminFrom(r.Context())
	var req moveJSON
	id, err := pathID(r.PathValue("id"), "member")
	if err == nil {
		err = decodeJSON(w, r, maxActionBody, &req)
	}
	if err == nil {
		err = acc.unitInScope("unit_code", req.UnitCode)
	}
	if err == nil {
		err = checkAssignment(acc, "", req.To, req.Role)
		if fe, ok := err.(*FieldError); ok && fe.Field == "unit_code" {
			fe.Field = "to"
		}
	}
	if err == nil {
		err = s.auth.grid.MoveAssignment(r.Context(), a, id, grid.Assignment{MemberID: id, UnitCode: req.UnitCode, Role: req.Role}, req.To)
	}
	s.answerAction(w, err)
}

// handleMemberDeactivate: POST /api/admin/members/{id}/deactivate -> 204; every session of
// the member ends, and their websockets close at once on every process.
func (s *Server) handleMemberDeactivate(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	id, err := pathID(r.PathValue("id"), "member")
	var sessions [][]byte
	if err == nil {
		sessions, err = s.auth.grid.DeactivateMember(r.Context(), a, id)
	}
	if err == nil {
		s.endSessions(r.Context(), sessions)
	}
	s.answerAction(w, err)
}

// handleMemberReleasePhone: POST /api/admin/members/{id}/release-phone -> 204.
func (s *Server) handleMemberReleasePhone(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	id, err := pathID(r.PathValue("id"), "member")
	if err == nil {
		err = s.auth.grid.ReleasePhone(r.Context(), a, id)
	}
	s.answerAction(w, err)
}

// handleMemberPasswordReset: POST /api/admin/members/{id}/password-reset -> 200 with a
// one-time code, shown this once; the member's sessions end.
func (s *Server) handleMemberPasswordReset(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	id, err := pathID(r.PathValue("id"), "member")
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	code, expires, sessions, err := s.auth.grid.ResetPassword(r.Context(), a, id)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	s.endSessions(r.Context(), sessions)
	writeJSON(w, http.StatusOK, map[string]any{"code": code, "expires_at": expires})
}

func (s *Server) answerAction(w http.ResponseWriter, err error) {
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
