package web_test

import (
	"strings"
	"testing"
	"time"
)

// The monthly audit's read routes in the jurisdiction matrix (points_audit.go): a supervisor or
// administrator of the township or its county reads; everyone else is refused (403).
func init() {
	matrix = append(matrix,
		matrixRow{"GET /api/points/months", "member", "33 33 33 33 33 +3 +3 +3 +3", tryAuditMonths},
		matrixRow{"GET /api/points/rows", "member", "33 33 33 33 33 +3 +3 +3 +3", tryAuditRows},
	)
}

// auditGrid is the grid a read of the audit reaches for: inside every role's subtree, or in the
// township next to it (the other county's, for the county's roles), as tryConfirmMonth's.
func auditGrid(c matrixCall) string {
	g := pointsGrid(c)
	if g[:9] == "140802001" && c.target.unit != "" && !strings.HasPrefix("140802001001001", c.target.unit) {
		return "140802002001001"
	}
	return g
}

func tryAuditMonths(t *testing.T, c matrixCall) int {
	return status(t, c, "GET", "/api/points/months?unit="+auditGrid(c)[:9]+"&year="+time.Now().Format("2006"), "")
}

func tryAuditRows(t *testing.T, c matrixCall) int {
	return status(t, c, "GET", "/api/points/rows?unit="+auditGrid(c)+"&month="+time.Now().AddDate(0, -1, 0).Format("2006-01"), "")
}
