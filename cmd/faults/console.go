package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// console is a supervisor's screen watching a subtree over the websocket (docs/cases-api.md):
// it signs in, subscribes, and when the connection is lost dials again (the next server, with
// back-off), subscribes again, and goes on. It records when it was subscribed and when case
// frames came, so the summary can say it came back after each fault.
type console struct {
	urls     []string
	phone    string
	password string
	subtree  string

	mu          sync.Mutex
	token       string
	subscribed  []time.Time // every successful (re)subscription
	where       []string    // and the server it was made on
	frames      []time.Time // arrival of every case frame
	transitions map[int64]int
}

func newConsole(urls []string, phone, password, subtree string) *console {
	return &console{urls: urls, phone: phone, password: password, subtree: subtree, transitions: map[int64]int{}}
}

// run keeps the console connected until ctx ends.
func (c *console) run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for server := 0; ctx.Err() == nil; server++ {
		if err := c.session(ctx, c.urls[server%len(c.urls)]); err == nil {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// session signs in if needed, subscribes and reads until the connection ends.
func (c *console) session(ctx context.Context, base string) error {
	c.mu.Lock()
	token := c.token
	c.mu.Unlock()
	if token == "" {
		t, err := signIn(ctx, base, c.phone, c.password)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.token, token = t, t
		c.mu.Unlock()
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second,
		Subprotocols: []string{"griddispatch.v1", "bearer." + token}}
	ws, resp, err := d.DialContext(ctx, "ws"+base[len("http"):]+"/ws", nil)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			c.mu.Lock()
			c.token = ""
			c.mu.Unlock()
		}
		return err
	}
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	sub, _ := json.Marshal(map[string]string{"type": "subscribe", "id": "s1", "subtree": c.subtree})
	ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := ws.WriteMessage(websocket.TextMessage, sub); err != nil {
		return err
	}
	for {
		// The server pings every 54 s; a minute without a frame is a dead connection.
		ws.SetReadDeadline(time.Now().Add(70 * time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		var f struct {
			Type         string `json:"type"`
			Code         string `json:"code"`
			TransitionID int64  `json:"transition_id"`
		}
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		now := time.Now()
		switch f.Type {
		case "subscribed":
			c.mu.Lock()
			c.subscribed, c.where = append(c.subscribed, now), append(c.where, base)
			c.mu.Unlock()
		case "case":
			c.mu.Lock()
			c.frames = append(c.frames, now)
			c.transitions[f.TransitionID]++
			c.mu.Unlock()
		case "error":
			return fmt.Errorf("console: error frame %s", f.Code)
		}
	}
}

// signIn posts the member's phone and password to /api/sessions and returns the token.
func signIn(ctx context.Context, base, phone, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"phone": phone, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/sessions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var s struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&s) != nil || s.Token == "" {
		return "", fmt.Errorf("sign in %s at %s: %s", phone, base, resp.Status)
	}
	return s.Token, nil
}

// consoleView is what the console saw around one fault.
type consoleView struct {
	Resubscribed int           // times it subscribed again after the kill
	Resumed      time.Duration // from the kill to the case frame ending the longest pause after it (-1: none came)
	Pause        time.Duration // that pause
}

// pauseThreshold: a shorter pause between case frames is the load's own rhythm, not a fault's;
// pauseWindow: a pause that begins later than this after the kill is not the fault's.
const (
	pauseThreshold = 500 * time.Millisecond
	pauseWindow    = 5 * time.Second
)

// around says what the console saw between a kill at k and until (the next kill, or the end):
// the fault's pause is the first pause in case frames over pauseThreshold that began by
// pauseWindow after the kill (counted from the last frame before it); its end is when live
// updates resumed. Later pauses (a console dropped for another reason) are not the fault's.
func (c *console) around(k, until time.Time) consoleView {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := consoleView{Resumed: -1}
	for _, t := range c.subscribed {
		if t.After(k) && t.Before(until) {
			v.Resubscribed++
		}
	}
	prev := k
	for _, t := range c.frames {
		if !t.After(k) {
			prev = t
			continue
		}
		if !t.Before(until) {
			break
		}
		if prev.After(k.Add(pauseWindow)) {
			v.Resumed = 0 // updates went on after the kill: no pause of the fault's
			return v
		}
		if gap := t.Sub(prev); gap > pauseThreshold {
			v.Resumed, v.Pause = t.Sub(k), gap
			return v
		}
		prev = t
	}
	return v // no frame after the kill: never resumed
}

// counts is how many case frames came, for how many distinct transitions, and how many
// transitions came more than once.
func (c *console) counts() (frames, distinct, repeated int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.transitions {
		if n > 1 {
			repeated++
		}
	}
	return len(c.frames), len(c.transitions), repeated
}

// log describes the console's subscriptions, for the harness's progress log.
func (c *console) log(start time.Time) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for i, t := range c.subscribed {
		fmt.Fprintf(&b, " %+.1fs %s;", t.Sub(start).Seconds(), c.where[i])
	}
	return b.String()
}

// lastFrame is when the last case frame came.
func (c *console) lastFrame() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.frames) == 0 {
		return time.Time{}
	}
	return c.frames[len(c.frames)-1]
}
