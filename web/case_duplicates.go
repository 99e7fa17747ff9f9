package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// Duplicates (并单, docs/cases.md): suggestions of a case's possible duplicates, their counts for
// the queue, and marking a pair distinct. Only mediators of the case's current centre see and
// act on them (403 for other readers): the centre decides what is one matter. Merging is the
// transition "merge" with merge_into (case_transition.go).

// Duplicates suggests duplicates and hides pairs; dispatch.Cases is one.
type Duplicates interface {
	Duplicates(ctx context.Context, id int64, w dispatch.DuplicateWindow) ([]dispatch.Duplicate, error)
	DuplicateCounts(ctx context.Context, centre string, w dispatch.DuplicateWindow) (map[int64]int, error)
	MarkDistinct(ctx context.Context, id, other, actor int64) error
}

func (s *Server) setDuplicates(cfg Config) error {
	s.duplicates, s.dupWindow = cfg.Duplicates, dispatch.DefaultDuplicateWindow
	if d, ok := cfg.Cases.(Duplicates); ok && s.duplicates == nil {
		s.duplicates = d
	}
	if cfg.DuplicateWindow != nil {
		if err := cfg.DuplicateWindow.Check(); err != nil {
			return err
		}
		s.dupWindow = *cfg.DuplicateWindow
	}
	return nil
}

type duplicateJSON struct {
	ID          int64              `json:"id"`
	State       dispatch.CaseState `json:"state"`
	Version     int                `json:"version"`
	Category    string             `json:"category"`
	Description string             `json:"description"`
	ReceivedAt  time.Time          `json:"received_at"`
	Metres      float64            `json:"metres"`
	UnitName    string             `json:"unit_name"`
}

// centreOnly refuses a reader who is no mediator of the case's current centre.
func centreOnly(r *http.Request, centre string) error {
	if !accessFrom(r.Context()).centres[centre] {
		return fmt.Errorf("%w: duplicates are for the mediators of centre %s", ErrForbidden, centre)
	}
	return nil
}

// handleDuplicates: GET /api/cases/{id}/duplicates -> the case's suggested duplicates, nearest
// first, with the window they were found in.
func (s *Server) handleDuplicates(w http.ResponseWriter, r *http.Request) {
	c := caseFrom(r.Context())
	if err := centreOnly(r, c.Centre); err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := s.duplicates.Duplicates(r.Context(), c.ID, s.dupWindow)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]duplicateJSON, len(list))
	for i, d := range list {
		out[i] = duplicateJSON(d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"metres": s.dupWindow.Metres, "hours": s.dupWindow.Within.Hours(),
		"duplicates": out})
}

// handleDuplicateCounts: GET /api/centres/{code}/duplicates -> {"counts": {"case id": n}} for the
// centre's latest open cases with suggestions: the queue's 可能重复 N.
func (s *Server) handleDuplicateCounts(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code") // checked by its policy (routes.go)
	if err := centreOnly(r, code); err != nil {
		writeError(w, s.logger, err)
		return
	}
	counts, err := s.duplicates.DuplicateCounts(r.Context(), code, s.dupWindow)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make(map[string]int, len(counts))
	for id, n := range counts {
		out[strconv.FormatInt(id, 10)] = n
	}
	writeJSON(w, http.StatusOK, map[string]any{"counts": out})
}

type distinctRequest struct {
	Other int64 `json:"other"`
}

const maxDistinctBody = 1 << 10

// handleDistinct: POST /api/cases/{id}/distinct {"other": N} -> 204: the pair is not suggested again.
func (s *Server) handleDistinct(w http.ResponseWriter, r *http.Request) {
	c := caseFrom(r.Context())
	var req distinctRequest
	err := decodeJSON(w, r, maxDistinctBody, &req)
	if err == nil && req.Other <= 0 {
		err = &FieldError{Field: "other", Message: "must be a case id"}
	}
	if err == nil {
		err = centreOnly(r, c.Centre)
	}
	if err == nil {
		err = s.duplicates.MarkDistinct(r.Context(), c.ID, req.Other, principalFrom(r.Context()).Member.ID)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
