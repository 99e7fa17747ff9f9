package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch/dispatchtest"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// A process dies after committing transitions and after publishing them but before marking
// them published: the next relay publishes them again, JetStream keeps one copy of each, and a
// consumer sees every transition exactly once.
func TestTransitionPublishedOnceAfterACrashBetweenPublishAndMark(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	ns := dispatchtest.NATS(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus, err := ConnectInProcess(ctx, ns, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	if err := bus.EnsureStreams(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	if err := bus.OnCaseEvent(func(_ string, data []byte) {
		var ev CaseEvent
		if json.Unmarshal(data, &ev) == nil {
			mu.Lock()
			seen[ev.TransitionID]++
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Committed transitions whose relay has not run: the process was killed after the commit.
	const n = 20
	for i := range n {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO outbox (subject, payload) VALUES ($1, $2)`,
			CaseSubject("accept", "140802001001001001"), []byte(`{"transition_id": `+itoa(int64(i+1))+`}`)); err != nil {
			t.Fatal(err)
		}
	}
	// A relay publishes them all and dies before its mark commits.
	crash := errors.New("killed before marking")
	if _, err := relayBatch(ctx, db.Pool, relayBatchSize, func(msgs []outboxMessage) (int, error) {
		if sent, err := bus.publishAll(ctx, msgs); err != nil || sent != len(msgs) {
			t.Fatalf("published %d of %d: %v", sent, len(msgs), err)
		}
		return 0, crash
	}); !errors.Is(err, crash) {
		t.Fatalf("relay batch: %v", err)
	}
	relay := NewRelay(db.Pool, bus, logger)
	if err := relay.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	gridtest.Eventually(t, "every row published and every transition seen", func() bool {
		var left int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := len(seen)
		mu.Unlock()
		return left == 0 && got == n
	})
	st, err := bus.js.Stream(ctx, "CASES")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != n {
		t.Fatalf("stream holds %d messages; want %d", info.State.Msgs, n)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, times := range seen {
		if times != 1 {
			t.Fatalf("transition %d seen %d times", id, times)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
