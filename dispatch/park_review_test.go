package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// A parked case whose review date passes is recorded once as park_review_due by two timers (as
// in two processes, each with its own pool): one history row and its outbox row, which notifies
// the centre's mediators; the case stays parked, shows as review due, and its centre parks it
// again with a new review date, which clears the mark and lets the timer record the next one.
func TestParkReviewDueRecordedOnceByTwoTimers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newCaseFixture(t, "neighbour")
	fx.must(t, fx.village, dispatch.ActAccept, "")
	fx.must(t, fx.village, dispatch.ActPark, "等待法院判决", until(time.Now().Add(time.Hour)))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActParkReviewDue, "by hand") // the timer's alone
	var left time.Duration
	var leftUS int64
	fx.times(t, `SELECT (extract(epoch FROM park_left) * 1000000)::bigint FROM cases WHERE id = $1`, &leftUS)
	left = time.Duration(leftUS) * time.Microsecond

	other, err := pgxpool.New(ctx, fx.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	first := dispatch.NewEscalator(fx.db.Pool, logger, 5*time.Millisecond)
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second := dispatch.NewEscalator(other, logger, 5*time.Millisecond)
	if err := second.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer second.Close()

	reviews := func() int {
		return count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE transition = 'park_review_due'`)
	}
	time.Sleep(50 * time.Millisecond) // the timers' first rounds: the review date is an hour ahead
	if n := reviews(); n != 0 {
		t.Fatalf("%d reviews recorded before the review date", n)
	}
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE cases SET park_review_at = now() - interval '1 second' WHERE id = $1`, fx.caseID); err != nil {
		t.Fatal(err)
	}
	gridtest.Eventually(t, "the review recorded", func() bool { return reviews() > 0 })
	time.Sleep(100 * time.Millisecond) // twenty rounds of each timer more: none may record it again
	if n := reviews(); n != 1 {
		t.Fatalf("review recorded %d times, want once", n)
	}
	var actor *int64
	var from, to, subject string
	var untilAt *time.Time
	fx.times(t, `SELECT h.actor_id, h.from_state, h.to_state, h.until_at, o.subject FROM case_history h
		JOIN outbox o ON (o.payload->>'transition_id')::bigint = h.id
		WHERE h.case_id = $1 AND h.transition = 'park_review_due'`, &actor, &from, &to, &untilAt, &subject)
	if actor != nil || from != "parked" || to != "parked" || untilAt == nil || subject != "case.park_review_due.140802.001.001.001.001" {
		t.Fatalf("review row: actor %v, %s -> %s, until %v, published on %s", actor, from, to, untilAt, subject)
	}

	// The centre's mediators are told, through the notifier as every transition.
	var payload []byte
	fx.times(t, `SELECT o.payload FROM outbox o JOIN case_history h ON (o.payload->>'transition_id')::bigint = h.id
		WHERE h.case_id = $1 AND h.transition = 'park_review_due'`, &payload)
	if err := dispatch.NewNotifier(fx.db.Pool, logger).Handle(ctx, payload); err != nil {
		t.Fatal(err)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM notifications WHERE kind = 'park_review_due' AND member_id = `+itoa(fx.village.ID)); n != 1 {
		t.Fatalf("the village mediator has %d review notifications, want 1", n)
	}

	// Shown as review due, still parked, with its time kept.
	d, err := fx.cases.Detail(ctx, fx.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != dispatch.StateParked || d.ReviewDueAt == nil || d.Parking == nil || d.Parking.Left != left {
		t.Fatalf("after the review date: state %s, review due %v, parking %+v (left %v)", d.State, d.ReviewDueAt, d.Parking, left)
	}

	// Parked again with a new review date and a reason: the mark is cleared, the time kept.
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActPark, "", until(time.Now().Add(time.Hour)))
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActPark, "继续等待", until(time.Now().Add(-time.Hour)))
	v := fx.must(t, fx.village, dispatch.ActPark, "判决尚未作出，继续挂账", until(time.Now().Add(2*time.Second)))
	if v.State != dispatch.StateParked || v.DeadlineAt != nil {
		t.Fatalf("parked again: %+v", v)
	}
	var due *time.Time
	var from2 string
	fx.times(t, `SELECT park_review_due_at, (extract(epoch FROM park_left) * 1000000)::bigint, park_from_state FROM cases WHERE id = $1`,
		&due, &leftUS, &from2)
	if due != nil || time.Duration(leftUS)*time.Microsecond != left || from2 != "accepted" {
		t.Fatalf("parked again: review due %v, left %v (was %v), from %s", due, time.Duration(leftUS)*time.Microsecond, left, from2)
	}
	gridtest.Eventually(t, "the second review recorded", func() bool { return reviews() == 2 })
	v = fx.must(t, fx.village, dispatch.ActUnpark, "判决已出")
	if v.State != dispatch.StateAccepted || v.DeadlineAt == nil {
		t.Fatalf("unparked: %+v", v)
	}
	fx.times(t, `SELECT park_review_due_at FROM cases WHERE id = $1`, &due)
	if due != nil {
		t.Fatalf("unparked, still review due at %v", due)
	}
}
