package web_test

import (
	"testing"
)

// The ratings' rows of the jurisdiction matrix (rating.go, docs/ratings.md), kept beside the
// ratings so that the matrix's own file need not change.
func init() {
	matrix = append(matrix,
		matrixRow{"GET /api/ratings/schemes", "member", everyone, getPath(func(matrixTarget) string { return "/api/ratings/schemes" })},
		matrixRow{"GET /api/ratings/overview", "figures-viewer", overseers, getPath(func(x matrixTarget) string { return "/api/ratings/overview?unit=" + x.unit })},
		matrixRow{"GET /api/ratings/map", "figures-viewer", overseers, getPath(func(x matrixTarget) string { return "/api/ratings/map?unit=" + x.unit })},
		matrixRow{"GET /api/ratings/ranking", "figures-viewer", overseers, getPath(func(x matrixTarget) string { return "/api/ratings/ranking?format=csv&unit=" + x.unit })},
		// The sheet is read by anyone assigned in or above the village (公示), grid workers of its
		// grids included; a village's entries are its mediator's or an administrator's above it.
		matrixRow{"GET /api/ratings/sheet", "member", "++ ++ +3 +3 +3 +3 +3 +3 +3", getPath(func(x matrixTarget) string { return "/api/ratings/sheet?unit=" + villageOf(x) })},
		// Not every photo is evidence: those who may read the sheet are told 404, others 403.
		matrixRow{"GET /api/ratings/evidence/{sha256}", "member", "44 44 43 43 43 43 43 43 43", getPath(func(x matrixTarget) string {
			return "/api/ratings/evidence/" + x.photo + "?unit=" + villageOf(x)
		})},
		matrixRow{"POST /api/ratings/actions", "member", "33 33 +3 33 33 33 33 +3 +3", tryRatingEntry},
		matrixRow{"GET /api/admin/rating-schemes", "admin", adminsOnly, getPath(func(matrixTarget) string { return "/api/admin/rating-schemes" })},
		matrixRow{"PUT /api/admin/rating-schemes/{code}", "county-admin", countyAdmins, send("PUT", "/api/admin/rating-schemes/matrix", matrixScheme)},
	)
}

// villageOf is the village a role reaches for: its own or its unit's first, which for the
// sibling township (no villages) and the other county is outside every role's subtree.
func villageOf(x matrixTarget) string {
	if len(x.unit) >= 12 {
		return x.unit[:12]
	}
	return (x.unit + "001001")[:12]
}

func tryRatingEntry(t *testing.T, c matrixCall) int {
	return status(t, c, "POST", "/api/ratings/actions?unit="+villageOf(c.target),
		`{"action": "enter", "entries": [{"code": "party_meetings", "value": 12, "note": "会议记录"}]}`)
}

const matrixScheme = `{"name": "测试", "kind": "flag", "period": "year", "notice_days": 5, "award_level": 1, "marks": [
	{"mark": 1, "name": "红旗", "pass_score": 80, "indicators": [{"code": "closure", "name": "办结率", "source": "computed",
	 "metric": "closure_rate", "unit_word": "%", "direction": "at_least", "threshold": 90, "weight": 100}]}]}`
