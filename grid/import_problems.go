package grid

import (
	"fmt"
	"strings"
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
