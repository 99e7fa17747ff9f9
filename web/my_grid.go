package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/griddispatch/griddispatch/grid"
)

// maxMyGrids bounds the grids one answer outlines: a worker normally has one.
const maxMyGrids = 4

// maxMyGridBytes bounds the answer: outlines simplified to grid.OutlineTolerance (about 20 m)
// stay far below it; a grid drawn so finely that it does not is refused rather than sent to a
// phone on a village link.
const maxMyGridBytes = 1 << 20

// gridsOf: the grids a member works in on the ground (grid worker, grid leader, information
// officer), a micro-grid assignment standing for its grid.
func gridsOf(as []grid.Assignment) []string {
	var out []string
	for _, a := range as {
		if a.Role != grid.RoleGridWorker && a.Role != grid.RoleGridLeader && a.Role != grid.RoleInfoOfficer {
			continue
		}
		code := a.UnitCode
		switch grid.LevelOfCode(code) {
		case grid.MicroGrid:
			code = code[:grid.Grid.CodeLength()]
		case grid.Grid:
		default:
			continue
		}
		if !slices.Contains(out, code) && len(out) < maxMyGrids {
			out = append(out, code)
		}
	}
	return out
}

// handleMyGrid: GET /api/my/grid[?unit=GRID] -> GeoJSON (WGS84) of the member's grids and their
// micro-grids, for the phone's map, kept on the phone for offline use. Only the member's own
// grids: another unit is 403, a member with no grid 404.
func (s *Server) handleMyGrid(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	as, err := s.auth.grid.Assignments(ctx, principalFrom(ctx).Member.ID)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	codes := gridsOf(as)
	if u := r.URL.Query().Get("unit"); u != "" {
		if !slices.Contains(codes, u) {
			writeError(w, s.logger, fmt.Errorf("%w: %.20q is not a grid you work in", ErrForbidden, u))
			return
		}
		codes = []string{u}
	}
	if len(codes) == 0 {
		writeError(w, s.logger, fmt.Errorf("%w: you are assigned to no grid", ErrNotFound))
		return
	}
	features := []json.RawMessage{}
	for _, code := range codes {
		body, err := s.auth.grid.FamilyOutlines(ctx, code, false)
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		var fc struct {
			Features []json.RawMessage `json:"features"`
		}
		if err := json.Unmarshal(body, &fc); err != nil {
			writeError(w, s.logger, fmt.Errorf("outlines of %s: %w", code, err))
			return
		}
		features = append(features, fc.Features...)
	}
	out, err := json.Marshal(map[string]any{"type": "FeatureCollection", "grids": codes, "features": features})
	if err == nil && len(out) > maxMyGridBytes {
		err = fmt.Errorf("outlines of %v: %d bytes, over %d", codes, len(out), maxMyGridBytes)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(out)
}
