package grid

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// ImportOptions say how Store.ImportWith checks and commits a file (docs/grid.md, "Check before
// commit").
type ImportOptions struct {
	// DryRun checks everything and writes nothing.
	DryRun bool
	// MakeValid repairs invalid polygons with ST_MakeValid, reporting what it changed, instead
	// of refusing them.
	MakeValid bool
	// AllowTopologyProblems commits a file that leaves units outside their parents, siblings
	// overlapping or parents with gaps, which is refused otherwise: a gap loses reports.
	AllowTopologyProblems bool
	Tolerance             Tolerance // for the topology checks; zero means DefaultTolerance
	// By is the member importing, for the audit log; nil is the command line. Detail is what
	// the audit entry says of the file besides its counts (its name, datum, encoding).
	By     *int64
	Detail map[string]any
}

// More kinds of problem, found only when importing.
const (
	UnknownParent ProblemKind = "unknown_parent" // the parent is neither in the file nor stored
	FarFromRest   ProblemKind = "far_from_rest"  // the unit lies far from the others in the file
	RetiredCode   ProblemKind = "retired_code"   // the code belongs to a retired unit: never used again
)

// ImportReport is everything an import found, and what it did.
type ImportReport struct {
	Problems  []Problem // every problem, ordered by code
	Repairs   []Repair  // polygons ST_MakeValid repaired (with MakeValid)
	Result    ImportResult
	Committed bool
}

// Repair is what ST_MakeValid changed in one unit's polygon.
type Repair struct {
	Code, Name                    string
	VerticesBefore, VerticesAfter int
	AreaBeforeM2, AreaAfterM2     float64
	PartsAfter                    int
	Reason                        string // why it was invalid
}

func (r Repair) String() string {
	return fmt.Sprintf("%s  %s  repaired: %s; %d vertices -> %d, %s -> %s, %s", r.Code, r.Name, r.Reason,
		r.VerticesBefore, r.VerticesAfter, formatM2(r.AreaBeforeM2), formatM2(r.AreaAfterM2), partsText(r.PartsAfter))
}

// refusing says which problems stop a real import: invalid polygons (without MakeValid) and
// unknown parents always; units outside their parents, overlaps and gaps unless allowed. A
// unit far from the rest is only reported: it is outside its parent too if it is a mistake.
func (o ImportOptions) refusing(p Problem) bool {
	switch p.Kind {
	case InvalidGeometry, UnknownParent, RetiredCode:
		return true
	case OutsideParent, Overlap, Gap:
		return !o.AllowTopologyProblems
	}
	return false
}

// ErrImportRefused means the file has problems that stop the import; the report lists them.
var ErrImportRefused = fmt.Errorf("import refused")

// farFromTheRest finds units of the file far from the others: a slip of a digit or swapped
// coordinates puts one in another province, where it would be outside its parent only if the
// parent is in the file. Far means more than 50 km, and ten times the median distance, from the
// median of the units' centres.
func farFromTheRest(units []Unit) []Problem {
	if len(units) < 3 {
		return nil
	}
	lons, lats := make([]float64, len(units)), make([]float64, len(units))
	for i, u := range units {
		c := u.Geom.Bound().Center()
		lons[i], lats[i] = c[0], c[1]
	}
	mlon, mlat := median(lons), median(lats)
	dist := make([]float64, len(units))
	for i := range units {
		dist[i] = kilometres(lons[i], lats[i], mlon, mlat)
	}
	typical := median(dist)
	limit := math.Max(50, 10*typical)
	var out []Problem
	for i, u := range units {
		if dist[i] > limit {
			out = append(out, Problem{Code: u.Code, Name: u.Name, Level: u.Level, Kind: FarFromRest,
				Detail: fmt.Sprintf("%.0f km from the middle of the file's units (near %.5f,%.5f); half lie within %.0f km",
					dist[i], mlon, mlat, typical)})
		}
	}
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// kilometres between two points, on a sphere: plenty for "far".
func kilometres(lon1, lat1, lon2, lat2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 6371 * 2 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// checkRootOf is the unit whose subtree an import's topology checks cover: "" (the whole grid)
// when the file has counties, whose overlaps only a whole-grid check finds, else the deepest
// unit whose code prefixes every imported unit's parent.
func checkRootOf(units []Unit) string {
	parents := make([]string, len(units))
	for i, u := range units {
		if u.Level == County || u.ParentCode == "" {
			return ""
		}
		parents[i] = u.ParentCode
	}
	return commonAncestor(parents)
}

// commonAncestor is the deepest unit code that prefixes every code ("" if none does): their
// longest common prefix, cut to a whole code. Codes carry the hierarchy.
func commonAncestor(codes []string) string {
	root := ""
	for i, c := range codes {
		if i == 0 {
			root = c
			continue
		}
		n := 0
		for n < len(root) && n < len(c) && root[n] == c[n] {
			n++
		}
		root = root[:n]
	}
	for l := MicroGrid; l >= County; l-- {
		if len(root) >= l.CodeLength() {
			return root[:l.CodeLength()]
		}
	}
	return ""
}

// Lines is the report for the command line: problems, then repairs, one a line.
func (r ImportReport) Lines() []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.String())
	}
	for _, rp := range r.Repairs {
		out = append(out, rp.String())
	}
	return out
}

// summary counts problems by kind, for one line: "2 overlap, 1 gap".
func (r ImportReport) summary() string {
	counts := map[ProblemKind]int{}
	var kinds []ProblemKind
	for _, p := range r.Problems {
		if counts[p.Kind] == 0 {
			kinds = append(kinds, p.Kind)
		}
		counts[p.Kind]++
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d %s", counts[k], k)
	}
	return strings.Join(parts, ", ")
}
