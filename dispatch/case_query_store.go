package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/grid"
)

// summaryColumns are CaseSummary's, named as its db tags, over cases c, events e, units u,
// members m.
const summaryColumns = `c.id, c.version, c.state, c.level, c.centre_code AS centre, c.unit_code AS unit, u.name AS unit_name,
       e.category, c.severity, left(e.description, 140) AS summary, e.reporter_id, m.name AS reporter_name, c.opened_at,
       c.deadline_at, coalesce(c.overdue_at IS NOT NULL OR c.deadline_at < now(), false) AS overdue, c.urged_at,
       c.verify_due_at, c.verify_lapse_at, c.grade, c.major, c.leader_id,
       coalesce((SELECT l.name FROM members l WHERE l.id = c.leader_id), '') AS leader_name,
       c.callback_status, c.callback_tries, c.callback_due_at, coalesce(c.deadline_clock, 'calendar') AS deadline_clock,
       c.park_review_due_at AS review_due_at`

const caseJoins = `FROM cases c JOIN events e ON e.id = c.event_id JOIN units u ON u.code = c.unit_code
JOIN members m ON m.id = e.reporter_id`

// selectQueue: a centre's open cases, overdue first, then by deadline, awaiting verification
// last. Served by cases_open_centre_idx.
const selectQueue = `SELECT ` + summaryColumns + `
` + caseJoins + `
WHERE c.centre_code = $1 AND c.state <> 'closed'
  AND ($2 = '' OR c.state = $2) AND ($3 = '' OR e.category = $3)
  AND ($4 = '' OR e.description ILIKE '%' || $4 || '%' ESCAPE '\' OR u.name ILIKE '%' || $4 || '%' ESCAPE '\'
       OR starts_with(c.unit_code, $5) OR c.id::text = $5)
  AND (NOT $7 OR c.leader_id IS NOT NULL)
ORDER BY c.deadline_at IS NULL, c.deadline_at, c.opened_at, c.id
LIMIT $6`

