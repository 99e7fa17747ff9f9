package dispatch_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// dupReport files a report near the fixture's case (111.02, 35.02) and returns its case.
func (fx *caseFixture) dupReport(t *testing.T, reporter int64, category string, dLat float64) int64 {
	t.Helper()
	r := fx.report(t)
	r.ReporterID, r.Category, r.Lat = reporter, category, r.Lat+dLat
	rc, err := fx.intake.Submit(context.Background(), r)
	if err != nil || rc.CaseID == 0 {
		t.Fatalf("report: case %d, %v", rc.CaseID, err)
	}
	return rc.CaseID
}

func suggestedIDs(t *testing.T, fx *caseFixture, id int64) []int64 {
	t.Helper()
	list, err := fx.cases.Duplicates(context.Background(), id, dispatch.DefaultDuplicateWindow)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range list {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	return ids
}

// Suggestions: the same category within 100 m and 72 h, at the same centre, open, not marked
// distinct. 0.00045° of latitude is 50 m, 0.0018° 200 m.
func TestDuplicateSuggestions(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	ctx := context.Background()
	pool := fx.db.Pool
	near := fx.dupReport(t, fx.other.ID, "neighbour", 0.00045)
	far := fx.dupReport(t, fx.other.ID, "neighbour", 0.0018)
	otherCategory := fx.dupReport(t, fx.other.ID, "rubbish", 0)
	early := fx.dupReport(t, fx.other.ID, "neighbour", 0)
	beforeWindow := fx.dupReport(t, fx.other.ID, "neighbour", 0)
	elsewhere := fx.dupReport(t, fx.other.ID, "neighbour", 0)
	closed := fx.dupReport(t, fx.other.ID, "neighbour", 0)
	if _, err := pool.Exec(ctx, `UPDATE events e SET received_at = received_at - CASE c.id WHEN $1 THEN interval '71 hours'
		ELSE interval '73 hours' END FROM cases c WHERE c.event_id = e.id AND c.id IN ($1, $2)`, early, beforeWindow); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE cases SET centre_code = '140802001002' WHERE id = $1`, elsewhere); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE cases SET state = 'closed' WHERE id = $1`, closed); err != nil {
		t.Fatal(err)
	}
	if got, want := suggestedIDs(t, fx, fx.caseID), []int64{near, early}; !slices.Equal(got, want) {
		t.Fatalf("suggested %v, want %v (far %d, other category %d, before the window %d, other centre %d, closed %d)",
			got, want, far, otherCategory, beforeWindow, elsewhere, closed)
	}
	list, _ := fx.cases.Duplicates(ctx, fx.caseID, dispatch.DefaultDuplicateWindow)
	if list[0].ID != near && list[0].Metres > 1 || list[len(list)-1].Metres < 49 || list[len(list)-1].Metres > 51 {
		t.Errorf("nearest first with distances: %+v", list)
	}
	// A wider window finds the far one too.
	wide := dispatch.DuplicateWindow{Metres: 250, Within: dispatch.DefaultDuplicateWindow.Within}
	if l, _ := fx.cases.Duplicates(ctx, fx.caseID, wide); len(l) != 3 {
		t.Errorf("250 m: %d suggestions, want 3", len(l))
	}
	counts, err := fx.cases.DuplicateCounts(ctx, "140802001001", dispatch.DefaultDuplicateWindow)
	if err != nil {
		t.Fatal(err)
	}
	if counts[fx.caseID] != 2 || counts[near] != 2 || counts[far] != 0 || counts[otherCategory] != 0 {
		t.Errorf("counts %v", counts)
	}

	// Distinct: only a mediator of the case's centre, only with a case of the same centre.
	if err := fx.cases.MarkDistinct(ctx, fx.caseID, near, fx.neighbour.ID); !errors.Is(err, dispatch.ErrNotYours) {
		t.Fatalf("distinct by another centre's mediator: %v", err)
	}
	if err := fx.cases.MarkDistinct(ctx, fx.caseID, elsewhere, fx.village.ID); !errors.Is(err, dispatch.ErrNotYours) {
		t.Fatalf("distinct with another centre's case: %v", err)
	}
	if err := fx.cases.MarkDistinct(ctx, fx.caseID, fx.caseID, fx.village.ID); !errors.Is(err, dispatch.ErrBadTransition) {
		t.Fatalf("distinct with itself: %v", err)
	}
	for range 2 { // twice is no error
		if err := fx.cases.MarkDistinct(ctx, near, fx.caseID, fx.village.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := suggestedIDs(t, fx, fx.caseID); !slices.Equal(got, []int64{early}) {
		t.Fatalf("after distinct: %v, want [%d]", got, early)
	}
	if got := suggestedIDs(t, fx, near); !slices.Equal(got, []int64{early}) {
		t.Fatalf("after distinct, from the other side: %v, want [%d]", got, early)
	}
}

// Merging (并单): the centre merges a duplicate into its main case; the duplicate closes with a
// merge row and outbox row, its reporter is told, and follows the main case's settle and
// verification. Merges into anything but another open, unmerged case of the centre are refused.
func TestMergeMovesTheReporterToTheMainCase(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	ctx := context.Background()
	pool := fx.db.Pool
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus, err := dispatch.Connect(ctx, startNATS(t).ClientURL(), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	if err := bus.EnsureStreams(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dispatch.NewNotifier(pool, logger).Bind(ctx, bus); err != nil {
		t.Fatal(err)
	}
	relay := dispatch.NewRelay(pool, bus, logger)
	if err := relay.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(relay.Close)

	main := fx.caseID
	dup := fx.dupReport(t, fx.other.ID, "neighbour", 0.0002)
	elsewhere := fx.dupReport(t, fx.other.ID, "neighbour", 0.0002)
	if _, err := pool.Exec(ctx, `UPDATE cases SET centre_code = '140802001002' WHERE id = $1`, elsewhere); err != nil {
		t.Fatal(err)
	}
	fx.caseID = dup
	into := func(id int64) func(*dispatch.Transition) { return func(tr *dispatch.Transition) { tr.MergeInto = id } }
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActMerge, "")                  // no main case
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActMerge, "", into(dup))       // itself
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActMerge, "", into(elsewhere)) // another centre's
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActMerge, "", into(999999))    // none
	fx.refused(t, dispatch.ErrNotYours, fx.neighbour, dispatch.ActMerge, "", into(main))         // not the centre's mediator
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActAccept, "", into(main))     // merge_into on another action
	v := fx.must(t, fx.village, dispatch.ActMerge, "同一排水沟纠纷", into(main))
	if v.State != dispatch.StateClosed {
		t.Fatalf("merged duplicate is %s", v.State)
	}
	var mainID int64
	var transition string
	if err := pool.QueryRow(ctx, `SELECT g.main_id, h.transition FROM case_merges g JOIN case_history h ON h.id = g.history_id
		WHERE g.case_id = $1`, dup).Scan(&mainID, &transition); err != nil || mainID != main || transition != "merge" {
		t.Fatalf("case_merges: main %d, %q, %v", mainID, transition, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM outbox WHERE subject LIKE 'case.merge.%' AND payload->>'merged_into' = '`+itoa(main)+`'`); n != 1 {
		t.Fatalf("%d merge outbox rows", n)
	}
	if got := suggestedIDs(t, fx, main); len(got) != 0 {
		t.Errorf("a merged case is still suggested: %v", got)
	}

	// The main case cannot now be merged elsewhere (it has followers), nor anything into the merged one.
	other := fx.dupReport(t, fx.worker.ID, "neighbour", 0.0001)
	fx.caseID = main
	fx.refused(t, dispatch.ErrNotAllowed, fx.village, dispatch.ActMerge, "", into(other))
	fx.caseID = other
	fx.refused(t, dispatch.ErrBadTransition, fx.village, dispatch.ActMerge, "", into(dup))

	// The main case is settled and verified: the duplicate's reporter hears both.
	fx.caseID = main
	fx.must(t, fx.village, dispatch.ActAccept, "")
	fx.must(t, fx.village, dispatch.ActMediate, "调解一次")
	fx.must(t, fx.village, dispatch.ActSettle, "达成协议", outcome(dispatch.OutcomeMediated))
	fx.must(t, fx.worker, dispatch.ActVerify, "")
	kinds := func(member int64, caseID int64) []string {
		rows, err := pool.Query(ctx, `SELECT kind FROM notifications WHERE member_id = $1 AND case_id = $2 ORDER BY id`, member, caseID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			out = append(out, k)
		}
		return out
	}
	gridtest.Eventually(t, "the duplicate's reporter told of the merge, the settle and the verification", func() bool {
		return len(kinds(fx.other.ID, dup)) == 1 && len(kinds(fx.other.ID, main)) == 2
	})
	if got := kinds(fx.other.ID, dup); !slices.Equal(got, []string{"merge"}) {
		t.Errorf("duplicate's reporter on the duplicate: %v", got)
	}
	if got := kinds(fx.other.ID, main); !slices.Equal(got, []string{"settle", "verify"}) {
		t.Errorf("duplicate's reporter on the main case: %v", got)
	}
	if got := kinds(fx.worker.ID, main); !slices.Equal(got, []string{"settle"}) {
		t.Errorf("main case's reporter (who verified): %v", got)
	}
}
