package grid_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/background"
	"github.com/griddispatch/griddispatch/migrations"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// The grid's background parts have the lifecycle of every other (docs/runtime.md): nothing of
// them runs after Close, Close is harmless twice and before Start, and they do not start again.
func TestGridPartsStopOnClose(t *testing.T) {
	db := dbtest.Empty(t) // not migrated: the locator's first build fails and a retry is pending
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := grid.NewStore(db.Pool)
	type part interface {
		Start(ctx context.Context) error
		Close()
	}
	for _, tc := range []struct {
		name  string
		make  func() part
		frame string
	}{
		{"live locator", func() part { return store.NewLiveLocator(grid.DefaultNearMetres, logger) }, "grid.(*LiveLocator)"},
		{"change scheduler", func() part { return store.NewChangeScheduler(logger, time.Millisecond) }, "grid.(*ChangeScheduler)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.make()
			if err := p.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			p.Close()
			if left := background.Running(tc.frame); len(left) > 0 {
				t.Errorf("running after Close:\n%s", strings.Join(left, "\n\n"))
			}
			p.Close()
			if err := p.Start(context.Background()); !errors.Is(err, background.ErrClosed) {
				t.Errorf("Start after Close: %v; want ErrClosed", err)
			}
			q := tc.make()
			q.Close() // before Start
			q.Close()
		})
	}
}

// A first build that fails is tried again by the loop, rebuildRetry (5 s) later, without a
// Changed: the retry is the loop's own timer now, stopped with it, no longer a time.AfterFunc.
func TestLiveLocatorRetriesAFailedBuild(t *testing.T) {
	db := dbtest.Empty(t)
	ctx := context.Background()
	live := grid.NewStore(db.Pool).NewLiveLocator(grid.DefaultNearMetres, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := live.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if live.Ready(ctx) == nil {
		t.Fatal("ready without a schema")
	}
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := migrations.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for live.Ready(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not ready 20 s after the schema appeared: %v", live.Ready(ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
