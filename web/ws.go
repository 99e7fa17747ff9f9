package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// Connection limits, after gorilla/websocket's chat example: one reader and one writer
// goroutine per connection, pings to find dead phones, a bounded queue of outgoing frames.
//
// Most phones are idle most of the time, so an idle connection must cost little: 100,000 of
// them should fit in under 2 GB (docs/benchmarks.md). It holds a small read buffer and its two
// goroutines; the write buffer comes from a pool only while a frame is written, and the
// outgoing queue and rate limiter exist only once there is something to send or read.
const (
	writeWait     = 10 * time.Second
	pongWait      = 60 * time.Second
	pingPeriod    = pongWait * 9 / 10
	maxFrameBytes = 64 << 10 // a report with a 2,000-character description fits many times
	// sendQueue is how many frames may wait for a slow client before it is disconnected. Frames
	// are shared PreparedMessages, so a full queue costs 8 bytes a frame; 512 lets a county
	// console ride out a burst of transitions or a stall of a second without being cut off.
	sendQueue      = 512
	maxInFlight    = 8 // reports of one connection being stored at once
	messagesPerSec = 5 // per connection, with bursts of messageBurst
	messageBurst   = 20
	// readBufferBytes holds a frame header and a typical report; longer frames are read
	// straight into the message (gorilla needs at least 125 bytes, a control frame).
	readBufferBytes  = 512
	writeBufferBytes = 4096
	// maxConnsPerMember bounds one member's connections on a process; the oldest gives way.
	// Load tests share one token among up to 100 phones (docs/loadgen.md).
	maxConnsPerMember = 128
)

// Close codes besides gorilla's (docs/protocol.md), in the range left to applications.
const (
	closeSessionEnded = 4401 // signed out, expired or revoked: sign in again
	closeTooMany      = 4429 // the member opened too many connections; this, the oldest, gives way
)

// writeBuffers lends write buffers to connections while they write a frame.
var writeBuffers sync.Pool

func (s *Server) upgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		Subprotocols:    []string{Subprotocol},
		CheckOrigin:     s.checkOrigin,
		ReadBufferSize:  readBufferBytes,
		WriteBufferSize: writeBufferBytes,
		WriteBufferPool: &writeBuffers,
		Error:           refuseUpgrade,
	}
}

// refuseUpgrade answers a handshake the upgrader refused with the JSON error body of every
// route (docs/api.md) rather than gorilla's text/plain.
func refuseUpgrade(w http.ResponseWriter, _ *http.Request, status int, reason error) {
	code, msg := "bad_request", strings.TrimPrefix(reason.Error(), "websocket: ")
	switch status {
	case http.StatusForbidden:
		code, msg = "forbidden", "this origin may not open a websocket: use the apps of this server, or start it with --allowed-origin"
	case http.StatusMethodNotAllowed:
		code = "method_not_allowed"
	}
	writeJSON(w, status, apiError{Code: code, Message: msg})
}

// checkOrigin admits browsers only from this server's own host or a configured origin; clients
// that send no Origin (native apps, tools) are admitted, having a token all the same.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host) || slices.Contains(s.allowedOrigins, origin)
}

