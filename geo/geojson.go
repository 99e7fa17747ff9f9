package geo

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Polygon GeoJSON is nested arrays of positions, so it is decoded here directly rather than
// through orb/geojson, which would bring a BSON driver into the binary for nothing.

// DecodePolygonal decodes a GeoJSON geometry object that must be a Polygon or MultiPolygon
// and checks its structure (CheckMultiPolygon). Positions may carry an altitude, which is
// dropped; anything else but two or three finite numbers is an error.
func DecodePolygonal(raw json.RawMessage) (orb.MultiPolygon, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("%w: geometry is missing", ErrBadGeometry)
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadGeometry, err)
	}
	var polygons [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("%w: Polygon coordinates: %v", ErrBadGeometry, err)
		}
		polygons = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polygons); err != nil {
			return nil, fmt.Errorf("%w: MultiPolygon coordinates: %v", ErrBadGeometry, err)
		}
	case "":
		return nil, fmt.Errorf("%w: geometry has no type", ErrBadGeometry)
	default:
		return nil, fmt.Errorf("%w: geometry is a %s; want Polygon or MultiPolygon", ErrBadGeometry, g.Type)
	}
	mp := make(orb.MultiPolygon, len(polygons))
	for pi, rings := range polygons {
		mp[pi] = make(orb.Polygon, len(rings))
		for ri, positions := range rings {
			ring := make(orb.Ring, len(positions))
			for i, pos := range positions {
				if len(pos) != 2 && len(pos) != 3 {
					return nil, fmt.Errorf("%w: polygon %d ring %d point %d has %d numbers; want longitude, latitude", ErrBadGeometry, pi, ri, i, len(pos))
				}
				ring[i] = orb.Point{pos[0], pos[1]}
			}
			mp[pi][ri] = ring
		}
	}
	return CheckPolygonal(mp)
}

// CheckPolygonal checks an imported geometry: coordinates in degrees, not projected metres
// (ErrProjected), then its structure (CheckMultiPolygon).
func CheckPolygonal(mp orb.MultiPolygon) (orb.MultiPolygon, error) {
	if err := checkDegrees(mp); err != nil {
		return nil, err
	}
	return CheckMultiPolygon(mp)
}

// ProjectedHint says what a file in projected metres usually is, and what to do about it.
const ProjectedHint = "such as CGCS2000 Gauss-Kruger zones (EPSG:4491-4554, e.g. EPSG:4547 " +
	"3-degree CM 114E), Xian 1980 or Beijing 1954 Gauss-Kruger, UTM (EPSG:32643-32653) or Web " +
	"Mercator (EPSG:3857); re-project it to EPSG:4490 (CGCS2000) or EPSG:4326 (WGS84) degrees " +
	"first, e.g. in QGIS with Export > Save Features As and that CRS"

// checkDegrees refuses coordinates far outside longitude and latitude: metres of a projected
// coordinate system (a Gauss-Kruger easting of 38,500,000, a northing of 3,880,000), which a
// county's GIS office often exports. They would otherwise be refused vertex by vertex as out of
// range, which says nothing about why.
func checkDegrees(mp orb.MultiPolygon) error {
	for _, poly := range mp {
		for _, ring := range poly {
			for _, p := range ring {
				if (math.Abs(p[0]) > 1000 || math.Abs(p[1]) > 1000) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0) {
					return fmt.Errorf("%w (a point at %.1f, %.1f), %s", ErrProjected, p[0], p[1], ProjectedHint)
				}
			}
		}
	}
	return nil
}

// Geometry is the GeoJSON encoding of a MultiPolygon. Go's float formatting is the shortest
// that parses back to the same float64, so encoding and decoding round-trip exactly.
type Geometry struct {
	Type        string           `json:"type"`
	Coordinates orb.MultiPolygon `json:"coordinates"`
}

// EncodeMultiPolygon returns mp as a GeoJSON geometry value.
func EncodeMultiPolygon(mp orb.MultiPolygon) Geometry {
	return Geometry{Type: "MultiPolygon", Coordinates: mp}
}
