package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
)

// TestAdminApp is issue 14's "done when" for the admin app, in real Chromium. A county
// administrator of 140802 signs in with a one-time code and chooses a password, then:
// (a) uploads micro-grids for 东阜村第2网格 drawn in GCJ-02 with a self-intersecting polygon, a
// unit outside its parent, an overlap and a malformed code, sees them all in one report and on
// the map, sees make_valid's repair, and imports the corrected file: PostgreSQL holds the units
// at their WGS84 places; (b) checks the county as a GBK Shapefile, its names read right;
// (c) splits 东阜村第1网格, which has cases, through a change set with its preview map, sends
// the worker it would leave flagged to a new grid (the split drafted again), applies it and
// finds the cases still counted under the retired grid; (d) uploads a roster with bad
// rows, sees each, uploads the fixed one and imports it; (e) deactivates a member whose
// websocket is open, which closes at once; (f) drafts a rename effective in three days,
// schedules it (PostgreSQL holds scheduled_at) and unschedules it, and merges the split's two
// grids into one drawn in GCJ-02, uploaded as a Feature. Screenshots at 360 and 1366 px with
// GRIDDISPATCH_SHOTS=dir.
func TestAdminApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture(t, withBrowser("admin"), withLive())
	dir := t.TempDir()

	// The administrator gets a one-time code, as a new administrator would.
	fx.member(t, "13900000041", "140802", grid.RoleAdmin)
	admin := fx.memberID(t, "13900000041")
	code, _, _, err := fx.g.ResetPassword(ctx, grid.CommandLine, admin)
	if err != nil {
		t.Fatal(err)
	}

	// Two open cases in 东阜村第1网格 (micro-grid 001), the grid (c) splits.
	worker := fx.memberID(t, "13900000001")
	for _, d := range []string{"两户因排水沟发生争执", "路灯不亮"} {
		if _, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker, Category: "neighbour",
			Severity: "normal", Description: d, Lon: 111.02, Lat: 35.02, HappenedAt: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}

	// (e)'s member, connected.
	leaverToken := fx.member(t, "13900000051", "140802001001002", grid.RoleGridWorker)
	ws := connect(t, fx.ws, leaverToken)
	closed := make(chan time.Time, 1)
	go func() {
		ws.SetReadDeadline(time.Now().Add(3 * time.Minute))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				closed <- time.Now()
				return
			}
		}
	}()

	files := map[string][]byte{
		"bad.geojson":   microGrids(t, true),
		"fixed.geojson": microGrids(t, false),
		"split.geojson": splitGrids(t),
		"merge.geojson": mergedGrid(t),
		"bad.xlsx":      roster(t, badRoster),
		"fixed.xlsx":    roster(t, goodRoster),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	shapefile, err := filepath.Abs("../grid/testdata/shapefile/small_county_gbk.zip")
	if err != nil {
		t.Fatal(err)
	}

	steps := map[string]map[string]any{}
	var closedAfter time.Duration = -1
	browserScript(t, "admin.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			return
		}
		s, _ := m["step"].(string)
		steps[s] = m
		if s == "scheduled" || s == "unscheduled" { // what the database holds before the script goes on
			id := int64(m["id"].(float64))
			var on bool
			var by int64
			err := fx.pool.QueryRow(ctx, `SELECT scheduled_at IS NOT NULL, coalesce(scheduled_by, 0) FROM grid_changes WHERE id = $1`, id).Scan(&on, &by)
			m["scheduled_at_set"], m["scheduled_by"], m["err"] = on, by, fmt.Sprint(err)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("scheduled-%d", id)), nil, 0o600); err != nil {
				t.Error(err)
			}
		}
		if s == "deactivated" { // the click was answered: the websocket must be closing now
			clicked := time.UnixMilli(int64(m["clicked_ms"].(float64)))
			select {
			case at := <-closed:
				closedAfter = at.Sub(clicked)
			case <-time.After(6 * time.Second):
			}
		}
	}, "BASE_URL="+fx.base, "PHONE=13900000041", "CODE="+code, "PASSWORD=new password 2026",
		"FILES="+dir, "HOSTILE="+hostileName, "SHAPEFILE="+shapefile, "LEAVER=13900000051")
	for _, s := range []string{"password", "import_checked", "imported", "shapefile", "split", "scheduled", "unscheduled", "merged",
		"roster", "deactivated", "category", "member_added", "done"} {
		if steps[s] == nil {
			t.Fatalf("the script never reported step %q (got %v)", s, steps)
		}
	}
	t.Logf("steps: %v", steps)

	// (a) The micro-grids are stored at their WGS84 places: a vertex within 1e-8 degrees, and a
	// place known from a GCJ-02 map (AMap), 30 m inside micro-grid 001, is located there.
	var n int
	var x, y float64
	err = fx.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE code LIKE '140802001001002%' AND level = 5),
		min(ST_XMin(geom)) FILTER (WHERE code = '140802001001002001'), min(ST_YMin(geom)) FILTER (WHERE code = '140802001001002001')
		FROM units WHERE retired_at IS NULL`).Scan(&n, &x, &y)
	if err != nil || n != 2 || math.Abs(x-111.05) > 1e-8 || math.Abs(y-35.0) > 1e-8 {
		t.Fatalf("imported micro-grids: %d, corner %.10f,%.10f (%v); want 2 at 111.05,35.0", n, x, y, err)
	}
	place := geo.GCJ02ToWGS84(geo.WGS84ToGCJ02(orb.Point{111.075, 35.05 - 0.00027}))
	var at string
	err = fx.pool.QueryRow(ctx, `SELECT code FROM units WHERE retired_at IS NULL AND level = 5
		AND ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, place[0], place[1]).Scan(&at)
	if err != nil || at != "140802001001002001" {
		t.Fatalf("the GCJ-02 place is located in %q (%v), want 140802001001002001", at, err)
	}

	// (c) The split grid is retired with its cases; its successors are current.
	var retired bool
	var cases int
	err = fx.pool.QueryRow(ctx, `SELECT (SELECT retired_at IS NOT NULL FROM units WHERE code = '140802001001001'),
		(SELECT count(*) FROM cases WHERE unit_code LIKE '140802001001001%' AND state <> 'closed')`).Scan(&retired, &cases)
	if err != nil || !retired || cases != 2 {
		t.Fatalf("split grid retired %v with %d open cases (%v); want retired with 2", retired, cases, err)
	}
	// Its worker, whom the app sent east when the split was drafted again, followed the merge.
	var workerAt string
	if err := fx.pool.QueryRow(ctx, `SELECT string_agg(unit_code || ':' || (flagged_by IS NOT NULL)::text, ',') FROM assignments
		WHERE member_id = $1`, worker).Scan(&workerAt); err != nil || workerAt != "140802001001005:false" {
		t.Errorf("the worker's assignments: %q (%v), want 140802001001005, not flagged", workerAt, err)
	}
	if got := steps["split"]["open_cases"]; got != 2.0 {
		t.Errorf("the retired grid's page counted %v open cases, want 2", got)
	}

	// (f) The rename was scheduled by the administrator, then taken off the schedule; the merge
	// retired both grids, succeeded by the new one, which lies where it was drawn in GCJ-02.
	if m := steps["scheduled"]; m["scheduled_at_set"] != true || m["scheduled_by"] != admin || m["err"] != "<nil>" {
		t.Errorf("after 排期生效: %v; want scheduled_at set, by %d", m, admin)
	}
	if m := steps["unscheduled"]; m["scheduled_at_set"] != false || m["err"] != "<nil>" {
		t.Errorf("after 取消排期: %v; want scheduled_at NULL", m)
	}
	var mergedRetired int
	err = fx.pool.QueryRow(ctx, `SELECT count(*) FROM units WHERE code IN ('140802001001003', '140802001001004')
		AND retired_at IS NOT NULL AND successors = ARRAY['140802001001005']::text[]`).Scan(&mergedRetired)
	if err != nil || mergedRetired != 2 {
		t.Fatalf("merged grids retired with 140802001001005 as successor: %d (%v), want 2", mergedRetired, err)
	}
	err = fx.pool.QueryRow(ctx, `SELECT ST_XMin(geom), ST_YMin(geom) FROM units WHERE code = '140802001001005' AND retired_at IS NULL`).Scan(&x, &y)
	if err != nil || math.Abs(x-111.0) > 1e-8 || math.Abs(y-35.0) > 1e-8 {
		t.Fatalf("the merged grid's corner %.10f,%.10f (%v); want 111.0,35.0", x, y, err)
	}

	// (d) The roster's members exist with their assignments.
	for _, r := range goodRoster[1:] {
		var m int
		if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM members m JOIN assignments a ON a.member_id = m.id
			WHERE m.phone = $1 AND m.name = $2 AND a.unit_code = $3`, r[0], r[1], r[2]).Scan(&m); err != nil || m != 1 {
			t.Errorf("roster row %v: %d assignments (%v), want 1", r, m, err)
		}
	}

	var mediators int
	if err := fx.pool.QueryRow(ctx, `SELECT count(*) FROM members m JOIN assignments a ON a.member_id = m.id
		WHERE m.phone = '13900000071' AND m.must_change_password AND a.unit_code = '140802001' AND a.role = 'mediator'`).Scan(&mediators); err != nil || mediators != 1 {
		t.Errorf("the member added in the app: %d (%v), want a mediator of 140802001 with a one-time code", mediators, err)
	}

	// (e) The member is deactivated and the websocket closed promptly after the click.
	var off bool
	if err := fx.pool.QueryRow(ctx, `SELECT deactivated_at IS NOT NULL FROM members WHERE phone = '13900000051'`).Scan(&off); err != nil || !off {
		t.Fatalf("member 13900000051 deactivated: %v (%v)", off, err)
	}
	if closedAfter < 0 || closedAfter > 5*time.Second { // the other processes' fallback is a 30 s check
		t.Fatalf("the websocket closed %v after the click; want within 5 s", closedAfter)
	}
	t.Logf("websocket closed %v after the deactivate click", closedAfter)

	// The urgent deadline typed in hours is stored in seconds, by the administrator.
	var urgent int
	var by int64
	if err := fx.pool.QueryRow(ctx, `SELECT urgent_deadline_s, coalesce(updated_by, 0) FROM categories WHERE code = 'neighbour'`).Scan(&urgent, &by); err != nil || urgent != 36*3600 || by != admin {
		t.Fatalf("neighbour: urgent deadline %d s by %d (%v); want %d by %d", urgent, by, err, 36*3600, admin)
	}
}

type unitFeature struct {
	code, name string
	level      int
	parent     string
	ring       [][2]float64 // WGS84, not closed
}

// featureCollection writes units in grid import's GeoJSON, their vertices through to.
func featureCollection(t *testing.T, units []unitFeature, to func(orb.Point) orb.Point) []byte {
	t.Helper()
	type feature struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   geo.Geometry   `json:"geometry"`
	}
	var fs []feature
	for _, u := range units {
		ring := orb.Ring{}
		for _, p := range u.ring {
			ring = append(ring, to(orb.Point{p[0], p[1]}))
		}
		ring = append(ring, ring[0])
		fs = append(fs, feature{"Feature", map[string]any{"code": u.code, "name": u.name, "level": u.level, "parent_code": u.parent},
			geo.EncodeMultiPolygon(orb.MultiPolygon{{ring}})})
	}
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": fs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hostileName is a unit name with markup, which the report must show as text.
const hostileName = `第3微网格<img src=x onerror="document.title='x'"><b>粗</b>`

// microGrids: two micro-grids of 东阜村第2网格 (111.05-111.1, 35.0-35.1) drawn in GCJ-02, as from
// AMap. The bad file draws 001 as a bow tie, pushes 002 north out of the grid, adds 003 on top
// of 002, and a feature with a malformed code.
func microGrids(t *testing.T, bad bool) []byte {
	const parent = "140802001001002"
	a := unitFeature{parent + "001", "东阜村第2网格第1微网格", 5, parent, [][2]float64{{111.05, 35.0}, {111.1, 35.0}, {111.1, 35.05}, {111.05, 35.05}}}
	b := unitFeature{parent + "002", "东阜村第2网格第2微网格", 5, parent, [][2]float64{{111.05, 35.05}, {111.1, 35.05}, {111.1, 35.1}, {111.05, 35.1}}}
	units := []unitFeature{a, b}
	if bad {
		a.ring = [][2]float64{{111.05, 35.0}, {111.1, 35.05}, {111.1, 35.0}, {111.05, 35.05}}
		b.ring = [][2]float64{{111.05, 35.05}, {111.1, 35.05}, {111.1, 35.12}, {111.05, 35.12}}
		units = []unitFeature{a, b,
			{parent + "003", hostileName, 5, parent, [][2]float64{{111.06, 35.06}, {111.09, 35.06}, {111.09, 35.09}, {111.06, 35.09}}},
			{"14080200100100200X", "编码有误的微网格", 5, parent, [][2]float64{{111.06, 35.01}, {111.07, 35.01}, {111.07, 35.02}, {111.06, 35.02}}}}
	}
	return featureCollection(t, units, geo.WGS84ToGCJ02)
}

// splitGrids: 东阜村第1网格 (111.0-111.05, 35.0-35.1) as two grids, west and east, in WGS84.
func splitGrids(t *testing.T) []byte {
	const village = "140802001001"
	return featureCollection(t, []unitFeature{
		{village + "003", "东阜村第3网格", 4, village, [][2]float64{{111.0, 35.0}, {111.025, 35.0}, {111.025, 35.1}, {111.0, 35.1}}},
		{village + "004", "东阜村第4网格", 4, village, [][2]float64{{111.025, 35.0}, {111.05, 35.0}, {111.05, 35.1}, {111.025, 35.1}}},
	}, func(p orb.Point) orb.Point { return p })
}

// mergedGrid: 东阜村第3 and 第4网格 as one grid, 东阜村第5网格 (111.0-111.05, 35.0-35.1), drawn in
// GCJ-02 and written as one Feature, as a merge takes it.
func mergedGrid(t *testing.T) []byte {
	const village = "140802001001"
	var fc struct{ Features []json.RawMessage }
	if err := json.Unmarshal(featureCollection(t, []unitFeature{{village + "005", "东阜村第5网格", 4, village,
		[][2]float64{{111.0, 35.0}, {111.05, 35.0}, {111.05, 35.1}, {111.0, 35.1}}}}, geo.WGS84ToGCJ02), &fc); err != nil {
		t.Fatal(err)
	}
	return fc.Features[0]
}

var goodRoster = [][]string{
	{"手机号", "姓名", "单位代码", "角色"},
	{"13900000061", "赵网格", "140802001001002", "网格员"},
	{"13900000062", "钱调解", "140802001002", "调解员"},
}

// badRoster: the good rows broken one way each, and a row for a unit that does not exist.
var badRoster = [][]string{
	{"手机号", "姓名", "单位代码", "角色"},
	{"1390000006", "赵网格", "140802001001002", "网格员"},
	{"13900000062", "钱调解", "140802001002", "队长"},
	{"13900000063", "孙信息", "140802009009", "网格员"},
	{"13900000064", "李村干", "140802001001", "网格员"},
}

func roster(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
