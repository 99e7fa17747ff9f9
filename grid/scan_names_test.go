package grid

import (
	"testing"

	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestScannedByName: grid's exported structs read with pgx.RowToStructByName have a db tag for
// each of their queries' columns and no other (dispatch's TestScannedByName says why).
func TestScannedByName(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	for _, tc := range []struct {
		name  string
		query string
		row   any
	}{
		{"assignments", selectAssignments, Assignment{}},
		{"staff", selectStaff, Staff{}},
		{"children", selectChildren, UnitRef{}},
		{"children during", selectChildrenDuring, ChildUnit{}},
		{"audit", selectAudit, AuditEntry{}},
		{"units", selectUnitInfos, UnitInfo{}},
		{"retired units", retireUnits, RetiredUnit{}},
		{"retired assignments", selectRetiredAssignments, AssignmentMove{}},
	} {
		t.Run(tc.name, func(t *testing.T) { dbtest.CheckColumns(t, db, tc.query, tc.row) })
	}
}
