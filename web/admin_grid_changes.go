package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// Change sets through the admin app (docs/admin-api.md, "The grid"; docs/grid.md, "Change
// sets"). The store stores a set under its root, the deepest unit holding all it touches; an
// administrator must administer that root to draft, review, apply or discard it.

// maxChangeBody bounds a drafted change set: a township's grids, drawn in detail.
const maxChangeBody = 32 << 20

type changeDraftJSON struct {
	Title       string            `json:"title"`
	EffectiveOn string            `json:"effective_on"`
	Split       *splitJSON        `json:"split"`
	Merge       *mergeJSON        `json:"merge"`
	Operations  []json.RawMessage `json:"operations"`
	Moves       map[string]string `json:"moves"`
}

type splitJSON struct {
	Code string          `json:"code"`
	Into json.RawMessage `json:"into"` // a FeatureCollection of the new units, in grid import's format
}

type mergeJSON struct {
	Codes []string        `json:"codes"`
	Into  json.RawMessage `json:"into"` // a Feature: the unit the merged units become
}

// changeSetJSON is a stored change set.
type changeSetJSON struct {
	ID          int64             `json:"id"`
	RootCode    string            `json:"root_code"`
	Title       string            `json:"title"`
	EffectiveOn string            `json:"effective_on"`
	State       grid.ChangeState  `json:"state"`
	Operations  []grid.ChangeOp   `json:"operations,omitempty"`
	Moves       map[string]string `json:"moves,omitempty"`
	CreatedBy   *int64            `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	DecidedBy   *int64            `json:"decided_by"`
	DecidedAt   *time.Time        `json:"decided_at"`
	// scheduled_at: the server applies the draft when its day begins; schedule_error: why the
	// last scheduled apply was refused.
	ScheduledBy   *int64     `json:"scheduled_by"`
	ScheduledAt   *time.Time `json:"scheduled_at"`
	ScheduleError string     `json:"schedule_error,omitempty"`
}

func changeSetOf(cs grid.ChangeSet, withOps bool) changeSetJSON {
	out := changeSetJSON{ID: cs.ID, RootCode: cs.RootCode, Title: cs.Title, EffectiveOn: cs.EffectiveOn, State: cs.State,
		CreatedBy: cs.CreatedBy, CreatedAt: cs.CreatedAt, DecidedBy: cs.DecidedBy, DecidedAt: cs.DecidedAt,
		ScheduledBy: cs.ScheduledBy, ScheduledAt: cs.ScheduledAt, ScheduleError: cs.ScheduleError}
	if withOps {
		out.Operations, out.Moves = cs.Operations, cs.Moves
	}
	return out
}

// changeReportJSON is grid.ChangeReport as the routes answer it.
type changeReportJSON struct {
	Change          changeSetJSON         `json:"change"`
	Problems        []problemJSON         `json:"problems"`
	Refusing        int                   `json:"refusing"` // problems that stop it being applied
	EarlierProblems int                   `json:"earlier_problems"`
	Retired         []grid.RetiredUnit    `json:"retired"`
	Added           []string              `json:"added"`
	Redrawn         []string              `json:"redrawn"`
	Renamed         []grid.Renaming       `json:"renamed"`
	Moved           []grid.AssignmentMove `json:"moved"`
	Flagged         []grid.AssignmentMove `json:"flagged"`
	OpenCasesKept   int                   `json:"open_cases_kept"`
	Applied         bool                  `json:"applied"`
	Map             json.RawMessage       `json:"map"`
}

func changeReportOf(rep grid.ChangeReport, o grid.ChangeOptions) changeReportJSON {
	out := changeReportJSON{Change: changeSetOf(rep.Change, true), Problems: problemsOf(rep.Problems), Refusing: rep.Refusing(o),
		EarlierProblems: rep.EarlierProblems, Retired: orEmpty(rep.Retired), Added: orEmpty(rep.Added),
		Redrawn: orEmpty(rep.Redrawn), Renamed: orEmpty(rep.Renamed), Moved: orEmpty(rep.Moved), Flagged: orEmpty(rep.Flagged),
		OpenCasesKept: rep.OpenCasesKept, Applied: rep.Applied, Map: rep.Map}
	if out.Map == nil {
		out.Map = json.RawMessage(`{"type":"FeatureCollection","features":[]}`)
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// handleChanges: GET /api/admin/grid/changes?root=&limit= -> change sets, newest first.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	_, acc := adminFrom(r.Context())
	q := r.URL.Query()
	limit, err := queryInt(q.Get("limit"), "limit", 50, 1, 500)
	roots := acc.administers
	if root := q.Get("root"); err == nil && root != "" {
		roots, err = []string{root}, acc.unitInScope("root", root)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var sets []grid.ChangeSet
	for _, root := range roots {
		more, err := s.auth.grid.Changes(r.Context(), root, int(limit))
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		sets = append(sets, more...)
	}
	slices.SortFunc(sets, func(a, b grid.ChangeSet) int { return cmp.Compare(b.ID, a.ID) })
	sets = slices.CompactFunc(sets, func(a, b grid.ChangeSet) bool { return a.ID == b.ID }) // nested roots
	out := make([]changeSetJSON, 0, len(sets))
	for _, cs := range sets[:min(len(sets), int(limit))] {
		out = append(out, changeSetOf(cs, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": out})
}

// handleChangeDraft: POST /api/admin/grid/changes -> 201 with what applying would do; 422
// change_invalid with the report when it cannot be stored as written.
func (s *Server) handleChangeDraft(w http.ResponseWriter, r *http.Request) {
	a, acc := adminFrom(r.Context())
	var body changeDraftJSON
	if err := decodeJSON(w, r, maxChangeBody, &body); err != nil {
		writeError(w, s.logger, err)
		return
	}
	req, err := body.request()
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	if root := grid.ChangeRoot(req.Operations); root != "" && !acc.administersUnit(root) {
		writeError(w, s.logger, fmt.Errorf("%w: the change reaches %s, outside what you administer", ErrForbidden, root))
		return
	}
	req.By = a.By
	rep, err := s.auth.grid.DraftChange(r.Context(), req)
	if errors.Is(err, grid.ErrChangeInvalid) {
		err = withReport(err, changeReportOf(rep, grid.ChangeOptions{}))
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, changeReportOf(rep, grid.ChangeOptions{}))
}

// request makes the store's request of the body: a split, a merge, or operations (or all).
func (b changeDraftJSON) request() (grid.ChangeRequest, error) {
	req := grid.ChangeRequest{Title: b.Title, EffectiveOn: b.EffectiveOn, Moves: b.Moves}
	if b.Split != nil {
		units, err := readInto("split.into", b.Split.Into)
		if err != nil {
			return req, err
		}
		req.Operations = append(req.Operations, grid.Split(b.Split.Code, units)...)
	}
	if b.Merge != nil {
		// One Feature, read as a collection of one in grid import's format.
		fc := append(append([]byte(`{"type":"FeatureCollection","features":[`), b.Merge.Into...), "]}"...)
		units, err := readInto("merge.into", fc)
		if err != nil {
			return req, err
		}
		if len(units) != 1 || len(b.Merge.Codes) < 2 {
			return req, &FieldError{Field: "merge", Message: "a merge makes one unit (into, a Feature) of two or more (codes)"}
		}
		req.Operations = append(req.Operations, grid.Merge(b.Merge.Codes, units[0])...)
	}
	if len(b.Operations) > grid.MaxChangeOps {
		return req, &FieldError{Field: "operations", Message: fmt.Sprintf("at most %d operations", grid.MaxChangeOps)}
	}
	for i, raw := range b.Operations {
		var op grid.ChangeOp
		if err := json.Unmarshal(raw, &op); err != nil {
			return req, &FieldError{Field: fmt.Sprintf("operations[%d]", i), Message: err.Error()}
		}
		req.Operations = append(req.Operations, op)
	}
	return req, nil
}

// readInto reads the new units of a split or merge: GeoJSON in WGS84 (or as its crs says).
func readInto(field string, raw []byte) ([]grid.Unit, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &FieldError{Field: field, Message: "the new units as GeoJSON"}
	}
	units, _, err := grid.ReadGeoJSONAs(bytes.NewReader(raw), "")
	if err != nil {
		return nil, &FieldError{Field: field, Message: err.Error()}
	}
	return units, nil
}

// changeInScope reads a change set from the path and checks its root is the administrator's.
func (s *Server) changeInScope(r *http.Request) (grid.ChangeSet, error) {
	_, acc := adminFrom(r.Context())
	id, err := pathID(r.PathValue("id"), "change set")
	if err != nil {
		return grid.ChangeSet{}, err
	}
	cs, err := s.auth.grid.Change(r.Context(), id)
	if err != nil {
		return cs, err
	}
	if !acc.administersUnit(cs.RootCode) {
		return cs, fmt.Errorf("%w: change %d is under %s, outside what you administer", ErrForbidden, id, cs.RootCode)
	}
	return cs, nil
}

// handleChangePreview: GET /api/admin/grid/changes/{id}?allow_topology_problems=1 -> what
// applying would do now, and what it would find.
func (s *Server) handleChangePreview(w http.ResponseWriter, r *http.Request) {
	cs, err := s.changeInScope(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	o := grid.ChangeOptions{AllowTopologyProblems: r.URL.Query().Get("allow_topology_problems") == "1"}
	rep, err := s.auth.grid.PreviewChange(r.Context(), cs.ID, o)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, changeReportOf(rep, o))
}

type applyJSON struct {
	AllowTopologyProblems bool `json:"allow_topology_problems"`
}

// handleChangeApply: POST /api/admin/grid/changes/{id}/apply -> 200 with what it did; 422
// change_refused with the report, 409 change_not_due or change_decided.
func (s *Server) handleChangeApply(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	cs, err := s.changeInScope(r)
	var body applyJSON
	if err == nil {
		err = decodeOptionalJSON(w, r, maxActionBody, &body)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	o := grid.ChangeOptions{AllowTopologyProblems: body.AllowTopologyProblems}
	rep, err := s.auth.grid.ApplyChange(r.Context(), cs.ID, a.By, o)
	if errors.Is(err, grid.ErrChangeRefused) {
		err = withReport(err, changeReportOf(rep, o))
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	s.gridChanged()
	writeJSON(w, http.StatusOK, changeReportOf(rep, o))
}

// handleChangeDiscard: POST /api/admin/grid/changes/{id}/discard -> 204; it stays on record.
func (s *Server) handleChangeDiscard(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	cs, err := s.changeInScope(r)
	if err == nil {
		err = s.auth.grid.DiscardChange(r.Context(), cs.ID, a.By)
	}
	s.answerAction(w, err)
}

// handleChangeSchedule: POST /api/admin/grid/changes/{id}/schedule and .../unschedule -> 200
// with the change set: the server applies a scheduled draft when its effective day begins
// (grid.ChangeScheduler), or a person takes it off the schedule.
func (s *Server) handleChangeSchedule(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, _ := adminFrom(r.Context())
		cs, err := s.changeInScope(r)
		if err == nil {
			if on {
				cs, err = s.auth.grid.ScheduleChange(r.Context(), cs.ID, a.By)
			} else {
				cs, err = s.auth.grid.UnscheduleChange(r.Context(), cs.ID, a.By)
			}
		}
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		writeJSON(w, http.StatusOK, changeSetOf(cs, false))
	}
}

// decodeOptionalJSON is decodeJSON for a body that may be left empty.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, maxBytes int64, v any) error {
	data, err := readRequestBody(w, r, maxBytes)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	return unmarshalStrict(data, v)
}
