package dispatch_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/dispatch/dispatchtest"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestPointsConsumerProcess is the points consumer as a process of its own, for
// TestPointsExactlyOnceAcrossKill to start and kill: it runs only with POINTS_CHILD_DB and
// POINTS_CHILD_NATS set, until it is killed.
func TestPointsConsumerProcess(t *testing.T) {
	dbURL, natsURL := os.Getenv("POINTS_CHILD_DB"), os.Getenv("POINTS_CHILD_NATS")
	if dbURL == "" || natsURL == "" {
		return // not a child: nothing to do
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bus, err := dispatch.Connect(ctx, natsURL, logger)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("POINTS_CHILD_STALL") == "" {
		if err := dispatch.NewPointsApplier(pool, bus, logger).Start(ctx); err != nil {
			t.Fatal(err)
		}
		select {} // until SIGKILL
	}
	// The worst moment to die: a batch committed and not yet acknowledged, so all of it comes
	// again to the next process. The handler is PointsApplier's, stopped after its commit.
	err = bus.ConsumeBatches(ctx, dispatch.PointsConsumer, dispatch.SubjectCases, 100, func(ctx context.Context, batch [][]byte) error {
		events := make([]dispatch.CaseEvent, 0, len(batch))
		for _, data := range batch {
			var e dispatch.CaseEvent
			if json.Unmarshal(data, &e) == nil {
				events = append(events, e)
			}
		}
		if err := dispatch.ApplyPoints(ctx, pool, events); err != nil {
			return err
		}
		fmt.Printf("committed %d\n", len(events))
		select {} // until SIGKILL: never acknowledged
	})
	if err != nil {
		t.Fatal(err)
	}
	select {}
}

// TestPointsExactlyOnceAcrossKill: the points consumer runs in a process of its own; case events
// of hundreds of cases are published (an accept, a settle and a verification on time each), the
// process is killed with SIGKILL right after its first batch committed and before it was
// acknowledged, and a new process takes over, to which the whole batch comes again. When the stream is drained every event is booked exactly once:
// two rows a case, one per rule, and the balances equal the reference SQL. It waits out
// JetStream's 30-second ack wait for the killed process's unacknowledged batch.
func TestPointsExactlyOnceAcrossKill(t *testing.T) {
	if os.Getenv("POINTS_CHILD_DB") != "" {
		return
	}
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	pool := fx.db.Pool
	if _, err := pool.Exec(ctx, `UPDATE point_rules SET cap_points = NULL, cap_period = NULL`); err != nil {
		t.Fatal(err)
	}
	const n = 400
	cases := make([]int64, n)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				rc, err := fx.intake.Submit(ctx, fx.report(t))
				if err != nil {
					t.Error(err)
					return
				}
				cases[i] = rc.CaseID
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	ns := dispatchtest.NATS(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus, err := dispatch.Connect(ctx, ns.ClientURL(), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	if err := bus.EnsureStreams(ctx); err != nil {
		t.Fatal(err)
	}
	start := func(env ...string) (*exec.Cmd, *bufio.Scanner) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPointsConsumerProcess$", "-test.count=1")
		cmd.Env = append(append(os.Environ(), "POINTS_CHILD_DB="+fx.db.URL, "POINTS_CHILD_NATS="+ns.ClientURL()), env...)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd, bufio.NewScanner(out)
	}
	first, said := start("POINTS_CHILD_STALL=1")
	gridtest.Eventually(t, "the child's durable consumer", func() bool {
		_, err := bus.Pending(ctx, dispatch.PointsConsumer)
		return err == nil
	})

	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	due := at.Add(time.Hour)
	tid := int64(5_000_000)
	var events int
	for _, c := range cases {
		for _, e := range []dispatch.CaseEvent{
			{Action: "accept"},
			{Action: "settle", VerifyDueAt: &due},
			{Action: "verify", Actor: fx.worker.ID},
		} {
			tid++
			e.TransitionID, e.CaseID, e.Unit, e.Category, e.Reporter, e.Level, e.At = tid, c, "140802001001001001", "neighbour",
				fx.worker.ID, dispatch.TierVillage, at
			data, _ := json.Marshal(e)
			if _, err := js.PublishAsync(dispatch.CaseSubject(e.Action, e.Unit), data); err != nil {
				t.Fatal(err)
			}
			events++
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		t.Fatal("publishing took more than 30 s")
	}

	if !said.Scan() || !strings.HasPrefix(said.Text(), "committed") { // the first batch committed, not acknowledged
		t.Fatalf("the first process said %q", said.Text())
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAt := count(t, pool, `SELECT count(*) FROM point_applied`)
	t.Logf("killed after %s: %d of %d booking transitions applied", said.Text(), killedAt, 2*n)
	if killedAt >= 2*n {
		t.Fatalf("the consumer finished before it was killed: publish more")
	}
	start()
	gridtest.EventuallyWithin(t, 90*time.Second, "every event booked after the restart", func() bool {
		p, err := bus.Pending(ctx, dispatch.PointsConsumer)
		return err == nil && p == 0 && count(t, pool, `SELECT count(*) FROM point_applied`) == 2*n
	})
	if got := count(t, pool, `SELECT count(*) FROM point_ledger`); got != 2*n {
		t.Errorf("%d ledger rows for %d events, want %d", got, events, 2*n)
	}
	if dup := count(t, pool, `SELECT count(*) FROM (SELECT 1 FROM point_occurrences GROUP BY case_id, rule_id HAVING count(*) > 1) d`); dup != 0 {
		t.Errorf("%d cases booked twice for a rule", dup)
	}
	if got := count(t, pool, `SELECT count(*) FROM point_ledger l JOIN point_rules r ON r.id = l.rule_id WHERE r.code = 'verified_on_time'`); got != n {
		t.Errorf("%d verifications booked, want %d", got, n)
	}
	if bad := count(t, pool, `SELECT count(*) FROM (`+referenceBalances+`) ref FULL JOIN point_balances b USING (member_id)
WHERE ref.sum IS DISTINCT FROM b.balance`); bad != 0 {
		t.Errorf("%d balances differ from the reference SQL", bad)
	}
	if b := count(t, pool, `SELECT balance FROM point_balances WHERE member_id = `+itoa(fx.worker.ID)); b != 3*n {
		t.Errorf("balance %d, want %d", b, 3*n)
	}
}
