package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// The rankings and the yearly summary of points (积分排名, 年度汇总; docs/points-market.md):
// the dashboard's, for supervisors and administrators above the unit (policyFiguresViewer
// checks ?unit=), as JSON or an Excel workbook.

// rankRequest reads ?level=&period=&month=&per_capita= of a ranking below ?unit=.
func rankRequest(r *http.Request, now time.Time) (dispatch.PointsRankQuery, error) {
	q := r.URL.Query()
	level := dispatch.PointsRankLevel(q.Get("level"))
	if level == "" {
		level = dispatch.PointsRankWorker
	}
	if !level.Valid() {
		return dispatch.PointsRankQuery{}, &FieldError{Field: "level", Message: "worker, grid, village or township"}
	}
	kind := q.Get("period")
	if kind == "" {
		kind = "month"
	}
	if kind != "month" && kind != "quarter" && kind != "year" {
		return dispatch.PointsRankQuery{}, &FieldError{Field: "period", Message: "month, quarter or year"}
	}
	month := now.In(pointsZone)
	if v := q.Get("month"); v != "" {
		var err error
		if month, err = time.Parse("2006-01", v); err != nil || month.Year() < 2000 || month.Year() > 2100 {
			return dispatch.PointsRankQuery{}, &FieldError{Field: "month", Message: "a month as 2026-12, 2000 to 2100"}
		}
	}
	period, err := dispatch.NewPointsPeriod(kind, month)
	if err != nil {
		return dispatch.PointsRankQuery{}, &FieldError{Field: "period", Message: err.Error()}
	}
	perCapita := false
	switch q.Get("per_capita") {
	case "", "0", "false":
	case "1", "true":
		perCapita = true
	default:
		return dispatch.PointsRankQuery{}, &FieldError{Field: "per_capita", Message: "1 or 0"}
	}
	rq := dispatch.PointsRankQuery{Unit: q.Get("unit"), Level: level, Period: period, PerCapita: perCapita}
	if err := rq.Check(); err != nil {
		field := "level"
		if perCapita && level == dispatch.PointsRankWorker {
			field = "per_capita"
		}
		return dispatch.PointsRankQuery{}, &FieldError{Field: field, Message: err.Error()}
	}
	return rq, nil
}

// pointsZone is where months begin: the county's time (dispatch.StatsZone).
var pointsZone = mustPointsZone(dispatch.StatsZone)

func mustPointsZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // dispatch embeds time/tzdata
	}
	return loc
}

// pointsRankingJSON is a ranking as the dashboard reads it.
type pointsRankingJSON struct {
	Unit      string                   `json:"unit"`
	Level     dispatch.PointsRankLevel `json:"level"`
	Period    string                   `json:"period"`
	Label     string                   `json:"label"`
	From      string                   `json:"from"`
	To        string                   `json:"to"` // exclusive: the first month after
	PerCapita bool                     `json:"per_capita"`
	Rows      []dispatch.PointsRankRow `json:"rows"`
}

func (s *Server) pointsRanking(r *http.Request) (pointsRankingJSON, error) {
	q, err := rankRequest(r, time.Now())
	if err != nil {
		return pointsRankingJSON{}, err
	}
	rows, err := s.pointsFigures.Ranking(r.Context(), q)
	if err != nil {
		return pointsRankingJSON{}, err
	}
	if rows == nil {
		rows = []dispatch.PointsRankRow{}
	}
	return pointsRankingJSON{Unit: q.Unit, Level: q.Level, Period: q.Period.Kind, Label: q.Period.Label(),
		From: q.Period.From.Format("2006-01"), To: q.Period.To.Format("2006-01"), PerCapita: q.PerCapita, Rows: rows}, nil
}

// handlePointsRanking: GET /api/points/ranking?unit=&level=&period=&month=&per_capita=.
func (s *Server) handlePointsRanking(w http.ResponseWriter, r *http.Request) {
	out, err := s.pointsRanking(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handlePointsRankingXLSX: GET /api/points/ranking.xlsx?…&lang= -> the same as a workbook.
func (s *Server) handlePointsRankingXLSX(w http.ResponseWriter, r *http.Request) {
	out, err := s.pointsRanking(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	s.writePointsWorkbook(w, fmt.Sprintf("points-ranking-%s-%s-%s", out.Unit, out.Level, out.Label), func() ([]byte, error) {
		return rankingWorkbook(out, r.URL.Query().Get("lang"))
	})
}

// summaryYear reads ?year=, this year by default.
func summaryYear(r *http.Request) (int, error) {
	y, err := queryInt(r.URL.Query().Get("year"), "year", int64(time.Now().In(pointsZone).Year()), 2000, 2100)
	return int(y), err
}

func (s *Server) pointsSummary(r *http.Request) (dispatch.PointsYear, error) {
	year, err := summaryYear(r)
	if err != nil {
		return dispatch.PointsYear{}, err
	}
	sum, err := s.pointsFigures.Year(r.Context(), r.URL.Query().Get("unit"), year)
	if err != nil {
		return dispatch.PointsYear{}, err
	}
	if sum.Categories == nil {
		sum.Categories = []string{}
	}
	if sum.Rows == nil {
		sum.Rows = []dispatch.PointsYearRow{}
	}
	return sum, nil
}

// handlePointsSummary: GET /api/points/summary?unit=&year= -> the year per worker and totals.
func (s *Server) handlePointsSummary(w http.ResponseWriter, r *http.Request) {
	sum, err := s.pointsSummary(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

// handlePointsSummaryXLSX: GET /api/points/summary.xlsx?unit=&year=&lang=.
func (s *Server) handlePointsSummaryXLSX(w http.ResponseWriter, r *http.Request) {
	sum, err := s.pointsSummary(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	s.writePointsWorkbook(w, "points-summary-"+sum.Unit+"-"+strconv.Itoa(sum.Year), func() ([]byte, error) {
		return summaryWorkbook(sum, r.URL.Query().Get("lang"))
	})
}

// writePointsWorkbook answers a workbook as an attachment named name.xlsx.
func (s *Server) writePointsWorkbook(w http.ResponseWriter, name string, build func() ([]byte, error)) {
	b, err := build()
	if err != nil {
		writeError(w, s.logger, fmt.Errorf("workbook %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
