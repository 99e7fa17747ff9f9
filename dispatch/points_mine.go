package dispatch

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// PointMonth is a member's month: the points earned and lost in the rows booked in it.
type PointMonth struct {
	Month  string `db:"month" json:"month"` // 2026-12
	Earned int64  `db:"earned" json:"earned"`
	Lost   int64  `db:"lost" json:"lost"` // positive: the points taken away
}

// PointRow is one ledger row as its member reads it.
type PointRow struct {
	ID        int64      `db:"id" json:"id"`
	Month     string     `db:"month" json:"month"`
	Points    int        `db:"points" json:"points"`
	Kind      string     `db:"kind" json:"kind"`
	Rule      *string    `db:"rule" json:"rule,omitempty"`
	Category  *string    `db:"category" json:"category,omitempty"`
	Indicator *string    `db:"indicator" json:"indicator,omitempty"`
	CaseID    *int64     `db:"case_id" json:"case_id,omitempty"`
	Day       *time.Time `db:"occurred_on" json:"-"`
	Note      *string    `db:"note" json:"note,omitempty"`
	At        time.Time  `db:"created_at" json:"at"`
	Reverses  *int64     `db:"reverses" json:"reverses,omitempty"`
	Cancelled bool       `db:"cancelled" json:"cancelled"`
}

// MyPoints is what a member's phone shows: the balance, month by month, the newest rows.
type MyPoints struct {
	Balance int64
	Months  []PointMonth
	Rows    []PointRow
}

// monthTotals is the month API's query (the fast path docs/points.md's reference SQL is
// checked against): a member's rows summed by the month they are booked in, newest first.
const monthTotals = `
SELECT to_char(month, 'YYYY-MM') AS month,
       coalesce(sum(points) FILTER (WHERE points > 0), 0)::bigint AS earned,
       coalesce(-sum(points) FILTER (WHERE points < 0), 0)::bigint AS lost
FROM point_ledger WHERE member_id = $1 GROUP BY month ORDER BY month DESC LIMIT 36`

const myRows = `
SELECT l.id, to_char(l.month, 'YYYY-MM') AS month, l.points, l.kind, r.code AS rule, r.category, r.indicator,
       o.case_id, o.occurred_on, l.note, l.created_at, l.reverses,
       EXISTS (SELECT 1 FROM point_ledger x WHERE x.reverses = l.id) AS cancelled
FROM point_ledger l
LEFT JOIN point_rules r ON r.id = coalesce(l.rule_id, (SELECT c.rule_id FROM point_ledger c WHERE c.id = l.reverses))
LEFT JOIN point_occurrences o ON o.ledger_id = coalesce(l.reverses, l.id)
WHERE l.member_id = $1 AND ($2::text = '' OR to_char(l.month, 'YYYY-MM') = $2)
ORDER BY l.id DESC LIMIT $3`

// Mine reads member's points; month ("2026-12", or "" for the newest) limits the rows.
func (s *Points) Mine(ctx context.Context, member int64, month string) (MyPoints, error) {
	var out MyPoints
	err := s.pool.QueryRow(ctx, `SELECT balance FROM point_balances WHERE member_id = $1`, member).Scan(&out.Balance)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return out, storeErr("points", err)
	}
	rows, err := s.pool.Query(ctx, monthTotals, member)
	if err != nil {
		return out, storeErr("points", err)
	}
	if out.Months, err = pgx.CollectRows(rows, pgx.RowToStructByName[PointMonth]); err != nil {
		return out, storeErr("points", err)
	}
	rows, err = s.pool.Query(ctx, myRows, member, month, MaxPointRows)
	if err != nil {
		return out, storeErr("points", err)
	}
	out.Rows, err = pgx.CollectRows(rows, pgx.RowToStructByName[PointRow])
	return out, storeErr("points", err)
}
