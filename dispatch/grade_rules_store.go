package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// GradeRules is the routing catalogue's grade rules (grade_rules, migration 021) as a county
// administrator edits them (docs/admin-api.md, "Grade rules"). Transitions read the rules when
// they set a deadline (case_grade.go, case_transition.go), so a saved rule applies from then on
// in every process; deadlines already set do not move.
type GradeRules struct{ pool *pgxpool.Pool }

// NewGradeRules edits the grade rules in pool.
func NewGradeRules(pool *pgxpool.Pool) *GradeRules { return &GradeRules{pool: pool} }

// The bounds of a grade's share of the category's deadline: those of grade_rules' check.
const (
	MinGradeDeadlinePct = 10
	MaxGradeDeadlinePct = 1000
)

// GradeRule is what a grade does to a case: the tier it must be at least at (0: the grade does
// not move it) and its share of the category's tier deadline, in percent.
type GradeRule struct {
	Grade       Grade
	Tier        Tier
	DeadlinePct int
}

func (r GradeRule) check() error {
	switch {
	case !r.Grade.Valid():
		return ErrUnknownGrade
	case r.Tier != 0 && !r.Tier.HasCentre():
		return fmt.Errorf("%w: tier must be village, township, county or none", ErrBadGradeRule)
	case r.DeadlinePct < MinGradeDeadlinePct || r.DeadlinePct > MaxGradeDeadlinePct:
		return fmt.Errorf("%w: deadline_pct must be %d to %d", ErrBadGradeRule, MinGradeDeadlinePct, MaxGradeDeadlinePct)
	}
	return nil
}

// List returns the rule of every grade, simple to difficult; a grade whose row was removed
// shows what grading then does (no tier, 100%).
func (s *GradeRules) List(ctx context.Context) ([]GradeRule, error) {
	out := []GradeRule{{GradeSimple, 0, 100}, {GradeComplex, 0, 100}, {GradeDifficult, 0, 100}}
	rows, err := s.pool.Query(ctx, `SELECT grade, coalesce(tier, 0), deadline_pct FROM grade_rules`)
	if err != nil {
		return nil, fmt.Errorf("%w: grade rules: %v", ErrRetryable, err)
	}
	var grade string
	var tier Tier
	var pct int32
	if _, err := pgx.ForEachRow(rows, []any{&grade, &tier, &pct}, func() error {
		for i := range out {
			if string(out[i].Grade) == grade {
				out[i].Tier, out[i].DeadlinePct = tier, int(pct)
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("%w: grade rules: %v", ErrRetryable, err)
	}
	return out, nil
}

// Save replaces the rule of r.Grade, audited with the rule it replaces; by is the administrator.
func (s *GradeRules) Save(ctx context.Context, r GradeRule, by int64) error {
	if err := r.check(); err != nil {
		return err
	}
	var tier *int16
	if r.Tier != 0 {
		t := int16(r.Tier)
		tier = &t
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var oldTier *int16
		var oldPct *int32
		err := tx.QueryRow(ctx, `SELECT tier, deadline_pct FROM grade_rules WHERE grade = $1 FOR UPDATE`, string(r.Grade)).
			Scan(&oldTier, &oldPct)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO grade_rules (grade, tier, deadline_pct) VALUES ($1, $2, $3)
			ON CONFLICT (grade) DO UPDATE SET tier = EXCLUDED.tier, deadline_pct = EXCLUDED.deadline_pct`,
			string(r.Grade), tier, r.DeadlinePct); err != nil {
			return err
		}
		return grid.AuditDeploymentWide(ctx, tx, &by, "grade_rule.save", map[string]any{"grade": r.Grade,
			"tier": tier, "deadline_pct": r.DeadlinePct, "was": map[string]any{"tier": oldTier, "deadline_pct": oldPct}})
	})
	if err != nil {
		return fmt.Errorf("%w: grade rules: %v", ErrRetryable, err)
	}
	return nil
}
