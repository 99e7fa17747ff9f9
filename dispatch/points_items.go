package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// PointItem is a manual item (巡查, 入户走访, 会议…): entered by a grid leader for a worker of
// their grid, approved or rejected above (docs/points.md, "Manual items").
type PointItem struct {
	ID         int64      `db:"id" json:"id"`
	RuleCode   string     `db:"rule_code" json:"rule"`
	Category   string     `db:"category" json:"category"`
	Indicator  string     `db:"indicator" json:"indicator"`
	Points     int        `db:"points" json:"points"` // the rule's; the booked row may be less (a cap)
	MemberID   int64      `db:"member_id" json:"member_id"`
	MemberName string     `db:"member_name" json:"member_name"`
	Unit       string     `db:"unit_code" json:"unit"`
	Day        time.Time  `db:"occurred_on" json:"-"`
	Note       string     `db:"note" json:"note"`
	EnteredBy  string     `db:"entered_by_name" json:"entered_by"`
	EnteredAt  time.Time  `db:"entered_at" json:"entered_at"`
	Status     string     `db:"status" json:"status"`
	DecidedAt  *time.Time `db:"decided_at" json:"decided_at,omitempty"`
	Reason     *string    `db:"reason" json:"reason,omitempty"`
	Booked     *int       `db:"booked" json:"booked,omitempty"` // the points the approval booked
	CanDecide  bool       `db:"can_decide" json:"can_decide"`
}

// PointItemInput is what a grid leader enters.
type PointItemInput struct {
	Member int64
	Rule   string
	Day    time.Time // the day it was done, Asia/Shanghai
	Note   string
}

// maxItemAge is how far back a leader may date an item: the month before last is audited.
const maxItemAge = 62 * 24 * time.Hour

// EnterItem records an item by leader, who must lead a grid the member works in; it waits for
// approval. The day is not in the future nor more than two months back.
func (s *Points) EnterItem(ctx context.Context, leader int64, in PointItemInput) (PointItem, error) {
	note := strings.TrimSpace(in.Note)
	today := pointDay(time.Now())
	switch {
	case note == "" || utf8.RuneCountInString(note) > MaxPointNoteChars:
		return PointItem{}, fmt.Errorf("%w: a note of 1 to %d characters", ErrBadPointItem, MaxPointNoteChars)
	case in.Day.After(today) || in.Day.Before(today.Add(-maxItemAge)):
		return PointItem{}, fmt.Errorf("%w: the day is in the future or more than two months back", ErrBadPointItem)
	}
	var id int64
	err := s.pool.QueryRow(ctx, `
INSERT INTO point_items (rule_id, member_id, unit_code, occurred_on, note, entered_by)
SELECT r.id, w.member_id, w.unit_code, $4, $5, $1
FROM point_rules r, assignments w, assignments l
WHERE r.code = $2 AND r.trigger = 'manual' AND r.active
  AND w.member_id = $3 AND w.role = 'grid_worker' AND length(w.unit_code) = 15
  AND l.member_id = $1 AND l.role = 'grid_leader' AND l.unit_code = w.unit_code
ORDER BY w.unit_code LIMIT 1
RETURNING id`, leader, in.Rule, in.Member, in.Day, note).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return PointItem{}, s.whyNotEntered(ctx, leader, in)
	}
	if err != nil {
		return PointItem{}, storeErr("enter an item", err)
	}
	return s.item(ctx, leader, id)
}

// whyNotEntered tells a refused entry's cause: the rule, or the member not of the leader's grid.
func (s *Points) whyNotEntered(ctx context.Context, leader int64, in PointItemInput) error {
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM point_rules WHERE code = $1 AND trigger = 'manual' AND active)`,
		in.Rule).Scan(&ok); err != nil {
		return storeErr("enter an item", err)
	}
	if !ok {
		return fmt.Errorf("%w: %q is not an active manual rule", ErrBadPointItem, in.Rule)
	}
	return fmt.Errorf("%w: a grid leader enters items for the workers of their own grid", ErrNotYours)
}

// itemsQuery reads items with whether $1 may decide them.
const itemsQuery = `
SELECT i.id, r.code AS rule_code, r.category, r.indicator, r.points, i.member_id, m.name AS member_name, i.unit_code,
       i.occurred_on, i.note, e.name AS entered_by_name, i.entered_at, i.status, i.decided_at, i.reason, l.points AS booked,
       i.status = 'pending' AND EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = $1 AND a.role IN ('supervisor', 'admin')
         AND starts_with(i.unit_code, a.unit_code) AND length(a.unit_code) <= (ARRAY[6, 9, 12])[r.approver_tier]) AS can_decide
