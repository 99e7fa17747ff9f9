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
	var codes []string
	for _, a := range as {
		codes = append(codes, a.UnitCode)
	}
	refs, err := s.auth.grid.Refs(ctx, codes)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	centres, subtrees := []unitRefJSON{}, []unitRefJSON{}
	for _, a := range as {
		u := refs[a.UnitCode]
		ref := unitRefJSON{Code: a.UnitCode, Name: u.Name, Level: int(grid.LevelOfCode(a.UnitCode))}
		switch a.Role {
		case grid.RoleMediator:
			if !u.NoCentre {
				centres = append(centres, ref)
			}
		case grid.RoleSupervisor, grid.RoleAdmin:
			ref.Role = string(a.Role)
			subtrees = append(subtrees, ref)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"centres": centres, "subtrees": subtrees})
}
