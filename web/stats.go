package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// Stats answers the dashboard's figures; dispatch.Stats is one.
type Stats interface {
	Summary(ctx context.Context, f dispatch.StatsFilter) (dispatch.Counters, error)
	Children(ctx context.Context, f dispatch.StatsFilter) ([]dispatch.UnitCounters, error)
	Categories(ctx context.Context, f dispatch.StatsFilter) ([]dispatch.UnitCounters, error)
	Trend(ctx context.Context, f dispatch.StatsFilter, by string) ([]dispatch.TrendPoint, error)
	OpenByDay(ctx context.Context, f dispatch.StatsFilter) (map[time.Time]int64, error)
	Aged(ctx context.Context, f dispatch.StatsFilter, today time.Time) (int64, error)
	// RepeatedDeclines: cases declined (退单) min times or more, and how many (stats_declines.go).
	RepeatedDeclines(ctx context.Context, f dispatch.StatsFilter, min, limit int) ([]dispatch.DeclinedCase, int, error)
}

// statsRequest is a dashboard question (docs/stats-api.md), checked against the member's
// jurisdiction.
type statsRequest struct {
	dispatch.StatsFilter
	format string // json, csv or xlsx
	lang   string // zh or en, for file headers
	by     string // week or month, for trends
	today  time.Time
}

var categoryCode = regexp.MustCompile(`^[a-z_]{1,40}$`)

// statsRequestOf reads and checks the query parameters. That the member supervises (or
// administers) the unit is the route's policy (routes.go, DESIGN.md contract 4).
func (s *Server) statsRequestOf(r *http.Request) (statsRequest, error) {
	q := r.URL.Query()
	now := time.Now()
	req := statsRequest{today: dispatch.StatsToday(now), format: q.Get("format"), lang: q.Get("lang"), by: q.Get("by")}
	req.Unit, req.Category = q.Get("unit"), q.Get("category")
	if l := grid.LevelOfCode(req.Unit); !isDigits(req.Unit) || l < grid.County || l > grid.Grid {
		return req, fmt.Errorf("%w: unit must be the code of a county, township, village or grid, not %s", ErrBadRequest, quoteShort(req.Unit))
	}
	if err := s.checkCategory(r.Context(), req.Category); err != nil {
		return req, err
	}
	req.From = req.today.AddDate(0, 0, 1-req.today.Day())
	req.To = req.today
	for _, d := range []struct {
		name string
		dest *time.Time
	}{{"from", &req.From}, {"to", &req.To}} {
		if v := q.Get(d.name); v != "" {
			t, err := dispatch.ParseStatsDate(v)
			if err != nil || t.Year() < 2000 || t.Year() > 2100 {
				return req, fmt.Errorf("%w: %s must be a date YYYY-MM-DD between 2000 and 2100, not %s", ErrBadRequest, d.name, quoteShort(v))
			}
			*d.dest = t
		}
	}
	if req.To.Before(req.From) {
		return req, fmt.Errorf("%w: to (%s) is before from (%s)", ErrBadRequest, req.To.Format(time.DateOnly), req.From.Format(time.DateOnly))
	}
	if req.To.Sub(req.From) > dispatch.MaxStatsDays*24*time.Hour {
		return req, fmt.Errorf("%w: a period is at most %d days", ErrBadRequest, dispatch.MaxStatsDays)
	}
	switch req.format {
	case "":
		req.format = "json"
	case "json", "csv", "xlsx":
	default:
		return req, fmt.Errorf("%w: format must be json, csv or xlsx", ErrBadRequest)
	}
	if req.lang != "en" {
		req.lang = "zh"
	}
	switch req.by {
	case "":
		req.by = "week"
	case "week", "month":
	default:
		return req, fmt.Errorf("%w: by must be week or month", ErrBadRequest)
	}
	return req, nil
}

// statsRoute reads and checks a dashboard question, then answers it with fn; errors go through
// the one error table.
func (s *Server) statsRoute(fn func(w http.ResponseWriter, r *http.Request, req statsRequest) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := s.statsRequestOf(r)
		if err == nil {
			err = fn(w, r, req)
		}
		if err != nil {
			writeError(w, s.logger, err)
		}
	}
}

// handleStatsScope: GET /api/stats/scope -> the units whose figures the member may see.
func (s *Server) handleStatsScope(w http.ResponseWriter, r *http.Request) {
	acc, err := s.accessOf(r.Context(), principalFrom(r.Context()))
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	refs, err := s.statsGrid.Refs(r.Context(), acc.watch)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	units := []statsUnitJSON{}
	seen := map[string]bool{}
	for _, code := range acc.watch {
		if ref, ok := refs[code]; ok && !seen[code] && grid.LevelOfCode(code) <= grid.Grid {
			seen[code] = true
			units = append(units, statsUnitJSON{Code: code, Name: ref.Name, Level: int(grid.LevelOfCode(code))})
		}
	}
	sortUnits(units)
	writeJSON(w, http.StatusOK, map[string]any{"units": units, "figures": s.figuresJSON()})
}

// handleStatsMap: GET /api/stats/map?unit -> the outlines of the unit's children (of the grid
// itself at a grid).
func (s *Server) handleStatsMap(w http.ResponseWriter, r *http.Request, req statsRequest) error {
	body, err := s.statsGrid.Outlines(r.Context(), req.Unit, grid.LevelOfCode(req.Unit) == grid.Grid)
	if err != nil {
		return err
	}
	writeCached(w, r, "application/geo+json; charset=utf-8", body)
	return nil
}
