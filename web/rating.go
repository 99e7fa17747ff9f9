package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// Ratings keeps the villages' ratings, 五面红旗 / 五星支部 (docs/ratings.md); dispatch.Ratings is one.
type Ratings interface {
	Schemes(ctx context.Context) ([]dispatch.RatingScheme, error)
	Scheme(ctx context.Context, code string) (*dispatch.RatingScheme, error)
	SaveScheme(ctx context.Context, s dispatch.RatingScheme, by int64) (*dispatch.RatingScheme, error)
	Sheet(ctx context.Context, scheme, unit string, day, today time.Time) (*dispatch.RatingSheet, error)
	Overview(ctx context.Context, scheme, unit string, day, today time.Time) (*dispatch.RatingOverview, error)
	VillageOutlines(ctx context.Context, unit string) ([]byte, error)
	Act(ctx context.Context, st dispatch.RatingStep) (*dispatch.RatingSheet, error)
}

// ratingRequest is what every ratings route reads from its query: the scheme (five_flags by
// default), the unit, a day of the period (today's by default) and today.
type ratingRequest struct {
	scheme, unit string
	day, today   time.Time
}

const defaultRatingScheme = "five_flags"

func readRatingRequest(r *http.Request, levels ...grid.Level) (ratingRequest, error) {
	q := r.URL.Query()
	req := ratingRequest{scheme: q.Get("scheme"), unit: q.Get("unit"), today: dispatch.StatsToday(time.Now())}
	if req.scheme == "" {
		req.scheme = defaultRatingScheme
	}
	if len(req.scheme) > 40 || strings.Trim(req.scheme, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return req, &FieldError{Field: "scheme", Message: "a scheme's code, such as five_flags"}
	}
	ok := false
	for _, l := range levels {
		ok = ok || grid.LevelOfCode(req.unit) == l
	}
	if !isDigits(req.unit) || !ok {
		return req, &FieldError{Field: "unit", Message: fmt.Sprintf("the code of a unit at level %v", levels)}
	}
	req.day = req.today
	if p := q.Get("period"); p != "" {
		d, err := dispatch.ParseStatsDate(p)
		if err != nil || d.Year() < 2000 || d.After(req.today.AddDate(1, 0, 0)) {
			return req, &FieldError{Field: "period", Message: "a day of the period, YYYY-MM-DD, from 2000 to a year ahead"}
		}
		req.day = d
	}
	return req, nil
}

// ratingRoles reads in which capacities the member acts on a village's rating (docs/ratings.md,
// "Process"), from their assignments: the village's mediator or an administrator above it
// assesses; a supervisor or administrator of its township or county reviews; one at the
// scheme's award level or above awards; anyone assigned in or above it reads and may object.
func (s *Server) ratingRoles(ctx context.Context, unit string, awardLevel int) (dispatch.RatingRoles, error) {
	var roles dispatch.RatingRoles
	as, err := s.auth.grid.Assignments(ctx, principalFrom(ctx).Member.ID)
	if err != nil {
		return roles, err
	}
	for _, x := range as {
		above := strings.HasPrefix(unit, x.UnitCode)
		roles.Reader = roles.Reader || above || strings.HasPrefix(x.UnitCode, unit)
		level := int(grid.LevelOfCode(x.UnitCode))
		switch x.Role {
		case grid.RoleMediator:
			roles.Self = roles.Self || x.UnitCode == unit
		case grid.RoleAdmin:
			roles.Self = roles.Self || above
		}
		if x.Role == grid.RoleSupervisor || x.Role == grid.RoleAdmin {
			roles.Reviewer = roles.Reviewer || (above && level <= int(grid.Township))
			roles.Awarder = roles.Awarder || (above && level <= awardLevel)
		}
	}
	return roles, nil
}

// handleRatingSchemes: GET /api/ratings/schemes -> every scheme with its marks and indicators.
func (s *Server) handleRatingSchemes(w http.ResponseWriter, r *http.Request) {
	list, err := s.ratings.Schemes(r.Context())
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schemes": list})
}

