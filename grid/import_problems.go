package grid

import (
	"fmt"
	"strings"

	"github.com/griddispatch/griddispatch/geo"
)

// FeatureProblems are the problems of an import file's features, all of them: reading goes on
// past a bad feature, so that one report names every one (up to MaxReportedProblems, and how
// many more). It is an error that wraps each FeatureError.
type FeatureProblems struct {
	Problems []*FeatureError
	More     int // found beyond MaxReportedProblems
}

// MaxReportedProblems bounds what one report lists of a file's problems.
const MaxReportedProblems = 1000

func (p *FeatureProblems) add(fe *FeatureError) {
	if len(p.Problems) < MaxReportedProblems {
		p.Problems = append(p.Problems, fe)
	} else {
		p.More++
	}
}

// err is p as an error: nil without problems, the one FeatureError when there is one.
func (p *FeatureProblems) err() error {
	switch {
	case len(p.Problems) == 0:
		return nil
	case len(p.Problems) == 1 && p.More == 0:
		return p.Problems[0]
	}
	return p
}

func (p *FeatureProblems) Error() string {
	lines := make([]string, 0, len(p.Problems)+1)
	for _, fe := range p.Problems {
		lines = append(lines, fe.Error())
	}
	if p.More > 0 {
		lines = append(lines, fmt.Sprintf("and %d more", p.More))
	}
	return fmt.Sprintf("%d problems:\n  %s", len(p.Problems)+p.More, strings.Join(lines, "\n  "))
}

// Unwrap lets errors.Is and errors.As find each problem.
func (p *FeatureProblems) Unwrap() []error {
	errs := make([]error, len(p.Problems))
	for i, fe := range p.Problems {
		errs[i] = fe
	}
	return errs
}

// collected gathers an import file's units as they are read, in order: each converted to WGS84,
// a code seen before refused as a duplicate, every problem noted.
type collected struct {
	crs      geo.CRS
	what     string // "feature" or "record", for the duplicate's message
	units    []Unit
	seen     map[string]int
	problems FeatureProblems
}

func newCollected(crs geo.CRS, what string, n int) *collected {
	return &collected{crs: crs, what: what, units: make([]Unit, 0, n), seen: make(map[string]int, n)}
}

// add takes the i-th unit of the file as read, or the error reading it.
func (c *collected) add(i int, u Unit, err error) {
	if err == nil {
		if first, dup := c.seen[u.Code]; dup {
			err = fmt.Errorf("%w: also %s %d", ErrDuplicateCode, c.what, first)
		}
	}
	if err != nil {
		c.problems.add(&FeatureError{Index: i, Code: u.Code, Err: err})
		return
	}
	c.crs.MultiPolygonToWGS84(u.Geom)
	c.seen[u.Code] = i
	c.units = append(c.units, u)
}

// result is the units read, and the problems as one error (nil without any).
func (c *collected) result() ([]Unit, error) { return c.units, c.problems.err() }
