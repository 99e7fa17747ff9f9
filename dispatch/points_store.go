package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Points is the points ledger's store for the routes: a member's own points, the rules, manual
// items and their approval, cancelling a row and confirming a month (docs/points.md, "API").
// Who may do what is checked here against the member's assignments, in the same query.
type Points struct{ pool *pgxpool.Pool }

// NewPoints reads and writes the points in pool.
func NewPoints(pool *pgxpool.Pool) *Points { return &Points{pool: pool} }

// ErrPointNotFound: no such item or ledger row, or not one the member may see.
var ErrPointNotFound = errors.New("no such points item or row")

// Bounds of what the points routes take.
const (
	MaxPointNoteChars = 500
	MaxPointRows      = 500 // the rows of a member's page: the newest
	MaxPointItems     = 200
)

// audit writes an audit_log entry about a member's points, with the unit it is at.
func auditPoints(ctx context.Context, tx pgx.Tx, by int64, action string, member *int64, unit string, detail map[string]any) error {
	d, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, member_id, units, detail) VALUES ($1, $2, $3, $4, $5)`,
		by, action, member, []string{unit}, d)
	return err
}

// staffAbove says whether member holds one of roles at an ancestor of (or at) unit, no deeper
// than maxLen digits.
const staffAbove = `EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = $1 AND a.role = ANY($2::text[])
  AND starts_with($3::text, a.unit_code) AND length(a.unit_code) <= $4)`

func (s *Points) allowed(ctx context.Context, q querier, member int64, roles []string, unit string, maxLen int) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT `+staffAbove, member, roles, unit, maxLen).Scan(&ok)
	return ok, err
}

// tierCodeLength is the length of the unit codes at an approver tier: 1 county, 2 township,
// 3 village (where nobody holds a supervisor's assignment, so the township's approve).
func tierCodeLength(tier int) int { return [...]int{0, 6, 9, 12}[tier] }

// Cancel books a counter-entry of ledger row id with a reason, by a supervisor or administrator
// of the row's township or county; audited. It returns the counter-entry's id.
func (s *Points) Cancel(ctx context.Context, by, id int64, reason string) (int64, error) {
	var out int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var member, points int64
		var unit, kind, source string
		err := tx.QueryRow(ctx, `SELECT member_id, unit_code, points, kind, source FROM point_ledger WHERE id = $1`, id).
			Scan(&member, &unit, &points, &kind, &source)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrPointNotFound
		}
		if err != nil {
			return err
		}
		if ok, err := s.allowed(ctx, tx, by, []string{"supervisor", "admin"}, unit, 9); err != nil {
			return err
		} else if !ok {
			return ErrPointNotFound // not in their subtree: as if there were none
		}
		switch kind {
		case "reversal":
			return fmt.Errorf("%w: a counter-entry is not cancelled", ErrBadPointItem)
		case "redemption":
			return fmt.Errorf("%w: a redemption is undone in the points supermarket", ErrBadPointItem)
		}
		src := fmt.Sprintf("reversal:%d", id)
		err = tx.QueryRow(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, source, reverses, note, created_by)
VALUES ($1, $2, point_open_month($2, date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date), $3, 'reversal', $4, $5, $6, $7)
ON CONFLICT DO NOTHING RETURNING id`, member, unit, -points, src, id, reason, by).Scan(&out)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrPointReversed
		}
		if err != nil {
			return err
		}
		return auditPoints(ctx, tx, by, "point.cancel", &member, unit, map[string]any{"ledger_id": id, "source": source,
			"points": points, "counter_entry": out, "reason": reason})
	})
	return out, storeErr("cancel a points row", err)
}

// ConfirmMonth is the monthly audit (月度审核): a supervisor of the township (or its county)
// confirms a past month, after which no row of the township's grids is booked into it.
func (s *Points) ConfirmMonth(ctx context.Context, by int64, township string, month time.Time) error {
	if len(township) != 9 || month.Day() != 1 {
		return fmt.Errorf("%w: a township's 9-digit code and the first day of a month", ErrBadPointItem)
	}
	if !month.Before(monthOf(pointDay(time.Now()))) {
		return ErrMonthNotPast
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if ok, err := s.allowed(ctx, tx, by, []string{"supervisor"}, township, 9); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: a supervisor of the township or its county confirms its month", ErrNotYours)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO point_months (township_code, month, confirmed_by) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING`, township, month, by)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrMonthConfirmed
		}
		return auditPoints(ctx, tx, by, "point.month_confirm", nil, township, map[string]any{"month": month.Format("2006-01")})
	})
	return storeErr("confirm a month", err)
}

// ConfirmedMonths lists the months of township that are confirmed, newest first (at most 36).
func (s *Points) ConfirmedMonths(ctx context.Context, township string) ([]time.Time, error) {
	rows, err := s.pool.Query(ctx, `SELECT month FROM point_months WHERE township_code = $1 ORDER BY month DESC LIMIT 36`, township)
	if err != nil {
		return nil, storeErr("confirmed months", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	return out, storeErr("confirmed months", err)
}

// storeErr passes the points' own errors through and makes the database's retryable.
func storeErr(what string, err error) error {
	if err == nil {
		return nil
	}
	for _, e := range []error{ErrPointNotFound, ErrBadPointItem, ErrBadPointRule, ErrPointDecided, ErrPointReversed,
		ErrMonthConfirmed, ErrMonthNotPast, ErrPointRuleExists, ErrNotYours} {
		if errors.Is(err, e) {
			return err
		}
	}
	return fmt.Errorf("%w: %s: %v", ErrRetryable, what, err)
}
