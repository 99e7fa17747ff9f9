package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// notified handles the case's outbox message of action a as the notifications consumer does
// and returns who it notified of that transition.
func notified(t *testing.T, fx *caseFixture, a dispatch.Action) []int64 {
	t.Helper()
	ctx := context.Background()
	var payload []byte
	var transition int64
	if err := fx.db.Pool.QueryRow(ctx, `SELECT o.payload::text, h.id FROM outbox o JOIN case_history h
		ON h.id = (o.payload->>'transition_id')::bigint WHERE h.case_id = $1 AND h.transition = $2
		ORDER BY h.id DESC LIMIT 1`, fx.caseID, string(a)).Scan(&payload, &transition); err != nil {
		t.Fatal(err)
	}
	n := dispatch.NewNotifier(fx.db.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := n.Handle(ctx, payload); err != nil {
		t.Fatal(err)
	}
	rows, err := fx.db.Pool.Query(ctx, `SELECT member_id FROM notifications WHERE transition_id = $1 AND kind = $2 ORDER BY member_id`,
		transition, string(a))
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// A 延期 request notifies the supervisors who may decide it (at the centre's unit or above),
// not the mediators; a hand-over of 领导包案 notifies the leader it is handed to, not the one
// handing it over nor the county's other leaders.
func TestNotificationsOfExtensionRequestsAndHandovers(t *testing.T) {
	t.Parallel()
	t.Run("extension request", func(t *testing.T) {
		fx := newCaseFixture(t, "neighbour")
		county := leaderOf(t, fx, "13900000031", "140802")
		other := leaderOf(t, fx, "13900000032", "140802002") // another township's supervisor
		fx.must(t, fx.village, dispatch.ActAccept, "")
		fx.must(t, fx.village, dispatch.ActRequestExtension, "需等待鉴定结果", until(fx.deadline(t).Add(48*time.Hour)))
		got := notified(t, fx, dispatch.ActRequestExtension)
		want := []int64{fx.supervisor.ID, county.ID}
		slices.Sort(want)
		if !slices.Equal(got, want) || slices.Contains(got, other.ID) {
			t.Fatalf("notified %v; want the township's and the county's supervisors %v", got, want)
		}
	})
	t.Run("leader hand-over", func(t *testing.T) {
		fx := newCaseFixture(t, "neighbour")
		first := leaderOf(t, fx, "13900000021", "140802")
		second := leaderOf(t, fx, "13900000022", "140802")
		leaderOf(t, fx, "13900000023", "140802")
		fx.must(t, fx.village, dispatch.ActAccept, "", grade(dispatch.GradeDifficult, false))
		fx.must(t, first, dispatch.ActLead, "")
		fx.must(t, first, dispatch.ActLeadHandover, "调任，移交分管领导", toMember(second.ID))
		if got := notified(t, fx, dispatch.ActLeadHandover); !slices.Equal(got, []int64{second.ID}) {
			t.Fatalf("notified %v; want the new owner %d only", got, second.ID)
		}
	})
}
