package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Streams of the bus. JetStream keeps what the outbox relayed, deduplicated by outbox id within
// the duplicate window (a relay that died between publishing and marking publishes again).
var streams = []jetstream.StreamConfig{{
	Name:       "GRID",
	Subjects:   []string{"grid.>", "catalogue.>"},
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

// EnsureStreams creates or updates the streams with one replica (a single NATS server).
func (b *Bus) EnsureStreams(ctx context.Context) error { return b.EnsureReplicatedStreams(ctx, 1) }

// ensureStreamsWithin bounds setting up streams and consumers: long enough for a cluster that is
// still electing its meta leader or waiting for its last server, short enough to report a
// mistake.
const ensureStreamsWithin = 30 * time.Second

// EnsureReplicatedStreams creates the streams, or updates them (their replicas, say), each kept
// by replicas servers of the cluster, and returns once each has that many servers placed (one
// may be down), so that consumers with as many replicas can be created on it. Several
// processes may run it at once with the same replicas: creating an identical stream is
// answered with the existing one, and an update racing a create is tried again. Errors a
// cluster gives while it forms (no meta leader, too few servers joined yet) are retried for up
// to 30 s; a mistake (replicas on a single server, say) is returned at once.
func (b *Bus) EnsureReplicatedStreams(ctx context.Context, replicas int) error {
	ctx, cancel := context.WithTimeout(ctx, ensureStreamsWithin)
	defer cancel()
	for _, cfg := range streams {
		cfg.Replicas = replicas
		err := retryForming(ctx, func(ctx context.Context) error {
			s, err := b.js.CreateOrUpdateStream(ctx, cfg)
			if err != nil {
				return err
			}
			return placed(ctx, s, replicas)
		})
		if err != nil {
			return fmt.Errorf("%w: stream %s with %d replicas: %v", ErrBusDown, cfg.Name, replicas, err)
		}
	}
	return nil
}

// errPlacing: the stream has not got all its servers yet (it is being created or scaled up).
var errPlacing = errors.New("stream replicas still being placed")

// placed checks that the stream has a leader and replicas servers in its group.
func placed(ctx context.Context, s jetstream.Stream, replicas int) error {
	if replicas == 1 {
		return nil
	}
	info, err := s.Info(ctx)
	if err != nil {
		return err
	}
	if c := info.Cluster; c == nil || c.Leader == "" || 1+len(c.Replicas) < replicas {
		return errPlacing
	}
	return nil
}

// retryForming runs attempt, with 5 s for each try, until it succeeds, fails for a reason that
// waiting will not change, or ctx ends.
func retryForming(ctx context.Context, attempt func(ctx context.Context) error) error {
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := attempt(actx)
		cancel()
		if err == nil || !forming(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// forming says whether a stream or consumer request failed because the cluster is still
// forming, a stream is being scaled, or another process changed it at the same moment: worth
// trying again. Two processes creating a stream on a new cluster at once can see it "not
// found" for a moment: one's update finds nothing, the other's create is not yet placed.
func forming(err error) bool {
	if errors.Is(err, errPlacing) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) ||
		errors.Is(err, jetstream.ErrStreamNotFound) {
		return true
	}
	var js jetstream.JetStreamError
	if errors.As(err, &js) && js.APIError() != nil {
		switch js.APIError().ErrorCode {
		case jsErrCodeClusterNotAvail, jsErrCodeClusterNoPeers, jsErrCodeInsufficientResources,
			jetstream.JSErrCodeStreamNameInUse, jetstream.JSErrCodeStreamNotFound:
			return true
		}
	}
	return false
}

// JetStream error codes nats.go does not name: no meta leader elected yet; too few servers
// joined to place the replicas on; no room for a consumer's replicas while its stream scales.
const (
	jsErrCodeClusterNotAvail       jetstream.ErrorCode = 10008
	jsErrCodeClusterNoPeers        jetstream.ErrorCode = 10005
	jsErrCodeInsufficientResources jetstream.ErrorCode = 10023
)
