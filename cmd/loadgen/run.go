package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
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
	Reconnect       bool           // phones reconnected and resent their outbox (--reconnect)
	Reconnects      int64          // connections made again after one was lost
	Abandoned       int64          // messages unanswered when their connection was lost, sent again
	Waiting         int64          // reports still unacknowledged in the phones' outboxes at the end
	Interruptions   []Interruption // times a phone's reports were not acknowledged (--reconnect)
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
// With --reconnect a report may be acknowledged only as a duplicate: its first ack was lost
// with the connection.
func (r Result) consistent() bool {
	fresh := r.Acks-r.DupAcks == r.AckedReports || (r.Reconnect && r.Acks-r.DupAcks <= r.AckedReports)
	return r.FreshTwice == 0 && r.Disagreeing == 0 && r.AckedReports <= r.Reports && fresh &&
		r.UnlocatedAcked == r.AckedOutside
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
	if cfg.ResultFile != "" {
		if err := r.writeJSON(cfg.ResultFile); err != nil {
			return err
		}
	}
	if !r.Check.OK() || !r.consistent() {
		return cli.Exit("exactly-once check FAILED", 3)
	}
	return nil
}

// runLoad reports at cfg.Rate from cfg.Workers phones for cfg.Duration, waits for the answers,
// and checks the database. Progress goes to log.
func runLoad(ctx context.Context, cfg Config, log io.Writer) (Result, error) {
	res := Result{Phones: cfg.Workers, Members: cfg.Members, Window: cfg.Duration, Reconnect: cfg.Reconnect}
	p, err := prepare(ctx, cfg, log)
	if err != nil {
		return res, err
	}
	defer p.close()
	var st *stats
	var results []phoneResult
	if cfg.Reconnect {
		st, results, err = reportWithOutboxes(ctx, cfg, p, log)
	} else {
		st, results, err = reportOnce(ctx, cfg, p, log)
	}
	if err != nil {
		return res, err
	}
	res.collect(st, results, cfg)
	res.Interrupted = ctx.Err() != nil

	var reports []acked
	for _, ph := range results {
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
	if err := p.reconnectDB(checkCtx, cfg.DatabaseURL); err != nil {
		return res, err
	}
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

func (r *Result) collect(st *stats, phones []phoneResult, cfg Config) {
	r.Reports, r.Outside, r.Messages, r.Resends = st.reports.Load(), st.outside.Load(), st.messages.Load(), st.resends.Load()
	r.Acks, r.DupAcks, r.Statuses = st.acks.Load(), st.dupAcks.Load(), st.statuses.Load()
	r.Unanswered, r.Disconnects, r.Errors = st.outstanding.Load(), st.disconnects.Load(), st.errorCounts()
	r.Reconnects, r.Abandoned = st.reconnects.Load(), st.abandoned.Load()
	r.LastAck = time.Duration(st.lastAck.Load())
	var lat []time.Duration
	for _, ph := range phones {
		lat = append(lat, ph.latencies...)
		r.Waiting += int64(ph.waiting)
		r.Interruptions = append(r.Interruptions, ph.interruptions...)
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
