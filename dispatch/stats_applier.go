package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid/background"
)

// StatsApplier keeps case_stats current from the case events on NATS (docs/metrics.md). Every
// process binds the durable consumer StatsConsumer; a batch goes to one of them, is counted in
// one transaction, and stats_applied turns redelivery into counting once. After each commit it
// announces the units whose figures changed, for live dashboards.
type StatsApplier struct {
	pool   *pgxpool.Pool
	bus    *Bus
	logger *slog.Logger
	bg     background.Group // the pruning; the consumer is the bus's
}

// StatsConsumer is the durable consumer's name on the CASES stream.
const StatsConsumer = "stats"

// statsBatch is the most events counted in one transaction: enough that the county's and the
// townships' rows are written once for hundreds of transitions.
const statsBatch = 1000

// NewStatsApplier counts the case events of bus into pool once started.
func NewStatsApplier(pool *pgxpool.Pool, bus *Bus, logger *slog.Logger) *StatsApplier {
	return &StatsApplier{pool: pool, bus: bus, logger: logger}
}

// Start joins this process to the durable consumer, and prunes stats_applied hourly until
// Close. The consumer runs on the bus's goroutine and stops with Bus.Close.
func (a *StatsApplier) Start(ctx context.Context) error {
	if err := a.bg.Start(ctx); err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	if err := a.bus.ConsumeBatches(ctx, StatsConsumer, SubjectCases, statsBatch, a.handle); err != nil {
		return err
	}
	a.bg.Go(a.prune)
	return nil
}

func (a *StatsApplier) prune(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := PruneStatsApplied(ctx, a.pool); err != nil && ctx.Err() == nil {
			a.logger.Warn("statistics: prune failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops the pruning and waits for it; the bus stops the consumer.
func (a *StatsApplier) Close() { a.bg.Close() }

func (a *StatsApplier) handle(ctx context.Context, batch [][]byte) error {
	events := make([]CaseEvent, 0, len(batch))
	for _, data := range batch {
		var ev CaseEvent
		if err := json.Unmarshal(data, &ev); err != nil || ev.TransitionID == 0 {
			a.logger.Warn("statistics: not a case message", "err", err)
			continue // nothing to count, nothing to redeliver for
		}
		events = append(events, ev)
	}
	changed, err := ApplyStats(ctx, a.pool, events)
	if err != nil {
		a.logger.Warn("statistics not counted; the batch will come again", "err", err, "events", len(events))
		return err
	}
	if len(changed) > 0 {
		if err := a.bus.PublishStatsChanged(changed); err != nil {
			a.logger.Warn("statistics: change notice not sent", "err", err)
		}
	}
	return nil
}
