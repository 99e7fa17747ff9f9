package dispatch_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// batchFixture is the case fixture with n more cases queued at the village centre.
func batchFixture(t *testing.T, n int) (*caseFixture, []int64) {
	t.Helper()
	fx := newCaseFixture(t, "neighbour")
	ids := []int64{fx.caseID}
	for len(ids) < n {
		rc, err := fx.intake.Submit(context.Background(), fx.report(t))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rc.CaseID)
	}
	return fx, ids
}

type applied struct {
	view dispatch.CaseView
	err  error
}

// applyTogether applies ts while every batch slot is held, then lets them go: they commit in
// one batch (checked), and their results come back in the order of ts.
func applyTogether(t *testing.T, cs *dispatch.Cases, ts []dispatch.Transition) []applied {
	t.Helper()
	release := cs.HoldBatches()
	batches, calls := cs.Batches()
	out := make([]applied, len(ts))
	var wg sync.WaitGroup
	for i, tr := range ts {
		wg.Go(func() {
			v, err := cs.Apply(context.Background(), tr)
			out[i] = applied{v, err}
		})
	}
	gridtest.Eventually(t, "every transition queued", func() bool { return cs.Queued() == len(ts) })
	release()
	wg.Wait()
	if b, c := cs.Batches(); b-batches != 1 || c-calls != int64(len(ts)) {
		t.Fatalf("%d transitions in %d batches; want %d in one", c-calls, b-batches, len(ts))
	}
	return out
}

func accepts(fx *caseFixture, ids []int64) []dispatch.Transition {
	ts := make([]dispatch.Transition, len(ids))
	for i, id := range ids {
		ts[i] = dispatch.Transition{CaseID: id, Version: 1, Action: dispatch.ActAccept, ActorID: fx.village.ID}
	}
	return ts
}

// Transitions committed together: each refused one gets its own error and leaves no trace, and
// does not stop the others, which commit with their history and outbox rows.
func TestBatchedTransitionRefusedAloneCommitsTheOthers(t *testing.T) {
	t.Parallel()
	fx, ids := batchFixture(t, 6)
	ts := accepts(fx, ids)
	ts[1].Version = 7                 // stale
	ts[3].ActorID = fx.neighbour.ID   // the next village's mediator: not theirs
	ts[4].Action = dispatch.ActSettle // not allowed while queued
	ts[4].Outcome = dispatch.OutcomeHandled
	ts[4].Reason = "已处理"
	before := count(t, fx.db.Pool, `SELECT count(*) FROM outbox`)
	got := applyTogether(t, fx.cases, ts)
	want := []error{nil, dispatch.ErrStaleVersion, nil, dispatch.ErrNotYours, dispatch.ErrNotAllowed, nil}
	seen := map[int64]bool{}
	for i, r := range got {
		switch {
		case want[i] != nil && !errors.Is(r.err, want[i]):
			t.Fatalf("transition %d: %v; want %v", i, r.err, want[i])
		case want[i] == nil && r.err != nil:
			t.Fatalf("transition %d: %v", i, r.err)
		case want[i] == nil && (r.view.Version != 2 || r.view.State != dispatch.StateAccepted || r.view.TransitionID == 0 || seen[r.view.TransitionID]):
			t.Fatalf("transition %d: %+v", i, r.view)
		}
		seen[r.view.TransitionID] = true
	}
	for i, id := range ids {
		var version, history int
		if err := fx.db.Pool.QueryRow(context.Background(), `SELECT version, (SELECT count(*) FROM case_history WHERE case_id = $1)
			FROM cases WHERE id = $1`, id).Scan(&version, &history); err != nil {
			t.Fatal(err)
		}
		if wantV := map[bool]int{true: 2, false: 1}[want[i] == nil]; version != wantV || history != wantV {
			t.Fatalf("case %d: version %d with %d history rows; want %d", id, version, history, wantV)
		}
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM outbox`) - before; n != 3 {
		t.Fatalf("%d outbox rows for 3 committed transitions", n)
	}
}

// A statement of the batch fails in the database (here a trigger refuses one history row): the
// batch rolls back and each transition is applied again alone, so only that one fails.
func TestBatchFailingInTheDatabaseRetriesEachAlone(t *testing.T) {
	t.Parallel()
	fx, ids := batchFixture(t, 4)
	if _, err := fx.db.Pool.Exec(context.Background(), `
		CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.reason = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_boom BEFORE INSERT ON case_history FOR EACH ROW EXECUTE FUNCTION refuse_boom()`); err != nil {
		t.Fatal(err)
	}
	ts := accepts(fx, ids)
	ts[2].Reason = "boom"
	got := applyTogether(t, fx.cases, ts)
	for i, r := range got {
		if i == 2 {
			if !errors.Is(r.err, dispatch.ErrRetryable) {
				t.Fatalf("the failing transition: %v; want ErrRetryable", r.err)
			}
			continue
		}
		if r.err != nil || r.view.Version != 2 {
			t.Fatalf("transition %d: %+v, %v", i, r.view, r.err)
		}
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE transition = 'accept'`); n != 3 {
		t.Fatalf("%d accepts recorded; want 3", n)
	}
}

