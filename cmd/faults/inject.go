package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// faultResult is one fault and how the deployment came back from it.
type faultResult struct {
	What      string    // "kill -9 griddispatch-1"
	Killed    time.Time // when the kill was sent
	Restarted time.Time // when the piece was started again (PostgreSQL: accepting connections)
	Ready     time.Time // every griddispatch answering /readyz 200 again
	Relayed   time.Time // every outbox row committed before the restart published to NATS
	Phones    phonesView
	Console   consoleView
}

// inject kills one piece with SIGKILL (PostgreSQL: an immediate stop, which is a crash to it),
// leaves it down for --outage, starts it again and waits until the deployment has caught up.
func (r *scenarioRun) inject(ctx context.Context, f fault) (faultResult, error) {
	var fr faultResult
	var restart func() error
	switch f {
	case faultGriddispatch:
		p := r.c.servers[0]
		fr.What = "kill -9 " + p.name
		fr.Killed = time.Now()
		p.kill()
		restart = p.start
	case faultNATS:
		p := r.natsVictim(ctx)
		fr.What = "kill -9 " + p.name
		if len(r.c.nats) > 1 {
			fr.What += " (CASES leader)"
		}
		fr.Killed = time.Now()
		p.kill()
		restart = p.start
	case faultPostgres:
		fr.What = "pg_ctl stop -m immediate"
		fr.Killed = time.Now()
		if err := r.pg.crash(ctx); err != nil {
			return fr, err
		}
		restart = func() error { return r.pg.start(ctx) }
	}
	if r.apps != nil {
		r.apps.fault()
	}
	fmt.Fprintf(r.cfg.Log, "%s: %s at %.1fs\n", r.name, fr.What, fr.Killed.Sub(r.start).Seconds())
	select {
	case <-ctx.Done():
		return fr, ctx.Err()
	case <-time.After(r.cfg.Outage):
	}
	if err := restart(); err != nil {
		return fr, fmt.Errorf("%s: restart: %w", fr.What, err)
	}
	fr.Restarted = time.Now()
	var err error
	if fr.Ready, err = waitReady(ctx, r.c.httpURL, 2*time.Minute); err != nil {
		return fr, fmt.Errorf("after %s: %w", fr.What, err)
	}
	if fr.Relayed, err = r.waitRelayedBefore(ctx, fr.Restarted, 2*time.Minute); err != nil {
		return fr, fmt.Errorf("after %s: %w", fr.What, err)
	}
	fmt.Fprintf(r.cfg.Log, "%s: %s: restarted %.1fs, ready %.1fs, relay caught up %.1fs after the kill\n", r.name, fr.What,
		fr.Restarted.Sub(fr.Killed).Seconds(), fr.Ready.Sub(fr.Killed).Seconds(), fr.Relayed.Sub(fr.Killed).Seconds())
	return fr, nil
}

// natsVictim is the node to kill: in a cluster the leader of the CASES stream, the harder case.
func (r *scenarioRun) natsVictim(ctx context.Context) *process {
	if len(r.c.nats) == 1 {
		return r.c.nats[0]
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if leader, _, err := streamPlacement(lctx, r.c.natsURL, "CASES"); err == nil {
		for _, p := range r.c.nats {
			if p.name == leader {
				return p
			}
		}
	}
	return r.c.nats[0]
}

// waitRelayedBefore waits until every outbox row created before t is published.
func (r *scenarioRun) waitRelayedBefore(ctx context.Context, t time.Time, within time.Duration) (time.Time, error) {
	deadline := time.Now().Add(within)
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for time.Now().Before(deadline) {
		if conn == nil {
			conn, _ = pgx.Connect(ctx, r.dbURL)
		}
		if conn != nil {
			var behind bool
			err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL AND created_at <= $1)`, t).Scan(&behind)
			if err == nil && !behind {
				return time.Now(), nil
			}
			if err != nil {
				conn.Close(ctx)
				conn = nil
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return time.Time{}, fmt.Errorf("outbox rows committed before %s still unpublished after %s", t.Format(time.TimeOnly), within)
}

// phonesView is how the phones fared around one fault.
type phonesView struct {
	Interrupted int           // phones whose reports stopped being acknowledged
	Back        time.Duration // from the kill until the last of them had an acknowledgement again
	Never       int           // of which never acknowledged again
}

func phonesAround(ins []interruption, k, until time.Time) phonesView {
	var v phonesView
	seen := map[int]bool{}
	for _, in := range ins {
		if in.From.Before(k) || !in.From.Before(until) {
			continue
		}
		if !seen[in.Phone] {
			seen[in.Phone] = true
			v.Interrupted++
		}
		if in.To.IsZero() {
			v.Never++
			continue
		}
		v.Back = max(v.Back, in.To.Sub(k))
	}
	return v
}
