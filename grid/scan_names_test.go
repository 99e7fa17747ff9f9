package grid

import (
	"testing"

	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestScannedByName: grid's exported structs read with pgx.RowToStructByName have a db tag for
// each of their queries' columns and no other (dispatch's TestScannedByName says why).
func TestScannedByName(t *testing.T) {
	t.Parallel()
	dbtest.CheckScannedByName(t, []dbtest.Scanned{
		{"assignments", selectAssignments, Assignment{}},
		{"staff", selectStaff, Staff{}},
		{"children", selectChildren, UnitRef{}},
		{"children during", selectChildrenDuring, ChildUnit{}},
		{"audit", selectAudit, AuditEntry{}},
		{"units", selectUnitInfos, UnitInfo{}},
		{"retired units", retireUnits, RetiredUnit{}},
		{"retired assignments", selectRetiredAssignments, AssignmentMove{}},
	})
}
