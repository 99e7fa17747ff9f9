package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReportStatus is one of a member's reports as their phone lists it: what they sent and what
// became of it.
type ReportStatus struct {
	ClientID   string
	EventID    int64
	CaseID     int64 // 0 when the event waits for triage
	Category   string
	HappenedAt time.Time
	ReceivedAt time.Time
	UnitCode   string // "" when outside the grid
	State      string
	Level      int
	Centre     string
	Version    int        // the case's, for the reporter's verify or rework
	DeadlineAt *time.Time // the current tier's deadline; nil when none runs
}

// MaxListedReports bounds one listing.
const MaxListedReports = 200

const selectReportsBy = `
SELECT e.client_id::text, e.id, coalesce(c.id, 0), e.category, e.happened_at, e.received_at,
       coalesce(e.unit_code, ''), coalesce(c.state, ''), coalesce(c.level, 0), coalesce(c.centre_code, ''),
       coalesce(c.version, 0), c.deadline_at
FROM events e LEFT JOIN cases c ON c.event_id = e.id
WHERE e.reporter_id = $1
ORDER BY e.received_at DESC, e.id DESC
LIMIT $2`

// ReportsBy lists a member's latest reports, newest first, so a phone back online learns what
// became of them.
func (in *Intake) ReportsBy(ctx context.Context, member int64, limit int) ([]ReportStatus, error) {
	limit = max(1, min(limit, MaxListedReports))
	rows, err := in.pool.Query(ctx, selectReportsBy, member, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: list reports: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportStatus, error) {
		var s ReportStatus
		var level int16
		err := r.Scan(&s.ClientID, &s.EventID, &s.CaseID, &s.Category, &s.HappenedAt, &s.ReceivedAt, &s.UnitCode, &s.State, &level, &s.Centre, &s.Version, &s.DeadlineAt)
		s.Level = int(level)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: list reports: %v", ErrRetryable, err)
	}
	return list, nil
}
