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
// consumer of its own making: an ephemeral consumer in memory, without acks, whose messages
// must come with consecutive consumer sequence numbers. nats.go's ordered consumer recreates a
// stalled consumer with back-off of 1, 2, 4 and 8 s, so live updates paused for up to 16 s after
// the node leading CASES died (make faults, docs/faults.md). When this one stalls (heartbeats
// stop, the consumer is gone, or a sequence number is skipped), the feed stops it and tries to
// make a new one every quarter of a second, starting after the last message seen: nothing is
// skipped, nothing is seen twice.
type liveFeed struct {
	b  *Bus
	fn func(subject string, data []byte)

	mu      sync.Mutex
	cc      jetstream.ConsumeContext
	gen     int    // the current consumer's generation; a stopped one's messages are dropped
	name    string // the current consumer's name, deleted when it is replaced
	cseq    uint64 // consumer sequence of the current consumer's last message
	last    uint64 // stream sequence of the last message handed to fn
	stalled chan struct{}
	done    chan struct{}
	closed  chan struct{}
	deletes sync.WaitGroup // deletions of replaced consumers, waited for by Stop
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

// start makes a new consumer, from the message after the last one seen, or from now.
func (f *liveFeed) start(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	cfg := jetstream.ConsumerConfig{FilterSubjects: []string{SubjectCases}, AckPolicy: jetstream.AckNonePolicy,
		DeliverPolicy: jetstream.DeliverNewPolicy, MemoryStorage: true, Replicas: 1, InactiveThreshold: 5 * time.Minute}
	if f.last > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.last+1
	}
	cons, err := f.b.js.CreateConsumer(ctx, "CASES", cfg)
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
				f.stall()
			}
		}))
	if err != nil {
		return fmt.Errorf("%w: consume case.>: %v", ErrBusDown, err)
	}
	f.cc, f.name, f.cseq = cc, cons.CachedInfo().Name, 0
	return nil
}

func (f *liveFeed) stall() {
	select {
	case f.stalled <- struct{}{}:
	default:
	}
}

// deliver hands a message of the current consumer to fn, once, in stream order; a skipped
// consumer sequence number means messages were lost on the way, and the consumer is replaced.
func (f *liveFeed) deliver(gen int, m jetstream.Msg) {
	meta, err := m.Metadata()
	f.mu.Lock()
	if gen != f.gen || err != nil {
		f.mu.Unlock()
		return
	}
	if meta.Sequence.Consumer != f.cseq+1 {
		f.gen++ // nothing more from this consumer
		f.mu.Unlock()
		f.stall()
		return
	}
	f.cseq = meta.Sequence.Consumer
	if meta.Sequence.Stream <= f.last {
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
		name := f.name
		f.mu.Unlock()
		f.deletes.Add(1)
		go func() { // it may be gone with its server; unused, it goes by itself after 5 min
			defer f.deletes.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = f.b.js.DeleteConsumer(ctx, "CASES", name)
		}()
		for !f.restart() {
			select {
			case <-f.done:
				return
			case <-time.After(liveRetry):
			}
		}
		select { // a stall the old consumer reported meanwhile is not the new one's
		case <-f.stalled:
		default:
		}
	}
}

// restart tries to start a new consumer (the stream needs a leader for that).
func (f *liveFeed) restart() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := f.start(ctx); err != nil {
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

// Stop ends the feed and waits for its goroutines (a consumer deletion takes at most 5 s); it
// makes the feed a ConsumeContext for Bus.Close.
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
	f.deletes.Wait()
}

func (f *liveFeed) Drain()                  { f.Stop() }
func (f *liveFeed) Closed() <-chan struct{} { return f.closed }
