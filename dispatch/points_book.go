package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// pointBooking is one ledger row to book for a rule: a case rule's from a transition, or an
// approved manual item.
type pointBooking struct {
	member    int64
	grid      string // the level-4 unit the points count for
	rule      bookedRule
	source    string
	day       time.Time // when it happened (Asia/Shanghai): the cap's period and the month
	caseID    int64     // 0 for a manual item
	kind      string    // case or manual
	note      *string
	createdBy *int64
}

// bookedRule is what booking reads of a rule.
type bookedRule struct {
	id        int64
	code      string
	points    int
	capPoints *int
	capPeriod *string
}

// bookPoints writes b's ledger row in tx, and returns its id (0 when nothing was booked: the
// case already earned this rule, the cap is reached, or the source is booked). The cap counts
// the rule's rows of the member whose day is in the period and that are not cancelled; the
// member and rule are locked first, so two bookings never both take the last of a cap.
func bookPoints(ctx context.Context, tx pgx.Tx, b pointBooking) (int64, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('point_cap'), hashtext($1::bigint::text || ':' || $2::bigint::text))`,
		b.member, b.rule.id); err != nil {
		return 0, err
	}
	if b.caseID != 0 {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM point_occurrences WHERE case_id = $1 AND rule_id = $2)`,
			b.caseID, b.rule.id).Scan(&done); err != nil || done {
			return 0, err
		}
	}
	points := b.rule.points
	if b.rule.capPoints != nil && b.rule.capPeriod != nil {
		start, end, err := capWindow(*b.rule.capPeriod, b.day)
		if err != nil {
			return 0, err
		}
		var used int
		if err := tx.QueryRow(ctx, capUsed, b.member, b.rule.id, start, end).Scan(&used); err != nil {
			return 0, err
		}
		room := *b.rule.capPoints - used
		if room <= 0 {
			return 0, nil
		}
		if points > room {
			points = room
		} else if points < -room {
			points = -room
		}
	}
	var id int64
	err := tx.QueryRow(ctx, insertPointRow, b.member, b.grid, monthOf(b.day), points, b.kind, b.rule.id, b.source, b.note, b.createdBy).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil // booked before
	}
	if err != nil {
		return 0, fmt.Errorf("book %s: %w", b.source, err)
	}
	var caseID *int64
	if b.caseID != 0 {
		caseID = &b.caseID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO point_occurrences (ledger_id, member_id, rule_id, occurred_on, case_id) VALUES ($1, $2, $3, $4, $5)`,
		id, b.member, b.rule.id, b.day, caseID); err != nil {
		return 0, err
	}
	return id, nil
}

// capUsed is how much of a rule's cap a member used in [start, end): the size of the rule's
// rows whose day is in it, less those cancelled.
const capUsed = `
SELECT coalesce(sum(abs(l.points)), 0)::int
FROM point_occurrences o JOIN point_ledger l ON l.id = o.ledger_id
WHERE o.member_id = $1 AND o.rule_id = $2 AND o.occurred_on >= $3 AND o.occurred_on < $4
  AND NOT EXISTS (SELECT 1 FROM point_ledger r WHERE r.reverses = l.id)`

// insertPointRow books a row in the month of its day or the first later month the township has
// not confirmed; the source's uniqueness makes a second booking a no-op.
const insertPointRow = `
INSERT INTO point_ledger (member_id, unit_code, month, points, kind, rule_id, source, note, created_by)
VALUES ($1, $2, point_open_month($2, $3::date), $4, $5, $6, $7, $8, $9)
ON CONFLICT (source) DO NOTHING
RETURNING id`
