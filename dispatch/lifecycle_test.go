package dispatch_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/background"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// part is the lifecycle every background part shares (docs/runtime.md).
type part interface {
	Start(ctx context.Context) error
	Close()
}

// checkLifecycle starts p, closes it, and checks that nothing of it runs any more, that
// Close is harmless twice, and that a closed part does not start again.
func checkLifecycle(t *testing.T, p part, frames ...string) {
	t.Helper()
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if left := background.Running(frames...); len(left) > 0 {
		t.Errorf("running after Close:\n%s", strings.Join(left, "\n\n"))
	}
	p.Close()
	if err := p.Start(context.Background()); !errors.Is(err, background.ErrClosed) {
		t.Errorf("Start after Close: %v; want ErrClosed", err)
	}
}

// Not parallel, nor the tests below: Running sees the whole test process.
func TestBackgroundPartsStopOnClose(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus := liveBus(t, logger)
	t.Run("escalator", func(t *testing.T) {
		checkLifecycle(t, dispatch.NewEscalator(db.Pool, logger, 5*time.Millisecond), "dispatch.(*Escalator)")
	})
	t.Run("stats applier", func(t *testing.T) {
		checkLifecycle(t, dispatch.NewStatsApplier(db.Pool, bus, logger), "dispatch.(*StatsApplier)")
	})
	t.Run("intake", func(t *testing.T) {
		checkLifecycle(t, dispatch.NewIntake(db.Pool, nil, logger), "dispatch.(*Intake)")
	})
	t.Run("relay", func(t *testing.T) {
		checkLifecycle(t, dispatch.NewRelay(db.Pool, bus, logger), "dispatch.(*Relay)")
	})
	t.Run("closed before start", func(t *testing.T) {
		for name, p := range map[string]part{
			"escalator":     dispatch.NewEscalator(db.Pool, logger, time.Second),
			"stats applier": dispatch.NewStatsApplier(db.Pool, bus, logger),
			"intake":        dispatch.NewIntake(db.Pool, nil, logger),
			"relay":         dispatch.NewRelay(db.Pool, bus, logger),
		} {
			p.Close()
			p.Close()
			if err := p.Start(ctx); !errors.Is(err, background.ErrClosed) {
				t.Errorf("%s: Start after Close: %v; want ErrClosed", name, err)
			}
		}
	})
	t.Run("bus", func(t *testing.T) { // it stops the applier's consumer, and is closed twice too
		bus.Close()
		bus.Close()
	})
}

// heldLog holds the goroutine that logs message until release is closed, having closed
// entered: a part caught in the middle of its work, which no context cancels.
type heldLog struct {
	slog.Handler
	message  string
	entered  chan struct{}
	release  chan struct{}
	enterOne sync.Once
}

func (h *heldLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.message {
		h.enterOne.Do(func() { close(h.entered) })
		<-h.release
	}
	return h.Handler.Handle(ctx, r)
}

// The relay's purge runs on a goroutine of its own, which Close waits for too: here it is
// caught logging what it deleted when Close comes.
func TestRelayCloseWaitsForThePurge(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	discard := slog.NewTextHandler(io.Discard, nil)
	bus, err := dispatch.ConnectInProcess(ctx, startNATS(t), slog.New(discard))
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	if err := bus.EnsureStreams(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO outbox (subject, payload, created_at, published_at) VALUES
		('grid.changed', '{}', now() - interval '9 days', now() - interval '8 days')`); err != nil {
		t.Fatal(err)
	}
	held := &heldLog{Handler: discard, message: "outbox purged", entered: make(chan struct{}), release: make(chan struct{})}
	relay := dispatch.NewRelay(db.Pool, bus, slog.New(held))
	if err := relay.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held.entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the purge deleted nothing")
	}
	closed := make(chan struct{})
	go func() {
		relay.Close()
		close(closed)
	}()
	select {
	case <-closed:
		close(held.release)
		t.Fatalf("Close returned while the purge was running:\n%s",
			strings.Join(background.Running("dispatch.(*Relay)"), "\n\n"))
	case <-time.After(200 * time.Millisecond):
	}
	close(held.release)
	<-closed
	if left := background.Running("dispatch.(*Relay)"); len(left) > 0 {
		t.Fatalf("running after Close:\n%s", strings.Join(left, "\n\n"))
	}
}

// Close commits what the writers had queued (read from a connection, not yet written) before
// it returns, and refuses what comes after, so that no Submit is left waiting.
func TestIntakeCloseCommitsWhatIsQueued(t *testing.T) {
	fx := newIntake(t)
	ctx := context.Background()
	lock, err := fx.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	// The writers' commits wait for this lock, and the reports sent meanwhile queue behind them.
	if _, err := lock.Exec(ctx, `LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	const sent = 40
	type result struct {
		receipt dispatch.Receipt
		err     error
	}
	results := make(chan result, sent)
	submit := func() {
		r := fx.report(t)
		go func() {
			sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			rc, err := fx.intake.Submit(sctx, r)
			results <- result{rc, err}
		}()
	}
	until := func(what string, cond func() bool) {
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// One report for each writer, whose commit waits for the lock; the others queue.
	for i := range 2 {
		submit()
		until("a writer to take a report", func() bool { return fx.intake.Stats().Attempts == int64(i+1) })
	}
	for range sent - 2 {
		submit()
	}
	until("the reports queued", func() bool { return fx.intake.Queued() == sent-2 })
	closed := make(chan struct{})
	go func() {
		fx.intake.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while reports were queued and not committed")
	case <-time.After(200 * time.Millisecond):
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return")
	}
	for range sent {
		if res := <-results; res.err != nil || res.receipt.CaseID == 0 {
			t.Errorf("a queued report was not stored: %+v %v", res.receipt, res.err)
		}
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM events`); n != sent {
		t.Errorf("%d events for %d reports", n, sent)
	}
	if _, err := fx.intake.Submit(ctx, fx.report(t)); !errors.Is(err, dispatch.ErrNotRunning) || !errors.Is(err, dispatch.ErrRetryable) {
		t.Fatalf("a report after Close: %v; want ErrRetryable and ErrNotRunning", err)
	}
}

func TestIntakeRefusesBeforeStart(t *testing.T) {
	fx := newIntake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	loc, err := grid.NewStore(fx.db.Pool).NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		t.Fatal(err)
	}
	in := dispatch.NewIntake(fx.db.Pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer in.Close()
	if _, err := in.Submit(ctx, fx.report(t)); !errors.Is(err, dispatch.ErrNotRunning) {
		t.Fatalf("a report before Start: %v; want ErrNotRunning", err)
	}
}
