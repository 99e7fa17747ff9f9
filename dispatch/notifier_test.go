package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// Two processes bind the notifications consumer; the case goes through the tiers. Each person
// who must act is notified once per transition, the actor never, and a message handled again
// (a redelivery after a crash before the acknowledgement) adds nothing.
func TestNotificationsOncePerTransitionAcrossProcesses(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ns := startNATS(t)
	var notifiers []*dispatch.Notifier
	for range 2 {
		bus, err := dispatch.Connect(ctx, ns.ClientURL(), logger)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(bus.Close)
		if err := bus.EnsureStreams(ctx); err != nil {
			t.Fatal(err)
		}
		n := dispatch.NewNotifier(fx.db.Pool, logger)
		if err := n.Bind(ctx, bus); err != nil {
			t.Fatal(err)
		}
		notifiers = append(notifiers, n)
		relay := dispatch.NewRelay(fx.db.Pool, bus, logger)
		if err := relay.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(relay.Close)
	}
	fx.must(t, fx.village, dispatch.ActAccept, "")
	fx.must(t, fx.village, dispatch.ActMediate, "调解一次")
	fx.must(t, fx.village, dispatch.ActEscalate, "需镇处理")                                   // the township's mediator
	fx.must(t, fx.supervisor, dispatch.ActUrge, "三日内办结")                                   // the township's mediator again
	fx.must(t, fx.township, dispatch.ActAccept, "")                                        // nobody
	fx.must(t, fx.township, dispatch.ActMediate, "司法所调解")                                  // nobody
	fx.must(t, fx.township, dispatch.ActSettle, "达成协议", outcome(dispatch.OutcomeMediated)) // the reporter: verify
	// The report itself (relayed once the relays started) lands in the village's queue.
	want := map[string]int64{"reported": fx.village.ID, "escalate": fx.township.ID, "urge": fx.township.ID, "settle": fx.worker.ID}
	gridtest.Eventually(t, "four notifications", func() bool {
		return count(t, fx.db.Pool, `SELECT count(*) FROM notifications`) >= len(want)
	})
	// Handled again, as after a redelivery: nothing new.
	var payload []byte
	if err := fx.db.Pool.QueryRow(ctx, `SELECT payload::text FROM outbox WHERE subject LIKE 'case.settle.%'`).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	if err := notifiers[1].Handle(ctx, payload); err != nil {
		t.Fatal(err)
	}
	rows, err := fx.db.Pool.Query(ctx, `SELECT kind, member_id FROM notifications ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	n := 0
	for rows.Next() {
		var kind string
		var member int64
		if err := rows.Scan(&kind, &member); err != nil {
			t.Fatal(err)
		}
		got[kind] = member
		n++
	}
	if n != len(want) {
		t.Fatalf("%d notifications: %v; want %v", n, got, want)
	}
	for kind, member := range want {
		if got[kind] != member {
			t.Fatalf("%s notified member %d; want %d (all: %v)", kind, got[kind], member, got)
		}
	}
	list, unread, err := notifiers[0].List(ctx, fx.township.ID, 10)
	// Newest transition first, whichever process recorded which.
	if err != nil || unread != 2 || len(list) != 2 || list[0].Kind != "urge" || list[1].Kind != "escalate" {
		t.Fatalf("the township's list: %+v unread %d (%v)", list, unread, err)
	}
	if err := notifiers[0].MarkRead(ctx, fx.township.ID, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, unread, _ := notifiers[0].List(ctx, fx.township.ID, 10); unread != 0 {
		t.Fatalf("%d unread after marking all read", unread)
	}
}
