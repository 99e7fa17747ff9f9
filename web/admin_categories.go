package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// Catalogue is the routing catalogue as administrators edit it; dispatch.Catalogue is one.
type Catalogue interface {
	List(ctx context.Context) ([]dispatch.Category, error)
	Save(ctx context.Context, c dispatch.Category, by int64) error
}

// routingJSON is a category with its routing rules (docs/routing.md); deadlines in seconds.
type routingJSON struct {
	Code         string `json:"code"`
	Group        string `json:"group"`
	NameZH       string `json:"name_zh"`
	NameEN       string `json:"name_en"`
	StartLevel   int    `json:"start_level"`
	GridMayClose bool   `json:"grid_may_close"`
	Deadlines    struct {
		Village  int64 `json:"village_s"`
		Township int64 `json:"township_s"`
		County   int64 `json:"county_s"`
		Urgent   int64 `json:"urgent_s"`
		Verify   int64 `json:"verify_s"` // the reporter's time to verify; staff have as long again
	} `json:"deadlines"`
	AutoEscalate bool `json:"auto_escalate"`
	Active       bool `json:"active"`
	// Clocks: how each tier's deadline runs (docs/routing.md, "Working time"): calendar,
	// working_hours or working_days; omitted ones are calendar time.
	Clocks struct {
		Village  dispatch.Clock `json:"village,omitempty"`
		Township dispatch.Clock `json:"township,omitempty"`
		County   dispatch.Clock `json:"county,omitempty"`
		Urgent   dispatch.Clock `json:"urgent,omitempty"`
	} `json:"clocks"`
}

const maxRoutingBody = 4 << 10

// check refuses a body for another path's category, and names with a NUL, which dispatch
// would pass on to PostgreSQL only to fail there (text columns cannot hold one). dispatch
// checks the rest.
func (r routingJSON) check(pathCode string) error {
	switch {
	case r.Code != pathCode:
		return fmt.Errorf("%w: the body's code must be the one in the path", ErrBadRequest)
	case strings.ContainsRune(r.NameZH, 0) || strings.ContainsRune(r.NameEN, 0):
		return fmt.Errorf("%w: names cannot contain NUL", ErrBadRequest)
	}
	return nil
}

func routingOf(c dispatch.Category) routingJSON {
	r := routingJSON{Code: c.Code, Group: c.Group, NameZH: c.NameZH, NameEN: c.NameEN, StartLevel: int(c.StartLevel),
		GridMayClose: c.GridMayClose, AutoEscalate: c.AutoEscalate, Active: c.Active}
	r.Deadlines.Village, r.Deadlines.Township = int64(c.Deadlines.Village/time.Second), int64(c.Deadlines.Township/time.Second)
	r.Deadlines.County, r.Deadlines.Urgent = int64(c.Deadlines.County/time.Second), int64(c.Deadlines.Urgent/time.Second)
	r.Deadlines.Verify = int64(c.Deadlines.Verify / time.Second)
	k := c.Deadlines.Clocks
	r.Clocks.Village, r.Clocks.Township, r.Clocks.County, r.Clocks.Urgent = k.Village, k.Township, k.County, k.Urgent
	return r
}

func (r routingJSON) category() dispatch.Category {
	s := func(n int64) time.Duration { return time.Duration(min(max(n, 0), 1<<31)) * time.Second }
	// start_level clamped, not wrapped into a Tier: dispatch refuses anything but 1 to 3.
	return dispatch.Category{Code: r.Code, Group: r.Group, NameZH: r.NameZH, NameEN: r.NameEN, StartLevel: dispatch.Tier(min(max(r.StartLevel, -1), 5)),
		GridMayClose: r.GridMayClose, AutoEscalate: r.AutoEscalate, Active: r.Active,
		Deadlines: dispatch.Deadlines{Village: s(r.Deadlines.Village), Township: s(r.Deadlines.Township),
			County: s(r.Deadlines.County), Urgent: s(r.Deadlines.Urgent), Verify: s(r.Deadlines.Verify),
			Clocks: dispatch.TierClocks{Village: r.Clocks.Village, Township: r.Clocks.Township,
				County: r.Clocks.County, Urgent: r.Clocks.Urgent}}}
}

// handleRoutingList: GET /api/admin/categories -> every category with its routing rules.
func (s *Server) handleRoutingList(w http.ResponseWriter, r *http.Request) {
	list, err := s.catalogue.List(r.Context())
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]routingJSON, len(list))
	for i, c := range list {
		out[i] = routingOf(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": out})
}

// handleRoutingSave: PUT /api/admin/categories/{code} -> creates or replaces one category.
func (s *Server) handleRoutingSave(w http.ResponseWriter, r *http.Request) {
	var req routingJSON
	if err := decodeJSON(w, r, maxRoutingBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if err := req.check(r.PathValue("code")); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if err := s.catalogue.Save(r.Context(), req.category(), principalFrom(r.Context()).Member.ID); err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, req)
}
