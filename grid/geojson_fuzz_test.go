package grid

import (
	"bytes"
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// geoJSONSeeds are files ReadGeoJSON must read, and files it must refuse without panicking.
var geoJSONSeeds = []string{
	`{"type":"FeatureCollection","features":[]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"140802","name":"盐湖区","level":1,"population":5296},
	  "geometry":{"type":"Polygon","coordinates":[[[111,35],[111.2,35],[111.2,35.2],[111,35.2],[111,35]]]}}]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"140802001","name":" 安邑街道 ","level":2,
	  "parent_code":"140802","households":12,"mediation_centre":false},
	  "geometry":{"type":"MultiPolygon","coordinates":[[[[111,35,400],[111.1,35,400],[111.1,35.2,0],[111,35.2,0],[111,35,400]]]]}}]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"140802","name":"a","level":1},
	  "geometry":{"type":"Polygon","coordinates":[[[1e309,35],[111.2,35],[111.2,35.2],[111,35.2],[1e309,35]]]}}]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"140802","name":"a\u0000b","level":1},
	  "geometry":{"type":"Polygon","coordinates":[[[111,35],[111.2,35],[111.2,35.2],[111,35.2],[111,35]]]}}]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"140802'; DROP TABLE units;--","name":"<script>alert(1)</script>","level":1},
	  "geometry":{"type":"Polygon","coordinates":[[[111,35],[111.2,35],[111.2,35.2],[111,35.2],[111,35]]]}}]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"140802","name":"x","level":9223372036854775807},"geometry":null}]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"140802","name":"x","level":1,"population":-1},
	  "geometry":{"type":"Polygon","coordinates":[[[0,0],[0,0],[0,0],[0,0]]]}}]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[1,2]}}]}`,
	`{"type":"FeatureCollection","features":[` + strings.Repeat(`[`, 1000) + strings.Repeat(`]`, 1000) + `]}`,
	`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"NaN","name":"\xff\xfe","level":1}}]}`,
	`{"type":"Feature"}`, `[]`, `null`, ``, "\x00", `{"type":"FeatureCollection","features":{}}`,
}

// FuzzReadGeoJSON checks that ReadGeoJSON never panics, that every refusal is one of the
// grid's errors with a message, that every unit it accepts keeps the documented bounds
// (docs/grid.md), and that accepted units written out as GeoJSON read back the same.
func FuzzReadGeoJSON(f *testing.F) {
	if b, err := os.ReadFile("gridtest/small_county.geojson"); err == nil {
		f.Add(b)
	} else {
		f.Fatal(err)
	}
	for _, s := range geoJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		units, err := ReadGeoJSON(bytes.NewReader(data))
		if err != nil {
			checkGeoJSONError(t, err, data)
			return
		}
		checkReadUnits(t, units)
		var out bytes.Buffer
		fw := newFeatureWriter(&out)
		for _, u := range units {
			fw.write(u)
		}
		if err := fw.close(); err != nil {
			t.Fatalf("write accepted units: %v", err)
		}
		again, err := ReadGeoJSON(&out)
		if err != nil {
			t.Fatalf("accepted units written out do not read back: %v\n%s", err, out.Bytes())
		}
		if len(units) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(units, again) {
			t.Fatalf("round trip changed the units:\nread    %+v\nreread  %+v", units, again)
		}
	})
}

// readErrors are the errors reading an import file may refuse it with.
var readErrors = []error{ErrBadGeoJSON, ErrBadShapefile, ErrBadEncoding, ErrInvalidUnit, ErrLevelOrder, ErrCodePrefix,
	ErrDuplicateCode, ErrBadGeometry, ErrBadCRS}

func checkGeoJSONError(t *testing.T, err error, data []byte) {
	t.Helper()
	if err.Error() == "" {
		t.Fatal("refused with an empty message")
	}
	known := false
	for _, e := range readErrors {
		known = known || errors.Is(err, e)
	}
	if !known {
		t.Fatalf("refused with an error that is none of the grid's: %v", err)
	}
	if fe, ok := errors.AsType[*FeatureError](err); ok && (fe.Index < 0 || fe.Index >= len(data)) {
		t.Fatalf("feature index %d cannot be in a file of %d bytes", fe.Index, len(data))
	}
}

// checkReadUnits checks every unit accepted, and that no code is accepted twice.
func checkReadUnits(t *testing.T, units []Unit) {
	t.Helper()
	seen := map[string]bool{}
	for i, u := range units {
		checkReadUnit(t, i, u)
		if seen[u.Code] {
			t.Fatalf("unit %d: code %s accepted twice", i, u.Code)
		}
		seen[u.Code] = true
	}
}

func checkReadUnit(t *testing.T, i int, u Unit) {
	t.Helper()
	if err := CheckCode(u.Code, u.Level, u.ParentCode); err != nil {
		t.Fatalf("unit %d accepted with a wrong code: %v", i, err)
	}
	n := utf8.RuneCountInString(u.Name)
	switch {
	case !utf8.ValidString(u.Name) || n < 1 || n > MaxNameLength:
		t.Fatalf("unit %d: name %q is not 1 to %d characters of UTF-8", i, u.Name, MaxNameLength)
	case strings.TrimSpace(u.Name) != u.Name || strings.ContainsRune(u.Name, 0):
		t.Fatalf("unit %d: name %q has surrounding space or a NUL", i, u.Name)
	case u.Population != nil && *u.Population < 0, u.Households != nil && *u.Households < 0:
		t.Fatalf("unit %d: negative population or households", i)
	case u.NoCentre && u.Level == County:
		t.Fatalf("unit %d: a county without a centre", i)
	case len(u.Geom) == 0:
		t.Fatalf("unit %d: no geometry", i)
	}
	for _, p := range u.Geom {
		if len(p) == 0 {
			t.Fatalf("unit %d: a polygon without rings", i)
		}
		for _, r := range p {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Fatalf("unit %d: ring of %d points, open or too short", i, len(r))
			}
			for _, pt := range r {
				if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.Abs(pt[0]) > 180 || math.Abs(pt[1]) > 90 {
					t.Fatalf("unit %d: point %v outside WGS84", i, pt)
				}
			}
		}
	}
}

// TestReadGeoJSONRefusesNUL: a NUL in a name passed ReadGeoJSON and then failed the whole
// import in PostgreSQL, which cannot store it in text.
func TestReadGeoJSONRefusesNUL(t *testing.T) {
	t.Parallel()
	_, err := ReadGeoJSON(strings.NewReader(geoJSONSeeds[4]))
	if !errors.Is(err, ErrInvalidUnit) || !strings.Contains(err.Error(), "NUL") {
		t.Fatalf("got %v; want ErrInvalidUnit naming the NUL", err)
	}
}
