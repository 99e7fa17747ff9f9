package main

import (
	"context"
	cryptorand "crypto/rand"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

// reportWithOutboxes reports from phones that keep every report until it is acknowledged and
// reconnect by themselves (--reconnect): servers, NATS or PostgreSQL may be killed meanwhile.
// After the window it waits up to --drain for every outbox to empty.
func reportWithOutboxes(ctx context.Context, cfg Config, p *prepared, log io.Writer) (*stats, []phoneResult, error) {
	phones := make([]*outboxPhone, cfg.Workers)
	start := time.Now().Add(time.Second)
	end := start.Add(cfg.Duration)
	st := newStats(start, int((cfg.Duration+cfg.Drain)/time.Second)+1)
	for i := range phones {
		var seed [32]byte
		if _, err := cryptorand.Read(seed[:]); err != nil {
			return nil, nil, err
		}
		phones[i] = newOutboxPhone(i, p.members[i%len(p.members)], p.cats,
			rand.New(rand.NewPCG(cfg.Seed, uint64(i))), rand.New(rand.NewChaCha8(seed)), st, p.dialers)
	}
	connCtx, disconnect := context.WithCancel(context.WithoutCancel(ctx))
	defer disconnect()
	var conns sync.WaitGroup
	for _, ph := range phones {
		conns.Go(func() { ph.connect(connCtx) })
	}
	fmt.Fprintf(log, "reporting %g/s from %d reconnecting phones over %d servers for %s\n",
		cfg.Rate, len(phones), len(cfg.URLs), cfg.Duration)
	interval := time.Duration(float64(time.Second) * float64(len(phones)) / cfg.Rate)
	var senders sync.WaitGroup
	for _, ph := range phones {
		senders.Go(func() { ph.schedule(ctx, start, end, interval, cfg.ResendShare, cfg.OutsideShare) })
	}
	senders.Wait()
	drainUntil := time.Now().Add(cfg.Drain)
	for waiting(phones) > 0 && time.Now().Before(drainUntil) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	disconnect()
	conns.Wait()
	results := make([]phoneResult, len(phones))
	for i, ph := range phones {
		ph.finish()
		results[i] = phoneResult{reports: ph.reports, latencies: ph.latencies, waiting: len(ph.outbox),
			interruptions: ph.interruptions}
	}
	return st, results, nil
}

func waiting(phones []*outboxPhone) int {
	n := 0
	for _, ph := range phones {
		n += ph.waiting()
	}
	return n
}
