package web

import (
	"context"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// handleQueue: GET /api/centres/{code}/queue -> the centre's open cases (docs/cases-api.md).
func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code") // checked by its policy (routes.go)
	f, err := queueFilter(r, code)
	if err == nil {
		err = s.checkCategory(r.Context(), f.Category)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	refs, err := s.auth.grid.Refs(r.Context(), []string{code})
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	unit, ok := refs[code]
	if !ok {
		writeError(w, s.logger, fmt.Errorf("%w: no unit %s", ErrNotFound, code))
		return
	}
	list, err := s.cases.Queue(r.Context(), f)
	if err == nil && (f.State == "" || f.State == dispatch.StateDeclined) && f.Query == "" && f.Category == "" {
		// Declined below, awaiting this centre's ruling (退单待裁决, dispatch/case_decline.go).
		var declined []dispatch.CaseSummary
		declined, err = s.cases.DeclinedBelow(r.Context(), code, f.Limit)
		list = append(list, declined...)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := summariesJSON(list)
	writeJSON(w, http.StatusOK, map[string]any{
		"centre": unitRefJSON{Code: unit.Code, Name: unit.Name, Level: int(grid.LevelOfCode(code))},
		"now":    time.Now().UTC(), "cases": out})
}

func queueFilter(r *http.Request, centre string) (dispatch.QueueFilter, error) {
	q := r.URL.Query()
	f := dispatch.QueueFilter{Centre: centre, State: dispatch.CaseState(q.Get("state")), Category: q.Get("category"),
		Query: q.Get("q"), Limit: dispatch.DefaultQueueLn}
	switch f.State {
	case "", dispatch.StateQueued, dispatch.StateAccepted, dispatch.StateMediating, dispatch.StateVerifying, dispatch.StateParked,
		dispatch.StateDeclined:
	default:
		return f, fmt.Errorf("%w: state must be queued, accepted, mediating, verifying, parked or declined", ErrBadRequest)
	}
	if !utf8.ValidString(f.Query) || utf8.RuneCountInString(f.Query) > dispatch.MaxQueryChars {
		return f, fmt.Errorf("%w: q must be valid text of at most %d characters", ErrBadRequest, dispatch.MaxQueryChars)
	}
	switch q.Get("led") { // only the cases a county leader owns (领导包案)
	case "", "0", "false":
	case "1", "true":
		f.Led = true
	default:
		return f, fmt.Errorf("%w: led must be 1 or 0", ErrBadRequest)
	}
	var err error
	f.Limit, err = limitParam(r, dispatch.DefaultQueueLn, dispatch.MaxQueueLimit)
	return f, err
}

// checkCategory refuses a category filter that names no category of the catalogue, which would
// answer an empty list as if there were no such cases.
func (s *Server) checkCategory(ctx context.Context, code string) error {
	if code == "" || s.intake == nil {
		return nil
	}
	if !categoryCode.MatchString(code) {
		return &FieldError{Field: "category", Message: "must be a category code, not " + quoteShort(code)}
	}
	known, err := s.intake.KnowsCategory(ctx, code)
	if err == nil && !known {
		err = &FieldError{Field: "category", Message: "no category " + quoteShort(code) + " in the catalogue"}
	}
	return err
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
