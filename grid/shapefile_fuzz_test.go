package grid

import (
	"errors"
	"os"
	"testing"
	"testing/fstest"
)

// FuzzReadShapefile mutates the .shp and .dbf of the GBK fixture (testdata/shapefile): reading
// never panics, a refusal is one of the grid's errors, and every unit accepted keeps the bounds
// a GeoJSON import keeps (checkReadUnit), with names that are valid text.
func FuzzReadShapefile(f *testing.F) {
	dir := "testdata/shapefile/small_county_gbk/small_county"
	shp, err := os.ReadFile(dir + ".shp")
	if err != nil {
		f.Fatal(err)
	}
	dbf, err := os.ReadFile(dir + ".dbf")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(shp, dbf)
	f.Add(shp[:100], dbf)
	f.Add(shp, dbf[:64])
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, shp, dbf []byte) {
		if len(shp)+len(dbf) > 1<<20 { // reading takes time in proportion to size; small inputs find more
			return
		}
		fsys := fstest.MapFS{"a.shp": {Data: shp}, "a.dbf": {Data: dbf}, "a.cpg": {Data: []byte("GBK")}}
		units, _, err := ReadShapefile(fsys, ShapefileOptions{})
		if err != nil {
			known := false
			for _, e := range readErrors {
				known = known || errors.Is(err, e)
			}
			if !known || err.Error() == "" {
				t.Fatalf("refused with an error that is none of the grid's: %v", err)
			}
			return
		}
		checkReadUnits(t, units)
	})
}
