package main

import (
	"context"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v3"
)

// Result is what a load run measured.
type Result struct {
	Phones, Members int
	Window          time.Duration // the sending window, --duration
	Interrupted     bool          // stopped before the window ended; rates are over the whole window
	Reports         int64         // new reports sent (distinct client ids)
	Outside         int64         // of which from outside the grid
	Messages        int64         // report messages sent, resends included
	Resends         int64
	Acks            int64 // ack frames
	DupAcks         int64 // ack frames saying duplicate
	AckedReports    int64 // distinct reports acknowledged
	UnlocatedAcked  int64 // of which kept unlocated
	AckedOutside    int64 // acknowledged reports that were sent from outside the grid
	FreshTwice      int64 // reports acknowledged as new more than once (two events)
	Disagreeing     int64 // reports whose acks named different events or cases
	Unanswered      int64 // messages without an answer when the run ended
	Disconnects     int64
	Statuses        int64
	Errors          map[string]int64
	SentRate        float64 // new reports per second over the window
	Throughput      float64 // new reports acknowledged per second within the window
	LastAck         time.Duration
	SlowestSecond   int64 // fewest new reports acknowledged in one full second of the window (the first excepted)
	MedianSecond    int64
	PerSecond       []int64 // new reports acknowledged in each second from the start, drain included
	P50, P90, P99   time.Duration
	Max             time.Duration
	Check           checkResult
	OutboxBacklog   int64         // committed changes not yet on NATS when the check ran
	OutboxDrained   time.Duration // how long after the check the backlog took to reach 0 (-1: not within --drain)
}

// consistent says whether the phones' own view adds up.
func (r Result) consistent() bool {
	return r.FreshTwice == 0 && r.Disagreeing == 0 && r.AckedReports <= r.Reports &&
		r.Acks-r.DupAcks == r.AckedReports && r.UnlocatedAcked == r.AckedOutside
}

// Run runs the mode the configuration asks for and prints its summary.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Idle {
		return runIdle(ctx, cfg)
	}
	r, err := runLoad(ctx, cfg, os.Stderr)
	if err != nil {
		return err
	}
	r.print(cfg.Out, cfg.PerSecond)
	if !r.Check.OK() || !r.consistent() {
		return cli.Exit("exactly-once check FAILED", 3)
	}
	return nil
}

// runLoad reports at cfg.Rate from cfg.Workers phones for cfg.Duration, waits for the answers,
// and checks the database. Progress goes to log.
func runLoad(ctx context.Context, cfg Config, log io.Writer) (Result, error) {
	res := Result{Phones: cfg.Workers, Members: cfg.Members, Window: cfg.Duration}
	p, err := prepare(ctx, cfg, log)
	if err != nil {
		return res, err
	}
	defer p.close()
	conns, err := p.dialAll(ctx, cfg, log)
	if err != nil {
		return res, err
	}
	phones := make([]*phone, len(conns))
	for i, ws := range conns {
		var seed [32]byte
		if _, err := cryptorand.Read(seed[:]); err != nil {
			return res, err
		}
		phones[i] = &phone{m: p.members[i%len(p.members)], ws: ws, cats: p.cats,
			rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i))), ids: rand.New(rand.NewChaCha8(seed)),
			pending: map[string]sent{}, reports: map[string]*outcome{}}
	}
	start := time.Now().Add(time.Second)
	end := start.Add(cfg.Duration)
	st := newStats(start, int((cfg.Duration+cfg.Drain)/time.Second)+1)
	var readers sync.WaitGroup
	var closing atomic.Bool
	for _, ph := range phones {
		ph.st = st
		readers.Add(1)
		go func() {
			defer readers.Done()
			if err := ph.read(); err != nil && !closing.Load() {
				st.disconnects.Add(1)
			}
		}()
	}
	fmt.Fprintf(log, "reporting %g/s from %d phones for %s\n", cfg.Rate, len(phones), cfg.Duration)
	interval := time.Duration(float64(time.Second) * float64(len(phones)) / cfg.Rate)
	var senders sync.WaitGroup
	for _, ph := range phones {
		senders.Add(1)
		go func() {
			defer senders.Done()
			if err := ph.run(ctx, start, end, interval, cfg.ResendShare, cfg.OutsideShare); err != nil {
				st.disconnects.Add(1)
			}
		}()
	}
	senders.Wait()
	drainUntil := time.Now().Add(cfg.Drain)
	for st.outstanding.Load() > 0 && time.Now().Before(drainUntil) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	closing.Store(true)
	closeAll(conns)
	readers.Wait()
	res.collect(st, phones, cfg)
	res.Interrupted = ctx.Err() != nil

	var reports []acked
	for _, ph := range phones {
		for id, o := range ph.reports {
			if o.answered > 0 {
				reports = append(reports, acked{ClientID: id, EventID: o.eventID, CaseID: o.caseID, Located: o.located})
			}
		}
	}
	if len(reports) == 0 {
		return res, errors.New("no report was acknowledged")
	}
	fmt.Fprintf(log, "checking %d acknowledged reports in PostgreSQL\n", len(reports))
	// An interrupted run is still checked, as far as it went.
	checkCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
	defer cancel()
	if res.Check, err = checkExactlyOnce(checkCtx, p.db, reports); err != nil {
		return res, err
	}
	if ctx.Err() != nil {
		return res, nil
	}
	res.OutboxBacklog, res.OutboxDrained, err = waitOutbox(ctx, p, cfg.Drain)
	return res, err
}

