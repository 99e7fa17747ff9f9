package dispatch

import (
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestScannedByName: the exported structs read from the database are read by their columns'
// names (pgx.RowToStructByName), so a query's columns and the struct's db tags must be the
// same set: each column named once, for a field tagged with its name. A column added to a query,
// or a field to a struct, fails here (and in RowToStructByName) rather than shifting the values
// of the fields after it, as a scan by position would.
func TestScannedByName(t *testing.T) {
	t.Parallel()
	dbtest.CheckScannedByName(t, []dbtest.Scanned{
		{"queue", selectQueue, CaseSummary{}},
		{"staff verifications", selectStaffVerifications, CaseSummary{}},
		{"callbacks", selectCallbacks, CaseSummary{}},
		{"declined below", selectDeclinedBelow, CaseSummary{}},
		{"detail", selectDetail, CaseDetail{}},
		{"history", selectHistory, HistoryEntry{}},
		{"transfer targets", selectTransferTargets, grid.UnitRef{}},
		{"declines to rule", selectDeclinesToRule, declineToRuleRow{}},
		{"pending extensions", selectPendingExtensions, extensionRequestRow{}},
		{"notifications", selectNotifications, Notification{}},
		{"repeated declines", selectRepeatedDeclines, DeclinedCase{}},
		{"county leaders", selectCountyLeaders, LeaderRef{}},
		{"merged reports", selectMergedReports, mergedReportRow{}},
		{"reports by", selectReportsBy, ReportStatus{}},
		{"categories", selectCategories, categoryRow{}},
	})
}
