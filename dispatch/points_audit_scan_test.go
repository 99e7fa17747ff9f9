package dispatch

import (
	"testing"

	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestPointsAuditScannedByName is TestScannedByName for the monthly audit's queries.
func TestPointsAuditScannedByName(t *testing.T) {
	t.Parallel()
	dbtest.CheckScannedByName(t, []dbtest.Scanned{
		{Name: "audit months", Query: auditMonths, Row: PointAuditMonth{}},
		{Name: "audit rows", Query: auditRows, Row: PointAuditRow{}},
		{Name: "audit workers", Query: auditWorkers, Row: PointAuditWorker{}},
	})
}
