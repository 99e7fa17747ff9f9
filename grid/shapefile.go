package grid

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	shapefile "github.com/twpayne/go-shapefile"

	"github.com/griddispatch/griddispatch/geo"
)

// ShapefileOptions say how to read a Shapefile's attributes and coordinates (docs/grid.md).
type ShapefileOptions struct {
	CRS      geo.CRS      // "" for what the .prj says, else WGS84
	Encoding TextEncoding // "" for what the .cpg says, else UTF-8 (and an error if it is not)
	// Attribute fields, "" for the defaults (matched without regard to case). Without a level
	// or parent field, a unit's level comes from its code's length and its parent is its code's
	// prefix, as the unified grid codes nest.
	CodeField, NameField, LevelField, ParentField string
	// Layer is the .shp to read where there are several: its path or its name, with or
	// without .shp; "" when there is one.
	Layer string
}

// Bounds on what a Shapefile's headers may claim: one shape of geo.MaxVertices points with Z
// and M (32 bytes each) and room for its parts; a province's micro-grids.
const (
	maxShapeBytes       = 40 << 20
	maxShapefileRecords = 5_000_000
)

// Default attribute field names, as QGIS and ArcGIS cut them to the ten characters a .dbf
// allows (parent_code becomes parent_cod).
var (
	defaultCodeFields   = []string{"code", "wgbm", "bm"}
	defaultNameFields   = []string{"name", "wgmc", "mc"}
	defaultLevelFields  = []string{"level", "jb"}
	defaultParentFields = []string{"parent_cod", "parent_code", "parent", "sjbm"}
)

// ReadShapefile reads the one Shapefile in fsys (a folder, or the files of a .zip) as units,
// converted to WGS84, each checked as a GeoJSON feature is. It returns the coordinate system
// it took the file to be in.
func ReadShapefile(fsys fs.FS, o ShapefileOptions) ([]Unit, geo.CRS, error) {
	files, err := shapefileParts(fsys, o.Layer)
	if err != nil {
		return nil, "", err
	}
	if files["dbf"] == "" {
		return nil, "", fmt.Errorf("%w: %s has no .dbf beside it: its attributes (code, name) are there", ErrBadShapefile, files["shp"])
	}
	// The small files first: a file in metres or of an unknown encoding is refused before its
	// shapes are read.
	crs, err := shapefileCRS(fsys, files["prj"], o.CRS)
	if err != nil {
		return nil, "", err
	}
	enc, fromCPG, err := shapefileEncoding(fsys, files["cpg"], o.Encoding)
	if err != nil {
		return nil, "", err
	}
	// The reader sizes what it allocates by what the file's headers claim: bound the claims by
	// the file's size, so that a few hostile bytes cannot ask for gigabytes.
	shp, err := readPart(fsys, files["shp"], func(r io.Reader, n int64) (*shapefile.SHP, error) {
		return shapefile.ReadSHP(r, n, &shapefile.ReadSHPOptions{MaxPoints: geo.MaxVertices,
			MaxRecordSize: int(min(n, maxShapeBytes))})
	})
	if err != nil {
		return nil, "", err
	}
	// Read as ISO-8859-1, one rune a byte, to decode in the file's real encoding here: the
	// reader's own decoding would put replacement characters in names that are not valid. A
	// number that does not parse (dBASE writes NULL as asterisks) is read as absent: only the
	// optional population and households, and the level, which the code then gives, are numbers.
	dbf, err := readPart(fsys, files["dbf"], func(r io.Reader, n int64) (*shapefile.DBF, error) {
		return shapefile.ReadDBF(r, n, &shapefile.ReadDBFOptions{SkipBrokenFields: true,
			MaxRecords: int(max(1, min(n/2, maxShapefileRecords)))}) // a row is at least its flag and a byte
	})
	if err != nil {
		return nil, "", err
	}
	if len(dbf.Records) != len(shp.Records) {
		return nil, "", fmt.Errorf("%w: %s has %d shapes but %s %d attribute rows", ErrBadShapefile,
			files["shp"], len(shp.Records), files["dbf"], len(dbf.Records))
	}
	cols, err := attributeColumns(dbf, enc, fromCPG, o)
	if err != nil {
		return nil, "", err
	}
	c := newCollected(crs, "record", len(shp.Records))
	for i, rec := range shp.Records {
		u, err := cols.unit(dbf.Records[i], rec.Geom)
		c.add(i, u, err)
	}
	units, err := c.result()
	return units, crs, err
}

