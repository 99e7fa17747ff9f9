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
	ClientID    string     `db:"client_id"`
	EventID     int64      `db:"event_id"`
	CaseID      int64      `db:"case_id"` // 0 when the event waits for triage
	Category    string     `db:"category"`
	Severity    string     `db:"severity"`
	Description string     `db:"description"`
	HappenedAt  time.Time  `db:"happened_at"`
	ReceivedAt  time.Time  `db:"received_at"`
	UnitCode    string     `db:"unit_code"` // "" when outside the grid
	State       string     `db:"state"`
	Level       Tier       `db:"level"`
	Centre      string     `db:"centre"`
	Version     int        `db:"version"`     // the case's, for the reporter's verify or rework
	DeadlineAt  *time.Time `db:"deadline_at"` // the current tier's deadline; nil when none runs

	// Merged (并单): the main case this report's case follows, its state and outcome; 0, "" otherwise.
	MergedInto  int64   `db:"merged_into"`
	MainState   string  `db:"main_state"`
	MainOutcome string  `db:"main_outcome"`
	Callback    *string `db:"callback"` // the callback (回访): pending or how it ended; nil if none (case_callback.go)
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
SELECT e.client_id::text AS client_id, e.id AS event_id, coalesce(c.id, 0) AS case_id, e.category, e.severity,
       e.description, e.happened_at, e.received_at, coalesce(e.unit_code, '') AS unit_code, coalesce(c.state, '') AS state,
       coalesce(c.level, 0) AS level, coalesce(c.centre_code, '') AS centre, coalesce(c.version, 0) AS version, c.deadline_at,
       coalesce(g.main_id, 0) AS merged_into, coalesce(mc.state, '') AS main_state, coalesce(mc.outcome, '') AS main_outcome,
       c.callback_status AS callback
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
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ReportStatus])
	if err != nil {
		return nil, fmt.Errorf("%w: list reports: %v", ErrRetryable, err)
	}
	return list, nil
}
