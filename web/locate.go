package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/griddispatch/griddispatch/grid"
)

// Locator places a point in the grid; grid.LiveLocator is one.
type Locator interface {
	Locate(lon, lat float64) (grid.Location, bool)
}

type locationJSON struct {
	Located       bool       `json:"located"`
	OutsideMetres float64    `json:"outside_metres,omitempty"`
	Units         []unitJSON `json:"units,omitempty"`
}

func locationFrame(loc grid.Location, ok bool) locationJSON {
	out := locationJSON{Located: ok}
	if ok {
		out.OutsideMetres = loc.Metres
		for l := grid.County; l <= loc.Level; l++ {
			out.Units = append(out.Units, unitJSON{Level: l, Code: loc.Units[l].Code, Name: loc.Units[l].Name})
		}
	}
	return out
}

// handleLocate: GET /api/locate?lon=&lat= -> the units holding the point, so the phone shows
// which grid the worker stands in before reporting.
func (s *Server) handleLocate(w http.ResponseWriter, r *http.Request) {
	lon, errLon := strconv.ParseFloat(r.URL.Query().Get("lon"), 64)
	lat, errLat := strconv.ParseFloat(r.URL.Query().Get("lat"), 64)
	if errLon != nil || errLat != nil || !(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90) {
		writeError(w, s.logger, fmt.Errorf("%w: lon and lat must be WGS84 degrees (-180..180, -90..90)", ErrBadRequest))
		return
	}
	writeJSON(w, http.StatusOK, locationFrame(s.locator.Locate(lon, lat)))
}
