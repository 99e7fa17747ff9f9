package web

import (
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// The case page's extension (延期) and parking (挂账), docs/cases-api.md.

type extensionJSON struct {
	Until  time.Time `json:"until"` // the deadline asked for
	Reason string    `json:"reason"`
}

type parkingJSON struct {
	ReviewAt  time.Time          `json:"review_at"`
	FromState dispatch.CaseState `json:"from_state"` // the state unparking gives back
	LeftS     int64              `json:"left_s"`     // seconds the case had left when parked (negative: overrun)
}

func extensionOf(d dispatch.CaseDetail) (*extensionJSON, *parkingJSON) {
	var e *extensionJSON
	var p *parkingJSON
	if d.Extension != nil {
		e = &extensionJSON{Until: d.Extension.Until, Reason: d.Extension.Reason}
	}
	if d.Parking != nil {
		p = &parkingJSON{ReviewAt: d.Parking.ReviewAt, FromState: d.Parking.FromState, LeftS: int64(d.Parking.Left.Seconds())}
	}
	return e, p
}

// declineTargets: for a declined case (退单), the centres a ruling may send it to: the other
// centres of its tier under the same parent, then the centres above it on its path.
func declineTargets(d dispatch.CaseDetail) []unitRefJSON {
	out := []unitRefJSON{}
	if d.State != dispatch.StateDeclined {
		return out
	}
	for _, u := range d.TransferTo {
		out = append(out, unitRefJSON{Code: u.Code, Name: u.Name, Level: int(d.Level)})
	}
	for l := int(d.Level) - 1; l >= 1; l-- {
		if u := d.Path.Units[l]; u.Code != "" && !u.NoCentre {
			out = append(out, unitRefJSON{Code: u.Code, Name: u.Name, Level: l})
		}
	}
	return out
}
