package geo

import (
	"encoding/json"
	"fmt"

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
	return CheckMultiPolygon(mp)
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
