package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Duplicate suggestions (可能重复, docs/cases.md): the open cases of the same centre and category
// reported within a distance and a time of a case, but for pairs marked distinct. One indexed
// query each (migration 022): events by (category, received_at) and by location as geography.

// DuplicateWindow is how near in place and time two reports are to be suggested as duplicates.
type DuplicateWindow struct {
	Metres float64
	Within time.Duration // either side of the case's reception
}

// DefaultDuplicateWindow is 100 m and 72 h.
var DefaultDuplicateWindow = DuplicateWindow{Metres: 100, Within: 72 * time.Hour}

// Bounds of the window's configuration and of the lists.
const (
	MaxDuplicateMetres     = 10_000
	MaxDuplicateWithin     = 30 * 24 * time.Hour
	MaxDuplicates          = 20  // suggestions listed for one case
	MaxDuplicateCountCases = 500 // open cases of a centre counted at once
)

// Check refuses a window out of bounds.
func (w DuplicateWindow) Check() error {
	if w.Metres <= 0 || w.Metres > MaxDuplicateMetres || w.Within <= 0 || w.Within > MaxDuplicateWithin {
		return fmt.Errorf("duplicate window must be 0-%d m and 0-%s, not %g m and %s",
			MaxDuplicateMetres, MaxDuplicateWithin, w.Metres, w.Within)
	}
	return nil
}

// Duplicate is one suggested duplicate of a case.
type Duplicate struct {
	ID          int64     `db:"id"`
	State       CaseState `db:"state"`
	Version     int       `db:"version"`
	Category    string    `db:"category"`
	Description string    `db:"description"`
	ReceivedAt  time.Time `db:"received_at"`
	Metres      float64   `db:"metres"`
	UnitName    string    `db:"unit_name"`
}

// duplicatesOf: the candidates of case x, as a LATERAL body over x (id, centre_code, category,
// received_at, location). $1 metres, $2 the window either side.
const duplicatesOf = `
SELECT c.id, c.state, c.version, e.category, e.description, e.received_at, c.unit_code,
       ST_Distance(e.location::geography, x.location::geography) AS metres
FROM events e JOIN cases c ON c.event_id = e.id
WHERE e.category = x.category
  AND e.received_at BETWEEN x.received_at - $2::interval AND x.received_at + $2::interval
  AND ST_DWithin(e.location::geography, x.location::geography, $1)
  AND c.id <> x.id AND c.state <> 'closed' AND c.centre_code = x.centre_code
  AND NOT EXISTS (SELECT 1 FROM case_distinct d WHERE d.a = least(c.id, x.id) AND d.b = greatest(c.id, x.id))`

// selectDuplicates lists case $3's suggestions, nearest first (none once it is closed).
const selectDuplicates = `
SELECT s.id, s.state, s.version, s.category, s.description, s.received_at, round(s.metres::numeric, 1)::float8 AS metres,
       u.name AS unit_name
FROM (SELECT c.id, c.centre_code, e.category, e.received_at, e.location
      FROM cases c JOIN events e ON e.id = c.event_id WHERE c.id = $3 AND c.state <> 'closed') x
CROSS JOIN LATERAL (` + duplicatesOf + `) s
JOIN units u ON u.code = s.unit_code
ORDER BY s.metres, s.id
LIMIT $4`

// Duplicates suggests the duplicates of a case.
func (cs *Cases) Duplicates(ctx context.Context, id int64, w DuplicateWindow) ([]Duplicate, error) {
	rows, err := cs.pool.Query(ctx, selectDuplicates, w.Metres, w.Within, id, MaxDuplicates)
	if err != nil {
		return nil, fmt.Errorf("%w: duplicates: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Duplicate])
	if err != nil {
		return nil, fmt.Errorf("%w: duplicates: %v", ErrRetryable, err)
	}
	return list, nil
}

// countDuplicates counts the suggestions of the latest open cases of centre $3.
const countDuplicates = `
SELECT x.id, (SELECT count(*) FROM (` + duplicatesOf + ` LIMIT ` + "100" + `) s)
FROM (SELECT c.id, c.centre_code, e.category, e.received_at, e.location
      FROM cases c JOIN events e ON e.id = c.event_id
      WHERE c.centre_code = $3 AND c.state <> 'closed' ORDER BY c.id DESC LIMIT $4) x`

// DuplicateCounts counts the suggestions of a centre's open cases (the latest
// MaxDuplicateCountCases), for the queue's 可能重复 N; cases with none are left out.
func (cs *Cases) DuplicateCounts(ctx context.Context, centre string, w DuplicateWindow) (map[int64]int, error) {
	rows, err := cs.pool.Query(ctx, countDuplicates, w.Metres, w.Within, centre, MaxDuplicateCountCases)
	if err != nil {
		return nil, fmt.Errorf("%w: duplicate counts: %v", ErrRetryable, err)
	}
	out := map[int64]int{}
	var id, n int64
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error {
		if n > 0 {
			out[id] = int(n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: duplicate counts: %v", ErrRetryable, err)
	}
	return out, nil
}

// markDistinct records the pair as distinct, if both are cases of the actor's centre (the case's
// current centre, and the other case's too).
const markDistinct = `
INSERT INTO case_distinct (a, b, marked_by)
SELECT least($1::bigint, $2::bigint), greatest($1::bigint, $2::bigint), $3
FROM cases x JOIN cases y ON y.id = $2 AND y.centre_code = x.centre_code
WHERE x.id = $1 AND EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = $3 AND a.role = 'mediator'
                                                         AND a.unit_code = x.centre_code)
ON CONFLICT (a, b) DO NOTHING
RETURNING 1`

// MarkDistinct hides the pair (case, other) from the suggestions for good. Errors: ErrNotYours
// (the actor is no mediator of the case's centre, or the other case is in another centre),
// ErrBadTransition (the same case twice). Marking a pair twice is no error.
func (cs *Cases) MarkDistinct(ctx context.Context, id, other, actor int64) error {
	if id == other || other <= 0 {
		return fmt.Errorf("%w: the other case must be another case", ErrBadTransition)
	}
	var one int
	err := cs.pool.QueryRow(ctx, markDistinct, id, other, actor).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		var marked bool
		if err := cs.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_distinct WHERE a = least($1::bigint, $2::bigint)
			AND b = greatest($1::bigint, $2::bigint))`, id, other).Scan(&marked); err != nil {
			return fmt.Errorf("%w: %v", ErrRetryable, err)
		}
		if !marked {
			return ErrNotYours
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRetryable, err)
	}
	return nil
}
