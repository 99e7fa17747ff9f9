package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// Two timers (as in two processes, each with its own pool) race for the same overdue cases,
// and one of them restarts half-way: every case that escalates automatically goes up exactly
// once, and every case that does not is flagged overdue exactly once.
func TestOverdueCasesAreHandledOnceByTwoTimers(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour") // its case keeps the 7-day deadline and must stay put
	ctx := context.Background()
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE categories SET village_deadline_s = 2, township_deadline_s = 3600
		WHERE code = 'neighbour';
		UPDATE categories SET township_deadline_s = 2 WHERE code = 'petition'`); err != nil {
		t.Fatal(err)
	}
	fx.intake.CatalogueChanged()
	var escalating, flagged []int64
	for i := range 50 {
		r := fx.report(t)
		if i%5 == 4 {
			r.Category = "petition" // starts at the township, never moved by the timer
		}
		rc, err := fx.intake.Submit(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if r.Category == "petition" {
			flagged = append(flagged, rc.CaseID)
		} else {
			escalating = append(escalating, rc.CaseID)
		}
	}
	other, err := pgxpool.New(ctx, fx.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	first := dispatch.NewEscalator(fx.db.Pool, logger, 20*time.Millisecond)
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	second := dispatch.NewEscalator(other, logger, 20*time.Millisecond)
	if err := second.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer second.Close()

	done := func() int {
		return count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE actor_id IS NULL`)
	}
	gridtest.Eventually(t, "the first overdue case handled", func() bool { return done() > 0 })
	first.Close()
	first = dispatch.NewEscalator(fx.db.Pool, logger, 20*time.Millisecond)
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	gridtest.Eventually(t, "every overdue case handled", func() bool { return done() >= len(escalating)+len(flagged) })

	if n := count(t, fx.db.Pool, `SELECT count(*) FROM (SELECT case_id FROM case_history WHERE actor_id IS NULL
		GROUP BY case_id HAVING count(*) > 1) twice`); n != 0 {
		t.Fatalf("%d cases handled more than once", n)
	}
	for _, id := range escalating {
		var level dispatch.Tier
		var state, transition string
		if err := fx.db.Pool.QueryRow(ctx, `SELECT c.level, c.state, h.transition FROM cases c
			JOIN case_history h ON h.case_id = c.id AND h.actor_id IS NULL WHERE c.id = $1`, id).Scan(&level, &state, &transition); err != nil {
			t.Fatal(err)
		}
		if level != dispatch.TierTownship || state != "queued" || transition != "escalate" {
			t.Fatalf("case %d: %s at tier %d by %s; want queued at the township by escalate", id, state, level, transition)
		}
	}
	for _, id := range flagged {
		var level dispatch.Tier
		var overdue bool
		var transition string
		if err := fx.db.Pool.QueryRow(ctx, `SELECT c.level, c.overdue_at IS NOT NULL, h.transition FROM cases c
			JOIN case_history h ON h.case_id = c.id AND h.actor_id IS NULL WHERE c.id = $1`, id).Scan(&level, &overdue, &transition); err != nil {
			t.Fatal(err)
		}
		if level != dispatch.TierTownship || !overdue || transition != "overdue" {
			t.Fatalf("petition %d: tier %d overdue=%v by %s; want flagged at the township", id, level, overdue, transition)
		}
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM outbox WHERE subject LIKE 'case.escalate.%' OR subject LIKE 'case.overdue.%'`); n != 50 {
		t.Fatalf("%d outbox rows for the timer's transitions; want 50", n)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE case_id = `+itoa(fx.caseID)+` AND actor_id IS NULL`); n != 0 {
		t.Fatal("a case with days to go was touched by the timer")
	}
	var lag float64
	if err := fx.db.Pool.QueryRow(ctx, `SELECT extract(epoch FROM max(h.at - p.deadline_at)) FROM case_history h
		JOIN case_history p ON p.case_id = h.case_id AND p.transition = 'reported' WHERE h.actor_id IS NULL`).Scan(&lag); err != nil {
		t.Fatal(err)
	}
	t.Logf("latest handling after its deadline: %.3f s", lag) // a figure, not an assertion (docs/benchmarks.md)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