// waitOutbox measures how far the relay to NATS is behind, and how long it takes to catch up.
func waitOutbox(ctx context.Context, p *prepared, wait time.Duration) (int64, time.Duration, error) {
	backlog, err := outboxBacklog(ctx, p.db)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox backlog: %w", err)
	}
	t := time.Now()
	for n := backlog; n > 0; {
		if time.Since(t) > wait || ctx.Err() != nil {
			return backlog, -1, nil
		}
		time.Sleep(100 * time.Millisecond)
		if n, err = outboxBacklog(ctx, p.db); err != nil {
			return 0, 0, fmt.Errorf("outbox backlog: %w", err)
		}
	}
	return backlog, time.Since(t), nil
}

func (r *Result) collect(st *stats, phones []*phone, cfg Config) {
	r.Reports, r.Outside, r.Messages, r.Resends = st.reports.Load(), st.outside.Load(), st.messages.Load(), st.resends.Load()
	r.Acks, r.DupAcks, r.Statuses = st.acks.Load(), st.dupAcks.Load(), st.statuses.Load()
	r.Unanswered, r.Disconnects, r.Errors = st.outstanding.Load(), st.disconnects.Load(), st.errorCounts()
	r.LastAck = time.Duration(st.lastAck.Load())
	var lat []time.Duration
	for _, ph := range phones {
		lat = append(lat, ph.latencies...)
		for _, o := range ph.reports {
			if o.answered == 0 {
				continue
			}
			r.AckedReports++
			if !o.located {
				r.UnlocatedAcked++
			}
			if o.outside {
				r.AckedOutside++
			}
			if o.fresh > 1 {
				r.FreshTwice++
			}
			if o.disagree {
				r.Disagreeing++
			}
		}
	}
	ps := percentiles(lat, 0.50, 0.90, 0.99, 1)
	r.P50, r.P90, r.P99, r.Max = ps[0], ps[1], ps[2], ps[3]
	for i := range st.perSecond {
		r.PerSecond = append(r.PerSecond, st.perSecond[i].Load())
	}
	r.PerSecond = r.PerSecond[:min(len(r.PerSecond), int(r.LastAck/time.Second)+1)]
	secs := int(cfg.Duration / time.Second)
	var inWindow int64
	var perSecond []int64
	for i := range secs {
		n := st.perSecond[i].Load()
		inWindow += n
		if i > 0 {
			perSecond = append(perSecond, n)
		}
	}
	if len(perSecond) > 0 {
		slices.Sort(perSecond)
		r.SlowestSecond, r.MedianSecond = perSecond[0], perSecond[len(perSecond)/2]
	}
	r.SentRate = float64(r.Reports) / cfg.Duration.Seconds()
	r.Throughput = float64(inWindow) / float64(max(secs, 1))
}