// ratingSheetJSON is a sheet with its period and what the member may do next.
type ratingSheetJSON struct {
	*dispatch.RatingSheet
	From  string               `json:"from"`
	To    string               `json:"to"`
	Today string               `json:"today"`
	May   []string             `json:"may"`
	Roles dispatch.RatingRoles `json:"roles"`
}

func (s *Server) writeSheet(ctx context.Context, w http.ResponseWriter, status int, sh *dispatch.RatingSheet, roles dispatch.RatingRoles, today time.Time) {
	state := ""
	var ends *time.Time
	if sh.Assessment != nil {
		state, ends = sh.Assessment.State, sh.Assessment.NoticeEnds
	}
	may := dispatch.MayRate(state, roles, ends, today)
	if may == nil {
		may = []string{}
	}
	writeJSON(w, status, ratingSheetJSON{RatingSheet: sh, From: sh.From.Format(time.DateOnly), To: sh.To.Format(time.DateOnly),
		Today: today.Format(time.DateOnly), May: may, Roles: roles})
}

// ratingScope reads the request about a village and the member's roles there; a member not
// assigned in or above the village is refused.
func (s *Server) ratingScope(r *http.Request) (ratingRequest, dispatch.RatingRoles, error) {
	req, err := readRatingRequest(r, grid.Village)
	if err != nil {
		return req, dispatch.RatingRoles{}, err
	}
	scheme, err := s.ratings.Scheme(r.Context(), req.scheme)
	if err != nil {
		return req, dispatch.RatingRoles{}, err
	}
	roles, err := s.ratingRoles(r.Context(), req.unit, scheme.AwardLevel)
	if err == nil && !roles.Reader {
		err = fmt.Errorf("%w: the rating of %s is not yours to see", ErrForbidden, req.unit)
	}
	return req, roles, err
}

// handleRatingSheet: GET /api/ratings/sheet?unit=&scheme=&period= -> the village's indicator
// sheet, its assessment, the marks it holds, its decisions, and what the member may do.
func (s *Server) handleRatingSheet(w http.ResponseWriter, r *http.Request) {
	req, roles, err := s.ratingScope(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	sh, err := s.ratings.Sheet(r.Context(), req.scheme, req.unit, req.day, req.today)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	s.writeSheet(r.Context(), w, http.StatusOK, sh, roles, req.today)
}

// ratingActionJSON is a step of the process (docs/ratings.md, "Process").
type ratingActionJSON struct {
	Action  string                 `json:"action"`
	Mark    int                    `json:"mark"`
	Reason  string                 `json:"reason"`
	Entries []dispatch.RatingEntry `json:"entries"`
}

// maxRatingBody bounds a step: up to 250 entries with notes of 500 characters and 6 photos.
const maxRatingBody = 1 << 20

// handleRatingAction: POST /api/ratings/actions?unit=&scheme=&period= {action, mark, reason,
// entries} -> the sheet after the step; the state machine says who may take it (403, 409, 422).
func (s *Server) handleRatingAction(w http.ResponseWriter, r *http.Request) {
	req, roles, err := s.ratingScope(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var body ratingActionJSON
	if err := decodeJSON(w, r, maxRatingBody, &body); err != nil {
		writeError(w, s.logger, err)
		return
	}
	sh, err := s.ratings.Act(r.Context(), dispatch.RatingStep{Scheme: req.scheme, Unit: req.unit, Period: req.day,
		Action: body.Action, Mark: body.Mark, Reason: body.Reason, Entries: body.Entries,
		ActorID: principalFrom(r.Context()).Member.ID, Roles: roles, Today: req.today})
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	s.writeSheet(r.Context(), w, http.StatusOK, sh, roles, req.today)
}

// handleRatingEvidence: GET /api/ratings/evidence/{sha256}?unit=&scheme= -> a photo of the
// village's entries, to those who may read its sheet (403), if it is one (404).
func (s *Server) handleRatingEvidence(w http.ResponseWriter, r *http.Request) {
	req, _, err := s.ratingScope(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	path, contentType, err := s.photos.OpenEvidence(r.Context(), r.PathValue("sha256"), req.unit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	http.ServeFile(w, r, path)
}
