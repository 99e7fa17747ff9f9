package grid_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// shapefileFS is a fixture folder of testdata/shapefile (README.md there says how each was made)
// as files in memory, to be read as it is or changed.
func shapefileFS(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	src := os.DirFS("testdata/shapefile/" + dir)
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func openZip(t *testing.T, name string) fs.FS {
	t.Helper()
	z, err := zip.OpenReader("testdata/shapefile/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { z.Close() })
	return z
}

// sameUnits says how units read from a Shapefile differ from the test county's GeoJSON: "" if
// they have the same codes, names, levels, parents and vertices.
func sameUnits(t *testing.T, got []grid.Unit) string {
	t.Helper()
	want, err := grid.ReadGeoJSON(bytes.NewReader(gridtest.SmallCounty))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		return "a different number of units"
	}
	byCode := map[string]grid.Unit{}
	for _, u := range got {
		byCode[u.Code] = u
	}
	for _, w := range want {
		g := byCode[w.Code]
		if g.Name != w.Name || g.Level != w.Level || g.ParentCode != w.ParentCode {
			return "unit " + w.Code + ": " + g.Name + " " + g.ParentCode
		}
	}
	if d := maxVertexOffset(t, want, got); d > 1e-9 {
		return "vertices moved"
	}
	return ""
}

// TestShapefileInGBKIsRead: a county GIS office's Shapefile, names in GBK as its .cpg says, in a
// folder or a .zip (inside a folder with a Chinese name), reads as the same units as the GeoJSON
// it was made from, and imports and locates in PostgreSQL.
func TestShapefileInGBKIsRead(t *testing.T) {
	t.Parallel()
	for name, fsys := range map[string]fs.FS{"folder": os.DirFS("testdata/shapefile/small_county_gbk"),
		"zip": openZip(t, "small_county_gbk.zip")} {
		t.Run(name, func(t *testing.T) {
			units, crs, err := grid.ReadShapefile(fsys, grid.ShapefileOptions{})
			if err != nil || crs != geo.WGS84 {
				t.Fatalf("%s: %v (crs %q)", name, err, crs)
			}
			if diff := sameUnits(t, units); diff != "" {
				t.Fatalf("%s: %s", name, diff)
			}
		})
	}
	units, _, err := grid.ReadShapefile(os.DirFS("testdata/shapefile/small_county_gbk"), grid.ShapefileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := grid.NewStore(dbtest.New(t).Pool)
	if res, err := s.Import(context.Background(), units); err != nil || res.Inserted != 9 {
		t.Fatalf("import: %+v %v", res, err)
	}
	loc, err := s.NewLocator(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := loc.Locate(111.02, 35.02); !ok || l.Units[grid.MicroGrid].Name != "东阜村第1网格第1微网格" {
		t.Fatalf("located %v %v", l.Units[l.Level], ok)
	}
}

// TestShapefileFieldsAndEncodings: fields named otherwise are found when named; without level
// and parent fields both come from the codes; names that are not valid text in the encoding
// (no .cpg and not UTF-8, a wrong --encoding, a damaged byte) are refused, never stored as
// mojibake.
func TestShapefileFieldsAndEncodings(t *testing.T) {
	t.Parallel()
	named := func() fs.FS { return shapefileFS(t, "small_county_named") }
	if _, _, err := grid.ReadShapefile(named(), grid.ShapefileOptions{}); !errors.Is(err, grid.ErrBadShapefile) ||
		!strings.Contains(err.Error(), "网格编码") || !strings.Contains(err.Error(), "--code-field") {
		t.Fatalf("Chinese field names without --code-field: %v; want the fields listed", err)
	}
	units, _, err := grid.ReadShapefile(named(), grid.ShapefileOptions{CodeField: "网格编码", NameField: "网格名称"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := sameUnits(t, units); diff != "" {
		t.Fatalf("level and parent from the codes: %s", diff)
	}

	noCPG := shapefileFS(t, "small_county_gbk")
	delete(noCPG, "small_county.cpg")
	if _, _, err := grid.ReadShapefile(noCPG, grid.ShapefileOptions{}); !errors.Is(err, grid.ErrBadEncoding) ||
		!strings.Contains(err.Error(), "--encoding gbk") {
		t.Fatalf("GBK without a .cpg: %v; want a refusal saying --encoding gbk", err)
	}
	if units, _, err := grid.ReadShapefile(noCPG, grid.ShapefileOptions{Encoding: grid.GBK}); err != nil || sameUnits(t, units) != "" {
		t.Fatalf("GBK without a .cpg, --encoding gbk: %v", err)
	}
	if _, _, err := grid.ReadShapefile(shapefileFS(t, "small_county_gbk"), grid.ShapefileOptions{Encoding: grid.UTF8}); !errors.Is(err, grid.ErrBadEncoding) {
		t.Fatalf("GBK read as UTF-8: %v; want ErrBadEncoding", err)
	}

	damaged := shapefileFS(t, "small_county_gbk")
	dbf := damaged["small_county.dbf"].Data
	gbkName := []byte{0xb6, 0xab, 0xb8, 0xb7, 0xb4, 0xe5} // 东阜村 in GBK
	i := bytes.Index(dbf, gbkName)
	if i < 0 {
		t.Fatal("the fixture has no 东阜村 in GBK")
	}
	dbf[i+1] = 0x7f // a lead byte followed by DEL: not GBK
	_, _, err = grid.ReadShapefile(damaged, grid.ShapefileOptions{})
	var fe *grid.FeatureError
	if !errors.Is(err, grid.ErrBadEncoding) || !errors.As(err, &fe) {
		t.Fatalf("a damaged GBK name: %v; want ErrBadEncoding naming the record", err)
	}
	for _, bad := range []string{"big5", "latin1", ""} {
		if _, err := grid.ParseTextEncoding(bad); !errors.Is(err, grid.ErrBadEncoding) {
			t.Errorf("encoding %q: %v", bad, err)
		}
	}
	for in, want := range map[string]grid.TextEncoding{"UTF-8": grid.UTF8, "936": grid.GBK, "CP936": grid.GBK, "GB2312": grid.GBK, "GB18030": grid.GB18030} {
		if got, err := grid.ParseTextEncoding(in); err != nil || got != want {
			t.Errorf("encoding %q: %q %v", in, got, err)
		}
	}
}

// TestShapefileProjectionAndLayers: a Shapefile in Gauss-Kruger metres is refused by its .prj,
// naming EPSG codes; a .prj that contradicts --crs is refused; a zip of two layers is refused
// naming both; a folder without a .shp says so.
func TestShapefileProjectionAndLayers(t *testing.T) {
	t.Parallel()
	_, _, err := grid.ReadShapefile(openZip(t, "small_county_4547.zip"), grid.ShapefileOptions{})
	if !errors.Is(err, grid.ErrBadCRS) || !strings.Contains(err.Error(), "CGCS2000_3_Degree_GK_CM_114E") || !strings.Contains(err.Error(), "EPSG:4490") {
		t.Fatalf("a Gauss-Kruger Shapefile: %v", err)
	}
	if _, _, err := grid.ReadShapefile(shapefileFS(t, "small_county_gbk"), grid.ShapefileOptions{CRS: geo.GCJ02}); !errors.Is(err, grid.ErrBadCRS) ||
		!strings.Contains(err.Error(), "remove the .prj") {
		t.Fatalf("a WGS84 .prj said to be GCJ-02: %v", err)
	}
	noPRJ := shapefileFS(t, "small_county_gbk")
	delete(noPRJ, "small_county.prj")
	if _, crs, err := grid.ReadShapefile(noPRJ, grid.ShapefileOptions{CRS: geo.GCJ02}); err != nil || crs != geo.GCJ02 {
		t.Fatalf("no .prj, --crs gcj02: %q %v", crs, err)
	}
	two := shapefileFS(t, "small_county_gbk")
	for name, f := range shapefileFS(t, "small_county_named") {
		two["other/"+name] = f
	}
	if _, _, err := grid.ReadShapefile(two, grid.ShapefileOptions{}); !errors.Is(err, grid.ErrBadShapefile) || !strings.Contains(err.Error(), "other/small_county.shp") {
		t.Fatalf("two layers: %v", err)
	}
	if _, _, err := grid.ReadShapefile(fstest.MapFS{"readme.txt": {Data: []byte("x")}}, grid.ShapefileOptions{}); !errors.Is(err, grid.ErrBadShapefile) {
		t.Fatalf("no .shp: %v", err)
	}
}
