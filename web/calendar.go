package web

import (
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// handleWorkingCalendar: GET /api/calendar -> the working hours and the holidays and make-up
// working days from last year to next year, for the console to count the working time left
// before a deadline on a working clock (docs/routing.md, "Working time"). Every member may
// read it: it is the county's public calendar.
func (s *Server) handleWorkingCalendar(w http.ResponseWriter, r *http.Request) {
	year := time.Now().In(dispatch.CalendarZone).Year()
	out := calendarJSON{Year: year, Hours: []spanJSON{}, Days: []calendarDayJSON{}}
	for y := year - 1; y <= year+1; y++ {
		v, err := s.calendar.Year(r.Context(), y)
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		out.Hours, out.Revision, out.UpdatedAt = out.Hours[:0], v.Revision, v.UpdatedAt
		for _, h := range v.Hours {
			out.Hours = append(out.Hours, spanJSON{clockText(h.Start), clockText(h.End)})
		}
		for _, d := range v.Days {
			out.Days = append(out.Days, calendarDayJSON{Date: d.Date.String(), Kind: d.Kind, Name: d.Name})
		}
	}
	writeJSON(w, http.StatusOK, out)
}