// The batch's connection is killed while it writes (its foreign-key check waits for a lock the
// test holds): nobody is acknowledged, nothing is committed, and each retry at the same version
// then commits once.
func TestBatchKilledMidWriteAcknowledgesNobody(t *testing.T) {
	t.Parallel()
	fx, ids := batchFixture(t, 4)
	ctx := context.Background()
	history, outbox := count(t, fx.db.Pool, `SELECT count(*) FROM case_history`), count(t, fx.db.Pool, `SELECT count(*) FROM outbox`)

	lock, err := fx.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	// The history row's actor is checked FOR KEY SHARE, which waits for this.
	if _, err := lock.Exec(ctx, `SELECT 1 FROM members WHERE id = $1 FOR UPDATE`, fx.village.ID); err != nil {
		t.Fatal(err)
	}
	ts := accepts(fx, ids)
	var got []applied
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = applyTogether(t, fx.cases, ts)
	}()
	var pid int
	gridtest.Eventually(t, "the batch waiting in its write", func() bool {
		// The statement writing the transitions starts with their values (case_record.go).
		err := fx.db.Pool.QueryRow(ctx, `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
			AND query LIKE 'WITH v (case_id,%' AND datname = current_database()`).Scan(&pid)
		return err == nil
	})
	if _, err := fx.db.Pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if !errors.Is(r.err, dispatch.ErrRetryable) {
			t.Fatalf("transition %d: %+v, %v; want ErrRetryable", i, r.view, r.err)
		}
	}
	if h, o := count(t, fx.db.Pool, `SELECT count(*) FROM case_history`), count(t, fx.db.Pool, `SELECT count(*) FROM outbox`); h != history || o != outbox {
		t.Fatalf("%d history and %d outbox rows written by a killed batch", h-history, o-outbox)
	}
	// The clients retry with the version they saw.
	for _, tr := range ts {
		if v, err := fx.cases.Apply(ctx, tr); err != nil || v.Version != 2 {
			t.Fatalf("retry of case %d: %+v, %v", tr.CaseID, v, err)
		}
	}
	if h, o := count(t, fx.db.Pool, `SELECT count(*) FROM case_history`), count(t, fx.db.Pool, `SELECT count(*) FROM outbox`); h != history+len(ts) || o != outbox+len(ts) {
		t.Fatalf("%d history and %d outbox rows after the retries; want %d each", h-history, o-outbox, len(ts))
	}
}

// People's transitions, committed in batches, race the timer for the same cases as their
// deadlines pass: every committed transition is one version, one history row and one outbox
// row, the timer escalates each case once, and nobody sees a database error (a deadlock would
// be one).
func TestBatchedTransitionsRaceTheTimer(t *testing.T) {
	t.Parallel()
	fx, ids := batchFixture(t, 1)
	ctx := context.Background()
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE categories SET village_deadline_s = 2 WHERE code = 'neighbour'`); err != nil {
		t.Fatal(err)
	}
	fx.intake.CatalogueChanged()
	for len(ids) < 30 {
		rc, err := fx.intake.Submit(ctx, fx.report(t))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rc.CaseID)
	}
	ids = ids[1:] // the fixture's case keeps its 7 days
	timer := dispatch.NewEscalator(fx.db.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)), 20*time.Millisecond)
	if err := timer.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer timer.Close()

	var wg sync.WaitGroup
	var urged atomic.Int64
	for w := range 8 {
		wg.Go(func() {
			for round := 0; count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE actor_id IS NULL`) < len(ids); round++ {
				id := ids[(w+round*8)%len(ids)]
				var version int
				if err := fx.db.Pool.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, id).Scan(&version); err != nil {
					t.Error(err)
					return
				}
				_, err := fx.cases.Apply(ctx, dispatch.Transition{CaseID: id, Version: version, Action: dispatch.ActUrge,
					ActorID: fx.supervisor.ID, Reason: "请尽快处理"})
				switch {
				case err == nil:
					urged.Add(1)
				case !errors.Is(err, dispatch.ErrStaleVersion):
					t.Errorf("urge case %d: %v", id, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if urged.Load() == 0 {
		t.Fatal("no urge committed")
	}
	b, c := fx.cases.Batches()
	t.Logf("%d urges committed; %d transitions in %d batches", urged.Load(), c, b)
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM cases c WHERE id <> `+itoa(fx.caseID)+` AND (version <>
		(SELECT count(*) FROM case_history h WHERE h.case_id = c.id) OR level <> 2)`); n != 0 {
		t.Fatalf("%d cases whose version is not their history's length, or not escalated once", n)
	}
	if h, o := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE transition IN ('urge', 'escalate')`),
		count(t, fx.db.Pool, `SELECT count(*) FROM outbox WHERE subject LIKE 'case.urge.%' OR subject LIKE 'case.escalate.%'`); h != o || h != int(urged.Load())+len(ids) {
		t.Fatalf("%d history rows, %d outbox rows; want %d each", h, o, int(urged.Load())+len(ids))
	}
}