// scanSummary reads a row of summaryColumns.
var scanSummary = pgx.RowToStructByName[CaseSummary]

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Queue lists a centre's open cases.
func (cs *Cases) Queue(ctx context.Context, f QueueFilter) ([]CaseSummary, error) {
	if f.Limit <= 0 || f.Limit > MaxQueueLimit {
		f.Limit = DefaultQueueLn
	}
	q := strings.TrimSpace(f.Query)
	rows, err := cs.pool.Query(ctx, selectQueue, f.Centre, string(f.State), f.Category, likeEscaper.Replace(q), q, f.Limit, f.Led)
	if err != nil {
		return nil, fmt.Errorf("%w: queue: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, scanSummary)
	if err == nil {
		err = setWorkingLeft(ctx, cs.pool, list)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: queue: %v", ErrRetryable, err)
	}
	return list, nil
}

// Summary reads one case as a queue lists it: enough to decide who may act on it. ErrCaseNotFound
// if there is none.
func (cs *Cases) Summary(ctx context.Context, id int64) (CaseSummary, error) {
	rows, err := cs.pool.Query(ctx, `SELECT `+summaryColumns+`
`+caseJoins+`
WHERE c.id = $1`, id)
	if err != nil {
		return CaseSummary{}, fmt.Errorf("%w: case: %v", ErrRetryable, err)
	}
	s, err := pgx.CollectExactlyOneRow(rows, scanSummary)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrCaseNotFound
	}
	if err != nil {
		return s, fmt.Errorf("%w: case: %v", ErrRetryable, err)
	}
	return s, nil
}

const selectDetail = `SELECT ` + summaryColumns + `, e.description, e.happened_at, e.received_at,
       ST_X(e.location) AS lon, ST_Y(e.location) AS lat, e.accuracy_m::float8 AS accuracy_m, m.phone AS reporter_phone,
       c.outcome, c.rework_count AS reworks,
       coalesce((SELECT array_agg(sha256 ORDER BY sha256) FROM event_photos WHERE event_id = e.id), '{}') AS photos,
       (SELECT k.group_code FROM categories k WHERE k.code = e.category) AS category_group
` + caseJoins + `
WHERE c.id = $1`

const selectHistory = `
SELECT h.id, h.at, h.actor_id, coalesce(m.name, '') AS actor_name, h.transition, h.from_state, h.to_state, h.from_level,
       h.level, h.centre_code AS centre, h.reason, h.outcome, h.parties, h.deadline_at, h.callback_result,
       coalesce((SELECT array_agg(sha256 ORDER BY sha256) FROM case_history_photos WHERE history_id = h.id), '{}') AS photos,
       h.grade, h.major, h.until_at AS until, h.reason_code,
       lc.to_leader AS to_leader_id, coalesce((SELECT n.name FROM members n WHERE n.id = lc.to_leader), '') AS to_leader_name
FROM case_history h LEFT JOIN members m ON m.id = h.actor_id
LEFT JOIN case_leader_changes lc ON lc.history_id = h.id
WHERE h.case_id = $1
ORDER BY h.id`

const selectTransferTargets = `
SELECT code, name, NOT has_centre AS no_centre FROM units
WHERE parent_code = $1 AND has_centre AND retired_at IS NULL AND code <> $2
ORDER BY code`

// Detail reads one case for its page. ErrCaseNotFound if there is none.
func (cs *Cases) Detail(ctx context.Context, id int64) (CaseDetail, error) {
	var d CaseDetail
	rows, err := cs.pool.Query(ctx, selectDetail, id)
	if err != nil {
		return d, fmt.Errorf("%w: case: %v", ErrRetryable, err)
	}
	d, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[CaseDetail])
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrCaseNotFound
	}
	if err != nil {
		return d, fmt.Errorf("%w: case: %v", ErrRetryable, err)
	}
	one := []CaseSummary{d.CaseSummary}
	if err := setWorkingLeft(ctx, cs.pool, one); err != nil {
		return d, fmt.Errorf("%w: case: %v", ErrRetryable, err)
	}
	d.CaseSummary = one[0]
	path, err := loadPath(ctx, cs.pool, d.Unit)
	if err != nil {
		return d, fmt.Errorf("%w: case place: %v", ErrRetryable, err)
	}
	d.Path = *path
	rows, err = cs.pool.Query(ctx, selectHistory, id)
	if err != nil {
		return d, fmt.Errorf("%w: history: %v", ErrRetryable, err)
	}
	d.History, err = pgx.CollectRows(rows, pgx.RowToStructByName[HistoryEntry])
	if err != nil {
		return d, fmt.Errorf("%w: history: %v", ErrRetryable, err)
	}
	if err := cs.readExtension(ctx, &d); err != nil {
		return d, fmt.Errorf("%w: extension: %v", ErrRetryable, err)
	}
	if err := readMerges(ctx, cs.pool, &d); err != nil {
		return d, fmt.Errorf("%w: merged reports: %v", ErrRetryable, err)
	}
	if err := readLeaders(ctx, cs.pool, &d); err != nil {
		return d, fmt.Errorf("%w: leaders: %v", ErrRetryable, err)
	}
	if d.State != StateClosed && d.Level > TierCounty {
		parent := d.Centre[:grid.Level(d.Level-1).CodeLength()]
		rows, err = cs.pool.Query(ctx, selectTransferTargets, parent, d.Centre)
		if err != nil {
			return d, fmt.Errorf("%w: transfer targets: %v", ErrRetryable, err)
		}
		d.TransferTo, err = pgx.CollectRows(rows, pgx.RowToStructByName[grid.UnitRef])
		if err != nil {
			return d, fmt.Errorf("%w: transfer targets: %v", ErrRetryable, err)
		}
	}
	return d, nil
}

// selectStaffVerifications: cases awaiting verification whose reporter's time has run out and
// that the member may verify instead, at a centre they mediate or in a grid they lead; those
// closest to closing unverified first. Served by cases_verify_lapse_idx.
const selectStaffVerifications = `SELECT ` + summaryColumns + `
` + caseJoins + `
WHERE c.state = 'verifying' AND c.verify_due_at <= now() AND e.reporter_id <> $1
  AND EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = $1
              AND (a.role = 'mediator' AND a.unit_code = c.centre_code
                   OR a.role = 'grid_leader' AND starts_with(c.unit_code, a.unit_code)))
ORDER BY c.verify_lapse_at, c.id
LIMIT $2`

// StaffVerifications lists up to limit cases the member may verify in their reporter's stead
// (docs/cases.md, "Verification has a deadline").
func (cs *Cases) StaffVerifications(ctx context.Context, member int64, limit int) ([]CaseSummary, error) {
	rows, err := cs.pool.Query(ctx, selectStaffVerifications, member, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: verifications: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, scanSummary)
	if err != nil {
		return nil, fmt.Errorf("%w: verifications: %v", ErrRetryable, err)
	}
	return list, nil
}