// shapefileParts finds the one .shp in fsys (or the layer named) and the files beside it with
// the same base name, by extension (lower case): shp, dbf, prj, cpg.
func shapefileParts(fsys fs.FS, layer string) (map[string]string, error) {
	var shps []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), "__MACOSX") || p != "." && strings.HasPrefix(d.Name(), ".")) {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.EqualFold(path.Ext(p), ".shp") && !strings.HasPrefix(d.Name(), ".") {
			shps = append(shps, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadShapefile, err)
	}
	slices.Sort(shps)
	all := strings.Join(shps, ", ")
	if layer != "" {
		want := strings.TrimSuffix(strings.ToLower(layer), ".shp")
		shps = slices.DeleteFunc(shps, func(p string) bool {
			base := strings.ToLower(strings.TrimSuffix(p, path.Ext(p)))
			return base != want && path.Base(base) != want
		})
		if len(shps) == 0 {
			return nil, fmt.Errorf("%w: no layer %q among %s", ErrBadShapefile, layer, all)
		}
	}
	switch len(shps) {
	case 0:
		return nil, fmt.Errorf("%w: no .shp file in it", ErrBadShapefile)
	case 1:
	default:
		return nil, fmt.Errorf("%w: several layers (%s): import one at a time (--layer)", ErrBadShapefile, strings.Join(shps, ", "))
	}
	base := strings.TrimSuffix(shps[0], path.Ext(shps[0]))
	dir := path.Dir(shps[0])
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadShapefile, err)
	}
	parts := map[string]string{}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		ext := strings.ToLower(strings.TrimPrefix(path.Ext(p), "."))
		if !e.IsDir() && strings.EqualFold(strings.TrimSuffix(p, path.Ext(p)), base) {
			parts[ext] = p
		}
	}
	return parts, nil
}

