package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// What the township's monthly audit (月度审核) reads on the dashboard (docs/points.md, "The
// monthly audit on the dashboard"): the months of a year with their state and totals, and the
// rows of one month below a township, village or grid. A supervisor or administrator of the
// township or the county above reads them, as they cancel rows; only supervisors confirm.

// MaxAuditRows bounds the rows of one page of the audit; a larger month says so (More) and is
// narrowed to a village, a grid or a worker.
const MaxAuditRows = 500

// MaxAuditWorkers bounds the per-worker totals of a month (a township has a few hundred).
const MaxAuditWorkers = 1000

// PointAuditMonth is one month of a township's year: whether it is past, the current month or
// in the future; who confirmed it and when, if anyone did; the totals of the rows booked in it.
type PointAuditMonth struct {
	Month           string     `db:"month" json:"month"` // 2026-11
	When            string     `db:"-" json:"when"`      // past, current or future (Asia/Shanghai)
	Confirmed       bool       `db:"confirmed" json:"confirmed"`
	ConfirmedBy     *int64     `db:"confirmed_by" json:"confirmed_by,omitempty"`
	ConfirmedByName *string    `db:"confirmed_by_name" json:"confirmed_by_name,omitempty"`
	ConfirmedAt     *time.Time `db:"confirmed_at" json:"confirmed_at,omitempty"`
	Earned          int64      `db:"earned" json:"earned"`
	Lost            int64      `db:"lost" json:"lost"` // positive: the points taken away
	Rows            int64      `db:"rows" json:"rows"`
}

// PointAuditYear is a township's year of months, January first, and whether the reader may
// confirm one (a supervisor; an administrator reads and cancels only).
type PointAuditYear struct {
	Township   string            `json:"township"`
	Name       string            `json:"name"`
	Year       int               `json:"year"`
	CanConfirm bool              `json:"can_confirm"`
	Months     []PointAuditMonth `json:"months"`
}

// PointAuditQuery is the month of rows to read below Unit (a township, village or grid), of
// one worker when Member is not 0.
type PointAuditQuery struct {
	Unit   string
	Month  time.Time // the first day
	Member int64
}

// PointAuditRow is one ledger row as the audit shows it.
type PointAuditRow struct {
	ID          int64      `db:"id" json:"id"`
	Points      int        `db:"points" json:"points"`
	Kind        string     `db:"kind" json:"kind"`
	MemberID    int64      `db:"member_id" json:"member_id"`
	Worker      string     `db:"worker" json:"worker"`
	Grid        string     `db:"grid" json:"grid"`
	GridName    string     `db:"grid_name" json:"grid_name"`
	Rule        *string    `db:"rule" json:"rule,omitempty"`
	Category    *string    `db:"category" json:"category,omitempty"`
	Indicator   *string    `db:"indicator" json:"indicator,omitempty"`
	CaseID      *int64     `db:"case_id" json:"case_id,omitempty"`
	Day         *time.Time `db:"occurred_on" json:"-"`
	Note        *string    `db:"note" json:"note,omitempty"`
	At          time.Time  `db:"created_at" json:"at"`
	Reverses    *int64     `db:"reverses" json:"reverses,omitempty"`
	Cancelled   bool       `db:"cancelled" json:"cancelled"`
	CancelledIn *string    `db:"cancelled_in" json:"cancelled_in,omitempty"` // the month of its counter-entry
}

// PointAuditWorker is a worker's totals at a grid in the month.
type PointAuditWorker struct {
	MemberID int64  `db:"member_id" json:"member_id"`
	Name     string `db:"name" json:"name"`
	Grid     string `db:"grid" json:"grid"`
	GridName string `db:"grid_name" json:"grid_name"`
	Earned   int64  `db:"earned" json:"earned"`
	Lost     int64  `db:"lost" json:"lost"`
	Rows     int64  `db:"rows" json:"rows"`
}

