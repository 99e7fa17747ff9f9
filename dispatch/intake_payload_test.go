package dispatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestIntakePublishesItsEvents: what the intake's outbox rows publish, once the relay has sent
// them, is what consumers decode: a CaseEvent for a located report (queued at a centre, or
// closed on the spot), an UnlocatedEvent for one outside the grid. Decoded strictly (no member
// the struct lacks), each has every field the intake knows set, to the values stored, and has
// the members encoding/json writes for that struct and no others: the payload is encoded from
// the Go struct, with only the ids and times of the statement set in SQL.
func TestIntakePublishesItsEvents(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus := liveBus(t, logger)
	var mu sync.Mutex
	got := map[string][][]byte{}
	for _, subject := range []string{dispatch.SubjectCases, dispatch.SubjectUnlocated} {
		err := bus.ConsumeDurable(ctx, "payload_test_"+subject[:4], subject, func(_ context.Context, data []byte) error {
			mu.Lock()
			defer mu.Unlock()
			got[subject] = append(got[subject], slices.Clone(data))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	relay := dispatch.NewRelay(fx.db.Pool, bus, logger)
	if err := relay.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer relay.Close()

	queued, onSpot, outside := fx.report(t), fx.report(t), fx.report(t)
	onSpot.Category, onSpot.HandledOnSpot, onSpot.OnSpotNote = "street_light", true, "已更换灯泡"
	outside.Lon, outside.Lat = 116.4, 39.9
	receipts := map[int64]dispatch.Receipt{}
	for _, r := range []dispatch.Report{queued, onSpot, outside} {
		rc, err := fx.intake.Submit(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		receipts[rc.EventID] = rc
	}
	gridtest.Eventually(t, "two case events and one unlocated event published", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got[dispatch.SubjectCases]) == 2 && len(got[dispatch.SubjectUnlocated]) == 1
	})

	for _, data := range got[dispatch.SubjectCases] {
		var ev dispatch.CaseEvent
		strictDecode(t, data, &ev)
		sameMembers(t, data, ev)
		want := storedEvent(t, fx, ev.CaseID)
		if !sameEvent(ev, want) {
			t.Errorf("published %+v\nstored    %+v", ev, want)
		}
		rc := receipts[ev.EventID]
		closed := ev.State == dispatch.StateClosed
		switch {
		case ev.TransitionID == 0 || ev.CaseID != rc.CaseID || ev.EventID == 0 || ev.Centre == "" || ev.Unit == "" || ev.UnitName == "" ||
			ev.Category == "" || ev.Severity == "" || ev.Reporter != fx.worker.ID || ev.Actor != fx.worker.ID || ev.Version != 1 ||
			ev.OpenedAt.IsZero() || ev.At.IsZero() || ev.Level != rc.Level || string(ev.State) != rc.State:
			t.Errorf("a field the intake knows is not set: %+v (receipt %+v)", ev, rc)
		case closed && (ev.Action != "closed" || ev.Level != dispatch.TierGrid || ev.Reason != "handled on the spot" ||
			ev.DeadlineAt != nil || ev.DeadlineClock != ""):
			t.Errorf("closed on the spot: %+v", ev)
		case !closed && (ev.Action != "reported" || ev.Level != dispatch.TierVillage || ev.DeadlineAt == nil ||
			ev.DeadlineClock != string(dispatch.ClockCalendar)):
			t.Errorf("queued: %+v", ev)
		}
	}

	data := got[dispatch.SubjectUnlocated][0]
	var un dispatch.UnlocatedEvent
	strictDecode(t, data, &un)
	sameMembers(t, data, un)
	if rc, ok := receipts[un.EventID]; !ok || rc.Located || un.Category != outside.Category || un.Reporter != fx.worker.ID {
		t.Errorf("unlocated event %+v; want event %d of category %s by %d", un, un.EventID, outside.Category, fx.worker.ID)
	}
}

func strictDecode(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s does not decode into %T: %v", data, v, err)
	}
}

// sameMembers: the payload has the members encoding/json writes for v, and no others.
func sameMembers(t *testing.T, data []byte, v any) {
	t.Helper()
	again, _ := json.Marshal(v)
	var published, encoded map[string]any
	json.Unmarshal(data, &published)
	json.Unmarshal(again, &encoded)
	p, e := slices.Sorted(maps.Keys(published)), slices.Sorted(maps.Keys(encoded))
	if !slices.Equal(p, e) {
		t.Errorf("%T published with members %v\nencoding/json writes      %v", v, p, e)
	}
}

// storedEvent is the CaseEvent of a case's first history row, as the database holds it.
func storedEvent(t *testing.T, fx intakeFixture, caseID int64) dispatch.CaseEvent {
	t.Helper()
	var ev dispatch.CaseEvent
	var clock *string
	err := fx.db.Pool.QueryRow(context.Background(), `
		SELECT h.id, c.id, c.event_id, h.transition, c.state, c.level, c.centre_code, c.unit_code, u.name, e.category,
		       c.severity, e.reporter_id, h.actor_id, c.version, h.reason, c.opened_at, c.deadline_at, h.at, c.deadline_clock
		FROM cases c JOIN case_history h ON h.case_id = c.id JOIN events e ON e.id = c.event_id JOIN units u ON u.code = c.unit_code
		WHERE c.id = $1`, caseID).Scan(&ev.TransitionID, &ev.CaseID, &ev.EventID, &ev.Action, &ev.State, &ev.Level, &ev.Centre,
		&ev.Unit, &ev.UnitName, &ev.Category, &ev.Severity, &ev.Reporter, &ev.Actor, &ev.Version, &ev.Reason, &ev.OpenedAt,
		&ev.DeadlineAt, &ev.At, &clock)
	if err != nil {
		t.Fatal(err)
	}
	if clock != nil {
		ev.DeadlineClock = *clock
	}
	return ev
}

func sameEvent(a, b dispatch.CaseEvent) bool {
	sameTime := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	if !a.OpenedAt.Equal(b.OpenedAt) || !a.At.Equal(b.At) || !sameTime(a.DeadlineAt, b.DeadlineAt) {
		return false
	}
	a.OpenedAt, a.At, a.DeadlineAt = b.OpenedAt, b.At, b.DeadlineAt
	return a == b
}