// readPart reads one file of a Shapefile, refusing one larger than an import may be.
func readPart[T any](fsys fs.FS, name string, read func(io.Reader, int64) (T, error)) (T, error) {
	var zero T
	f, err := fsys.Open(name)
	if err != nil {
		return zero, fmt.Errorf("%w: %v", ErrBadShapefile, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return zero, fmt.Errorf("%w: %v", ErrBadShapefile, err)
	}
	if st.Size() > MaxGeoJSONBytes {
		return zero, fmt.Errorf("%w: %s is larger than %d bytes", ErrBadShapefile, name, MaxGeoJSONBytes)
	}
	v, err := read(io.LimitReader(f, st.Size()), st.Size())
	if err != nil {
		return zero, fmt.Errorf("%w: %s: %v", ErrBadShapefile, name, err)
	}
	return v, nil
}

func readSmall(fsys fs.FS, name string) (string, error) {
	b, err := readPart(fsys, name, func(r io.Reader, _ int64) ([]byte, error) { return io.ReadAll(io.LimitReader(r, 64<<10)) })
	return strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff")), err
}

// shapefileCRS is the coordinate system of the file, from the importer or its .prj, as
// resolveCRS decides for a GeoJSON file's crs member.
func shapefileCRS(fsys fs.FS, prj string, flag geo.CRS) (geo.CRS, error) {
	if prj == "" {
		return resolveCRS(nil, flag)
	}
	wkt, err := readSmall(fsys, prj)
	if err != nil {
		return "", err
	}
	declared, err := prjCRS(wkt)
	if err != nil {
		return "", err
	}
	name := map[geo.CRS]string{geo.WGS84: "EPSG:4326", geo.CGCS2000: "EPSG:4490"}[declared]
	member := fmt.Appendf(nil, `{"type":"name","properties":{"name":%q}}`, name)
	c, err := resolveCRS(member, flag)
	if err != nil {
		return "", fmt.Errorf("%w (from its .prj; remove the .prj if the coordinates are really %s)", err, flag)
	}
	return c, nil
}

// prjCRS reads the coordinate system of a .prj (ESRI WKT): WGS84 or CGCS2000 degrees are read;
// projected systems, and other datums, are refused saying what to do.
func prjCRS(wkt string) (geo.CRS, error) {
	upper := strings.ToUpper(wkt)
	title := wkt
	if i := strings.IndexByte(wkt, ','); i > 0 {
		title = wkt[:i] + "]"
	}
	switch {
	case strings.HasPrefix(upper, "PROJCS") || strings.HasPrefix(upper, "PROJCRS"):
		return "", fmt.Errorf("%w: the .prj says %s, a projected system in metres; %s", ErrBadCRS, title, geo.ProjectedHint)
	case !strings.HasPrefix(upper, "GEOGCS") && !strings.HasPrefix(upper, "GEOGCRS"):
		return "", fmt.Errorf("%w: the .prj is not a coordinate system this import reads (%s)", ErrBadCRS, title)
	case strings.Contains(upper, "CHINA_2000") || strings.Contains(upper, "CHINA GEODETIC COORDINATE SYSTEM 2000") ||
		strings.Contains(upper, "CGCS_2000") || strings.Contains(upper, "CGCS2000"):
		return geo.CGCS2000, nil
	case strings.Contains(upper, "WGS_1984") || strings.Contains(upper, "WGS 84") || strings.Contains(upper, "WGS84"):
		return geo.WGS84, nil
	}
	return "", fmt.Errorf("%w: the .prj says %s, not WGS84 or CGCS2000 degrees (Beijing 1954 and Xian 1980 need a "+
		"datum shift); re-project it to EPSG:4490 (CGCS2000) or EPSG:4326 (WGS84) first", ErrBadCRS, title)
}

// shapefileEncoding is the encoding of the attribute table: the importer's, or the .cpg's, or
// UTF-8 (which names that are not UTF-8 then refuse, with a hint).
func shapefileEncoding(fsys fs.FS, cpg string, flag TextEncoding) (TextEncoding, bool, error) {
	if flag != "" {
		return flag, false, nil
	}
	if cpg == "" {
		return UTF8, false, nil
	}
	name, err := readSmall(fsys, cpg)
	if err != nil {
		return "", false, err
	}
	enc, err := ParseTextEncoding(name)
	if err != nil {
		return "", false, fmt.Errorf("%w (the .cpg file); say --encoding", err)
	}
	return enc, true, nil
}

// attributeTable is where each unit attribute is in a .dbf's rows, and how its text is encoded.
type attributeTable struct {
	enc                                    TextEncoding
	guessed                                bool // no .cpg and no --encoding: UTF-8 assumed
	code, name, level, parent, pop, houses int  // column indexes, -1 when absent
}

func attributeColumns(dbf *shapefile.DBF, enc TextEncoding, fromCPG bool, o ShapefileOptions) (attributeTable, error) {
	t := attributeTable{enc: enc, guessed: !fromCPG && o.Encoding == ""}
	names := make([]string, len(dbf.FieldDescriptors))
	for i, f := range dbf.FieldDescriptors {
		n, err := t.text([]byte(f.Name)) // the reader keeps names as their bytes
		if err != nil {
			return t, fmt.Errorf("field %d's name: %w", i, err)
		}
		names[i] = n
	}
	find := func(given string, defaults []string, what string, required bool) (int, error) {
		want := defaults
		if given != "" {
			want = []string{given}
		}
		for _, w := range want {
			for i, n := range names {
				if strings.EqualFold(n, w) {
					return i, nil
				}
			}
		}
		if required || given != "" {
			return -1, fmt.Errorf("%w: no %s field %s among %s; say which with --%s-field", ErrBadShapefile, what,
				strings.Join(want, " or "), strings.Join(names, ", "), what)
		}
		return -1, nil
	}
	var err error
	if t.code, err = find(o.CodeField, defaultCodeFields, "code", true); err != nil {
		return t, err
	}
	if t.name, err = find(o.NameField, defaultNameFields, "name", true); err != nil {
		return t, err
	}
	if t.level, err = find(o.LevelField, defaultLevelFields, "level", false); err != nil {
		return t, err
	}
	if t.parent, err = find(o.ParentField, defaultParentFields, "parent", false); err != nil {
		return t, err
	}
	t.pop, _ = find("", []string{"population"}, "population", false)
	t.houses, _ = find("", []string{"households"}, "households", false)
	return t, nil
}

func (t attributeTable) text(raw []byte) (string, error) {
	s, err := t.enc.decode(raw)
	if err != nil && t.guessed {
		return "", fmt.Errorf("%w; the Shapefile has no .cpg saying its encoding: if it comes from ArcGIS or a "+
			"county GIS office it is likely GBK, say --encoding gbk", err)
	}
	return s, err
}

// unit reads one row and its shape as a unit.
func (t attributeTable) unit(row []any, g geom.T) (Unit, error) {
	if row == nil {
		return Unit{}, fmt.Errorf("%w: the row is marked deleted in the .dbf; save the layer anew (QGIS: Export) to drop it", ErrBadShapefile)
	}
	var p unitProperties
	str := func(col int) (*string, error) {
		if col < 0 || row[col] == nil {
			return nil, nil
		}
		s, err := t.value(row[col])
		return &s, err
	}
	num := func(col int) (*int, error) {
		s, err := str(col)
		if s == nil || err != nil || *s == "" {
			return nil, err
		}
		n, err := strconv.Atoi(*s)
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not a whole number", ErrInvalidUnit, *s)
		}
		return &n, nil
	}
	var err error
	for _, f := range []struct {
		name string
		col  int
		dst  **string
	}{{"code", t.code, &p.Code}, {"name", t.name, &p.Name}, {"parent", t.parent, &p.ParentCode}} {
		if *f.dst, err = str(f.col); err != nil {
			return Unit{}, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	for _, f := range []struct {
		name string
		col  int
		dst  **int
	}{{"level", t.level, &p.Level}, {"population", t.pop, &p.Population}, {"households", t.houses, &p.Households}} {
		if *f.dst, err = num(f.col); err != nil {
			return Unit{}, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if p.Code != nil { // the unified codes nest: the level and the parent follow from the code
		code := *p.Code
		if p.Level == nil {
			l := int(LevelOfCode(code))
			p.Level = &l
		}
		if p.ParentCode == nil || *p.ParentCode == "" {
			if l := Level(*p.Level); l > County && l <= MicroGrid && len(code) == l.CodeLength() {
				parent := code[:(l - 1).CodeLength()]
				p.ParentCode = &parent
			}
		}
	}
	u, err := p.unit()
	if err != nil {
		return u, err
	}
	u.Geom, err = shapeToMultiPolygon(g)
	return u, err
}

// value is a .dbf cell as text: character fields decoded, numbers written out in full.
func (t attributeTable) value(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return t.text(latin1Bytes(x))
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return "", fmt.Errorf("%w: %v is a decimal number; store codes as text", ErrInvalidUnit, x)
		}
		return strconv.FormatFloat(x, 'f', 0, 64), nil
	case shapefile.DBFMemo:
		return t.text(latin1Bytes(string(x)))
	}
	return fmt.Sprint(v), nil
}

// shapeToMultiPolygon takes a shape's polygons (the reader has grouped each outer ring with its
// holes), dropping Z and M, turns its rings the way RFC 7946 has them (a Shapefile's outer rings
// are clockwise, GeoJSON's counterclockwise), and checks them as an imported geometry.
func shapeToMultiPolygon(g geom.T) (orb.MultiPolygon, error) {
	var polys []*geom.Polygon
	switch s := g.(type) {
	case *geom.Polygon:
		polys = []*geom.Polygon{s}
	case *geom.MultiPolygon:
		for i := range s.NumPolygons() {
			polys = append(polys, s.Polygon(i))
		}
	case nil:
		return nil, fmt.Errorf("%w: the shape is empty", ErrBadGeometry)
	default:
		return nil, fmt.Errorf("%w: the shape is a %T; want polygons", ErrBadGeometry, g)
	}
	mp := make(orb.MultiPolygon, 0, len(polys))
	for _, p := range polys {
		poly := make(orb.Polygon, 0, p.NumLinearRings())
		for i := range p.NumLinearRings() {
			coords := p.LinearRing(i).Coords()
			ring := make(orb.Ring, len(coords))
			for j, c := range coords {
				ring[j] = orb.Point{c.X(), c.Y()}
			}
			if want := map[bool]orb.Orientation{true: orb.CCW, false: orb.CW}[i == 0]; ring.Orientation() != want {
				ring.Reverse()
			}
			poly = append(poly, ring)
		}
		mp = append(mp, poly)
	}
	mp, err := geo.CheckPolygonal(mp)
	if err != nil {
		return nil, geometryError(err)
	}
	return mp, nil
}
