package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// PointsAudit is what the dashboard's 月度审核 reads (docs/points.md, "The monthly audit on the
// dashboard"); dispatch.Points is one. The store checks the reader against their assignments.
type PointsAudit interface {
	AuditMonths(ctx context.Context, by int64, township string, year int) (dispatch.PointAuditYear, error)
	AuditRows(ctx context.Context, by int64, q dispatch.PointAuditQuery) (dispatch.PointAuditRows, error)
}

// pointsAudit is the server's points store as a PointsAudit, or a 404 when it is not one.
func (s *Server) pointsAudit() (PointsAudit, error) {
	if a, ok := s.points.(PointsAudit); ok {
		return a, nil
	}
	return nil, fmt.Errorf("%w: no monthly audit here", ErrNotFound)
}

// handlePointMonths: GET /api/points/months?unit=<township>&year=2026 -> the township's twelve
// months, each past, current or future, confirmed (by whom, when) or open, with its totals.
func (s *Server) handlePointMonths(w http.ResponseWriter, r *http.Request) {
	pa, err := s.pointsAudit()
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	q := r.URL.Query()
	unit := q.Get("unit")
	if len(unit) != 9 || !isDigits(unit) {
		writeError(w, s.logger, &FieldError{Field: "unit", Message: "a township's 9-digit code"})
		return
	}
	year := time.Now().In(pointsZone).Year()
	if v := q.Get("year"); v != "" {
		if year, err = strconv.Atoi(v); err != nil || year < 2000 || year > 2100 {
			writeError(w, s.logger, &FieldError{Field: "year", Message: "a year, 2000 to 2100"})
			return
		}
	}
	out, err := pa.AuditMonths(r.Context(), principalFrom(r.Context()).Member.ID, unit, year)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// pointAuditRowJSON is a row with the day it happened on.
type pointAuditRowJSON struct {
	dispatch.PointAuditRow
	Day string `json:"day,omitempty"`
}

// handlePointRows: GET /api/points/rows?unit=<township|village|grid>&month=2026-11[&member=]
// -> the month's state at the township, the totals per worker and grid, and the rows (at most
// dispatch.MaxAuditRows; "more" when there are others, to be narrowed by unit or member).
func (s *Server) handlePointRows(w http.ResponseWriter, r *http.Request) {
	pa, err := s.pointsAudit()
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	q := r.URL.Query()
	unit := q.Get("unit")
	if n := len(unit); (n != 9 && n != 12 && n != 15) || !isDigits(unit) {
		writeError(w, s.logger, &FieldError{Field: "unit", Message: "a township's, village's or grid's code (9, 12 or 15 digits)"})
		return
	}
	if !monthParam.MatchString(q.Get("month")) {
		writeError(w, s.logger, &FieldError{Field: "month", Message: "a month such as 2026-11"})
		return
	}
	month, _ := time.Parse("2006-01", q.Get("month"))
	var member int64
	if v := q.Get("member"); v != "" {
		if member, err = strconv.ParseInt(v, 10, 64); err != nil || member <= 0 {
			writeError(w, s.logger, &FieldError{Field: "member", Message: "a member's id"})
			return
		}
	}
	out, err := pa.AuditRows(r.Context(), principalFrom(r.Context()).Member.ID, dispatch.PointAuditQuery{Unit: unit, Month: month, Member: member})
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	rows := make([]pointAuditRowJSON, len(out.Rows))
	for i, row := range out.Rows {
		rows[i] = pointAuditRowJSON{PointAuditRow: row}
		if row.Day != nil {
			rows[i].Day = row.Day.Format(time.DateOnly)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"unit": unit, "township_name": out.TownshipName, "month": out.Month,
		"workers": out.Workers, "more_workers": out.MoreWorkers, "rows": rows, "more": out.More,
		"can_cancel": out.CanCancel, "can_confirm": out.CanConfirm})
}
