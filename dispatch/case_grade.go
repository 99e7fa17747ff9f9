package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Risk grading and leader ownership (issue 16 point 5, docs/cases.md "Grading"). A centre grades
// a case when it accepts it (the grade is optional there, so that older clients keep working) and
// may regrade it later with a reason. The grade rules of the routing catalogue (grade_rules,
// docs/routing.md) say, per grade, the tier the case must be at least at and the share of the
// category's deadline it gets. A county leader may take ownership of a difficult case (领导包案).

// Grade is a case's risk grade.
type Grade string

// The grades.
const (
	GradeSimple    Grade = "simple"    // 简单
	GradeComplex   Grade = "complex"   // 复杂
	GradeDifficult Grade = "difficult" // 疑难
)

// Valid reports whether g is a grade.
func (g Grade) Valid() bool { return g == GradeSimple || g == GradeComplex || g == GradeDifficult }

// checkGrade validates the grade fields of t without the database: optional on accept,
// required on regrade, absent elsewhere.
func (t *Transition) checkGrade() error {
	switch {
	case t.Grade != "" && !t.Grade.Valid():
		return fmt.Errorf("%w: grade must be simple, complex or difficult", ErrBadTransition)
	case t.Action == ActRegrade && t.Grade == "":
		return fmt.Errorf("%w: regrade needs a grade", ErrBadTransition)
	case t.Action != ActAccept && t.Action != ActRegrade && (t.Grade != "" || t.Major):
		return fmt.Errorf("%w: only accept and regrade carry a grade", ErrBadTransition)
	case t.Action == ActAccept && t.Major && t.Grade == "":
		return fmt.Errorf("%w: major (重大) goes with a grade", ErrBadTransition)
	}
	return nil
}

// gradeRule is a row of grade_rules.
type gradeRule struct {
	tier Tier // 0: the grade does not move the case
	pct  int  // percentage of the category's deadline
}

func loadGradeRule(ctx context.Context, q querier, g Grade) (gradeRule, error) {
	var r gradeRule
	var tier *Tier
	err := q.QueryRow(ctx, `SELECT tier, deadline_pct FROM grade_rules WHERE grade = $1`, string(g)).Scan(&tier, &r.pct)
	if errors.Is(err, pgx.ErrNoRows) {
		return gradeRule{pct: 100}, nil // an administrator removed the rule: the grade changes nothing
	}
	if tier != nil {
		r.tier = *tier
	}
	return r, err
}

// nextGrade is what grading (accept with a grade, regrade) and taking ownership do to next.
// Grading records the grade; where the grade's rule asks for a higher tier the case goes up to
// that tier's centre, queued, with that tier's deadline; otherwise the deadline is rescaled from
// the old grade's share to the new one's.
func nextGrade(ctx context.Context, q querier, t Transition, c caseRow, next *caseRow) error {
	if t.Action == ActLeadRelease || t.Action == ActLeadHandover {
		return nextLeader(ctx, q, t, c, next) // case_leader.go
	}
	if t.Action == ActLead {
		switch {
		case c.grade == nil || Grade(*c.grade) != GradeDifficult:
			return ErrNotDifficult
		case c.leader != nil:
			return ErrAlreadyOwned
		}
		next.leader = &t.ActorID
		return nil
	}
	if t.Grade == "" { // accept without a grade (older clients): nothing changes
		return nil
	}
	if t.Action == ActRegrade && c.grade != nil && Grade(*c.grade) == t.Grade && c.major == t.Major {
		return fmt.Errorf("%w: the case already has this grade", ErrBadTransition)
	}
	if c.leader != nil && t.Grade != GradeDifficult {
		return fmt.Errorf("%w: a leader owns this case; it stays difficult", ErrNotAllowed)
	}
	rule, err := loadGradeRule(ctx, q, t.Grade)
	if err != nil {
		return err
	}
	g := string(t.Grade)
	next.grade, next.major, next.gradePct = &g, t.Major, rule.pct
	if rule.tier != 0 && rule.tier < c.level {
		path := c.path
		if path == nil {
			if path, err = loadPath(ctx, q, c.unit); err != nil {
				return err
			}
		}
		level := CentreAbove(path, rule.tier.Level())
		next.state, next.level, next.centre = StateQueued, TierOf(level), path.Units[level].Code
		return freshDeadline(ctx, q, next) // on that tier's clock, at the new grade's share
	}
	if c.deadlineAt != nil && rule.pct != c.gradePct {
		// An overdue flag stays: only a new tier lifts it (docs/metrics.md, open_overdue).
		return rescaleDeadline(ctx, q, c, next, rule.pct)
	}
	return nil
}

// scaleDeadline is pct percent of d, in whole seconds.
func scaleDeadline(d time.Duration, pct int) time.Duration {
	return (d * time.Duration(pct) / 100).Truncate(time.Second)
}
