package web

import (
	"errors"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// Subprotocol names version 1 of the phone protocol (docs/protocol.md). A client offers it
// together with "bearer.<token>", since browsers cannot set headers on a websocket.
const (
	Subprotocol  = "griddispatch.v1"
	bearerPrefix = "bearer."
)

// inbound is every message a phone may send; Type says which fields matter.
type inbound struct {
	Type    string      `json:"type"`
	ID      string      `json:"id"`
	Report  *reportJSON `json:"report,omitempty"`
	Centre  string      `json:"centre,omitempty"`  // subscribe, unsubscribe: a centre's queue
	Subtree string      `json:"subtree,omitempty"` // subscribe, unsubscribe: every case below a unit
	Stats   bool        `json:"stats,omitempty"`   // with subtree: also a stats frame when its figures change
}

// maxMessageID bounds the id a client gives a request, in bytes.
const maxMessageID = 64

// decodeInbound turns a frame into a message, or into the error frame that answers it: not one
// JSON object of the protocol, a type this version does not know, or a message without what its
// type needs. Every error frame repeats the frame's id when it can be read, so that a phone
// knows which report of its outbox was refused. What takes the database comes after: the
// report's checks against the catalogue (dispatch), the member's right to watch a unit.
func decodeInbound(data []byte) (inbound, *errorFrame) {
	m, err := readInbound(data)
	if err != nil {
		ef := errorFrameOf(m.ID, err)
		return m, &ef
	}
	return m, nil
}

// readInbound is decodeInbound's message, or the error that refuses it.
func readInbound(data []byte) (inbound, error) {
	var m inbound
	if err := unmarshalStrict(data, &m); err != nil {
		var fe *FieldError
		errors.As(err, &fe)
		id := frameID(data)
		// A field of the report: named as dispatch names them, its path in the message.
		if rest, ok := strings.CutPrefix(fe.Field, "report."); ok && rest != "" && rest[0] != '[' && rest[0] != '.' {
			field, _, _ := strings.Cut(rest, "[")
			field, _, _ = strings.Cut(field, ".")
			return inbound{ID: id}, refusedAs(dispatch.ErrInvalidReport, field, rest+": "+fe.Message)
		}
		return inbound{ID: id}, refusedAs(errBadMessage, fe.Field, "not a protocol message: "+fe.Error())
	}
	bad := func(msg string) error { return refusedAs(errBadMessage, "", msg) }
	hasID := len(m.ID) > 0 && len(m.ID) <= maxMessageID
	switch m.Type {
	case "report":
		if m.Report == nil || !hasID {
			return m, bad("a report needs an id (1-64 characters) and a report object")
		}
		for _, c := range []struct {
			name string
			v    *float64
		}{{"lon", m.Report.Lon}, {"lat", m.Report.Lat}} {
			if c.v == nil {
				return m, &dispatch.ValidationError{Field: c.name, Message: "required: a report says where it happened (WGS84 degrees)"}
			}
		}
	case "subscribe", "unsubscribe":
		code := m.Centre + m.Subtree
		switch l := grid.LevelOfCode(code); {
		case !hasID || (m.Centre == "") == (m.Subtree == ""):
			return m, bad("a subscription needs an id (1-64 characters) and either a centre or a subtree")
		case m.Stats && m.Subtree == "":
			return m, bad("stats are for a subtree")
		case !isDigits(code) || l == 0 || (m.Centre != "" && l > grid.Village):
			return m, bad("not a unit code: " + quoteShort(code))
		}
	default:
		return m, refusedAs(errUnknownType, "", "unknown message type "+quoteShort(m.Type))
	}
	return m, nil
}

type reportJSON struct {
	ClientID      string    `json:"client_id"`
	Category      string    `json:"category"`
	Severity      string    `json:"severity"`
	Description   string    `json:"description"`
	Lon           *float64  `json:"lon"` // required: nil when absent or null
	Lat           *float64  `json:"lat"`
	AccuracyM     float64   `json:"accuracy_m"`
	HappenedAt    time.Time `json:"happened_at"`
	HandledOnSpot bool      `json:"handled_on_spot"`
	OnSpotNote    string    `json:"on_spot_note"`
	Photos        []string  `json:"photos"`
}

func (r reportJSON) report(reporter int64) dispatch.Report {
	return dispatch.Report{ClientID: r.ClientID, ReporterID: reporter, Category: r.Category, Severity: r.Severity,
		Description: r.Description, Lon: *r.Lon, Lat: *r.Lat, AccuracyM: r.AccuracyM, HappenedAt: r.HappenedAt,
		HandledOnSpot: r.HandledOnSpot, OnSpotNote: r.OnSpotNote, Photos: r.Photos}
}

type helloFrame struct {
	Type     string `json:"type"` // "hello"
	Protocol int    `json:"protocol"`
	Member   struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"member"`
}

type ackFrame struct {
	Type    string      `json:"type"` // "ack"
	ID      string      `json:"id"`
	Receipt receiptJSON `json:"receipt"`
}

type receiptJSON struct {
	EventID       int64         `json:"event_id"`
	CaseID        int64         `json:"case_id,omitempty"`
	Located       bool          `json:"located"`
	Duplicate     bool          `json:"duplicate"`
	State         string        `json:"state,omitempty"`
	Level         dispatch.Tier `json:"level,omitempty"`
	OutsideMetres *float64      `json:"outside_metres,omitempty"` // when located: 0 inside the grid, else how far outside
	Units         []unitJSON    `json:"units,omitempty"`
}

type unitJSON struct {
	Level grid.Level `json:"level"`
	Code  string     `json:"code"`
	Name  string     `json:"name"`
}

func receiptFrame(id string, r dispatch.Receipt) ackFrame {
	loc := locationFrame(r.Location, r.Located)
	rj := receiptJSON{EventID: r.EventID, CaseID: r.CaseID, Located: r.Located, Duplicate: r.Duplicate,
		State: r.State, Level: r.Level, Units: loc.Units}
	if r.Located {
		rj.OutsideMetres = &loc.OutsideMetres
	}
	return ackFrame{Type: "ack", ID: id, Receipt: rj}
}

// errorFrame answers a message that could not be done (errorFrameOf makes it from the error).
// Retryable tells the phone to keep the report in its outbox and send it again; otherwise
// resending it unchanged will fail again.
type errorFrame struct {
	Type      string `json:"type"` // "error"
	ID        string `json:"id,omitempty"`
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable"`
}
