package grid

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/griddispatch/griddispatch/geo"
)

// The crs member of GeoJSON files written before RFC 7946 (2016), which dropped it: QGIS and
// ogr2ogr still write it, as {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}.
type crsMember struct {
	Type       string `json:"type"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
}

var epsgCode = regexp.MustCompile(`EPSG:(?:[0-9.]*:)?([0-9]+)$`)

// resolveCRS decides what coordinate system a file's coordinates are in: what the importer said
// (flag), or what the file's crs member says, or WGS84 when neither says. A crs member that
// names anything else than WGS84 or CGCS2000 degrees is refused, and so is one that contradicts
// the flag: GCJ-02 and BD-09 have no EPSG code, so a file that declares EPSG:4326 but is said
// to be GCJ-02 is one of the two wrongly, and guessing which would misplace every report.
func resolveCRS(raw json.RawMessage, flag geo.CRS) (geo.CRS, error) {
	declared, name, err := declaredCRS(raw)
	if err != nil {
		return "", err
	}
	geographic := func(c geo.CRS) bool { return c == geo.WGS84 || c == geo.CGCS2000 }
	switch {
	case flag == "" && declared == "":
		return geo.WGS84, nil
	case flag == "":
		return declared, nil
	case declared == "" || flag == declared || geographic(flag) && geographic(declared):
		return flag, nil
	}
	return "", fmt.Errorf("%w: the file declares %s but it was said to be %s; if the coordinates really are %s, "+
		"remove the file's crs member, else import it as %s", ErrBadCRS, name, flag, flag, declared)
}

// declaredCRS reads a crs member: "" when there is none.
func declaredCRS(raw json.RawMessage) (geo.CRS, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", "", nil
	}
	var m crsMember
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", "", fmt.Errorf("%w: crs member: %v", ErrBadCRS, err)
	}
	if m.Type != "name" {
		return "", "", fmt.Errorf("%w: crs member of type %q; only a named crs (type \"name\") can be read", ErrBadCRS, m.Type)
	}
	name := m.Properties.Name
	upper := strings.ToUpper(strings.TrimSpace(name))
	if strings.HasSuffix(upper, "CRS84") { // urn:ogc:def:crs:OGC:1.3:CRS84, the RFC 7946 default
		return geo.WGS84, name, nil
	}
	match := epsgCode.FindStringSubmatch(strings.ReplaceAll(upper, "::", ":"))
	if match == nil {
		return "", name, fmt.Errorf("%w: crs %q is not an EPSG code or CRS84; say which coordinate system the file is in", ErrBadCRS, name)
	}
	code, _ := strconv.Atoi(match[1])
	switch {
	case code == 4326:
		return geo.WGS84, name, nil
	case code == 4490:
		return geo.CGCS2000, name, nil
	case code == 4214 || code == 4610:
		return "", name, fmt.Errorf("%w: crs %s is Beijing 1954 or Xian 1980 degrees, tens of metres from WGS84; "+
			"re-project it to EPSG:4490 (CGCS2000) or EPSG:4326 (WGS84) first", ErrBadCRS, name)
	}
	return "", name, fmt.Errorf("%w: crs %s is not WGS84 (EPSG:4326) or CGCS2000 (EPSG:4490) degrees; if it is projected, %s",
		ErrBadCRS, name, geo.ProjectedHint)
}
