package main

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// stats are counted by every phone at once.
type stats struct {
	start       time.Time
	reports     atomic.Int64 // distinct reports (client ids) sent
	outside     atomic.Int64 // of which from outside the grid
	messages    atomic.Int64 // report messages sent, resends included
	resends     atomic.Int64
	acks        atomic.Int64   // ack frames
	dupAcks     atomic.Int64   // ack frames with duplicate: true
	statuses    atomic.Int64   // status frames (case transitions pushed to the reporter)
	outstanding atomic.Int64   // messages not yet answered
	disconnects atomic.Int64   // connections lost before the end
	reconnects  atomic.Int64   // --reconnect: connections made again after one was lost
	abandoned   atomic.Int64   // --reconnect: messages unanswered when their connection was lost (sent again)
	perSecond   []atomic.Int64 // new reports acknowledged in each second from start
	lastAck     atomic.Int64   // nanoseconds from start

	mu     sync.Mutex
	errors map[string]int64 // error frames by code
}

func newStats(start time.Time, seconds int) *stats {
	return &stats{start: start, perSecond: make([]atomic.Int64, seconds), errors: map[string]int64{}}
}

func (s *stats) ackAt(t time.Time, duplicate bool) {
	s.acks.Add(1)
	since := t.Sub(s.start)
	for last := s.lastAck.Load(); int64(since) > last && !s.lastAck.CompareAndSwap(last, int64(since)); {
		last = s.lastAck.Load()
	}
	if duplicate {
		s.dupAcks.Add(1)
		return
	}
	if i := int(since / time.Second); i >= 0 && i < len(s.perSecond) {
		s.perSecond[i].Add(1)
	}
}

func (s *stats) errorFrame(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errors[code]++
}

func (s *stats) errorCounts() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.errors)
}

// outcome is what came back for one report (one client id), over all its sends.
type outcome struct {
	outside  bool
	answered int   // acks
	fresh    int   // acks with duplicate: false; more than one means two events were made
	eventID  int64 // from the first ack
	caseID   int64
	located  bool
	disagree bool // acks of the same client id named different events or cases
}

func (o *outcome) ack(eventID, caseID int64, located, duplicate bool) {
	if o.answered > 0 && (o.eventID != eventID || o.caseID != caseID || o.located != located) {
		o.disagree = true
	}
	o.answered++
	o.eventID, o.caseID, o.located = eventID, caseID, located
	if !duplicate {
		o.fresh++
	}
}

// percentiles of latencies, which it sorts.
func percentiles(d []time.Duration, ps ...float64) []time.Duration {
	slices.Sort(d)
	out := make([]time.Duration, len(ps))
	if len(d) == 0 {
		return out
	}
	for i, p := range ps {
		k := int(p*float64(len(d))+0.5) - 1
		out[i] = d[min(max(k, 0), len(d)-1)]
	}
	return out
}
