package web

import (
	"errors"
	"net/http"

	"github.com/griddispatch/griddispatch/grid"
)

const maxPasswordBody = 4 << 10

type passwordChangeJSON struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// handleOwnPassword: POST /api/me/password {"current", "new"} -> 204. The current password is
// the one-time code after a reset; choosing a password ends must_change_password.
func (s *Server) handleOwnPassword(w http.ResponseWriter, r *http.Request) {
	var req passwordChangeJSON
	if err := decodeJSON(w, r, maxPasswordBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	err := s.auth.ChangePassword(r.Context(), principalFrom(r.Context()).Member, req.Current, req.New)
	switch {
	case errors.Is(err, grid.ErrWrongPassword):
		err = &FieldError{Field: "current", Message: err.Error()}
	case errors.Is(err, grid.ErrInvalidMember):
		err = &FieldError{Field: "new", Message: err.Error()}
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
