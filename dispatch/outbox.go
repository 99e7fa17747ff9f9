package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid/background"
)

// Relay publishes committed outbox rows to JetStream: it looks every relayIdle, and is woken
// sooner by the schema's NOTIFY for grid changes. Several processes may relay at once; rows are claimed
// with SKIP LOCKED and deduplicated by JetStream on the outbox id.
type Relay struct {
	pool   *pgxpool.Pool
	bus    *Bus
	logger *slog.Logger
	bg     background.Group // the relay loop and the purge
}

const (
	relayBatchSize = 500
	relayPoll      = time.Second // the pause after an error
	// relayIdle bounds the wait for rows whose commit sent no notification, or whose
	// notification was missed. A NOTIFY is cheap to receive but not to send: PostgreSQL
	// serialises the commits of notifying transactions, WAL flush included, on one lock, so
	// writers at thousands of commits a second cannot afford one each (docs/benchmarks.md);
	// looking 40 times a second costs one index probe each when nothing is pending.
	relayIdle = 25 * time.Millisecond
	// outboxKeep matches the streams' retention; outboxPurgeEvery is how often rows older
	// than that are deleted.
	outboxKeep       = 7 * 24 * time.Hour
	outboxPurgeEvery = time.Hour
)

// NewRelay relays from pool to bus once started.
func NewRelay(pool *pgxpool.Pool, bus *Bus, logger *slog.Logger) *Relay {
	return &Relay{pool: pool, bus: bus, logger: logger}
}

// Start relays, and purges published rows, in the background until Close.
func (r *Relay) Start(ctx context.Context) error {
	if err := r.bg.Start(ctx); err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	r.bg.Go(r.run)
	r.bg.Go(r.purge)
	return nil
}

// Close stops the relay and waits for both its goroutines, the purge too.
func (r *Relay) Close() { r.bg.Close() }

func (r *Relay) run(ctx context.Context) {
	for ctx.Err() == nil {
		if err := r.listenAndRelay(ctx); err != nil && ctx.Err() == nil {
			r.logger.Warn("outbox relay", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(relayPoll):
			}
		}
	}
}

// purge deletes long-published rows at start and then every outboxPurgeEvery.
func (r *Relay) purge(ctx context.Context) {
	tick := time.NewTicker(outboxPurgeEvery)
	defer tick.Stop()
	for {
		if n, err := purgePublished(ctx, r.pool, outboxKeep); err != nil && ctx.Err() == nil {
			r.logger.Warn("outbox purge", "err", err)
		} else if n > 0 {
			r.logger.Info("outbox purged", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// listenAndRelay holds one connection for LISTEN and relays until an error.
func (r *Relay) listenAndRelay(ctx context.Context) error {
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := listenChannel(ctx, conn); err != nil {
		return err
	}
	received, cancel := context.WithCancel(ctx)
	cancel() // with a done context, WaitForNotification only hands out what has already arrived
	for {
		if err := r.drain(ctx, conn); err != nil {
			return err
		}
		waitCtx, cancel := context.WithTimeout(ctx, relayIdle)
		_, err := conn.Conn().WaitForNotification(waitCtx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		// One drain relays the rows of every notification that has arrived: take them all.
		for n, _ := conn.Conn().WaitForNotification(received); n != nil; n, _ = conn.Conn().WaitForNotification(received) {
		}
	}
}

// drain relays until nothing is pending. conn (the listening connection) looks first, so that
// looking when nothing is pending costs one statement.
func (r *Relay) drain(ctx context.Context, conn *pgxpool.Conn) error {
	if ok, err := anyPending(ctx, conn); err != nil || !ok {
		return err
	}
	for {
		n, err := relayBatch(ctx, r.pool, relayBatchSize, func(msgs []outboxMessage) (int, error) {
			return r.bus.publishAll(ctx, msgs)
		})
		if err != nil || n < relayBatchSize {
			return err
		}
	}
}
