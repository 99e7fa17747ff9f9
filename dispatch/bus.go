package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bus is the connection to NATS and its JetStream context. Only this file imports nats.go.
type Bus struct {
	nc *nats.Conn
	js jetstream.JetStream
}

// Connect joins an external NATS server or cluster at url (comma-separated for several seeds).
func Connect(ctx context.Context, url string, logger *slog.Logger) (*Bus, error) {
	return connect(ctx, logger, url)
}

// ConnectInProcess joins an embedded NATS server without a network socket.
func ConnectInProcess(ctx context.Context, srv nats.InProcessConnProvider, logger *slog.Logger) (*Bus, error) {
	return connect(ctx, logger, "", nats.InProcessServer(srv))
}

func connect(ctx context.Context, logger *slog.Logger, url string, extra ...nats.Option) (*Bus, error) {
	opts := append([]nats.Option{
		nats.Name("griddispatch"),
		// Keep trying for ever: a NATS restart must not take the process down with it.
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil means we closed it ourselves
				logger.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			logger.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
		}),
	}, extra...)
	if deadline, ok := ctx.Deadline(); ok {
		opts = append(opts, nats.Timeout(time.Until(deadline)))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: connect: %v", ErrBusDown, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("%w: jetstream: %v", ErrBusDown, err)
	}
	return &Bus{nc: nc, js: js}, nil
}

// Ready checks that the connection is up and JetStream answers.
func (b *Bus) Ready(ctx context.Context) error {
	if !b.nc.IsConnected() {
		return fmt.Errorf("%w: nats is %s", ErrBusDown, b.nc.Status())
	}
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("%w: jetstream: %v", ErrBusDown, err)
	}
	return nil
}

// Close drains nothing yet and closes the connection.
func (b *Bus) Close() { b.nc.Close() }
