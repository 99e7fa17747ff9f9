package web

import (
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

type reportJSON struct {
	ClientID      string    `json:"client_id"`
	Category      string    `json:"category"`
	Severity      string    `json:"severity"`
	Description   string    `json:"description"`
	Lon           float64   `json:"lon"`
	Lat           float64   `json:"lat"`
	AccuracyM     float64   `json:"accuracy_m"`
	HappenedAt    time.Time `json:"happened_at"`
	HandledOnSpot bool      `json:"handled_on_spot"`
	OnSpotNote    string    `json:"on_spot_note"`
	Photos        []string  `json:"photos"`
}

func (r reportJSON) report(reporter int64) dispatch.Report {
	return dispatch.Report{ClientID: r.ClientID, ReporterID: reporter, Category: r.Category, Severity: r.Severity,
		Description: r.Description, Lon: r.Lon, Lat: r.Lat, AccuracyM: r.AccuracyM, HappenedAt: r.HappenedAt,
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
	EventID       int64      `json:"event_id"`
	CaseID        int64      `json:"case_id,omitempty"`
	Located       bool       `json:"located"`
	Duplicate     bool       `json:"duplicate"`
	State         string     `json:"state,omitempty"`
	Level         int        `json:"level,omitempty"`
	OutsideMetres float64    `json:"outside_metres,omitempty"`
	Units         []unitJSON `json:"units,omitempty"`
}

type unitJSON struct {
	Level grid.Level `json:"level"`
	Code  string     `json:"code"`
	Name  string     `json:"name"`
}

func receiptFrame(id string, r dispatch.Receipt) ackFrame {
	loc := locationFrame(r.Location, r.Located)
	rj := receiptJSON{EventID: r.EventID, CaseID: r.CaseID, Located: r.Located, Duplicate: r.Duplicate,
		State: r.State, Level: r.Level, OutsideMetres: loc.OutsideMetres, Units: loc.Units}
	return ackFrame{Type: "ack", ID: id, Receipt: rj}
}

// errorFrame answers a message that could not be done. Retryable tells the phone to keep the
// report in its outbox and send it again; otherwise resending it unchanged will fail again.
type errorFrame struct {
	Type      string `json:"type"` // "error"
	ID        string `json:"id,omitempty"`
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable"`
}
