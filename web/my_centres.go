package web

import (
	"net/http"

	"github.com/griddispatch/griddispatch/grid"
)

// handleMyCentres: GET /api/my/centres -> the centres the member mediates at, and the subtrees
// they supervise or administer, for the console's picker.
func (s *Server) handleMyCentres(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	as, err := s.auth.grid.Assignments(ctx, principalFrom(ctx).Member.ID)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	centres, subtrees := []unitRefJSON{}, []unitRefJSON{}
	for _, a := range as {
		if a.Role != grid.RoleMediator && a.Role != grid.RoleSupervisor && a.Role != grid.RoleAdmin {
			continue
		}
		u, err := s.auth.grid.Unit(ctx, a.UnitCode)
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		ref := unitRefJSON{Code: u.Code, Name: u.Name, Level: int(u.Level)}
		if a.Role == grid.RoleMediator {
			if !u.NoCentre {
				centres = append(centres, ref)
			}
			continue
		}
		ref.Role = string(a.Role)
		subtrees = append(subtrees, ref)
	}
	writeJSON(w, http.StatusOK, map[string]any{"centres": centres, "subtrees": subtrees})
}
