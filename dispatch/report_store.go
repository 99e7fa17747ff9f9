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
	ClientID    string
	EventID     int64
	CaseID      int64 // 0 when the event waits for triage
	Category    string
	Severity    string
	Description string
	HappenedAt  time.Time
	ReceivedAt  time.Time
	UnitCode    string // "" when outside the grid
	State       string
	Level       Tier
	Centre      string
	Version     int        // the case's, for the reporter's verify or rework
	DeadlineAt  *time.Time // the current tier's deadline; nil when none runs

	// Merged (并单): the main case this report's case follows, its state and outcome; 0, "" otherwise.
	MergedInto             int64
	MainState, MainOutcome string
	Callback               *string // the callback (回访): pending or how it ended; nil if none (case_callback.go)
}

// MaxListedReports bounds one listing.
const MaxListedReports = 200

// ReportQuery is one page of a member's reports.
type ReportQuery struct {
	Limit  int
	Before int64  // an event id of the member's: only reports older than it (the next page)
	Text   string // in the description (any case), or the case number, or the category code
	CaseID int64  // only this case (the worker typed "#N")
}

// The cursor is an event of the member's own: another member's id matches no row, so a page
// never tells whether someone else's event exists.
const selectReportsBy = `
SELECT e.client_id::text, e.id, coalesce(c.id, 0), e.category, e.severity, e.description, e.happened_at, e.received_at,
       coalesce(e.unit_code, ''), coalesce(c.state, ''), coalesce(c.level, 0), coalesce(c.centre_code, ''),
       coalesce(c.version, 0), c.deadline_at,
       coalesce(g.main_id, 0), coalesce(mc.state, ''), coalesce(mc.outcome, ''), c.callback_status
FROM events e LEFT JOIN cases c ON c.event_id = e.id
LEFT JOIN case_merges g ON g.case_id = c.id LEFT JOIN cases mc ON mc.id = g.main_id
WHERE e.reporter_id = $1
  AND ($3::bigint = 0 OR (e.received_at, e.id) <
       (SELECT b.received_at, b.id FROM events b WHERE b.id = $3 AND b.reporter_id = $1))
  AND ($4::text = '' OR strpos(lower(e.description), lower($4)) > 0 OR c.id::text = $4
       OR e.category = $4)
  AND ($5::bigint = 0 OR c.id = $5)
ORDER BY e.received_at DESC, e.id DESC
LIMIT $2`

// ReportsBy lists a member's reports, newest first, a page at a time, so a phone back online
// learns what became of them and the worker can find an old one.
func (in *Intake) ReportsBy(ctx context.Context, member int64, q ReportQuery) ([]ReportStatus, error) {
	limit := max(1, min(q.Limit, MaxListedReports))
	rows, err := in.pool.Query(ctx, selectReportsBy, member, limit, q.Before, q.Text, q.CaseID)
	if err != nil {
		return nil, fmt.Errorf("%w: list reports: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportStatus, error) {
		var s ReportStatus
		err := r.Scan(&s.ClientID, &s.EventID, &s.CaseID, &s.Category, &s.Severity, &s.Description, &s.HappenedAt, &s.ReceivedAt, &s.UnitCode, &s.State, &s.Level, &s.Centre, &s.Version, &s.DeadlineAt,
			&s.MergedInto, &s.MainState, &s.MainOutcome, &s.Callback)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: list reports: %v", ErrRetryable, err)
	}
	return list, nil
}