FROM point_items i
JOIN point_rules r ON r.id = i.rule_id
JOIN members m ON m.id = i.member_id
JOIN members e ON e.id = i.entered_by
LEFT JOIN point_ledger l ON l.id = i.ledger_id`

func (s *Points) item(ctx context.Context, member, id int64) (PointItem, error) {
	rows, err := s.pool.Query(ctx, itemsQuery+` WHERE i.id = $2`, member, id)
	if err != nil {
		return PointItem{}, storeErr("an item", err)
	}
	it, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PointItem])
	if errors.Is(err, pgx.ErrNoRows) {
		return PointItem{}, ErrPointNotFound
	}
	return it, storeErr("an item", err)
}

// Items lists, newest first, the items member entered or is the worker of, and those pending
// that member may decide.
func (s *Points) Items(ctx context.Context, member int64) ([]PointItem, error) {
	rows, err := s.pool.Query(ctx, `SELECT * FROM (`+itemsQuery+`) x
WHERE x.can_decide OR x.member_id = $1 OR EXISTS (SELECT 1 FROM point_items i WHERE i.id = x.id AND i.entered_by = $1)
ORDER BY x.status = 'pending' DESC, x.id DESC LIMIT $2`, member, MaxPointItems)
	if err != nil {
		return nil, storeErr("items", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PointItem])
	return out, storeErr("items", err)
}

// DecideItem approves an item (booking its row, source 'manual:<id>') or rejects it with a
// reason, by a supervisor or administrator at the rule's approver tier or above; audited.
func (s *Points) DecideItem(ctx context.Context, by, id int64, approve bool, reason string) (PointItem, error) {
	reason = strings.TrimSpace(reason)
	if !approve && (reason == "" || utf8.RuneCountInString(reason) > MaxPointNoteChars) {
		return PointItem{}, fmt.Errorf("%w: a rejection needs a reason of 1 to %d characters", ErrBadPointItem, MaxPointNoteChars)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var b pointBooking
		var status, note string
		var tier int
		err := tx.QueryRow(ctx, `SELECT i.member_id, i.unit_code, i.occurred_on, i.status, i.note, r.id, r.code, r.points,
       r.cap_points, r.cap_period, r.approver_tier
FROM point_items i JOIN point_rules r ON r.id = i.rule_id WHERE i.id = $1 FOR UPDATE OF i`, id).
			Scan(&b.member, &b.grid, &b.day, &status, &note, &b.rule.id, &b.rule.code, &b.rule.points,
				&b.rule.capPoints, &b.rule.capPeriod, &tier)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrPointNotFound
		}
		if err != nil {
			return err
		}
		if ok, err := s.allowed(ctx, tx, by, []string{"supervisor", "admin"}, b.grid, tierCodeLength(tier)); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: the item is approved at the rule's tier or above", ErrNotYours)
		}
		if status != "pending" {
			return ErrPointDecided
		}
		var ledger *int64
		action := "point_item.reject"
		if approve {
			action = "point_item.approve"
			b.source, b.kind, b.note, b.createdBy = "manual:"+strconv.FormatInt(id, 10), "manual", &note, &by
			row, err := bookPoints(ctx, tx, b)
			if err != nil {
				return err
			}
			if row != 0 {
				ledger = &row
			}
		}
		var why *string
		if !approve {
			why = &reason
		}
		if _, err := tx.Exec(ctx, `UPDATE point_items SET status = $2, decided_by = $3, decided_at = now(), reason = $4, ledger_id = $5
WHERE id = $1`, id, map[bool]string{true: "approved", false: "rejected"}[approve], by, why, ledger); err != nil {
			return err
		}
		return auditPoints(ctx, tx, by, action, &b.member, b.grid, map[string]any{"item": id, "rule": b.rule.code,
			"ledger_id": ledger, "reason": why})
	})
	if err != nil {
		return PointItem{}, storeErr("decide an item", err)
	}
	return s.item(ctx, by, id)
}

// PointWorker is a grid worker a leader may enter items for.
type PointWorker struct {
	ID   int64  `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
	Unit string `db:"unit_code" json:"unit"`
}

// LedWorkers lists the grid workers of the grids leader leads, by grid and name.
func (s *Points) LedWorkers(ctx context.Context, leader int64) ([]PointWorker, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT m.id, m.name, w.unit_code FROM assignments l
JOIN assignments w ON w.unit_code = l.unit_code AND w.role = 'grid_worker'
JOIN members m ON m.id = w.member_id
WHERE l.member_id = $1 AND l.role = 'grid_leader' AND length(l.unit_code) = 15
ORDER BY w.unit_code, m.name LIMIT $2`, leader, MaxPointItems)
	if err != nil {
		return nil, storeErr("workers", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PointWorker])
	return out, storeErr("workers", err)
}
