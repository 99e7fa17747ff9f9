package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// connectNATS connects to the scenario's NATS (any node of natsURL) for the harness's own
// looks: readiness, the stream's leader, and reading the streams back.
func connectNATS(natsURL string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(natsURL, nats.Name("griddispatch-faults"), nats.MaxReconnects(-1),
		nats.ReconnectWait(200*time.Millisecond))
	if err != nil {
		return nil, nil, fmt.Errorf("nats %s: %w", natsURL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// waitJetStream waits until JetStream answers (in a cluster: until it has a meta leader).
func waitJetStream(ctx context.Context, natsURL string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		nc, js, err := connectNATS(natsURL)
		if err == nil {
			actx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err = js.AccountInfo(actx)
			cancel()
			nc.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("JetStream at %s not ready within %s: %v", natsURL, within, last)
}

// streamPlacement is the server leading a stream and how many replicas it has.
func streamPlacement(ctx context.Context, natsURL, stream string) (leader string, replicas int, err error) {
	nc, js, err := connectNATS(natsURL)
	if err != nil {
		return "", 0, err
	}
	defer nc.Close()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return "", 0, fmt.Errorf("stream %s: %w", stream, err)
	}
	info := s.CachedInfo()
	if info.Cluster != nil {
		leader = info.Cluster.Leader
	}
	return leader, info.Config.Replicas, nil
}

// streamMsg is one stored message, as the check compares it with the outbox and the history.
type streamMsg struct {
	Subject      string
	MsgID        string // Nats-Msg-Id: the outbox id
	TransitionID int64  // case messages: the case_history id (0 otherwise)
}

// readStream reads every message a stream holds, from the first, through an ordered consumer.
// JetStream's API may not answer for a while after a node came back (a leader being elected),
// so a failed read is tried again, from the start, for up to a minute.
func readStream(ctx context.Context, natsURL, stream string) ([]streamMsg, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		msgs, err := readStreamOnce(ctx, natsURL, stream)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return msgs, err
		}
		time.Sleep(time.Second)
	}
}

func readStreamOnce(ctx context.Context, natsURL, stream string) ([]streamMsg, error) {
	nc, js, err := connectNATS(natsURL)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", stream, err)
	}
	want := s.CachedInfo().State.Msgs
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", stream, err)
	}
	out := make([]streamMsg, 0, want)
	for uint64(len(out)) < want {
		batch, err := cons.Fetch(1000, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", stream, err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			sm := streamMsg{Subject: m.Subject(), MsgID: m.Headers().Get(jetstream.MsgIDHeader)}
			if strings.HasPrefix(sm.Subject, "case.") {
				var ev struct {
					TransitionID int64 `json:"transition_id"`
				}
				if err := json.Unmarshal(m.Data(), &ev); err != nil {
					return nil, fmt.Errorf("stream %s: %s: %w", stream, sm.Subject, err)
				}
				sm.TransitionID = ev.TransitionID
			}
			out = append(out, sm)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return nil, fmt.Errorf("stream %s: %w", stream, err)
		}
		if n == 0 {
			return nil, fmt.Errorf("stream %s: read %d of %d messages, then nothing more came", stream, len(out), want)
		}
	}
	return out, nil
}

// msgIDs counts the stream's messages by outbox id; a message without one counts under -1.
func msgIDs(msgs []streamMsg) map[int64]int {
	ids := make(map[int64]int, len(msgs))
	for _, m := range msgs {
		id, err := strconv.ParseInt(m.MsgID, 10, 64)
		if err != nil {
			id = -1
		}
		ids[id]++
	}
	return ids
}
