package background_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid/background"
)

func TestGroupCloseWaitsForEveryGoroutine(t *testing.T) {
	var g background.Group
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	finished := make(chan struct{}, 2)
	for range 2 {
		g.Go(func(ctx context.Context) {
			<-ctx.Done()
			time.Sleep(50 * time.Millisecond) // winding down takes a while
			finished <- struct{}{}
		})
	}
	g.Close()
	if len(finished) != 2 {
		t.Fatalf("Close returned with %d of 2 goroutines finished", len(finished))
	}
	if g.Go(func(context.Context) { t.Error("ran after Close") }) {
		t.Fatal("Go after Close reported a goroutine started")
	}
	g.Close() // twice: harmless
}

func TestGroupStartsOnceAndNotAfterClose(t *testing.T) {
	var g background.Group
	g.Close() // before Start: harmless
	if err := g.Start(context.Background()); !errors.Is(err, background.ErrClosed) {
		t.Fatalf("Start after Close: %v; want ErrClosed", err)
	}
	var h background.Group
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); !errors.Is(err, background.ErrStarted) {
		t.Fatalf("second Start: %v; want ErrStarted", err)
	}
	h.Close()
}

// The goroutines run until Close, not until the context given to Start ends: a server's
// parts stop in the order its Close chooses.
func TestGroupOutlivesStartContext(t *testing.T) {
	var g background.Group
	ctx, cancel := context.WithCancel(context.Background())
	if err := g.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	g.Go(func(ctx context.Context) { <-ctx.Done(); close(stopped) })
	cancel()
	select {
	case <-stopped:
		t.Fatal("the goroutine stopped with Start's context")
	case <-time.After(50 * time.Millisecond):
	}
	g.Close()
	<-stopped
}

func TestRunningFindsGoroutines(t *testing.T) {
	var g background.Group
	release := make(chan struct{})
	g.Go(func(context.Context) { parkHere(release) })
	deadline := time.Now().Add(5 * time.Second) // until the goroutine has reached parkHere
	for len(background.Running("background_test.parkHere")) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the parked goroutine is not listed")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	g.Close()
	if left := background.Running("background_test.parkHere"); len(left) != 0 {
		t.Fatalf("still running after Close: %v", left)
	}
}

//go:noinline
func parkHere(release chan struct{}) { <-release }
