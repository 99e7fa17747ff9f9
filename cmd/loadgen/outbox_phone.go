package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// outboxPhone is a phone as the phone app behaves (docs/phone-app.md): every report waits in its
// outbox until acknowledged; a lost connection is dialled again with back-off, to the next
// server, and everything unacknowledged is sent again with its client_id. It measures how
// long each interruption lasted: from the first sign of trouble (a lost connection, a
// retryable error) to the next acknowledgement.
type outboxPhone struct {
	idx     int
	m       *member
	cats    []string
	rng     *rand.Rand
	ids     *rand.Rand
	st      *stats
	dialers *dialers
	send    *rate.Limiter // below the server's limit, so resends after an outage are not refused

	mu            sync.Mutex
	ws            *websocket.Conn // nil while disconnected
	conn          int             // generation of ws, so answers to an earlier one are not taken for this one's
	seq           int
	pending       map[string]sent // request id -> what was sent on this connection
	outbox        map[string]*queuedReport
	reports       map[string]*outcome
	latencies     []time.Duration
	interrupted   time.Time // zero while reports are acknowledged
	interruptions []Interruption
	wake          chan struct{}
}

// queuedReport is a report in the outbox: sent (and unanswered) on the current connection, or
// waiting to be sent at retryAt.
type queuedReport struct {
	body     reportBody
	inFlight int // sends on the current connection not yet answered
	retryAt  time.Time
	copies   int // sends still to make now: 2 for a report the phone resends at once
}

