package grid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// shifted is the small county with every vertex moved by to, as a county's GIS office would
// have it from AMap (GCJ-02) or Baidu (BD-09), and a crs member if given.
func shifted(t *testing.T, to func(orb.Point) orb.Point, crs string) []byte {
	t.Helper()
	units, err := grid.ReadGeoJSON(bytes.NewReader(gridtest.SmallCounty))
	if err != nil {
		t.Fatal(err)
	}
	type feature struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   geo.Geometry   `json:"geometry"`
	}
	doc := map[string]any{"type": "FeatureCollection"}
	if crs != "" {
		doc["crs"] = map[string]any{"type": "name", "properties": map[string]string{"name": crs}}
	}
	var fs []feature
	for _, u := range units {
		mp := orb.Clone(u.Geom).(orb.MultiPolygon)
		for _, poly := range mp {
			for _, ring := range poly {
				for i := range ring {
					ring[i] = to(ring[i])
				}
			}
		}
		p := map[string]any{"code": u.Code, "name": u.Name, "level": u.Level}
		if u.ParentCode != "" {
			p["parent_code"] = u.ParentCode
		}
		fs = append(fs, feature{"Feature", p, geo.EncodeMultiPolygon(mp)})
	}
	doc["features"] = fs
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toBD09(p orb.Point) orb.Point { return geo.GCJ02ToBD09(geo.WGS84ToGCJ02(p)) }

// TestImportConvertsToWGS84: the small county drawn in GCJ-02 or BD-09 and imported as such is
// stored where it is in WGS84, to within millimetres (GCJ-02) or decimetres (Baidu's inverse is
// approximate), and a phone's WGS84 point lands in the right micro-grid. Imported as if it were
// WGS84, the same file lies hundreds of metres off, and the point lands elsewhere.
func TestImportConvertsToWGS84(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	want, err := grid.ReadGeoJSON(bytes.NewReader(gridtest.SmallCounty))
	if err != nil {
		t.Fatal(err)
	}
	// A point 30 m inside micro-grid 140802001001001001 from the edge the GCJ-02 offset pushes
	// away from it: the offset is hundreds of metres, so a wrong datum leaves the point outside.
	var micro orb.MultiPolygon
	for _, u := range want {
		if u.Code == "140802001001001001" {
			micro = u.Geom
		}
	}
	b := micro.Bound()
	inside := 30 / (111320 * math.Cos(b.Center()[1]*math.Pi/180))
	point := orb.Point{b.Max[0] - inside, b.Center()[1]}
	if geo.WGS84ToGCJ02(b.Center())[0] > b.Center()[0] { // shifted east: the west edge comes inwards
		point[0] = b.Min[0] + inside
	}
	if !planar.MultiPolygonContains(micro, point) {
		t.Fatalf("the test point %v is not in the micro-grid", point)
	}
	for _, tc := range []struct {
		name      string
		file      []byte
		as        geo.CRS
		tolerance float64 // degrees between stored and true vertices
		located   bool
	}{
		{"GCJ-02", shifted(t, geo.WGS84ToGCJ02, ""), geo.GCJ02, 1e-8, true},
		{"BD-09", shifted(t, toBD09, ""), geo.BD09, 3e-6, true},
		{"CGCS2000 by its crs member", shifted(t, func(p orb.Point) orb.Point { return p }, "urn:ogc:def:crs:EPSG::4490"), "", 0, true},
		{"GCJ-02 taken for WGS84", shifted(t, geo.WGS84ToGCJ02, ""), geo.WGS84, -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := grid.NewStore(dbtest.New(t).Pool)
			units, took, err := grid.ReadGeoJSONAs(bytes.NewReader(tc.file), tc.as)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Import(ctx, units); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if _, err := s.Export(ctx, "140802", &out); err != nil {
				t.Fatal(err)
			}
			stored, err := grid.ReadGeoJSON(&out)
			if err != nil {
				t.Fatal(err)
			}
			worst := maxVertexOffset(t, want, stored)
			if tc.tolerance >= 0 && worst > tc.tolerance {
				t.Fatalf("read as %s: stored vertices up to %.2g degrees from the true ones", took, worst)
			}
			if tc.tolerance < 0 && worst*111320 < 100 {
				t.Fatalf("GCJ-02 read as WGS84 is only %.0f m off", worst*111320)
			}
			loc, err := s.NewLocator(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			l, ok := loc.Locate(point[0], point[1])
			in := ok && l.Level == grid.MicroGrid && l.Units[grid.MicroGrid].Code == "140802001001001001"
			if in != tc.located {
				t.Fatalf("the phone's point %v located in %v (found %v); want in the micro-grid: %v", point, l.Units[l.Level].Code, ok, tc.located)
			}
		})
	}
}

