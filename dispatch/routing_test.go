package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// A village without a mediation room: its reports start at the township, the history says why,
// and a township cannot return a case to it.
func TestVillageWithoutCentreRoutesToTheTownship(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour") // one case already queued at the village
	ctx := context.Background()
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE units SET has_centre = false WHERE code = '140802001001'`); err != nil {
		t.Fatal(err)
	}
	loc, err := grid.NewStore(fx.db.Pool).NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		t.Fatal(err)
	}
	in := dispatch.NewIntake(fx.db.Pool, loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := in.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rc, err := in.Submit(ctx, fx.report(t))
	if err != nil {
		t.Fatal(err)
	}
	if rc.Level != dispatch.TierTownship {
		t.Fatalf("receipt at tier %d; want the township (2)", rc.Level)
	}
	var centre, reason string
	if err := fx.db.Pool.QueryRow(ctx, `SELECT c.centre_code, h.reason FROM cases c JOIN case_history h ON h.case_id = c.id
		WHERE c.id = $1`, rc.CaseID).Scan(&centre, &reason); err != nil {
		t.Fatal(err)
	}
	if centre != "140802001" || !strings.Contains(reason, "140802001001") || !strings.Contains(reason, "未设调解室") {
		t.Fatalf("routed to %s with reason %q", centre, reason)
	}
	// The case queued before the change is at the village, which has no centre any more: the
	// township cannot return anything there either.
	other := fx.caseID
	fx.caseID = rc.CaseID
	fx.must(t, fx.township, dispatch.ActAccept, "")
	fx.refused(t, dispatch.ErrNoTierThatWay, fx.township, dispatch.ActReturn, "请村里处理")
	fx.caseID = other
	fx.must(t, fx.village, dispatch.ActTransfer, "当事人住邻村", toCentre("140802001002"))
	fx.refused(t, dispatch.ErrUnknownCentre, fx.neighbour, dispatch.ActTransfer, "转回", toCentre("140802001001"))
	fx.must(t, fx.neighbour, dispatch.ActAccept, "")
	fx.must(t, fx.neighbour, dispatch.ActMediate, "调解一次")
	if v := fx.must(t, fx.neighbour, dispatch.ActEscalate, "上报"); v.Centre != "140802001" {
		t.Fatalf("escalated to %s", v.Centre)
	}
}

// deadlineIn is how far in the future the case's deadline is, or -1 without one.
func deadlineIn(t *testing.T, fx *caseFixture) time.Duration {
	t.Helper()
	var d *time.Duration
	var secs *float64
	if err := fx.db.Pool.QueryRow(context.Background(), `SELECT extract(epoch FROM deadline_at - now())::float8
		FROM cases WHERE id = $1`, fx.caseID).Scan(&secs); err != nil {
		t.Fatal(err)
	}
	if secs == nil {
		return -1
	}
	v := time.Duration(*secs * float64(time.Second))
	d = &v
	return *d
}

func near(got, want time.Duration) bool { return got > want-time.Minute && got <= want }

// Each tier's deadline comes from the category; settling stops the clock, rework restarts it.
func TestDeadlinesFollowTheTier(t *testing.T) {
	t.Parallel()
	fx := newCaseFixture(t, "neighbour")
	if d := deadlineIn(t, fx); !near(d, 7*24*time.Hour) {
		t.Fatalf("village deadline in %s; want 7 days", d)
	}
	fx.must(t, fx.village, dispatch.ActAccept, "")
	fx.must(t, fx.village, dispatch.ActMediate, "调解")
	fx.must(t, fx.village, dispatch.ActEscalate, "上报")
	if d := deadlineIn(t, fx); !near(d, 15*24*time.Hour) {
		t.Fatalf("township deadline in %s; want 15 days", d)
	}
	fx.must(t, fx.township, dispatch.ActAccept, "")
	fx.must(t, fx.township, dispatch.ActMediate, "调解")
	fx.must(t, fx.township, dispatch.ActSettle, "达成协议", outcome(dispatch.OutcomeMediated))
	if d := deadlineIn(t, fx); d != -1 {
		t.Fatalf("a case awaiting verification has a deadline in %s", d)
	}
	fx.must(t, fx.worker, dispatch.ActRework, "未履行")
	if d := deadlineIn(t, fx); !near(d, 15*24*time.Hour) {
		t.Fatalf("reworked case's deadline in %s; want a fresh 15 days", d)
	}
	// Every transition that set a deadline recorded it.
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE deadline_at IS NOT NULL`); n < 3 {
		t.Fatalf("%d history rows record a deadline", n)
	}

	urgent := newCaseFixture(t, "gas") // a hazard, township tier, urgent: two hours
	if _, err := urgent.db.Pool.Exec(context.Background(), `UPDATE cases SET severity = 'urgent'`); err != nil {
		t.Fatal(err)
	}
	urgent.must(t, urgent.township, dispatch.ActReturn, "村里先排查")
	if d := deadlineIn(t, urgent); !near(d, 2*time.Hour) {
		t.Fatalf("urgent village deadline in %s; want 2 hours", d)
	}
}
