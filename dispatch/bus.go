package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bus is the connection to NATS and its JetStream context. Only the bus's files (bus*.go)
// import nats.go.
type Bus struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	logger *slog.Logger

	mu             sync.Mutex
	reconnectHooks []func()
	consumers      []jetstream.ConsumeContext // stopped by Close
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
	b := &Bus{logger: logger}
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

// Close stops the consumers and closes the connection; a second Close does nothing more.
func (b *Bus) Close() {
	b.mu.Lock()
	for _, cc := range b.consumers {
		cc.Stop()
	}
	b.consumers = nil // a batch consumer's stop closes a channel: once
	b.mu.Unlock()
	b.nc.Close()
}

// publishAll sends messages through JetStream without waiting for each acknowledgement in
// turn, then waits for them all, and returns how many from the start were stored (a later one
// may have been stored too; publishing it again is deduplicated on its message id).
func (b *Bus) publishAll(ctx context.Context, msgs []outboxMessage) (int, error) {
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	var err error
	for _, m := range msgs {
		msg := &nats.Msg{Subject: m.Subject, Data: []byte(m.Payload),
			Header: nats.Header{jetstream.MsgIDHeader: []string{strconv.FormatInt(m.ID, 10)}}}
		f, perr := b.js.PublishMsgAsync(msg)
		if perr != nil {
			err = fmt.Errorf("%w: publish %s: %v", ErrBusDown, m.Subject, perr)
			break
		}
		futures = append(futures, f)
	}
	timeout := time.NewTimer(publishAckWait)
	defer timeout.Stop()
	for i, f := range futures {
		select {
		case <-f.Ok():
		case perr := <-f.Err():
			return i, fmt.Errorf("%w: publish %s: %v", ErrBusDown, f.Msg().Subject, perr)
		case <-timeout.C:
			return i, fmt.Errorf("%w: no acknowledgement from JetStream in %s", ErrBusDown, publishAckWait)
		case <-ctx.Done():
			return i, ctx.Err()
		}
	}
	return len(futures), err
}

// publishAckWait bounds the wait for a batch's acknowledgements.
const publishAckWait = 10 * time.Second

// OnGridChange calls fn for every grid change notice, and after every reconnection, since
// notices sent while disconnected are not seen by a plain subscription.
func (b *Bus) OnGridChange(fn func()) error { return b.onNotice(SubjectGridChanged, fn) }

// OnCatalogueChange calls fn for every catalogue change notice, and after every reconnection.
func (b *Bus) OnCatalogueChange(fn func()) error { return b.onNotice(SubjectCatalogueChanged, fn) }

func (b *Bus) onNotice(subject string, fn func()) error {
	b.mu.Lock()
	b.reconnectHooks = append(b.reconnectHooks, fn)
	b.mu.Unlock()
	if _, err := b.nc.Subscribe(subject, func(*nats.Msg) { fn() }); err != nil {
		return fmt.Errorf("%w: subscribe %s: %v", ErrBusDown, subject, err)
	}
	return nil
}

// OnCaseEvent calls fn for every case transition stored in the CASES stream from now on,
// whichever process committed it. It reads the stream through an ordered consumer rather than a
// plain subscription: a message the relay published twice is stored, and so seen, once, and a
// reconnection resumes after the last message seen instead of losing what passed meanwhile
// (bus_live.go: also when the stream's leader moves). fn runs on the consumer's goroutine and
// must not block.
func (b *Bus) OnCaseEvent(fn func(subject string, data []byte)) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, err := b.startLiveFeed(ctx, fn)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.consumers = append(b.consumers, f)
	b.mu.Unlock()
	return nil
}

// ConsumeDurable hands every message of the CASES stream matching filter to fn through the
// durable consumer name, which every process binds: each message goes to one of them. A message
// is acknowledged once fn returns nil; otherwise, or if the process dies first, it is delivered
// again (to any process) after a pause, so fn must be idempotent. A consumer created for the
// first time starts with new messages.
func (b *Bus) ConsumeDurable(ctx context.Context, name, filter string, fn func(ctx context.Context, data []byte) error) error {
	cons, err := b.durable(ctx, name, filter, 1000)
	if err != nil {
		return fmt.Errorf("%w: consumer %s: %v", ErrBusDown, name, err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		hctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := fn(hctx, m.Data()); err != nil {
			_ = m.NakWithDelay(time.Second)
			return
		}
		_ = m.Ack()
	}, jetstream.PullExpiry(durablePullExpiry))
	if err != nil {
		return fmt.Errorf("%w: consume %s: %v", ErrBusDown, name, err)
	}
	b.mu.Lock()
	b.consumers = append(b.consumers, cc)
	b.mu.Unlock()
	return nil
}

// A pull request lasts this long, and the server sends heartbeats at half of it; two missed
// heartbeats make the client pull again. That is how a consumer notices that the NATS server
// holding its pull request went down (its leader moves to another replica; the request is lost
// with the server): within 5 s for live push, 10 s for the durable consumers, against 10 s and
// 30 s with nats.go's defaults.
const (
	livePullExpiry    = 5 * time.Second
	durablePullExpiry = 10 * time.Second
)

// SubjectGridChanged announces that units changed; the payload says how and when.
const SubjectGridChanged = "grid.changed"