// handleWS upgrades an authenticated phone to the report protocol.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	var token string
	offered := websocket.Subprotocols(r)
	for _, p := range offered {
		if strings.HasPrefix(p, bearerPrefix) {
			token = strings.TrimPrefix(p, bearerPrefix)
		}
	}
	if !slices.Contains(offered, Subprotocol) {
		writeError(w, s.logger, fmt.Errorf("%w: offer the subprotocol %s", ErrBadRequest, Subprotocol))
		return
	}
	p, err := s.auth.Authenticate(r.Context(), token)
	if err == nil {
		err = p.passwordChosen(r.Pattern) // the token rides here, not through requireSession
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	ws, err := s.upgrader().Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered (403 for a foreign origin)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &wsConn{s: s, ws: ws, p: p, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}
	hello := helloFrame{Type: "hello", Protocol: 1}
	hello.Member.ID, hello.Member.Name = p.Member.ID, p.Member.Name
	c.enqueue(hello)
	if !s.hub.add(c) { // the server is closing: nothing was started for this connection
		cancel()
		ws.SetWriteDeadline(time.Now().Add(writeWait))
		ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"))
		ws.Close()
		return
	}
	s.watchSessions() // after add: a check that found no connection has stopped
	// The handler returns, so that net/http lets go of the request, its buffers and the
	// goroutine's grown stack; the connection lives on in its reader and writer, which
	// Server.Close waits for. Once the hub has taken the connection, the hub's closeAll ends
	// it, so a writer that runs sends the close frame.
	if !s.bg.Go(func(context.Context) { c.writer() }) {
		c.cancel()
		ws.Close()
		s.hub.remove(c)
		return
	}
	if !s.bg.Go(func(context.Context) { c.reader() }) {
		c.end(websocket.CloseGoingAway, "server shutting down", nil) // the writer sends it and closes
		s.hub.remove(c)
	}
}

type wsConn struct {
	s      *Server
	ws     *websocket.Conn
	p      Principal
	ctx    context.Context
	cancel context.CancelFunc

	wake    chan struct{} // has a value when frames are queued
	mu      sync.Mutex
	queue   []*websocket.PreparedMessage // frames for the writer; nil while there are none
	pending int                          // frames queued or being written

	subs   map[subscription]bool // what this console watches; guarded by the hub's mutex
	seq    uint64                // order of arrival, set by the hub
	ending *ending               // why the connection ends, for the last frames; guarded by mu

	inFlight chan struct{} // reports being stored; made by the reader on the first report
}

// enqueue encodes a frame for this connection alone and queues it.
func (c *wsConn) enqueue(v any) {
	if c.ctx.Err() != nil {
		return
	}
	pm, err := prepare(v)
	if err != nil {
		c.s.logger.Error("websocket frame", "err", err)
		return
	}
	c.send(pm)
}

// send queues a frame for the writer without blocking. A client that does not read is cut off
// rather than allowed to hold the server's memory or slow the others.
func (c *wsConn) send(pm *websocket.PreparedMessage) {
	if c.ctx.Err() != nil {
		return
	}
	c.mu.Lock()
	full := c.pending >= sendQueue
	if !full {
		c.queue = append(c.queue, pm)
		c.pending++
	}
	c.mu.Unlock()
	if full {
		c.s.logger.Warn("websocket client too slow; disconnecting", "member", c.p.Member.ID)
		c.end(websocket.ClosePolicyViolation, "not reading", nil)
		return
	}
	select {
	case c.wake <- struct{}{}:
	default: // the writer has been woken already and will take this frame too
	}
}

func (c *wsConn) reader() {
	defer func() {
		c.cancel()
		c.ws.Close()
		c.s.hub.remove(c)
	}()
	wait := c.s.hub.pongWait
	c.ws.SetReadLimit(maxFrameBytes)
	c.ws.SetReadDeadline(time.Now().Add(wait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(wait)) })
	var limiter *rate.Limiter // made on the first message: most connections only listen
	for {
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if c.ctx.Err() != nil {
			continue // ending: read on until the writer has sent the close frame and closed
		}
		switch {
		case kind == websocket.TextMessage && !utf8.Valid(data):
			// RFC 6455 §8.1: a text frame that is not UTF-8 fails the connection (1007). The
			// error frame first names the field and repeats the id, so the phone does not
			// resend that report for ever.
			_, ef := decodeInbound(data)
			if ef == nil {
				f := errorFrameOf("", refusedAs(errBadMessage, "", ""))
				ef = &f
			}
			ef.Message = "the text frame is not valid UTF-8: " + ef.Message
			c.end(websocket.CloseInvalidFramePayloadData, "text frame is not UTF-8", *ef)
			continue
		case kind != websocket.TextMessage:
			c.refuse(frameID(data), refusedAs(errBadMessage, "", "not a protocol message: frames are JSON text messages, not binary"))
			continue
		}
		if limiter == nil {
			limiter = rate.NewLimiter(messagesPerSec, messageBurst)
		}
		if !limiter.Allow() {
			c.refuse(frameID(data), errTooManyMessages)
			continue
		}
		c.handle(data)
	}
}

