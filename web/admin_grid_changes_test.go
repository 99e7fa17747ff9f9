package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// splitInto is grid 140802001001002 (111.05-111.1, 35.0-35.1) cut in two at 111.075.
const splitInto = `{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"code": "140802001001003", "name": "东阜村第3网格", "level": 4, "parent_code": "140802001001"},
  "geometry": {"type": "Polygon", "coordinates": [[[111.05, 35.0], [111.075, 35.0], [111.075, 35.1], [111.05, 35.1], [111.05, 35.0]]]}},
 {"type": "Feature", "properties": {"code": "140802001001004", "name": "东阜村第4网格", "level": 4, "parent_code": "140802001001"},
  "geometry": {"type": "Polygon", "coordinates": [[[111.075, 35.0], [111.1, 35.0], [111.1, 35.1], [111.075, 35.1], [111.075, 35.0]]]}}]}`

// TestAdminGridChangesSplit: a township administrator splits a grid that has an open case
// through the change routes; the retired grid keeps its case, shown with its successors; the
// other township's administrator can neither see nor apply the change.
func TestAdminGridChangesSplit(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	township := fx.member(t, "13900000261", "140802001", grid.RoleAdmin)
	other := fx.member(t, "13900000262", "140802002", grid.RoleAdmin)
	rc, err := fx.intake.Submit(t.Context(), dispatch.Report{ClientID: newClientID(), ReporterID: memberID(t, fx, "13900000001"),
		Category: "neighbour", Severity: "normal", Description: "分割前", Lon: 111.07, Lat: 35.04, HappenedAt: time.Now().Add(-time.Hour)})
	if err != nil || rc.CaseID == 0 {
		t.Fatalf("report: %+v %v", rc, err)
	}

	draft := call(t, "POST", fx.base+"/api/admin/grid/changes", township,
		`{"title": "东阜村第2网格拆分", "split": {"code": "140802001001002", "into": `+splitInto+`}}`)
	change, _ := draft.body["change"].(map[string]any)
	if draft.status != http.StatusCreated || change["root_code"] != "140802001001" || change["state"] != "draft" ||
		len(draft.body["added"].([]any)) != 2 || draft.body["refusing"] != 0.0 || draft.body["map"] == nil {
		t.Fatalf("draft: %d %v", draft.status, draft.body)
	}
	id := fmt.Sprint(change["id"])
	if r := call(t, "GET", fx.base+"/api/admin/grid/changes?root=140802001", township, ""); r.status != http.StatusOK || len(r.body["changes"].([]any)) != 1 {
		t.Fatalf("list: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", fx.base+"/api/admin/grid/changes/"+id, township, ""); r.status != http.StatusOK || len(r.body["retired"].([]any)) != 1 {
		t.Fatalf("preview: %d %v", r.status, r.body)
	}
	for _, tc := range []refusal{
		{"preview outside", "GET", "/api/admin/grid/changes/" + id, other, "", 403, "forbidden", ""},
		{"apply outside", "POST", "/api/admin/grid/changes/" + id + "/apply", other, "", 403, "forbidden", ""},
		{"list outside", "GET", "/api/admin/grid/changes?root=140802001", other, "", 403, "forbidden", ""},
		{"no such change", "GET", "/api/admin/grid/changes/999999", township, "", 404, "not_found", ""},
		{"draft outside", "POST", "/api/admin/grid/changes", other, `{"title": "越界", "split": {"code": "140802001001002", "into": ` + splitInto + `}}`, 403, "forbidden", ""},
		{"draft of an unknown unit", "POST", "/api/admin/grid/changes", township, `{"title": "无此网格", "operations": [{"op": "rename", "code": "140802001001009", "name": "甲"}]}`, 422, "change_invalid", ""},
		{"draft without a title", "POST", "/api/admin/grid/changes", township, `{"title": "", "operations": [{"op": "rename", "code": "140802001001001", "name": "甲"}]}`, 422, "change_invalid", ""},
		{"split into no GeoJSON", "POST", "/api/admin/grid/changes", township, `{"title": "甲", "split": {"code": "140802001001002", "into": {"type": "Feature"}}}`, 400, "bad_request", "split.into"},
		{"apply with an unknown option", "POST", "/api/admin/grid/changes/" + id + "/apply", township, `{"force": true}`, 400, "bad_request", "force"},
	} {
		tc.check(t, fx.base)
	}
	if r := call(t, "POST", fx.base+"/api/admin/grid/changes", township, `{"title": "无此网格", "operations": [{"op": "rename", "code": "140802001001009", "name": "甲"}]}`); len(r.body["problems"].([]any)) == 0 {
		t.Fatalf("an invalid draft's report has no problems: %v", r.body)
	}

	applied := call(t, "POST", fx.base+"/api/admin/grid/changes/"+id+"/apply", township, "")
	if applied.status != http.StatusOK || applied.body["applied"] != true || applied.body["open_cases_kept"] != 1.0 {
		t.Fatalf("apply: %d %v", applied.status, applied.body)
	}
	for _, tc := range []refusal{
		{"apply twice", "POST", "/api/admin/grid/changes/" + id + "/apply", township, "", 409, "change_decided", ""},
		{"discard what was applied", "POST", "/api/admin/grid/changes/" + id + "/discard", township, "", 409, "change_decided", ""},
	} {
		tc.check(t, fx.base)
	}

	// The retired grid keeps its case, with its successors, where the tree asks for it.
	r := call(t, "GET", fx.base+"/api/admin/units/140802001001002", township, "")
	if r.status != http.StatusOK || r.body["retired_at"] == nil || r.body["cases"] != 1.0 || r.body["open_cases"] != 1.0 ||
		fmt.Sprint(r.body["successors"]) != "[140802001001003 140802001001004]" {
		t.Fatalf("the retired grid: %d %v", r.status, r.body)
	}
	codes := func(r response) (out []string) {
		for _, u := range r.body["units"].([]any) {
			out = append(out, u.(map[string]any)["code"].(string))
		}
		return out
	}
	if got := codes(call(t, "GET", fx.base+"/api/admin/units?parent=140802001001", township, "")); fmt.Sprint(got) != "[140802001001001 140802001001003 140802001001004]" {
		t.Fatalf("current grids: %v", got)
	}
	withRetired := call(t, "GET", fx.base+"/api/admin/units?parent=140802001001&retired=1", township, "")
	if got := codes(withRetired); len(got) != 4 {
		t.Fatalf("grids with the retired: %v", got)
	}
	if village := call(t, "GET", fx.base+"/api/admin/units", township, ""); fmt.Sprint(codes(village)) != "[140802001]" ||
		village.body["units"].([]any)[0].(map[string]any)["cases"] != 1.0 {
		t.Fatalf("the administrator's own units: %v", village.body)
	}
	if found := call(t, "GET", fx.base+"/api/admin/units/search?q=东阜村第&retired=1", township, ""); len(codes(found)) != 6 {
		t.Fatalf("search: %v", found.body)
	}
	outlines := call(t, "GET", fx.base+"/api/admin/outlines?parent=140802001001&retired=1", township, "")
	retired := 0
	for _, f := range outlines.body["features"].([]any) {
		if f.(map[string]any)["properties"].(map[string]any)["retired"] == true {
			retired++
		}
	}
	if outlines.status != http.StatusOK || len(outlines.body["features"].([]any)) != 5 || retired != 1 {
		t.Fatalf("outlines: %d %v", outlines.status, outlines.body)
	}

	// The two new grids merged back into one, drafted: a Feature for into.
	merge := call(t, "POST", fx.base+"/api/admin/grid/changes", township, `{"title": "合并", "merge": {"codes": ["140802001001003", "140802001001004"],
		"into": {"type": "Feature", "properties": {"code": "140802001001005", "name": "东阜村第5网格", "level": 4, "parent_code": "140802001001"},
		         "geometry": {"type": "Polygon", "coordinates": [[[111.05, 35.0], [111.1, 35.0], [111.1, 35.1], [111.05, 35.1], [111.05, 35.0]]]}}}}`)
	if merge.status != http.StatusCreated || len(merge.body["retired"].([]any)) != 2 || fmt.Sprint(merge.body["added"]) != "[140802001001005]" {
		t.Fatalf("merge: %d %v", merge.status, merge.body)
	}

	// A change for tomorrow waits for its day; a draft can be discarded.
	tomorrow := time.Now().Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	later := call(t, "POST", fx.base+"/api/admin/grid/changes", township,
		`{"title": "改名", "effective_on": "`+tomorrow+`", "operations": [{"op": "rename", "code": "140802001001001", "name": "东阜村一网格"}]}`)
	if later.status != http.StatusCreated {
		t.Fatalf("draft for tomorrow: %d %v", later.status, later.body)
	}
	laterID := fmt.Sprint(later.body["change"].(map[string]any)["id"])
	refusal{"apply before its day", "POST", "/api/admin/grid/changes/" + laterID + "/apply", township, "", 409, "change_not_due", ""}.check(t, fx.base)
	// Scheduled instead, for the server to apply when the day begins; then taken off again.
	if r := call(t, "POST", fx.base+"/api/admin/grid/changes/"+laterID+"/schedule", township, ""); r.status != http.StatusOK || r.body["scheduled_at"] == nil {
		t.Fatalf("schedule: %d %v", r.status, r.body)
	}
	refusal{"schedule outside", "POST", "/api/admin/grid/changes/" + laterID + "/schedule", other, "", 403, "forbidden", ""}.check(t, fx.base)
	if r := call(t, "POST", fx.base+"/api/admin/grid/changes/"+laterID+"/unschedule", township, ""); r.status != http.StatusOK || r.body["scheduled_at"] != nil {
		t.Fatalf("unschedule: %d %v", r.status, r.body)
	}
	refusal{"unschedule twice", "POST", "/api/admin/grid/changes/" + laterID + "/unschedule", township, "", 409, "change_not_scheduled", ""}.check(t, fx.base)
	refusal{"schedule what was applied", "POST", "/api/admin/grid/changes/" + id + "/schedule", township, "", 409, "change_decided", ""}.check(t, fx.base)
	if r := call(t, "POST", fx.base+"/api/admin/grid/changes/"+laterID+"/discard", township, ""); r.status != http.StatusNoContent {
		t.Fatalf("discard: %d %v", r.status, r.body)
	}
}
