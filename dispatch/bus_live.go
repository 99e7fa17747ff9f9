package dispatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// liveFeed reads the case transitions of the CASES stream for live push, through an ordered
// consumer. When the consumer stalls (its heartbeats stop: the NATS server holding it died, or
// the stream lost its leader), nats.go would recreate it with back-off of 1, 2, 4 and 8 s, so
// that live updates paused for up to 16 s after the stream's leader had moved (make faults,
// docs/faults.md). The feed instead stops the stalled consumer, waits until the stream answers
// again, checking every quarter of a second, and starts a new one after the last message seen:
// nothing is skipped, nothing is seen twice.
type liveFeed struct {
	b  *Bus
	fn func(subject string, data []byte)

	mu      sync.Mutex
	cc      jetstream.ConsumeContext
	gen     int    // the current consumer's generation; a stopped one's messages are dropped
	last    uint64 // stream sequence of the last message handed to fn
	stalled chan struct{}
	done    chan struct{}
	closed  chan struct{}
}

// liveRetry is how often a stalled feed asks whether the stream answers again.
const liveRetry = 250 * time.Millisecond

func (b *Bus) startLiveFeed(ctx context.Context, fn func(subject string, data []byte)) (*liveFeed, error) {
	f := &liveFeed{b: b, fn: fn, stalled: make(chan struct{}, 1), done: make(chan struct{}), closed: make(chan struct{})}
	if err := f.start(ctx); err != nil {
		return nil, err
	}
	go f.watch()
	return f, nil
}

// start makes a new ordered consumer, from the message after the last one seen, or from now.
func (f *liveFeed) start(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{SubjectCases}, DeliverPolicy: jetstream.DeliverNewPolicy}
	if f.last > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.last+1
	}
	cons, err := f.b.js.OrderedConsumer(ctx, "CASES", cfg)
	if err != nil {
		return fmt.Errorf("%w: consume case.>: %v", ErrBusDown, err)
	}
	f.gen++
	gen := f.gen
	cc, err := cons.Consume(func(m jetstream.Msg) { f.deliver(gen, m) },
		jetstream.PullExpiry(livePullExpiry),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if errors.Is(err, jetstream.ErrNoHeartbeat) || errors.Is(err, jetstream.ErrConsumerDeleted) ||
				errors.Is(err, jetstream.ErrConsumerNotFound) {
				select {
				case f.stalled <- struct{}{}:
				default:
				}
			}
		}))
	if err != nil {
		return fmt.Errorf("%w: consume case.>: %v", ErrBusDown, err)
	}
	f.cc = cc
	return nil
}

// deliver hands a message of the current consumer to fn, once, in stream order.
func (f *liveFeed) deliver(gen int, m jetstream.Msg) {
	meta, err := m.Metadata()
	f.mu.Lock()
	if gen != f.gen || err != nil || meta.Sequence.Stream <= f.last {
		f.mu.Unlock()
		return
	}
	f.last = meta.Sequence.Stream
	f.mu.Unlock()
	f.fn(m.Subject(), m.Data())
}

// watch replaces a stalled consumer until the feed is stopped.
func (f *liveFeed) watch() {
	defer close(f.closed)
	for {
		select {
		case <-f.done:
			return
		case <-f.stalled:
		}
		f.mu.Lock()
		f.cc.Stop()
		f.gen++ // what the stopped consumer still delivers is dropped
		f.mu.Unlock()
		for !f.restart() {
			select {
			case <-f.done:
				return
			case <-time.After(liveRetry):
			}
		}
	}
}

// restart starts a new consumer once the stream answers (it has a leader again).
func (f *liveFeed) restart() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := f.b.js.Stream(ctx, "CASES"); err != nil {
		return false
	}
	if err := f.start(ctx); err != nil {
		f.b.logger.Warn("live feed: restarting the consumer", "err", err)
		return false
	}
	f.b.logger.Info("live feed: consumer restarted", "after_seq", f.lastSeen())
	return true
}

func (f *liveFeed) lastSeen() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// Stop ends the feed; it makes the feed a ConsumeContext for Bus.Close.
func (f *liveFeed) Stop() {
	select {
	case <-f.done:
		return
	default:
		close(f.done)
	}
	<-f.closed
	f.mu.Lock()
	f.cc.Stop()
	f.mu.Unlock()
}

func (f *liveFeed) Drain()                  { f.Stop() }
func (f *liveFeed) Closed() <-chan struct{} { return f.closed }
