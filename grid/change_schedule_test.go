package grid_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// A change set reviewed now and scheduled is applied by the server when its day begins, not
// before; one whose apply is refused on the day (the grid changed meanwhile) is taken off the
// schedule with the reason, and an unscheduled draft waits for a person.
func TestScheduledChangeAppliesOnItsDay(t *testing.T) {
	t.Parallel()
	fx := newChangeFixture(t)
	ctx := context.Background()
	now := time.Now()
	day := now.AddDate(0, 0, 2)
	draftOn := func(title, code, name string) int64 {
		t.Helper()
		rep, err := fx.store.DraftChange(ctx, grid.ChangeRequest{Title: title, EffectiveOn: grid.CountyToday(day),
			Operations: []grid.ChangeOp{{Op: grid.OpRename, Code: code, Name: name}}})
		if err != nil {
			t.Fatalf("draft %s: %v %v", title, err, rep.Problems)
		}
		return rep.Change.ID
	}
	renamed := draftOn("更名", "140802002", "大渠镇")
	stale := draftOn("更名二", "140802001001", "东阜社区")
	waiting := draftOn("未排期", "140802001001001", "东阜村第1网格（新）")
	for _, id := range []int64{renamed, stale} {
		cs, err := fx.store.ScheduleChange(ctx, id, &fx.worker.ID)
		if err != nil || cs.ScheduledAt == nil || *cs.ScheduledBy != fx.worker.ID {
			t.Fatalf("schedule %d: %+v %v", id, cs, err)
		}
	}
	if _, err := fx.store.UnscheduleChange(ctx, waiting, nil); !errors.Is(err, grid.ErrChangeNotScheduled) {
		t.Fatalf("unscheduling a draft that was never scheduled: %v", err)
	}

	if done, err := fx.store.ApplyDueChanges(ctx, now); err != nil || len(done) != 0 {
		t.Fatalf("before the day: %v %v", done, err)
	}
	// Someone edits the village in QGIS after the review: its scheduled rename is now stale.
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE units SET name = '东阜村（QGIS）', updated_at = now() WHERE code = '140802001001'`); err != nil {
		t.Fatal(err)
	}
	done, err := fx.store.ApplyDueChanges(ctx, day)
	if err != nil || len(done) != 2 {
		t.Fatalf("on the day: %v %v", done, err)
	}
	if done[0].Refused != nil || !done[0].Report.Applied || done[0].Report.Change.ScheduledAt != nil || !errors.Is(done[1].Refused, grid.ErrChangeRefused) {
		t.Fatalf("on the day: applied %v, refused %v", done[0].Refused, done[1].Refused)
	}
	if u, err := fx.store.Unit(ctx, "140802002"); err != nil || u.Name != "大渠镇" {
		t.Fatalf("the scheduled rename: %q %v", u.Name, err)
	}
	cs, err := fx.store.Change(ctx, renamed)
	if err != nil || cs.State != grid.ChangeApplied || cs.ScheduledAt != nil || *cs.DecidedBy != fx.worker.ID {
		t.Fatalf("applied set: %+v %v", cs, err)
	}
	cs, err = fx.store.Change(ctx, stale)
	if err != nil || cs.State != grid.ChangeDraft || cs.ScheduledAt != nil || cs.ScheduleError == "" {
		t.Fatalf("refused set: %+v %v", cs, err)
	}
	if cs, _ := fx.store.Change(ctx, waiting); cs.State != grid.ChangeDraft {
		t.Fatalf("an unscheduled draft was applied: %+v", cs)
	}
	var refusals int
	if err := fx.db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'grid_change.schedule_refused' AND (detail->>'change')::bigint = $1`, stale).Scan(&refusals); err != nil || refusals != 1 {
		t.Fatalf("refusal audited %d times (%v)", refusals, err)
	}
	// A second round, as another process would run it, finds nothing left to do.
	if done, err := fx.store.ApplyDueChanges(ctx, day); err != nil || len(done) != 0 {
		t.Fatalf("second round: %v %v", done, err)
	}
}
