package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Relay publishes committed outbox rows to JetStream: woken by the schema's NOTIFY at commit,
// and polling as a fallback. Several processes may relay at once; rows are claimed with SKIP
// LOCKED and deduplicated by JetStream on the outbox id.
type Relay struct {
	pool   *pgxpool.Pool
	bus    *Bus
	logger *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

const (
	relayBatchSize = 500
	relayPoll      = time.Second
	// outboxKeep matches the streams' retention; outboxPurgeEvery is how often rows older
	// than that are deleted.
	outboxKeep       = 7 * 24 * time.Hour
	outboxPurgeEvery = time.Hour
)

// StartRelay starts relaying in the background until Close.
func StartRelay(pool *pgxpool.Pool, bus *Bus, logger *slog.Logger) *Relay {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Relay{pool: pool, bus: bus, logger: logger, cancel: cancel, done: make(chan struct{})}
	go r.run(ctx)
	return r
}

// Close stops the relay and waits for it.
func (r *Relay) Close() {
	r.cancel()
	<-r.done
}

func (r *Relay) run(ctx context.Context) {
	defer close(r.done)
	go r.purge(ctx)
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
	for {
		if err := r.drain(ctx); err != nil {
			return err
		}
		waitCtx, cancel := context.WithTimeout(ctx, relayPoll)
		_, err := conn.Conn().WaitForNotification(waitCtx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
}

// drain relays until nothing is pending.
func (r *Relay) drain(ctx context.Context) error {
	for {
		n, err := relayBatch(ctx, r.pool, relayBatchSize, func(msgs []outboxMessage) (int, error) {
			return r.bus.publishAll(ctx, msgs)
		})
		if err != nil || n < relayBatchSize {
			return err
		}
	}
}
