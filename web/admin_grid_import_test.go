package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// countyFile is the small county as a GeoJSON FeatureCollection, each unit's polygon passed
// through move and its properties through edit (nil: unchanged).
func countyFile(t *testing.T, move func(orb.Point) orb.Point, edit func(i int, props map[string]any) any) []byte {
	t.Helper()
	units, err := grid.ReadGeoJSON(bytes.NewReader(gridtest.SmallCounty))
	if err != nil {
		t.Fatal(err)
	}
	var features []any
	for i, u := range units {
		mp := orb.Clone(u.Geom).(orb.MultiPolygon)
		for _, poly := range mp {
			for _, ring := range poly {
				for j := range ring {
					ring[j] = move(ring[j])
				}
			}
		}
		props := map[string]any{"code": u.Code, "name": u.Name, "level": u.Level}
		if u.ParentCode != "" {
			props["parent_code"] = u.ParentCode
		}
		var g any = geo.EncodeMultiPolygon(mp)
		if edit != nil {
			if replaced := edit(i, props); replaced != nil {
				g = replaced
			}
		}
		features = append(features, map[string]any{"type": "Feature", "properties": props, "geometry": g})
	}
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importFile(t *testing.T, fx *fixture, token, query string, file []byte) response {
	t.Helper()
	status, header, raw := do(t, "POST", fx.base+"/api/admin/grid/imports"+query, token, file)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("import%s: %d %q", query, status, raw)
	}
	return response{status, header, m}
}

// TestAdminGridImportGCJ02: a county's file drawn in GCJ-02 (AMap) is dry-run, its report's map
// in WGS84 where the units truly are, then imported, and the live locator rebuilds.
func TestAdminGridImportGCJ02(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withLiveLocator())
	live := fx.live
	admin := fx.member(t, "13900000241", "140802", grid.RoleAdmin)
	file := countyFile(t, geo.WGS84ToGCJ02, nil)

	dry := importFile(t, fx, admin, "?crs=gcj02&dry_run=1", file)
	features, _ := dry.body["map"].(map[string]any)["features"].([]any)
	if dry.status != http.StatusOK || dry.body["dry_run"] != true || dry.body["committed"] != false || dry.body["crs"] != "gcj02" ||
		dry.body["units"] != 9.0 || len(dry.body["problems"].([]any)) != 0 || len(features) != 9 {
		t.Fatalf("dry run: %d %v", dry.status, dry.body)
	}
	f := features[0].(map[string]any)
	corner := f["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any)[0].([]any)[0].([]any)
	if f["properties"].(map[string]any)["code"] != "140802" || math.Abs(corner[0].(float64)-111) > 1e-7 || math.Abs(corner[1].(float64)-35) > 1e-7 {
		t.Fatalf("the dry run's map is not in WGS84: %v at %v", f["properties"], corner)
	}
	if live.Rebuilds() != 0 {
		t.Fatalf("a dry run rebuilt the locator")
	}

	done := importFile(t, fx, admin, "?crs=gcj02", file)
	if done.status != http.StatusOK || done.body["committed"] != true || done.body["result"].(map[string]any)["updated"] != 9.0 {
		t.Fatalf("import: %d %v", done.status, done.body)
	}
	gridtest.Eventually(t, "the live locator to rebuild", func() bool { return live.Rebuilds() > 0 })
	audit := call(t, "GET", fx.base+"/api/admin/audit?action=grid.import", admin, "")
	entries, _ := audit.body["entries"].([]any)
	if len(entries) != 1 || entries[0].(map[string]any)["actor_name"] == "" ||
		entries[0].(map[string]any)["detail"].(map[string]any)["crs"] != "gcj02" {
		t.Fatalf("the import in the audit log (the dry run not): %v", audit.body)
	}
}

// TestAdminGridImportRefusals: a file with one unreadable feature writes nothing and names it;
// a township's administrator may not import the county; bad files and options are refused.
func TestAdminGridImportRefusals(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withLiveLocator())
	admin := fx.member(t, "13900000251", "140802", grid.RoleAdmin)
	township := fx.member(t, "13900000252", "140802001", grid.RoleAdmin)
	same := func(p orb.Point) orb.Point { return p }

	renamedOneBroken := countyFile(t, same, func(i int, props map[string]any) any {
		props["name"] = "改" + props["name"].(string)
		if i == 3 {
			return map[string]any{"type": "Point", "coordinates": []float64{111, 35}}
		}
		return nil
	})
	r := importFile(t, fx, admin, "", renamedOneBroken)
	fps, _ := r.body["feature_problems"].([]any)
	if r.status != http.StatusUnprocessableEntity || r.body["error"] != "import_refused" || r.body["committed"] != false ||
		len(fps) != 1 || fps[0].(map[string]any)["index"] != 3.0 || fps[0].(map[string]any)["code"] == "" || r.body["units"] != 8.0 {
		t.Fatalf("one bad feature: %d %v", r.status, r.body)
	}
	if n := countOf(t, fx, `SELECT count(*) FROM units WHERE name LIKE '改%'`); n != 0 {
		t.Fatalf("a refused file renamed %d units", n)
	}

	r = importFile(t, fx, township, "?dry_run=1", countyFile(t, same, nil))
	if r.status != http.StatusForbidden || r.body["error"] != "forbidden" || !strings.Contains(r.body["message"].(string), "140802,") {
		t.Fatalf("a township admin imports the county: %d %v", r.status, r.body)
	}

	shp, err := os.ReadFile("../grid/testdata/shapefile/small_county_gbk.zip")
	if err != nil {
		t.Fatal(err)
	}
	if r := importFile(t, fx, admin, "?format=shapefile&dry_run=1", shp); r.status != http.StatusOK || r.body["units"] != 9.0 {
		t.Fatalf("Shapefile dry run: %d %v", r.status, r.body)
	}

	for _, tc := range []struct {
		name, query string
		file        []byte
		field       string
	}{
		{"unknown coordinate system", "?crs=mars", countyFile(t, same, nil), "crs"},
		{"unknown format", "?format=kml", countyFile(t, same, nil), "format"},
		{"unknown encoding", "?format=shapefile&encoding=ebcdic", shp, "encoding"},
		{"not GeoJSON", "", []byte("code,name\n140802,盐湖区\n"), ""},
		{"no units", "", []byte(`{"type": "FeatureCollection", "features": []}`), ""},
		{"not a zip", "?format=shapefile", []byte("PK not really"), ""},
		{"a zip bomb", "?format=shapefile", zipClaiming(t, 1<<40), ""},
		{"too many files", "?format=shapefile", zipOfFiles(t, 100), ""},
	} {
		r := importFile(t, fx, admin, tc.query, tc.file)
		if field, _ := r.body["field"].(string); r.status != http.StatusBadRequest || r.body["error"] != "bad_request" || field != tc.field {
			t.Errorf("%s: %d %v; want 400 for field %q", tc.name, r.status, r.body, tc.field)
		}
	}
}

// zipClaiming is a zip of one small file whose header says it unpacks to size bytes.
func zipClaiming(t *testing.T, size uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "a.shp", Method: zip.Store, CompressedSize64: 4, UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("abcd"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOfFiles(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		if _, err := zw.Create(strings.Repeat("x", 1+i%50) + ".txt"); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
