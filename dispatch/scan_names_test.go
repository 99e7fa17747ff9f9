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
		{Name: "queue", Query: selectQueue, Row: CaseSummary{}},
		{Name: "staff verifications", Query: selectStaffVerifications, Row: CaseSummary{}},
		{Name: "callbacks", Query: selectCallbacks, Row: CaseSummary{}},
		{Name: "declined below", Query: selectDeclinedBelow, Row: CaseSummary{}},
		{Name: "detail", Query: selectDetail, Row: CaseDetail{}},
		{Name: "history", Query: selectHistory, Row: HistoryEntry{}},
		{Name: "transfer targets", Query: selectTransferTargets, Row: grid.UnitRef{}},
		{Name: "declines to rule", Query: selectDeclinesToRule, Row: declineToRuleRow{}},
		{Name: "pending extensions", Query: selectPendingExtensions, Row: extensionRequestRow{}},
		{Name: "notifications", Query: selectNotifications, Row: Notification{}},
		{Name: "repeated declines", Query: selectRepeatedDeclines, Row: DeclinedCase{}},
		{Name: "county leaders", Query: selectCountyLeaders, Row: LeaderRef{}},
		{Name: "merged reports", Query: selectMergedReports, Row: mergedReportRow{}},
		{Name: "reports by", Query: selectReportsBy, Row: ReportStatus{}},
		{Name: "categories", Query: selectCategories, Row: categoryRow{}},
	})
}
