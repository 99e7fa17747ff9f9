package dispatch

import (
	"context"
	"testing"

	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// The relay's look for pending rows reads the partial index of unpublished rows, never the
// whole outbox, even on a connection that first looked when the outbox was empty: a plan cached
// then scanned every published row, 6 to 16 ms a look under load (docs/benchmarks.md,
// "Transitions (issue 18)").
func TestRelayLooksForPendingRowsInTheIndex(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if ok, err := anyPending(ctx, conn); err != nil || ok {
		t.Fatalf("empty outbox: pending %v, %v", ok, err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO outbox (subject, payload, published_at)
		SELECT 'case.accept.140802', '{"reason": "两户因排水沟发生争执"}', CASE WHEN g < 3000 THEN now() END
		FROM generate_series(1, 3000) g`); err != nil {
		t.Fatal(err)
	}
	// pg_stat_xact_user_tables counts this backend's scans in the current transaction.
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "ROLLBACK") //nolint:errcheck
	if ok, err := anyPending(ctx, conn); err != nil || !ok {
		t.Fatalf("one row pending: pending %v, %v", ok, err)
	}
	var seq, idx int64
	if err := conn.QueryRow(ctx, `SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables
		WHERE relid = 'outbox'::regclass`).Scan(&seq, &idx); err != nil {
		t.Fatal(err)
	}
	if seq != 0 || idx == 0 {
		t.Fatalf("the look scanned the outbox %d times sequentially and %d times by index; want by index only", seq, idx)
	}
}
