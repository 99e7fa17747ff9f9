package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bus is the connection to NATS and its JetStream context. Only this file imports nats.go.
type Bus struct {
	nc *nats.Conn
	js jetstream.JetStream

	mu             sync.Mutex
	reconnectHooks []func()
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
	b := &Bus{}
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
			b.mu.Lock()
			hooks := append([]func(){}, b.reconnectHooks...)
			b.mu.Unlock()
			for _, h := range hooks {
				h()
			}
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
	b.nc, b.js = nc, js
	return b, nil
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

// Close closes the connection.
func (b *Bus) Close() { b.nc.Close() }

// Streams of the bus. JetStream keeps what the outbox relayed, deduplicated by outbox id within
// the duplicate window (a relay that died between publishing and marking publishes again).
var streams = []jetstream.StreamConfig{{
	Name:       "GRID",
	Subjects:   []string{"grid.>"},
	Storage:    jetstream.FileStorage,
	MaxAge:     7 * 24 * time.Hour,
	Duplicates: 10 * time.Minute,
}, {
	Name:       "CASES",
	Subjects:   []string{"case.>", "event.>"},
	Storage:    jetstream.FileStorage,
	MaxAge:     7 * 24 * time.Hour,
	Duplicates: 10 * time.Minute,
}}

// EnsureStreams creates or updates the streams; safe from several processes at once.
func (b *Bus) EnsureStreams(ctx context.Context) error {
	for _, cfg := range streams {
		if _, err := b.js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("%w: stream %s: %v", ErrBusDown, cfg.Name, err)
		}
	}
	return nil
}

// publish sends one message through JetStream and waits for the stream's acknowledgement.
func (b *Bus) publish(ctx context.Context, subject, msgID string, data []byte) error {
	if _, err := b.js.Publish(ctx, subject, data, jetstream.WithMsgID(msgID)); err != nil {
		return fmt.Errorf("%w: publish %s: %v", ErrBusDown, subject, err)
	}
	return nil
}

// OnGridChange calls fn for every grid change notice, and after every reconnection, since
// notices sent while disconnected are not seen by a plain subscription.
func (b *Bus) OnGridChange(fn func()) error {
	b.mu.Lock()
	b.reconnectHooks = append(b.reconnectHooks, fn)
	b.mu.Unlock()
	if _, err := b.nc.Subscribe(SubjectGridChanged, func(*nats.Msg) { fn() }); err != nil {
		return fmt.Errorf("%w: subscribe %s: %v", ErrBusDown, SubjectGridChanged, err)
	}
	return nil
}

// OnCaseEvent calls fn for every case transition published on the bus (case.>), in this and
// every other process. fn runs on the subscription's goroutine and must not block.
func (b *Bus) OnCaseEvent(fn func(subject string, data []byte)) error {
	if _, err := b.nc.Subscribe("case.>", func(m *nats.Msg) { fn(m.Subject, m.Data) }); err != nil {
		return fmt.Errorf("%w: subscribe case.>: %v", ErrBusDown, err)
	}
	return nil
}

// SubjectGridChanged announces that units changed; the payload says how and when.
const SubjectGridChanged = "grid.changed"
