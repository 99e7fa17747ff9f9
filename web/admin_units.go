package web

import (
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// adminUnitJSON is a unit of the admin app's grid tree, with the cases of its subtree; retired
// units keep theirs.
type adminUnitJSON struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Level      grid.Level `json:"level"`
	ParentCode string     `json:"parent_code"`
	ValidFrom  *time.Time `json:"valid_from,omitempty"`
	RetiredAt  *time.Time `json:"retired_at"`
	Successors []string   `json:"successors"`
	Children   int        `json:"children"`
	Cases      int        `json:"cases"`
	OpenCases  int        `json:"open_cases"`
}

func adminUnitsOf(us []grid.UnitInfo, validFrom bool) []adminUnitJSON {
	out := make([]adminUnitJSON, len(us))
	for i, u := range us {
		out[i] = adminUnitJSON{Code: u.Code, Name: u.Name, Level: u.Level, ParentCode: u.ParentCode, RetiredAt: u.RetiredAt,
			Successors: u.Successors, Children: u.Children, Cases: u.Cases, OpenCases: u.OpenCases}
		if validFrom {
			out[i].ValidFrom = u.ValidFrom
		}
		if out[i].Successors == nil {
			out[i].Successors = []string{}
		}
	}
	return out
}

// handleUnits: GET /api/admin/units?parent=CODE&retired=1 -> the children of parent, or the
// administrator's own units without one.
func (s *Server) handleUnits(w http.ResponseWriter, r *http.Request) {
	_, acc := adminFrom(r.Context())
	q := r.URL.Query()
	uq := grid.UnitQuery{Parent: q.Get("parent"), Retired: q.Get("retired") == "1"}
	if uq.Parent != "" {
		if err := acc.unitInScope("parent", uq.Parent); err != nil {
			writeError(w, s.logger, err)
			return
		}
	} else {
		uq.Codes = acc.administers
	}
	us, err := s.auth.grid.Units(r.Context(), uq)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": adminUnitsOf(us, false)})
}

// handleUnitSearch: GET /api/admin/units/search?q=&limit=&retired=1 -> units in the
// administrator's subtrees whose code starts with q or whose name holds it.
func (s *Server) handleUnitSearch(w http.ResponseWriter, r *http.Request) {
	_, acc := adminFrom(r.Context())
	q := r.URL.Query()
	text := q.Get("q")
	err := checkSearchText("q", text)
	limit := int64(0)
	if err == nil {
		limit, err = queryInt(q.Get("limit"), "limit", 50, 1, grid.MaxUnitPage)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	us, err := s.auth.grid.Units(r.Context(), grid.UnitQuery{Text: text, Roots: acc.administers,
		Retired: q.Get("retired") == "1", Limit: int(limit)})
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": adminUnitsOf(us, false)})
}

// handleUnit: GET /api/admin/units/{code} -> one unit, current or retired, with valid_from.
func (s *Server) handleUnit(w http.ResponseWriter, r *http.Request) {
	_, acc := adminFrom(r.Context())
	code := r.PathValue("code")
	if err := acc.unitInScope("code", code); err != nil {
		writeError(w, s.logger, err)
		return
	}
	u, err := s.auth.grid.UnitDetail(r.Context(), code)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, adminUnitsOf([]grid.UnitInfo{u}, true)[0])
}

// handleAdminOutlines: GET /api/admin/outlines?parent=CODE&retired=1 -> GeoJSON of the unit
// and its children (default: the administrator's first unit).
func (s *Server) handleAdminOutlines(w http.ResponseWriter, r *http.Request) {
	_, acc := adminFrom(r.Context())
	q := r.URL.Query()
	parent := q.Get("parent")
	if parent == "" {
		parent = acc.administers[0]
	}
	if err := acc.unitInScope("parent", parent); err != nil {
		writeError(w, s.logger, err)
		return
	}
	body, err := s.auth.grid.FamilyOutlines(r.Context(), parent, q.Get("retired") == "1")
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}
