package grid

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/griddispatch/griddispatch/grid/background"
)

// rebuildRetry is how long a failed rebuild (PostgreSQL away, say) waits before trying again.
const rebuildRetry = 5 * time.Second

// LiveLocator is a Locator that follows the grid: told of a change, it rebuilds in the
// background and swaps the new index in atomically. Lookups never wait for a rebuild; they see
// the old grid until the new one is complete.
type LiveLocator struct {
	store      *Store
	nearMetres float64
	logger     *slog.Logger
	current    atomic.Pointer[Locator]
	built      atomic.Bool  // a build from the database has succeeded
	lastErr    atomic.Value // error of the last failed build, for Ready
	rebuilds   atomic.Int64
	kick       chan struct{}
	bg         background.Group // the rebuilds
}

// NewLiveLocator makes a live locator with an empty index, not ready until Start has built
// the first.
func (s *Store) NewLiveLocator(nearMetres float64, logger *slog.Logger) *LiveLocator {
	live := &LiveLocator{store: s, nearMetres: nearMetres, logger: logger, kick: make(chan struct{}, 1)}
	live.current.Store(newLocator(nil, nil, nearMetres))
	return live
}

// Start builds the first index before returning, then rebuilds on Changed until Close. If the
// grid cannot be read yet (database away, schema not migrated) it keeps the empty index,
// reports not ready, and keeps trying in the background: a server must come up and say what
// is missing rather than exit. Its error is only that of starting twice or after Close.
func (l *LiveLocator) Start(ctx context.Context) error {
	if err := l.bg.Start(ctx); err != nil {
		return fmt.Errorf("live locator: %w", err)
	}
	retry := false
	if next, err := l.store.NewLocator(ctx, l.nearMetres); err != nil {
		l.failed(err)
		retry = true
	} else {
		l.current.Store(next)
		l.built.Store(true)
		l.logger.Info("locator built", "leaves", next.Leaves(), "index_mb", next.IndexBytes()>>20, "seconds", next.BuildTime().Seconds())
	}
	l.bg.Go(func(ctx context.Context) { l.loop(ctx, retry) })
	return nil
}

// Ready reports whether the index holds the grid read from the database.
func (l *LiveLocator) Ready(context.Context) error {
	if l.built.Load() {
		return nil
	}
	if err, ok := l.lastErr.Load().(error); ok {
		return fmt.Errorf("grid index not built yet: %w", err)
	}
	return errors.New("grid index not built yet")
}

// failed keeps the old index; the loop tries again after rebuildRetry.
func (l *LiveLocator) failed(err error) {
	l.lastErr.Store(err)
	l.logger.Error("locator build failed; lookups use the previous grid", "err", err, "retry_in", rebuildRetry)
}

// Locate places a point on the current grid (see Locator.Locate).
func (l *LiveLocator) Locate(lon, lat float64) (Location, bool) {
	return l.current.Load().Locate(lon, lat)
}

// Current is the locator lookups use now.
func (l *LiveLocator) Current() *Locator { return l.current.Load() }

// Rebuilds counts the indexes built since the first.
func (l *LiveLocator) Rebuilds() int64 { return l.rebuilds.Load() }

// Changed asks for a rebuild. It never blocks: changes arriving during a rebuild are folded
// into one more rebuild after it, so a burst of edits costs at most two.
func (l *LiveLocator) Changed() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Close stops rebuilding and waits for a rebuild in progress; lookups keep working on the
// last index.
func (l *LiveLocator) Close() { l.bg.Close() }

// loop rebuilds on Changed, and rebuildRetry after a failed build (retry: the first failed).
func (l *LiveLocator) loop(ctx context.Context, retry bool) {
	again := time.NewTimer(rebuildRetry)
	defer again.Stop()
	if !retry {
		again.Stop()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.kick:
			again.Stop()
		case <-again.C:
		}
		next, err := l.store.NewLocator(ctx, l.nearMetres)
		if err != nil {
			if ctx.Err() == nil {
				l.failed(err)
				again.Reset(rebuildRetry)
			}
			continue
		}
		l.current.Store(next)
		l.built.Store(true)
		l.rebuilds.Add(1)
		l.logger.Info("locator rebuilt", "leaves", next.Leaves(), "seconds", next.BuildTime().Seconds())
	}
}