// durable creates (or binds to) a durable consumer of the CASES stream with explicit acks that
// starts with new messages. It has as many replicas as the stream. While the stream is being
// scaled (several processes starting with a new --nats-replicas) creating it can fail for a
// moment; that is tried again for up to 30 s.
func (b *Bus) durable(ctx context.Context, name, filter string, maxAckPending int) (jetstream.Consumer, error) {
	ctx, cancel := context.WithTimeout(ctx, ensureStreamsWithin)
	defer cancel()
	var cons jetstream.Consumer
	err := retryForming(ctx, func(ctx context.Context) (err error) {
		cons, err = b.js.CreateOrUpdateConsumer(ctx, "CASES", jetstream.ConsumerConfig{
			Durable:       name,
			FilterSubject: filter,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       30 * time.Second,
			DeliverPolicy: jetstream.DeliverNewPolicy,
			MaxAckPending: maxAckPending,
		})
		return err
	})
	return cons, err
}

// ConsumeBatches is ConsumeDurable for work that is cheaper in bulk: fn gets up to max
// messages at once (as many as have arrived, without waiting for more), and they are all
// acknowledged once it returns nil, or all delivered again after a pause otherwise. fn must be
// idempotent. It runs on one goroutine per process, stopped by Close.
func (b *Bus) ConsumeBatches(ctx context.Context, name, filter string, max int, fn func(ctx context.Context, batch [][]byte) error) error {
	cons, err := b.durable(ctx, name, filter, 4*max)
	if err != nil {
		return fmt.Errorf("%w: consumer %s: %v", ErrBusDown, name, err)
	}
	msgs := make(chan jetstream.Msg, 2*max)
	stop := make(chan struct{})
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case msgs <- m:
		case <-stop:
			_ = m.Nak()
		}
	}, jetstream.PullMaxMessages(max), jetstream.PullExpiry(durablePullExpiry))
	if err != nil {
		return fmt.Errorf("%w: consume %s: %v", ErrBusDown, name, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		batch := make([]jetstream.Msg, 0, max)
		data := make([][]byte, 0, max)
		for {
			batch, data = batch[:0], data[:0]
			select {
			case m := <-msgs:
				batch = append(batch, m)
			case <-stop:
				handBack(msgs)
				return
			}
		drain:
			for len(batch) < max {
				select {
				case m := <-msgs:
					batch = append(batch, m)
				default:
					break drain
				}
			}
			for _, m := range batch {
				data = append(data, m.Data())
			}
			hctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := fn(hctx, data)
			cancel()
			for _, m := range batch {
				if err != nil {
					_ = m.NakWithDelay(time.Second)
				} else {
					_ = m.Ack()
				}
			}
		}
	}()
	b.mu.Lock()
	// Stopping lets the batch in hand finish and be acknowledged, and hands back those not
	// started, so that a process shut down for a deploy does not hold them for the ack wait.
	b.consumers = append(b.consumers, stopFunc(func() { cc.Stop(); close(stop); <-done }))
	b.mu.Unlock()
	return nil
}

// handBack asks the server to deliver again, at once, the messages waiting in msgs.
func handBack(msgs chan jetstream.Msg) {
	for {
		select {
		case m := <-msgs:
			_ = m.Nak()
		default:
			return
		}
	}
}

// stopFunc makes a func a ConsumeContext for Close.
type stopFunc func()

func (f stopFunc) Stop()                   { f() }
func (f stopFunc) Drain()                  { f() }
func (f stopFunc) Closed() <-chan struct{} { c := make(chan struct{}); close(c); return c }

// SubjectStatsChanged announces, on core NATS, that the figures of some units changed; the
// payload is a JSON array of unit codes. A lost notice costs a dashboard one refresh.
const SubjectStatsChanged = "stats.changed"

// PublishStatsChanged announces units whose figures changed.
func (b *Bus) PublishStatsChanged(units []string) error {
	data, err := json.Marshal(units)
	if err != nil {
		return err
	}
	return b.nc.Publish(SubjectStatsChanged, data)
}

// OnStatsChanged calls fn with the units of every stats.changed notice, from any process.
func (b *Bus) OnStatsChanged(fn func(units []string)) error {
	_, err := b.nc.Subscribe(SubjectStatsChanged, func(m *nats.Msg) {
		var units []string
		if json.Unmarshal(m.Data, &units) == nil {
			fn(units)
		}
	})
	if err != nil {
		return fmt.Errorf("%w: subscribe %s: %v", ErrBusDown, SubjectStatsChanged, err)
	}
	return nil
}

// Pending is how many messages the durable consumer name has not had acknowledged yet:
// waiting to be delivered, or delivered and in hand.
func (b *Bus) Pending(ctx context.Context, name string) (uint64, error) {
	cons, err := b.js.Consumer(ctx, "CASES", name)
	if err != nil {
		return 0, fmt.Errorf("%w: consumer %s: %v", ErrBusDown, name, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("%w: consumer %s: %v", ErrBusDown, name, err)
	}
	return info.NumPending + uint64(info.NumAckPending), nil
}

// SubjectSessionsEnded announces, on core NATS, sessions that an administrator revoked; the
// payload is a JSON array of session token hashes (base64). Every process closes their
// websockets at once; a lost notice costs the wait for its next session check.
const SubjectSessionsEnded = "sessions.ended"

// PublishSessionsEnded announces revoked sessions to every process.
func (b *Bus) PublishSessionsEnded(sessions [][]byte) error {
	data, err := json.Marshal(sessions)
	if err != nil {
		return err
	}
	return b.nc.Publish(SubjectSessionsEnded, data)
}

// OnSessionsEnded calls fn with the sessions of every sessions.ended notice, from any process.
func (b *Bus) OnSessionsEnded(fn func(sessions [][]byte)) error {
	_, err := b.nc.Subscribe(SubjectSessionsEnded, func(m *nats.Msg) {
		var sessions [][]byte
		if json.Unmarshal(m.Data, &sessions) == nil {
			fn(sessions)
		}
	})
	if err != nil {
		return fmt.Errorf("%w: subscribe %s: %v", ErrBusDown, SubjectSessionsEnded, err)
	}
	return nil
}
