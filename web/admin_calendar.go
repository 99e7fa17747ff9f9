package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// WorkingCalendar is the county's working calendar as administrators edit it
// (docs/admin-api.md, "Working calendar"); dispatch.CalendarStore is one.
type WorkingCalendar interface {
	Year(ctx context.Context, year int) (dispatch.CalendarView, error)
	SetHours(ctx context.Context, hours []dispatch.Span, by *int64) error
	SetDay(ctx context.Context, d dispatch.CalendarDay, by *int64) error
	DeleteDay(ctx context.Context, d dispatch.Date, by *int64) error
}

// spanJSON is a working period as HH:MM times.
type spanJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type calendarDayJSON struct {
	Date string           `json:"date"`
	Kind dispatch.DayKind `json:"kind"`
	Name string           `json:"name"`
}

type calendarJSON struct {
	Year      int               `json:"year"`
	Hours     []spanJSON        `json:"hours"`
	Days      []calendarDayJSON `json:"days"`
	Revision  string            `json:"revision"`
	UpdatedAt time.Time         `json:"updated_at"`
}

const maxCalendarBody = 2 << 10

func clockText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// minutesOf reads HH:MM (24:00 for midnight at the end of the day) as minutes after midnight.
func minutesOf(field, s string) (int, error) {
	if s == "24:00" {
		return 24 * 60, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, &FieldError{Field: field, Message: "a time of day as HH:MM, such as 08:30"}
	}
	return t.Hour()*60 + t.Minute(), nil
}

// handleCalendar: GET /api/admin/calendar?year= -> the working hours and the year's holidays
// and make-up working days (this year's by default).
func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) {
	year, err := queryInt(r.URL.Query().Get("year"), "year", int64(time.Now().In(dispatch.CalendarZone).Year()),
		dispatch.MinCalendarYear, dispatch.MaxCalendarYear)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	v, err := s.calendar.Year(r.Context(), int(year))
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := calendarJSON{Year: int(year), Hours: []spanJSON{}, Days: []calendarDayJSON{}, Revision: v.Revision, UpdatedAt: v.UpdatedAt}
	for _, h := range v.Hours {
		out.Hours = append(out.Hours, spanJSON{clockText(h.Start), clockText(h.End)})
	}
	for _, d := range v.Days {
		out.Days = append(out.Days, calendarDayJSON{Date: d.Date.String(), Kind: d.Kind, Name: d.Name})
	}
	writeJSON(w, http.StatusOK, out)
}

// handleCalendarHours: PUT /api/admin/calendar/hours {"hours": [{"start", "end"}, ...]}.
func (s *Server) handleCalendarHours(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Hours []spanJSON `json:"hours"`
	}
	if err := decodeJSON(w, r, maxCalendarBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if len(req.Hours) == 0 || len(req.Hours) > 8 {
		writeError(w, s.logger, &FieldError{Field: "hours", Message: "1 to 8 working periods"})
		return
	}
	hours := make([]dispatch.Span, len(req.Hours))
	for i, h := range req.Hours {
		var err error
		if hours[i].Start, err = minutesOf("hours["+strconv.Itoa(i)+"].start", h.Start); err == nil {
			hours[i].End, err = minutesOf("hours["+strconv.Itoa(i)+"].end", h.End)
		}
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
	}
	if err := s.calendar.SetHours(r.Context(), hours, editor(r)); err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, req)
}

// calendarDate reads the path's date.
func calendarDate(r *http.Request) (dispatch.Date, error) {
	d, err := dispatch.ParseDate(r.PathValue("date"))
	if err != nil {
		return d, &FieldError{Field: "date", Message: "a date as YYYY-MM-DD"}
	}
	return d, nil
}

// handleCalendarDaySave: PUT /api/admin/calendar/days/{date} {"kind": "holiday"|"workday", "name"}.
func (s *Server) handleCalendarDaySave(w http.ResponseWriter, r *http.Request) {
	d, err := calendarDate(r)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var req calendarDayJSON
	if err := decodeJSON(w, r, maxCalendarBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if req.Date != "" && req.Date != d.String() {
		writeError(w, s.logger, fmt.Errorf("%w: the body's date must be the one in the path", ErrBadRequest))
		return
	}
	day := dispatch.CalendarDay{Date: d, Kind: req.Kind, Name: req.Name}
	if err := s.calendar.SetDay(r.Context(), day, editor(r)); err != nil {
		writeError(w, s.logger, err)
		return
	}
	req.Date = d.String()
	writeJSON(w, http.StatusOK, req)
}

// handleCalendarDayDelete: DELETE /api/admin/calendar/days/{date} -> the date follows the
// weekday rule again.
func (s *Server) handleCalendarDayDelete(w http.ResponseWriter, r *http.Request) {
	d, err := calendarDate(r)
	if err == nil {
		err = s.calendar.DeleteDay(r.Context(), d, editor(r))
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// editor is the administrator making an edit, for the audit log.
func editor(r *http.Request) *int64 {
	id := principalFrom(r.Context()).Member.ID
	return &id
}
