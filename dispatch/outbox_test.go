package dispatch_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// insertCounty changes the grid with plain SQL, as a QGIS edit would.
func insertCounty(t *testing.T, db *dbtest.DB, code string) {
	t.Helper()
	_, err := db.Pool.Exec(context.Background(), `INSERT INTO units (code, level, name, geom)
		VALUES ($1, 1, 'x', ST_Multi(ST_GeomFromText('POLYGON((111 35,111.1 35,111.1 35.1,111 35.1,111 35))', 4326)))`, code)
	if err != nil {
		t.Fatal(err)
	}
}

func streamMessages(t *testing.T, ns interface{ ClientURL() string }) uint64 {
	t.Helper()
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	st, err := js.Stream(context.Background(), "GRID")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func unpublished(t *testing.T, db *dbtest.DB) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRelayPublishesGridChangesOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ns := startNATS(t)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus, err := dispatch.ConnectInProcess(ctx, ns, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	if err := bus.EnsureStreams(ctx); err != nil {
		t.Fatal(err)
	}
	var notices atomic.Int64
	if err := bus.OnGridChange(func() { notices.Add(1) }); err != nil {
		t.Fatal(err)
	}

	relay := dispatch.NewRelay(db.Pool, bus, logger)
	if err := relay.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	insertCounty(t, db, "140802")
	gridtest.Eventually(t, "the grid change notice", func() bool { return notices.Load() == 1 })
	gridtest.Eventually(t, "the outbox row marked published", func() bool { return unpublished(t, db) == 0 })
	if n := streamMessages(t, ns); n != 1 {
		t.Fatalf("stream holds %d messages; want 1", n)
	}

	// A relay that died after publishing but before marking publishes again: the stream
	// recognises the outbox id and keeps one copy.
	if _, err := db.Pool.Exec(ctx, `UPDATE outbox SET published_at = NULL`); err != nil {
		t.Fatal(err)
	}
	relay.Close()
	relay = dispatch.NewRelay(db.Pool, bus, logger)
	if err := relay.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	gridtest.Eventually(t, "the re-published row marked", func() bool { return unpublished(t, db) == 0 })
	if n := streamMessages(t, ns); n != 1 {
		t.Fatalf("after a re-publish the stream holds %d messages; want 1", n)
	}

	// Two relays at once, fifty changes: each published exactly once.
	second := dispatch.NewRelay(db.Pool, bus, logger)
	if err := second.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		insertCounty(t, db, fmt.Sprintf("1408%02d", 10+i))
	}
	gridtest.Eventually(t, "fifty more rows published", func() bool { return unpublished(t, db) == 0 })
	relay.Close()
	second.Close()
	if n := streamMessages(t, ns); n != 51 {
		t.Fatalf("stream holds %d messages; want 51", n)
	}
}

func TestRelayPurgesOldPublishedRows(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ns := startNATS(t)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := db.Pool.Exec(ctx, `INSERT INTO outbox (subject, payload, created_at, published_at) VALUES
		('grid.changed', '{}', now() - interval '9 days', now() - interval '8 days'),
		('grid.changed', '{}', now() - interval '1 day', now() - interval '1 day')`)
	if err != nil {
		t.Fatal(err)
	}
	bus, err := dispatch.ConnectInProcess(ctx, ns, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	relay := dispatch.NewRelay(db.Pool, bus, logger)
	if err := relay.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	count := func() int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	gridtest.Eventually(t, "the week-old row purged", func() bool { return count() == 1 })
}