// PointAuditRows is a month below a unit: the month's state at its township, the per-worker
// totals (all of them, up to MaxAuditWorkers) and the rows (the first MaxAuditRows by grid,
// worker and id; More when there are others).
type PointAuditRows struct {
	Month        PointAuditMonth    `json:"month"`
	Workers      []PointAuditWorker `json:"workers"`
	MoreWorkers  bool               `json:"more_workers"`
	Rows         []PointAuditRow    `json:"rows"`
	More         bool               `json:"more"`
	CanCancel    bool               `json:"can_cancel"`
	CanConfirm   bool               `json:"can_confirm"`
	TownshipName string             `json:"township_name"`
}

// auditMonths is each month of the year from $2 of township $1 with its confirmation and the
// totals of the rows of its grids booked in it.
const auditMonths = `
SELECT to_char(m, 'YYYY-MM') AS month, pm.month IS NOT NULL AS confirmed, pm.confirmed_by,
       cm.name AS confirmed_by_name, pm.confirmed_at,
       coalesce(t.earned, 0)::bigint AS earned, coalesce(t.lost, 0)::bigint AS lost, coalesce(t.rows, 0)::bigint AS rows
FROM generate_series($2::date::timestamp, $2::date + interval '11 months', interval '1 month') AS g(m)
LEFT JOIN point_months pm ON pm.township_code = $1 AND pm.month = m::date
LEFT JOIN members cm ON cm.id = pm.confirmed_by
LEFT JOIN (
    SELECT month, sum(points) FILTER (WHERE points > 0) AS earned, -sum(points) FILTER (WHERE points < 0) AS lost, count(*) AS rows
    FROM point_ledger
    WHERE month >= $2::date AND month < ($2::date + interval '1 year')::date AND starts_with(unit_code, $1)
    GROUP BY month
) t ON t.month = m::date
ORDER BY m`

// auditRows is the month's rows below the unit, of one member when $3 is not 0.
const auditRows = `
SELECT l.id, l.points, l.kind, l.member_id, m.name AS worker, l.unit_code AS grid, u.name AS grid_name,
       r.code AS rule, r.category, r.indicator, o.case_id, o.occurred_on, l.note, l.created_at, l.reverses,
       x.id IS NOT NULL AS cancelled, to_char(x.month, 'YYYY-MM') AS cancelled_in
FROM point_ledger l
JOIN members m ON m.id = l.member_id
JOIN units u ON u.code = l.unit_code
LEFT JOIN point_rules r ON r.id = coalesce(l.rule_id, (SELECT c.rule_id FROM point_ledger c WHERE c.id = l.reverses))
LEFT JOIN point_occurrences o ON o.ledger_id = coalesce(l.reverses, l.id)
LEFT JOIN point_ledger x ON x.reverses = l.id
WHERE l.month = $2 AND starts_with(l.unit_code, $1) AND ($3::bigint = 0 OR l.member_id = $3)
ORDER BY l.unit_code, m.name, l.member_id, l.id
LIMIT $4`

// auditWorkers is the month's totals per worker and grid below the unit.
const auditWorkers = `
SELECT l.member_id, m.name, l.unit_code AS grid, u.name AS grid_name,
       coalesce(sum(l.points) FILTER (WHERE l.points > 0), 0)::bigint AS earned,
       coalesce(-sum(l.points) FILTER (WHERE l.points < 0), 0)::bigint AS lost, count(*)::bigint AS rows
FROM point_ledger l JOIN members m ON m.id = l.member_id JOIN units u ON u.code = l.unit_code
WHERE l.month = $2 AND starts_with(l.unit_code, $1) AND ($3::bigint = 0 OR l.member_id = $3)
GROUP BY l.member_id, m.name, l.unit_code, u.name
ORDER BY l.unit_code, m.name, l.member_id
LIMIT $4`

// monthWhen says whether month (a first day) is past, current or future today in Asia/Shanghai.
func monthWhen(month, now time.Time) string {
	cur := monthOf(pointDay(now))
	switch {
	case month.Before(cur):
		return "past"
	case month.Equal(cur):
		return "current"
	}
	return "future"
}

// auditAccess says whether by reads (a supervisor or administrator of the township or county
// above unit) and confirms (a supervisor) there.
func (s *Points) auditAccess(ctx context.Context, by int64, unit string) (read, confirm bool, err error) {
	if read, err = s.allowed(ctx, s.pool, by, []string{"supervisor", "admin"}, unit, 9); err != nil || !read {
		return read, false, err
	}
	confirm, err = s.allowed(ctx, s.pool, by, []string{"supervisor"}, unit, 9)
	return read, confirm, err
}

