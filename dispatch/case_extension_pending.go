package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ExtensionRequest is a centre's 延期 request waiting for a supervisor's decision, with its case.
type ExtensionRequest struct {
	Case       CaseSummary `db:"-"`
	CentreName string      `db:"centre_name"` // the centre that asked
	Until      time.Time   `db:"until"`       // the deadline asked for
	Reason     string      `db:"reason"`
	AskedAt    time.Time   `db:"asked_at"`
}

// extensionRequestRow is a row of selectPendingExtensions, read by name: the case, then the
// request.
type extensionRequestRow struct {
	CaseSummary
	ExtensionRequest
}

// ExtensionCursor is where a page of pending requests ends: the last case's deadline and id.
type ExtensionCursor struct {
	Deadline time.Time
	ID       int64
}

// MaxPendingExtensions bounds one page.
const MaxPendingExtensions = 200

// selectPendingExtensions: the requests of centres at or below $2 that member $1 may decide (a
// supervisor at the centre's unit or above it, the rule of extend_approve in selectCase), the
// nearest deadline first, after the cursor ($3, $4). Served by cases_extension_pending_idx.
const selectPendingExtensions = `SELECT ` + summaryColumns + `,
       coalesce((SELECT n.name FROM units n WHERE n.code = c.centre_code), '') AS centre_name,
       c.extension_until AS until, c.extension_reason AS reason, coalesce(r.at, c.opened_at) AS asked_at
` + caseJoins + `
LEFT JOIN LATERAL (SELECT h.at FROM case_history h WHERE h.case_id = c.id AND h.transition = 'extend_request'
                   ORDER BY h.id DESC LIMIT 1) r ON true
WHERE c.extension_until IS NOT NULL AND c.extension_centre = c.centre_code
  AND c.extension_reason IS NOT NULL AND c.state IN ('accepted', 'mediating')
  AND starts_with(c.centre_code, $2)
  AND EXISTS (SELECT 1 FROM assignments a
              WHERE a.member_id = $1 AND a.role = 'supervisor' AND starts_with(c.centre_code, a.unit_code))
  AND (coalesce(c.deadline_at, '9999-01-01Z'), c.id) > ($3::timestamptz, $4::bigint)
ORDER BY coalesce(c.deadline_at, '9999-01-01Z'), c.id
LIMIT $5`

// PendingExtensions lists up to limit extension requests that member may decide, of centres at
// or below unit ("" for all the member's), after the cursor (nil for the first page).
func (cs *Cases) PendingExtensions(ctx context.Context, member int64, unit string, after *ExtensionCursor, limit int) ([]ExtensionRequest, error) {
	from := ExtensionCursor{Deadline: time.Unix(0, 0).UTC().AddDate(-100, 0, 0)}
	if after != nil {
		from = *after
	}
	limit = max(1, min(limit, MaxPendingExtensions))
	rows, err := cs.pool.Query(ctx, selectPendingExtensions, member, unit, from.Deadline, from.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: pending extensions: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ExtensionRequest, error) {
		r, err := pgx.RowToStructByName[extensionRequestRow](row)
		r.ExtensionRequest.Case = r.CaseSummary
		return r.ExtensionRequest, err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: pending extensions: %v", ErrRetryable, err)
	}
	return list, nil
}

// Cursor is where a page ending with x ends.
func (x ExtensionRequest) Cursor() ExtensionCursor {
	d := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // no deadline: after every deadline, as in the query
	if x.Case.DeadlineAt != nil {
		d = *x.Case.DeadlineAt
	}
	return ExtensionCursor{Deadline: d, ID: x.Case.ID}
}
