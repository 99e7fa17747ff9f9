package dispatch_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/dispatch/dispatchtest"
)

func startNATS(t *testing.T) *server.Server { return dispatchtest.NATS(t) }

// liveBus connects to a NATS server of the test's own, with the streams made; closed at the
// test's end.
func liveBus(t *testing.T, logger *slog.Logger) *dispatch.Bus {
	t.Helper()
	bus, err := dispatch.ConnectInProcess(context.Background(), startNATS(t), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	if err := bus.EnsureStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	return bus
}

func TestBusReadyFollowsTheServer(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, mode := range []string{"in-process", "url"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ns := startNATS(t)
			var bus *dispatch.Bus
			var err error
			if mode == "url" {
				bus, err = dispatch.Connect(ctx, ns.ClientURL(), logger)
			} else {
				bus, err = dispatch.ConnectInProcess(ctx, ns, logger)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer bus.Close()
			if err := bus.Ready(ctx); err != nil {
				t.Fatalf("ready with JetStream up: %v", err)
			}
			ns.Shutdown()
			ns.WaitForShutdown()
			// Until the client notices, the JetStream request waits for its context, as
			// /readyz's does for its two seconds.
			readyCtx, cancelReady := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancelReady()
			if err := bus.Ready(readyCtx); !errors.Is(err, dispatch.ErrBusDown) {
				t.Fatalf("ready after the server stopped: %v; want ErrBusDown", err)
			}
		})
	}
}

func TestBusWithoutJetStreamIsNotReady(t *testing.T) {
	t.Parallel()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats not ready")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bus, err := dispatch.Connect(ctx, ns.ClientURL(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	if err := bus.Ready(ctx); !errors.Is(err, dispatch.ErrBusDown) {
		t.Fatalf("ready without JetStream: %v; want ErrBusDown", err)
	}
}

func TestConnectToNothingFails(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := dispatch.Connect(ctx, "nats://127.0.0.1:1", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if !errors.Is(err, dispatch.ErrBusDown) {
		t.Fatalf("connect to a closed port: %v; want ErrBusDown", err)
	}
}