// AuditMonths reads the months of year for township, for a supervisor or administrator of it
// or of its county (ErrNotYours otherwise).
func (s *Points) AuditMonths(ctx context.Context, by int64, township string, year int) (PointAuditYear, error) {
	out := PointAuditYear{Township: township, Year: year}
	if len(township) != 9 || year < 2000 || year > 2100 {
		return out, fmt.Errorf("%w: a township's 9-digit code and a year 2000 to 2100", ErrBadPointItem)
	}
	read, confirm, err := s.auditAccess(ctx, by, township)
	if err != nil {
		return out, storeErr("audit months", err)
	}
	if !read {
		return out, fmt.Errorf("%w: a supervisor or administrator of the township or its county reads its audit", ErrNotYours)
	}
	out.CanConfirm = confirm
	if err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT name FROM units WHERE code = $1), '')`, township).Scan(&out.Name); err != nil {
		return out, storeErr("audit months", err)
	}
	rows, err := s.pool.Query(ctx, auditMonths, township, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return out, storeErr("audit months", err)
	}
	if out.Months, err = pgx.CollectRows(rows, pgx.RowToStructByName[PointAuditMonth]); err != nil {
		return out, storeErr("audit months", err)
	}
	now := time.Now()
	for i := range out.Months {
		m, _ := time.Parse("2006-01", out.Months[i].Month)
		out.Months[i].When = monthWhen(m, now)
	}
	return out, nil
}

// AuditRows reads a month's rows and per-worker totals below q.Unit, for a supervisor or
// administrator of its township or county (ErrNotYours otherwise), with the month's state at
// the township.
func (s *Points) AuditRows(ctx context.Context, by int64, q PointAuditQuery) (PointAuditRows, error) {
	var out PointAuditRows
	if n := len(q.Unit); (n != 9 && n != 12 && n != 15) || q.Month.Day() != 1 {
		return out, fmt.Errorf("%w: a township's, village's or grid's code and the first day of a month", ErrBadPointItem)
	}
	read, confirm, err := s.auditAccess(ctx, by, q.Unit)
	if err != nil {
		return out, storeErr("audit rows", err)
	}
	if !read {
		return out, fmt.Errorf("%w: a supervisor or administrator of the township or its county reads its audit", ErrNotYours)
	}
	out.CanCancel, out.CanConfirm = true, confirm
	township := q.Unit[:9]
	if err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT name FROM units WHERE code = $1), '')`, township).Scan(&out.TownshipName); err != nil {
		return out, storeErr("audit rows", err)
	}
	// the month's own line of the township's year, with the totals of the township
	rows, err := s.pool.Query(ctx, auditMonths+` LIMIT 1`, township, q.Month)
	if err != nil {
		return out, storeErr("audit rows", err)
	}
	if out.Month, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PointAuditMonth]); err != nil {
		return out, storeErr("audit rows", err)
	}
	out.Month.When = monthWhen(q.Month, time.Now())
	if out.Workers, out.MoreWorkers, err = collectAtMost[PointAuditWorker](ctx, s.pool, auditWorkers, q, MaxAuditWorkers); err != nil {
		return out, storeErr("audit rows", err)
	}
	if out.Rows, out.More, err = collectAtMost[PointAuditRow](ctx, s.pool, auditRows, q, MaxAuditRows); err != nil {
		return out, storeErr("audit rows", err)
	}
	return out, nil
}

// collectAtMost reads at most limit rows of query for q's unit, month and member (the query's
// $1 to $3, and $4 the rows it may return: one more than limit), and whether there were more.
func collectAtMost[T any](ctx context.Context, pool *pgxpool.Pool, query string, q PointAuditQuery, limit int) ([]T, bool, error) {
	rows, err := pool.Query(ctx, query, q.Unit, q.Month, q.Member, limit+1)
	if err != nil {
		return nil, false, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil || len(out) <= limit {
		return out, false, err
	}
	return out[:limit], true, nil
}