// maxVertexOffset is the largest distance, in degrees along an axis, between a unit's vertices
// as stored and as they should be.
func maxVertexOffset(t *testing.T, want, got []grid.Unit) float64 {
	t.Helper()
	byCode := map[string]orb.MultiPolygon{}
	for _, u := range got {
		byCode[u.Code] = u.Geom
	}
	worst := 0.0
	for _, u := range want {
		g, ok := byCode[u.Code]
		if !ok || len(g) != len(u.Geom) {
			t.Fatalf("unit %s stored as %v", u.Code, g)
		}
		for pi, poly := range u.Geom {
			for ri, ring := range poly {
				if len(g[pi][ri]) != len(ring) {
					t.Fatalf("unit %s ring %d: %d vertices stored, %d given", u.Code, ri, len(g[pi][ri]), len(ring))
				}
				for i, p := range ring {
					q := g[pi][ri][i]
					worst = math.Max(worst, math.Max(math.Abs(p[0]-q[0]), math.Abs(p[1]-q[1])))
				}
			}
		}
	}
	return worst
}

// TestCRSMemberIsHonouredOrRefused: a file's crs member decides the coordinate system when the
// importer does not; one that is not WGS84 or CGCS2000 degrees, or that contradicts what the
// importer said, is refused with what to do, never ignored.
func TestCRSMemberIsHonouredOrRefused(t *testing.T) {
	t.Parallel()
	same := func(p orb.Point) orb.Point { return p }
	for _, tc := range []struct {
		member string
		as     geo.CRS
		took   geo.CRS
		refuse string // what the refusal says; "" when accepted
	}{
		{"", "", geo.WGS84, ""},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", "", geo.WGS84, ""},
		{"EPSG:4326", "", geo.WGS84, ""},
		{"urn:ogc:def:crs:EPSG::4490", "", geo.CGCS2000, ""},
		{"EPSG:4490", geo.WGS84, geo.WGS84, ""},
		{"", geo.BD09, geo.BD09, ""},
		{"EPSG:4547", "", "", "EPSG:4490"},
		{"urn:ogc:def:crs:EPSG::3857", "", "", "Web Mercator"},
		{"EPSG:4610", "", "", "Xian 1980"},
		{"EPSG:4326", geo.GCJ02, "", "remove the file's crs member"},
		{"WGS 84", "", "", "not an EPSG code"},
	} {
		t.Run(fmt.Sprintf("%s as %s", tc.member, tc.as), func(t *testing.T) {
			_, took, err := grid.ReadGeoJSONAs(bytes.NewReader(shifted(t, same, tc.member)), tc.as)
			switch {
			case tc.refuse == "" && (err != nil || took != tc.took):
				t.Fatalf("took %q, %v; want %q", took, err, tc.took)
			case tc.refuse != "" && (!errors.Is(err, grid.ErrBadCRS) || !strings.Contains(err.Error(), tc.refuse)):
				t.Fatalf("%v; want ErrBadCRS saying %q", err, tc.refuse)
			}
		})
	}
	link := []byte(`{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"x.prj"}},"features":[]}`)
	if _, _, err := grid.ReadGeoJSONAs(bytes.NewReader(link), ""); !errors.Is(err, grid.ErrBadCRS) {
		t.Fatalf("a linked crs: %v; want ErrBadCRS", err)
	}
}

// TestProjectedFileIsRefusedNamingEPSGCodes: a grid exported from a county GIS in Gauss-Kruger
// metres is refused as a whole, saying what it likely is and what to re-project it to; a file
// with a UTF-8 byte order mark (Windows tools write one) reads like one without.
func TestProjectedFileIsRefusedNamingEPSGCodes(t *testing.T) {
	t.Parallel()
	gk := func(p orb.Point) orb.Point { return orb.Point{38_500_000 + (p[0]-114)*91_000, p[1] * 110_900} }
	_, err := grid.ReadGeoJSON(bytes.NewReader(shifted(t, gk, "")))
	if !errors.Is(err, grid.ErrBadGeometry) || !strings.Contains(err.Error(), "projected metres") ||
		!strings.Contains(err.Error(), "EPSG:4547") || !strings.Contains(err.Error(), "EPSG:4490") {
		t.Fatalf("%v; want projected metres naming EPSG codes", err)
	}
	bom := append([]byte("\xef\xbb\xbf"), gridtest.SmallCounty...)
	if units, err := grid.ReadGeoJSON(bytes.NewReader(bom)); err != nil || len(units) != 9 {
		t.Fatalf("with a byte order mark: %d units, %v", len(units), err)
	}
}
