package dispatch

import (
	"testing"

	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// TestPointsScannedByName is TestScannedByName for the points supermarket's queries.
func TestPointsScannedByName(t *testing.T) {
	t.Parallel()
	dbtest.CheckScannedByName(t, []dbtest.Scanned{
		{Name: "market items", Query: selectItems, Row: MarketItem{}},
		{Name: "redemptions", Query: selectRedemptions, Row: Redemption{}},
		{Name: "workers", Query: selectWorkers, Row: WorkerBalance{}},
	})
}
