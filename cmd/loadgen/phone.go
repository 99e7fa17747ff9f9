package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// phone is one grid worker's phone reporting over one websocket.
type phone struct {
	m    *member
	ws   *websocket.Conn
	cats []string
	rng  *rand.Rand // points, categories, resends: from --seed
	ids  *rand.Rand // client ids: never the same across runs
	st   *stats

	mu        sync.Mutex
	seq       int
	pending   map[string]sent     // request id -> what was sent
	reports   map[string]*outcome // client id -> what came back
	latencies []time.Duration
}

type sent struct {
	at       time.Time
	clientID string
}

// reportMsg is a report message of docs/protocol.md.
type reportMsg struct {
	Type   string     `json:"type"`
	ID     string     `json:"id"`
	Report reportBody `json:"report"`
}

type reportBody struct {
	ClientID    string    `json:"client_id"`
	Category    string    `json:"category"`
	Severity    string    `json:"severity"`
	Description string    `json:"description"`
	Lon         float64   `json:"lon"`
	Lat         float64   `json:"lat"`
	AccuracyM   float64   `json:"accuracy_m"`
	HappenedAt  time.Time `json:"happened_at"`
}

// frame is what the server sends back; status frames are only counted.
type frame struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Code    string `json:"code"`
	Receipt struct {
		EventID   int64 `json:"event_id"`
		CaseID    int64 `json:"case_id"`
		Located   bool  `json:"located"`
		Duplicate bool  `json:"duplicate"`
	} `json:"receipt"`
	Retryable bool `json:"retryable"`
}

var statusPrefix = []byte(`{"type":"status"`)

// report sends one new report, and with --resend-share a second copy at once, as a phone does
// that resends from its outbox before the first ack has come.
func (p *phone) report(resendShare, outsideShare float64) error {
	body, isOutside := newReportBody(p.rng, p.ids, p.m, p.cats, outsideShare)
	p.mu.Lock()
	p.reports[body.ClientID] = &outcome{outside: isOutside}
	p.mu.Unlock()
	p.st.reports.Add(1)
	if isOutside {
		p.st.outside.Add(1)
	}
	if err := p.send(body); err != nil {
		return err
	}
	if p.rng.Float64() < resendShare {
		p.st.resends.Add(1)
		return p.send(body)
	}
	return nil
}

func (p *phone) send(body reportBody) error {
	p.mu.Lock()
	p.seq++
	id := strconv.Itoa(p.seq)
	p.mu.Unlock()
	b, err := json.Marshal(reportMsg{Type: "report", ID: id, Report: body})
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.pending[id] = sent{at: time.Now(), clientID: body.ClientID}
	p.mu.Unlock()
	p.st.messages.Add(1)
	p.st.outstanding.Add(1)
	p.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return p.ws.WriteMessage(websocket.TextMessage, b)
}

// read takes the server's frames until the connection ends.
func (p *phone) read() error {
	return readFrames(p.ws, p.st, func(f frame, now time.Time) {
		p.mu.Lock()
		s, ok := p.pending[f.ID]
		delete(p.pending, f.ID)
		if ok && f.Type == "ack" {
			p.latencies = append(p.latencies, now.Sub(s.at))
			p.reports[s.clientID].ack(f.Receipt.EventID, f.Receipt.CaseID, f.Receipt.Located, f.Receipt.Duplicate)
		}
		p.mu.Unlock()
		if !ok {
			p.st.errorFrame("unknown_request_id")
			return
		}
		p.st.outstanding.Add(-1)
		if f.Type == "error" {
			p.st.errorFrame(f.Code)
			return
		}
		p.st.ackAt(now, f.Receipt.Duplicate)
	})
}

// readFrames hands each ack or error frame, with the time it came, to answer until the
// connection ends; status frames and frames it does not know are only counted.
func readFrames(ws *websocket.Conn, st *stats, answer func(f frame, now time.Time)) error {
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		now := time.Now()
		f, isStatus, ok := parseFrame(data)
		switch {
		case isStatus:
			st.statuses.Add(1)
		case !ok:
			st.errorFrame("unexpected_frame")
		default:
			answer(f, now)
		}
	}
}

// parseFrame reads an ack or an error frame; status frames are only recognised.
func parseFrame(data []byte) (f frame, isStatus, ok bool) {
	if bytes.HasPrefix(data, statusPrefix) {
		return f, true, true
	}
	if err := json.Unmarshal(data, &f); err != nil || (f.Type != "ack" && f.Type != "error") {
		return f, false, false
	}
	return f, false, true
}

// run reports every interval from start (shifted by a random phase, so phones do not send in
// step) until end. It keeps to the schedule: a late send is followed by the next at once.
func (p *phone) run(ctx context.Context, start, end time.Time, interval time.Duration, resendShare, outsideShare float64) error {
	next := start.Add(time.Duration(p.rng.Int64N(int64(interval))))
	t := time.NewTimer(time.Until(next))
	defer t.Stop()
	for next.Before(end) {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := p.report(resendShare, outsideShare); err != nil {
			return err
		}
		next = next.Add(interval)
		t.Reset(time.Until(next))
	}
	return nil
}
