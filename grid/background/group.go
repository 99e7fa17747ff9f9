// Package background is the lifecycle every long-running part of griddispatch shares
// (docs/runtime.md): a part is built by its constructor, started by Start(ctx), and stopped by
// Close, which cancels its goroutines and waits for every one of them. Close may be called
// twice, and before Start.
package background

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed: the part was closed; it does not start again.
var ErrClosed = errors.New("closed")

// ErrStarted: the part runs already.
var ErrStarted = errors.New("already started")

// Group owns a part's goroutines. Its zero value is ready: Go runs goroutines until Close.
type Group struct {
	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	started bool
	closed  bool
}

// Start marks the part started, once. The goroutines' context keeps ctx's values but not its
// cancellation: a part runs until Close, so that a server's parts stop in the order its Close
// chooses rather than all at once when the signal context ends.
func (g *Group) Start(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.closed:
		return ErrClosed
	case g.started:
		return ErrStarted
	}
	g.started = true
	if g.ctx == nil {
		g.ctx, g.cancel = context.WithCancel(context.WithoutCancel(ctx))
	}
	return nil
}

// Go runs fn on a goroutine of the group, with a context that Close cancels. It is false,
// and fn does not run, once the group is closed.
func (g *Group) Go(fn func(ctx context.Context)) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	if g.ctx == nil {
		g.ctx, g.cancel = context.WithCancel(context.Background())
	}
	g.wg.Add(1)
	ctx := g.ctx
	go func() {
		defer g.wg.Done()
		fn(ctx)
	}()
	return true
}

// Closed says whether Close has been called.
func (g *Group) Closed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// Close cancels the goroutines' context and waits for every goroutine Go started. It is safe
// to call twice, concurrently, and before Start.
func (g *Group) Close() {
	g.mu.Lock()
	g.closed = true
	if g.cancel != nil {
		g.cancel()
	}
	g.mu.Unlock()
	g.wg.Wait()
}
