package main

import (
	"context"
	cryptorand "crypto/rand"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// phoneResult is what one phone saw.
type phoneResult struct {
	reports       map[string]*outcome // client id -> what came back
	latencies     []time.Duration
	waiting       int // reports never acknowledged, still in the outbox (--reconnect)
	interruptions []Interruption
}

// reportOnce reports from phones that connect once: a lost connection loses that phone.
func reportOnce(ctx context.Context, cfg Config, p *prepared, log io.Writer) (*stats, []phoneResult, error) {
	conns, err := p.dialAll(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	phones := make([]*phone, len(conns))
	for i, ws := range conns {
		var seed [32]byte
		if _, err := cryptorand.Read(seed[:]); err != nil {
			return nil, nil, err
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
	results := make([]phoneResult, len(phones))
	for i, ph := range phones {
		results[i] = phoneResult{reports: ph.reports, latencies: ph.latencies}
	}
	return st, results, nil
}
