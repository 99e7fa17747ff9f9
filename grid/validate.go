package grid

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Tolerance says how large a defect must be to count. Shared edges that match only up to
// floating-point noise leave slivers of far less than a square metre; a tolerance above that
// absorbs them without hiding anything a person would draw.
type Tolerance struct {
	AreaM2 float64 // square metres; 0 means DefaultTolerance's
}

// DefaultTolerance is what Validate uses for a zero Tolerance.
var DefaultTolerance = Tolerance{AreaM2: 1}

func (t Tolerance) orDefault() (Tolerance, error) {
	switch {
	case math.IsNaN(t.AreaM2) || math.IsInf(t.AreaM2, 0) || t.AreaM2 < 0:
		return t, fmt.Errorf("%w: area %v m² must be a finite number >= 0", ErrInvalidTolerance, t.AreaM2)
	case t.AreaM2 == 0:
		return DefaultTolerance, nil
	}
	return t, nil
}

// ProblemKind names one of the four checks of Validate.
type ProblemKind string

// The kinds of problem, in the order Validate reports a unit's problems.
const (
	InvalidGeometry ProblemKind = "invalid_geometry" // not a valid OGC polygon (ST_IsValid)
	OutsideParent   ProblemKind = "outside_parent"   // part of the unit lies outside its parent
	Overlap         ProblemKind = "overlap"          // two siblings share interior
	Gap             ProblemKind = "gap"              // part of a parent is covered by none of its children
)

var kindOrder = []ProblemKind{InvalidChange, StaleChange, OpenCases, RetiredCode, UnknownParent, InvalidGeometry, OutsideParent, Overlap, Gap, FarFromRest}

// Problem is one defect of one unit.
type Problem struct {
	Code   string // the unit; for a gap the parent not covered, for an overlap the smaller code
	Name   string
	Level  Level
	Kind   ProblemKind
	AreaM2 float64 // the defect's area; for invalid geometry, how much ST_MakeValid changes it
	Other  string  // for an overlap, the other sibling's code
	Detail string  // for people: what is wrong and where (longitude,latitude)
}

// String is one line for the command line, fields separated by two spaces.
func (p Problem) String() string {
	fields := []string{p.Code, p.Name, p.Level.String(), string(p.Kind)}
	if p.Other != "" {
		fields = append(fields, "with "+p.Other)
	}
	switch p.Kind {
	case OutsideParent, Overlap, Gap:
		fields = append(fields, formatM2(p.AreaM2))
	case InvalidGeometry:
		if p.AreaM2 > 0 {
			fields = append(fields, formatM2(p.AreaM2))
		}
	}
	if p.Detail != "" {
		fields = append(fields, p.Detail)
	}
	return strings.Join(fields, "  ")
}

// sortProblems orders problems by code, then kind (in kindOrder), then the other code.
func sortProblems(ps []Problem) {
	slices.SortFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			strings.Compare(a.Code, b.Code),
			cmp.Compare(slices.Index(kindOrder, a.Kind), slices.Index(kindOrder, b.Kind)),
			strings.Compare(a.Other, b.Other),
		)
	})
}

// Areas are measured on the plane of longitude and latitude, where the polygons are drawn
// (QGIS and PostGIS geometry join vertices by straight lines in degrees), then scaled to square
// metres at the defect's latitude. ST_Area(geom::geography) would instead join vertices by
// geodesics: a sliver between a parent's long edge and its children's vertices on that edge
// has no area in degrees but, read as geodesics, hundreds of square metres on a 10 km edge.

// WGS 84: semi-major axis in metres and squared eccentricity.
const (
	wgs84A  = 6378137.0
	wgs84E2 = 0.00669437999014
)

// squareMetres converts an area in square degrees around latitude lat to square metres on the
// WGS 84 ellipsoid: a degree of latitude is M·π/180 metres and a degree of longitude
// N·cos(lat)·π/180, with M and N the meridional and prime-vertical radii of curvature there.
func squareMetres(deg2, lat float64) float64 {
	phi := lat * math.Pi / 180
	sin := math.Sin(phi)
	w := 1 - wgs84E2*sin*sin
	m := wgs84A * (1 - wgs84E2) / (w * math.Sqrt(w))
	n := wgs84A / math.Sqrt(w)
	perDegree := math.Pi / 180
	return deg2 * m * perDegree * n * math.Max(math.Cos(phi), 0) * perDegree
}

// squareDegrees is the smallest area in square degrees that can exceed m2 square metres
// anywhere: a square degree is largest at the equator. The database filters with it, and
// Validate then applies the tolerance exactly at each defect's latitude.
func squareDegrees(m2 float64) float64 {
	return m2 / squareMetres(1, 0)
}

func formatM2(m2 float64) string {
	if math.IsNaN(m2) {
		return "? m²"
	}
	return fmt.Sprintf("%.1f m²", m2)
}

// near formats a location for the detail text as longitude,latitude, the form QGIS's
// "go to coordinate" accepts. Five decimals are about a metre.
func near(lon, lat *float64) string {
	if lon == nil || lat == nil {
		return ""
	}
	return fmt.Sprintf(" near %.5f,%.5f", *lon, *lat)
}

// plural names n units of a level: "1 village", "12 micro-grids".
func plural(n int, l Level) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", l)
	}
	return fmt.Sprintf("%d %ss", n, l)
}

// repairDetail describes an invalid polygon: PostGIS's reason and what ST_MakeValid would
// make of it. fixedType is ST_GeometryType of the repair; parts and fixedM2 describe its
// polygons; storedM2 is the area of the polygon as stored (NaN when not measurable).
func repairDetail(reason, fixedType string, parts int, fixedM2, storedM2 float64) string {
	fixedType = strings.TrimPrefix(fixedType, "ST_")
	if parts == 0 {
		return fmt.Sprintf("%s; ST_MakeValid would leave no polygon (it gives a %s)", reason, fixedType)
	}
	was := "was " + formatM2(storedM2)
	if math.IsNaN(storedM2) {
		was = "the stored polygon has no measurable area"
	}
	s := fmt.Sprintf("%s; ST_MakeValid would give a MultiPolygon of %s, %s (%s)",
		reason, partsText(parts), formatM2(fixedM2), was)
	if fixedType == "GeometryCollection" {
		s += " after dropping lines and points"
	}
	return s
}

func partsText(n int) string {
	if n == 1 {
		return "1 part"
	}
	return fmt.Sprintf("%d parts", n)
}

// codesOf lists the problems' unit codes.
func codesOf(ps []Problem) []string {
	codes := make([]string, len(ps))
	for i, p := range ps {
		codes[i] = p.Code
	}
	return codes
}
