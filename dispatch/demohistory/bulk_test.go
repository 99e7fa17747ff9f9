package demohistory

import (
	"context"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// A bulk load killed after dropping its constraints leaves case_history's comment; the next
// demo load finds it and restores them, and only then.
func TestHistoryRestoreAfterAKilledBulkLoad(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	gridtest.Import(t, grid.NewStore(db.Pool))
	if restored, err := RestoreAfterLoad(ctx, db.Pool); err != nil || restored {
		t.Fatalf("nothing to restore: %v %v", restored, err)
	}
	if dropped, err := dropForBulk(ctx, db.Pool); err != nil || !dropped {
		t.Fatalf("drop: %v %v", dropped, err)
	}
	if dropped, err := dropForBulk(ctx, db.Pool); err != nil || dropped {
		t.Fatalf("dropped twice: %v %v", dropped, err)
	}
	found, err := readBulkObjects(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range historyBulkObjects {
		if found[o.name].exists {
			t.Errorf("%s not dropped", o.name)
		}
	}
	if restored, err := RestoreAfterLoad(ctx, db.Pool); err != nil || !restored {
		t.Fatalf("restore: %v %v", restored, err)
	}
	if found, err = readBulkObjects(ctx, db.Pool); err != nil {
		t.Fatal(err)
	}
	for _, o := range historyBulkObjects {
		if s := found[o.name]; !s.exists || !s.validated || s.def != o.def {
			t.Errorf("%s after the restore: %+v", o.name, s)
		}
	}
	if restored, err := RestoreAfterLoad(ctx, db.Pool); err != nil || restored {
		t.Fatalf("restored twice: %v %v", restored, err)
	}
}
