package dispatch

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// StatsApplier keeps case_stats current from the case events on NATS (docs/metrics.md). Every
// process binds the durable consumer StatsConsumer; a batch goes to one of them, is counted in
// one transaction, and stats_applied turns redelivery into counting once. After each commit it
// announces the units whose figures changed, for live dashboards.
type StatsApplier struct {
	pool   *pgxpool.Pool
	bus    *Bus
	logger *slog.Logger

	cancel context.CancelFunc
	done   sync.WaitGroup
}

// StatsConsumer is the durable consumer's name on the CASES stream.
const StatsConsumer = "stats"

// statsBatch is the most events counted in one transaction: enough that the county's and the
// townships' rows are written once for hundreds of transitions.
const statsBatch = 1000

// NewStatsApplier counts into pool; Bind makes it consume.
func NewStatsApplier(pool *pgxpool.Pool, logger *slog.Logger) *StatsApplier {
	return &StatsApplier{pool: pool, logger: logger}
}

// Bind joins this process to the durable consumer, and prunes stats_applied hourly until Close.
func (a *StatsApplier) Bind(ctx context.Context, bus *Bus) error {
	a.bus = bus
	if err := bus.ConsumeBatches(ctx, StatsConsumer, SubjectCases, statsBatch, a.handle); err != nil {
		return err
	}
	pctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.done.Add(1)
	go func() {
		defer a.done.Done()
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if _, err := PruneStatsApplied(pctx, a.pool); err != nil && pctx.Err() == nil {
				a.logger.Warn("statistics: prune failed", "err", err)
			}
			select {
			case <-pctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// Close stops the pruning; the bus stops the consumer.
func (a *StatsApplier) Close() {
	if a.cancel != nil {
		a.cancel()
		a.done.Wait()
	}
}

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