func (c *wsConn) writer() {
	ping := time.NewTicker(c.s.hub.pingPeriod)
	defer func() {
		ping.Stop()
		c.ws.Close()
	}()
	for {
		select {
		case <-c.wake:
			c.mu.Lock()
			frames := c.queue
			c.queue = nil
			c.mu.Unlock()
			for _, pm := range frames {
				if c.ctx.Err() != nil {
					break // ended: nothing more, not even what was queued
				}
				c.ws.SetWriteDeadline(time.Now().Add(writeWait))
				if err := c.ws.WritePreparedMessage(pm); err != nil {
					c.cancel()
					return
				}
				c.mu.Lock()
				c.pending--
				c.mu.Unlock()
			}
		case <-ping.C:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				c.cancel()
				return
			}
		case <-c.ctx.Done():
			c.mu.Lock()
			e := c.ending
			c.mu.Unlock()
			code, text := websocket.CloseNormalClosure, ""
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if e != nil {
				code, text = e.code, e.text
				if e.frame != nil {
					c.ws.WritePreparedMessage(e.frame)
				}
			}
			c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
			return
		}
	}
}

// ending is why a connection ends: its close code and text, and an error frame sent first.
type ending struct {
	code  int
	text  string
	frame *websocket.PreparedMessage
}

// end closes the connection for a reason: the writer sends frame (if any) and a close frame
// with code and text, and nothing else queued. The first reason given wins.
func (c *wsConn) end(code int, text string, frame any) {
	var pm *websocket.PreparedMessage
	if frame != nil {
		pm, _ = prepare(frame)
	}
	c.mu.Lock()
	if c.ending == nil {
		c.ending = &ending{code: code, text: text, frame: pm}
	}
	c.mu.Unlock()
	c.cancel()
}

// handle answers one message. Reports are stored concurrently (up to maxInFlight per
// connection), so a slow commit does not stop the reader from answering pings.
func (c *wsConn) handle(data []byte) {
	m, ef := decodeInbound(data)
	switch {
	case ef != nil:
		c.enqueue(*ef)
	case m.Type == "subscribe" || m.Type == "unsubscribe":
		c.subscription(m)
	default:
		if c.inFlight == nil {
			c.inFlight = make(chan struct{}, maxInFlight)
		}
		select {
		case c.inFlight <- struct{}{}:
		case <-c.ctx.Done():
			return
		}
		if !c.s.bg.Go(func(context.Context) {
			defer func() { <-c.inFlight }()
			c.submit(m.ID, *m.Report)
		}) {
			<-c.inFlight // the server is closing; the connection ends with it
		}
	}
}

func (c *wsConn) submit(id string, r reportJSON) {
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	receipt, err := c.s.intake.Submit(ctx, r.report(c.p.Member.ID))
	if err != nil {
		c.refuse(id, err) // invalid_report, client_id_taken, or retryable
		return
	}
	c.enqueue(receiptFrame(id, receipt))
}

// refuse answers the message id with err's error frame (errorTable), logged as writeError
// logs it.
func (c *wsConn) refuse(id string, err error) {
	classify(err).log(c.s.logger, "websocket request failed", err)
	c.enqueue(errorFrameOf(id, err))
}

// quoteShort quotes client text for an error message, cut to 40 bytes.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	b, _ := json.Marshal(s)
	return string(b)
}
