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
		{Name: "assignments", Query: selectAssignments, Row: Assignment{}},
		{Name: "staff", Query: selectStaff, Row: Staff{}},
		{Name: "children", Query: selectChildren, Row: UnitRef{}},
		{Name: "children during", Query: selectChildrenDuring, Row: ChildUnit{}},
		{Name: "audit", Query: selectAudit, Row: AuditEntry{}},
		{Name: "units", Query: selectUnitInfos, Row: UnitInfo{}},
		{Name: "retired units", Query: retireUnits, Row: RetiredUnit{}},
		{Name: "retired assignments", Query: selectRetiredAssignments, Row: AssignmentMove{}},
	})
}
