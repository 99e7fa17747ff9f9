package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// runIdle holds cfg.Workers connections that do nothing but answer the server's pings, and
// measures what they cost the server: memory per connection and CPU for the heartbeats.
func runIdle(ctx context.Context, cfg Config) error {
	log := os.Stderr
	p, err := prepare(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer p.close()
	sample := func() (procSample, error) {
		if cfg.ServerPID == 0 {
			return procSample{at: time.Now()}, nil
		}
		return sampleProc(cfg.ServerPID)
	}
	before, err := sample()
	if err != nil {
		return err
	}
	conns, err := p.dialAll(ctx, cfg, log)
	if err != nil {
		return err
	}
	var pings, lost atomic.Int64
	var measuring atomic.Bool
	var readers sync.WaitGroup
	for _, ws := range conns {
		ws.SetPingHandler(func(data string) error {
			if measuring.Load() {
				pings.Add(1)
			}
			err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
			if err == websocket.ErrCloseSent {
				return nil
			}
			return err
		})
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				if _, _, err := ws.NextReader(); err != nil {
					if measuring.Load() {
						lost.Add(1)
					}
					return
				}
			}
		}()
	}
	connected, err := sample()
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "holding %d connections; settling for %s, then measuring for %s\n", len(conns), cfg.Settle, cfg.Duration)
	if cfg.Duration < 60*time.Second {
		fmt.Fprintln(log, "note: the server pings every 54 s; a --duration under 60s may miss a round of heartbeats")
	}
	wait(ctx, cfg.Settle)
	measuring.Store(true)
	start, err := sample()
	if err != nil {
		return err
	}
	wait(ctx, cfg.Duration)
	end, err := sample()
	measuring.Store(false)
	if err != nil {
		return err
	}
	closeAll(conns)
	readers.Wait()

	out := cfg.Out
	fmt.Fprintf(out, "idle: %d connections held for %.0fs; %d pings answered, %d connections lost\n",
		len(conns), end.at.Sub(start.at).Seconds(), pings.Load(), lost.Load())
	if cfg.ServerPID == 0 {
		fmt.Fprintln(out, "server: pass --server-pid to measure its memory and CPU")
		return nil
	}
	n := float64(len(conns))
	fmt.Fprintf(out, "server memory (VmRSS): %.1f MB before, %.1f MB after connecting, %.1f MB at the end\n",
		mb(before.rssKB), mb(connected.rssKB), mb(end.rssKB))
	fmt.Fprintf(out, "per connection: %.1f KB at the end (%.1f KB right after connecting)\n",
		float64(end.rssKB-before.rssKB)/n, float64(connected.rssKB-before.rssKB)/n)
	cpu := end.cpu - start.cpu
	wall := end.at.Sub(start.at)
	fmt.Fprintf(out, "server CPU while idle: %.2fs in %.0fs = %.1f%% of one core\n",
		cpu.Seconds(), wall.Seconds(), 100*cpu.Seconds()/wall.Seconds())
	return nil
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

func wait(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
