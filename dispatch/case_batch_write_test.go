package dispatch_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
)

// A batch's plain transitions are written by one statement (case_record.go), the others (here
// one with a photo) by their own, and a case that does not exist is answered alone: each
// committed transition gets its own history row and outbox row, and the id it is answered with
// is the one its row and its message carry.
func TestBatchWritesEachTransitionToItsOwnCase(t *testing.T) {
	t.Parallel()
	fx, ids := batchFixture(t, 5)
	ctx := context.Background()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	photo, err := dispatch.NewPhotos(t.TempDir(), fx.db.Pool).Save(ctx, fx.village.ID, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	ts := accepts(fx, ids)
	ts[2].Photos = []string{photo.SHA256}
	ts = append(ts, dispatch.Transition{CaseID: ids[4] + 1000, Version: 1, Action: dispatch.ActAccept, ActorID: fx.village.ID})
	got := applyTogether(t, fx.cases, ts)

	if !errors.Is(got[5].err, dispatch.ErrCaseNotFound) {
		t.Fatalf("a case that does not exist: %+v, %v", got[5].view, got[5].err)
	}
	seen := map[int64]bool{}
	for i, r := range got[:5] {
		if r.err != nil || r.view.ID != ids[i] || r.view.Version != 2 || r.view.State != dispatch.StateAccepted {
			t.Fatalf("transition %d: %+v, %v", i, r.view, r.err)
		}
		if seen[r.view.TransitionID] {
			t.Fatalf("transition id %d answered twice", r.view.TransitionID)
		}
		seen[r.view.TransitionID] = true
		var caseID, published int64
		var action, state string
		var photos int
		if err := fx.db.Pool.QueryRow(ctx, `SELECT h.case_id, h.transition, c.state,
				(SELECT count(*) FROM case_history_photos p WHERE p.history_id = h.id),
				(SELECT (o.payload->>'case_id')::bigint FROM outbox o WHERE (o.payload->>'transition_id')::bigint = h.id)
			FROM case_history h JOIN cases c ON c.id = h.case_id WHERE h.id = $1`, r.view.TransitionID).
			Scan(&caseID, &action, &state, &photos, &published); err != nil {
			t.Fatalf("transition %d's rows: %v", i, err)
		}
		wantPhotos := 0
		if i == 2 {
			wantPhotos = 1
		}
		if caseID != ids[i] || action != "accept" || state != "accepted" || published != ids[i] || photos != wantPhotos {
			t.Fatalf("transition %d (case %d): history of case %d (%s, %d photos), case %s, message of case %d",
				i, ids[i], caseID, action, photos, state, published)
		}
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM case_history WHERE transition = 'accept'`); n != 5 {
		t.Fatalf("%d accepts recorded; want 5", n)
	}
}
