package dispatch

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PointRule is one indicator of the county's scheme (point_rules, migration 027): what earns or
// costs how many points, capped per period, and for a manual item the tier that approves it.
type PointRule struct {
	ID           int64        `db:"id" json:"id"`
	Code         string       `db:"code" json:"code"`
	Category     string       `db:"category" json:"category"`
	Indicator    string       `db:"indicator" json:"indicator"`
	Points       int          `db:"points" json:"points"`
	Trigger      PointTrigger `db:"trigger" json:"trigger"`
	CaseCategory *string      `db:"case_category" json:"case_category"`
	CapPoints    *int         `db:"cap_points" json:"cap_points"`
	CapPeriod    *string      `db:"cap_period" json:"cap_period"`
	ApproverTier *int         `db:"approver_tier" json:"approver_tier"`
	Active       bool         `db:"active" json:"active"`
}

var ruleCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Check refuses what point_rules' checks would, with the field at fault.
func (r PointRule) Check() error {
	bad := func(msg string) error { return fmt.Errorf("%w: %s", ErrBadPointRule, msg) }
	switch {
	case !ruleCode.MatchString(r.Code):
		return bad("code: 2 to 40 lower-case letters, digits or _, starting with a letter")
	case r.Category == "" || utf8.RuneCountInString(r.Category) > 50:
		return bad("category: 1 to 50 characters")
	case r.Indicator == "" || utf8.RuneCountInString(r.Indicator) > 100:
		return bad("indicator: 1 to 100 characters")
	case r.Points == 0 || r.Points < -1000 || r.Points > 1000:
		return bad("points: -1000 to 1000, not 0")
	case !slices.Contains(PointTriggers, r.Trigger):
		return bad("trigger: report_accepted, settled_at_grid, verified_on_time, report_invalid or manual")
	case (r.CapPoints == nil) != (r.CapPeriod == nil):
		return bad("a cap has both points and a period, or neither")
	case r.CapPoints != nil && (*r.CapPoints <= 0 || *r.CapPoints > 100000):
		return bad("cap_points: 1 to 100000")
	case r.CapPeriod != nil && !slices.Contains(PointCapPeriods, *r.CapPeriod):
		return bad("cap_period: day, month, quarter or year")
	case (r.Trigger == TriggerManual) != (r.ApproverTier != nil):
		return bad("a manual rule, and only one, has an approver tier")
	case r.ApproverTier != nil && (*r.ApproverTier < 1 || *r.ApproverTier > 3):
		return bad("approver_tier: 1 county, 2 township, 3 village")
	case r.Trigger == TriggerManual && r.CaseCategory != nil:
		return bad("a manual rule has no case category")
	}
	return nil
}

// Rules lists the rules by category and code; only the active ones unless all.
func (s *Points) Rules(ctx context.Context, all bool) ([]PointRule, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, code, category, indicator, points, trigger, case_category, cap_points, cap_period,
       approver_tier, active FROM point_rules WHERE active OR $1
 ORDER BY min(id) OVER (PARTITION BY category), id`, all)
	if err != nil {
		return nil, storeErr("rules", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PointRule])
	return out, storeErr("rules", err)
}

// SaveRule adds r (ID 0) or replaces rule r.ID, audited with what it replaces; by is the county
// administrator. A rule's code and trigger are fixed once made: ledger rows name the code.
func (s *Points) SaveRule(ctx context.Context, r PointRule, by int64) (PointRule, error) {
	if err := r.Check(); err != nil {
		return PointRule{}, err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var was any
		if r.ID != 0 {
			rows, err := tx.Query(ctx, `SELECT id, code, category, indicator, points, trigger, case_category, cap_points, cap_period,
       approver_tier, active FROM point_rules WHERE id = $1 FOR UPDATE`, r.ID)
			if err != nil {
				return err
			}
			old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PointRule])
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrPointNotFound
			}
			if err != nil {
				return err
			}
			if old.Code != r.Code || old.Trigger != r.Trigger {
				return fmt.Errorf("%w: a rule's code and trigger stay as made; add a new rule instead", ErrBadPointRule)
			}
			was = old
			_, err = tx.Exec(ctx, `UPDATE point_rules SET category = $2, indicator = $3, points = $4, case_category = $5,
       cap_points = $6, cap_period = $7, approver_tier = $8, active = $9, updated_at = now() WHERE id = $1`,
				r.ID, r.Category, r.Indicator, r.Points, r.CaseCategory, r.CapPoints, r.CapPeriod, r.ApproverTier, r.Active)
			if err != nil {
				return err
			}
		} else {
			err := tx.QueryRow(ctx, `INSERT INTO point_rules (code, category, indicator, points, trigger, case_category, cap_points,
       cap_period, approver_tier, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
				r.Code, r.Category, r.Indicator, r.Points, r.Trigger, r.CaseCategory, r.CapPoints, r.CapPeriod, r.ApproverTier, r.Active).
				Scan(&r.ID)
			if err != nil {
				return err
			}
		}
		return auditRule(ctx, tx, by, r, was)
	})
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return PointRule{}, ErrPointRuleExists
	case errors.As(err, &pgErr) && pgErr.Code == "23503":
		return PointRule{}, fmt.Errorf("%w: case_category: no such category", ErrBadPointRule)
	case err != nil:
		return PointRule{}, storeErr("save a rule", err)
	}
	return r, nil
}

func auditRule(ctx context.Context, tx pgx.Tx, by int64, r PointRule, was any) error {
	var counties []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM units WHERE level = 1 AND retired_at IS NULL`).
		Scan(&counties); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, units, detail) VALUES ($1, 'point_rule.save', $2,
       jsonb_build_object('rule', $3::jsonb, 'was', $4::jsonb))`, by, counties, r, was)
	return err
}
