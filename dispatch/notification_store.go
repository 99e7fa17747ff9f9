package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notification tells a member that a case needs them.
type Notification struct {
	ID           int64      `db:"id"`
	CaseID       int64      `db:"case_id"`
	TransitionID int64      `db:"transition_id"`
	Kind         string     `db:"kind"` // the transition: reported, escalate, return, transfer, rework, urge, overdue, settle
	UnitName     string     `db:"unit_name"`
	Category     string     `db:"category"`
	CreatedAt    time.Time  `db:"created_at"`
	ReadAt       *time.Time `db:"read_at"`
}

// MaxListedNotifications bounds one listing.
const MaxListedNotifications = 200

const selectNotifications = `
SELECT n.id, n.case_id, n.transition_id, n.kind, u.name AS unit_name, e.category, n.created_at, n.read_at
FROM notifications n JOIN cases c ON c.id = n.case_id JOIN events e ON e.id = c.event_id
JOIN units u ON u.code = c.unit_code
WHERE n.member_id = $1
ORDER BY n.transition_id DESC
LIMIT $2`

// List returns a member's latest notifications, newest transition first (processes consuming
// at once may record them in another order), and how many are unread.
func (n *Notifier) List(ctx context.Context, member int64, limit int) ([]Notification, int, error) {
	limit = max(1, min(limit, MaxListedNotifications))
	rows, err := n.pool.Query(ctx, selectNotifications, member, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: notifications: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Notification])
	if err != nil {
		return nil, 0, fmt.Errorf("%w: notifications: %v", ErrRetryable, err)
	}
	var unread int
	if err := n.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE member_id = $1 AND read_at IS NULL`,
		member).Scan(&unread); err != nil {
		return nil, 0, fmt.Errorf("%w: notifications: %v", ErrRetryable, err)
	}
	return list, unread, nil
}

// MarkRead marks as read a member's notification id and every one listed after it (of an
// earlier transition).
func (n *Notifier) MarkRead(ctx context.Context, member, upTo int64) error {
	if _, err := n.pool.Exec(ctx, `UPDATE notifications SET read_at = now()
		WHERE member_id = $1 AND read_at IS NULL AND transition_id <=
		    (SELECT transition_id FROM notifications WHERE id = $2 AND member_id = $1)`, member, upTo); err != nil {
		return fmt.Errorf("%w: mark notifications read: %v", ErrRetryable, err)
	}
	return nil
}
