// Package gridtest holds a small grid for other packages' tests: county 盐湖区 (140802) cut into
// two townships, two villages, two grids and two micro-grids, with a township, a village and a
// grid that have no children, so every level of locating is exercised.
package gridtest

import (
	"bytes"
	"context"
	_ "embed"
	"os"
	"path/filepath"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// SmallCounty is the grid as a GeoJSON FeatureCollection, in grid import's format.
//
//go:embed small_county.geojson
var SmallCounty []byte

// Import stores the small county with s.
func Import(tb testing.TB, s *grid.Store) {
	tb.Helper()
	units, err := grid.ReadGeoJSON(bytes.NewReader(SmallCounty))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Import(context.Background(), units); err != nil {
		tb.Fatal(err)
	}
}

// File writes the small county to a file in a temporary directory and returns its path, for
// tests of commands that read files.
func File(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "small_county.geojson")
	if err := os.WriteFile(path, SmallCounty, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}