// Interruption is a time a phone's reports were not acknowledged: from a lost connection or a
// retryable error until the next acknowledgement (To is zero if none came).
type Interruption struct {
	Phone int       `json:"phone"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
}

const (
	// answerWait: a report without an answer this long gets its connection dropped and
	// redialled, as the phone app does.
	answerWait = 20 * time.Second
	// retryPause: a report refused as retryable is sent again after this.
	retryPause = 500 * time.Millisecond
	// backoffMin and backoffMax bound the pause before redialling; it doubles from one to
	// the other, with jitter. The app's 1-30 s would mostly measure the back-off.
	backoffMin = 100 * time.Millisecond
	backoffMax = 2 * time.Second
	// maxInFlight is the phone app's limit of reports sent and unanswered on one connection.
	maxInFlight = 8
)

func newOutboxPhone(idx int, m *member, cats []string, rng, ids *rand.Rand, st *stats, d *dialers) *outboxPhone {
	return &outboxPhone{idx: idx, m: m, cats: cats, rng: rng, ids: ids, st: st, dialers: d,
		send:    rate.NewLimiter(rate.Limit(maxMessagesPerSec-1), 4*(maxMessagesPerSec-1)),
		pending: map[string]sent{}, outbox: map[string]*queuedReport{}, reports: map[string]*outcome{},
		wake: make(chan struct{}, 1)}
}

// create puts one new report in the outbox (twice to send with --resend-share) and wakes the sender.
func (p *outboxPhone) create(resendShare, outsideShare float64) {
	body, isOutside := newReportBody(p.rng, p.ids, p.m, p.cats, outsideShare)
	copies := 1
	if p.rng.Float64() < resendShare {
		copies = 2
		p.st.resends.Add(1)
	}
	p.st.reports.Add(1)
	if isOutside {
		p.st.outside.Add(1)
	}
	p.mu.Lock()
	p.reports[body.ClientID] = &outcome{outside: isOutside}
	p.outbox[body.ClientID] = &queuedReport{body: body, copies: copies}
	p.mu.Unlock()
	p.poke()
}

func (p *outboxPhone) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// waiting is how many reports are not yet acknowledged.
func (p *outboxPhone) waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.outbox)
}

// schedule creates reports every interval from start until end, as phone.run does.
func (p *outboxPhone) schedule(ctx context.Context, start, end time.Time, interval time.Duration, resendShare, outsideShare float64) {
	next := start.Add(time.Duration(p.rng.Int64N(int64(interval))))
	t := time.NewTimer(time.Until(next))
	defer t.Stop()
	for next.Before(end) {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.create(resendShare, outsideShare)
		next = next.Add(interval)
		t.Reset(time.Until(next))
	}
}

// connect keeps the phone connected until ctx ends: dial, send and read until the connection
// fails, then pause and dial the next server.
func (p *outboxPhone) connect(ctx context.Context) {
	backoff := backoffMin
	server := p.idx
	first := true
	for ctx.Err() == nil {
		ws, err := p.dialers.dialServer(ctx, p.idx, server, p.m.Token)
		if err == nil {
			if !first {
				p.st.reconnects.Add(1)
			}
			first = false
			backoff = backoffMin
			p.serve(ctx, ws)
			if ctx.Err() != nil {
				return
			}
		}
		p.trouble()
		server++                             // a phone behind a load balancer lands on another process
		pause := backoff/2 + rand.N(backoff) // the global source: p.rng belongs to schedule
		backoff = min(2*backoff, backoffMax)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
	}
}

// serve sends and reads on one connection until it fails or ctx ends.
func (p *outboxPhone) serve(ctx context.Context, ws *websocket.Conn) {
	p.mu.Lock()
	p.ws = ws
	p.conn++
	gen := p.conn
	p.mu.Unlock()
	connCtx, cancel := context.WithCancel(ctx)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		p.read(ws, gen)
		cancel()
	}()
	p.sendLoop(connCtx, ws)
	cancel()
	if ctx.Err() != nil {
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	}
	ws.Close()
	<-readDone
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ws = nil
	// What was in flight on this connection will never be answered on it: send it again.
	for id := range p.pending {
		p.st.outstanding.Add(-1)
		p.st.abandoned.Add(1)
		delete(p.pending, id)
	}
	for _, q := range p.outbox {
		q.inFlight, q.copies = 0, max(q.copies, 1)
	}
	if ctx.Err() == nil {
		p.st.disconnects.Add(1)
	}
}

// sendLoop sends every report of the outbox that is due, keeping under the server's rate, and
// drops the connection when an answer is overdue.
func (p *outboxPhone) sendLoop(ctx context.Context, ws *websocket.Conn) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, body := range p.due() {
			if err := p.send.Wait(ctx); err != nil {
				return
			}
			if err := p.write(ws, body); err != nil {
				return
			}
		}
		if p.overdue() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-tick.C:
		}
	}
}

// due takes the sends to make now, keeping at most maxInFlight unanswered on the connection as
// the phone app does, and marks them in flight.
func (p *outboxPhone) due() []reportBody {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []reportBody
	for _, q := range p.outbox {
		if len(p.pending)+len(out) >= maxInFlight {
			break
		}
		if q.inFlight > 0 || now.Before(q.retryAt) {
			continue
		}
		for range max(q.copies, 1) {
			out = append(out, q.body)
		}
		q.inFlight, q.copies = max(q.copies, 1), 0
	}
	return out
}

func (p *outboxPhone) overdue() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.pending {
		if time.Since(s.at) > answerWait {
			return true
		}
	}
	return false
}

func (p *outboxPhone) write(ws *websocket.Conn, body reportBody) error {
	p.mu.Lock()
	p.seq++
	id := strconv.Itoa(p.seq)
	p.pending[id] = sent{at: time.Now(), clientID: body.ClientID}
	p.mu.Unlock()
	b, err := json.Marshal(reportMsg{Type: "report", ID: id, Report: body})
	if err != nil {
		return err
	}
	p.st.messages.Add(1)
	p.st.outstanding.Add(1)
	ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return ws.WriteMessage(websocket.TextMessage, b)
}

// read takes the frames of connection gen until it ends.
func (p *outboxPhone) read(ws *websocket.Conn, gen int) {
	_ = readFrames(ws, p.st, func(f frame, now time.Time) { p.answer(f, gen, now) })
}

func (p *outboxPhone) answer(f frame, gen int, now time.Time) {
	p.mu.Lock()
	s, ok := p.pending[f.ID]
	if ok && p.conn == gen {
		delete(p.pending, f.ID)
	} else {
		ok = false
	}
	var q *queuedReport
	if ok {
		q = p.outbox[s.clientID]
	}
	if ok && f.Type == "ack" {
		p.latencies = append(p.latencies, now.Sub(s.at))
		p.reports[s.clientID].ack(f.Receipt.EventID, f.Receipt.CaseID, f.Receipt.Located, f.Receipt.Duplicate)
		delete(p.outbox, s.clientID)
		if !p.interrupted.IsZero() {
			p.interruptions = append(p.interruptions, Interruption{Phone: p.idx, From: p.interrupted, To: now})
			p.interrupted = time.Time{}
		}
	}
	retryable := f.Type == "error" && f.Retryable
	if ok && f.Type == "error" && q != nil {
		q.inFlight = max(q.inFlight-1, 0)
		if retryable {
			q.retryAt = now.Add(retryPause)
			if p.interrupted.IsZero() {
				p.interrupted = now
			}
		} else if q.inFlight == 0 {
			delete(p.outbox, s.clientID) // refused for good: resending it as is would not help
		}
	}
	p.mu.Unlock()
	if !ok {
		if f.ID != "" {
			p.st.errorFrame("unknown_request_id")
		} else if f.Type == "error" {
			p.st.errorFrame(f.Code)
		}
		return
	}
	p.st.outstanding.Add(-1)
	p.poke() // room for another in flight
	if f.Type == "error" {
		p.st.errorFrame(f.Code)
		return
	}
	p.st.ackAt(now, f.Receipt.Duplicate)
}

// trouble starts an interruption, unless one is running.
func (p *outboxPhone) trouble() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.interrupted.IsZero() {
		p.interrupted = time.Now()
	}
}

// finish closes a running interruption as never recovered.
func (p *outboxPhone) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.interrupted.IsZero() && len(p.outbox) > 0 {
		p.interruptions = append(p.interruptions, Interruption{Phone: p.idx, From: p.interrupted})
	}
}
