package dispatch

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A parking's review date passing (docs/cases.md, "Extension and parking"). The timer records it
// once per parking, as a transition that leaves the case parked (park_review_due, actor NULL):
// one history row and its outbox row, which tells the centre's mediators (Notifier). The case is
// then shown as 复核到期 until its centre unparks it or parks it again with a new review date
// (park from parked), which clears the mark.

// ActParkReviewDue is the timer recording that a parked case's review date has passed.
const ActParkReviewDue Action = "park_review_due" // 挂账复核到期

const reasonParkReviewDue = "挂账复核日期已到"

func init() {
	machine[ActParkReviewDue] = rule{from: []CaseState{StateParked}, by: bySystem, needsText: true, timer: true}
}

// selectParkReviewsDue claims parked cases whose review date passed and was not yet recorded
// (cases_park_review_idx), as selectDue does.
const selectParkReviewsDue = `
SELECT id FROM cases
WHERE state = 'parked' AND park_review_due_at IS NULL AND park_review_at <= now()
ORDER BY park_review_at
LIMIT $1
FOR UPDATE SKIP LOCKED`

// ParkReviewsDue records up to limit parked cases whose review date passed (park_review_due),
// in one transaction as EscalateDue does. It returns how many.
func ParkReviewsDue(ctx context.Context, pool *pgxpool.Pool, limit int) (int, error) {
	return actOnDue(ctx, pool, limit, selectParkReviewsDue, func(ctx context.Context, tx pgx.Tx, c caseRow) (transitionWrite, error) {
		t := Transition{CaseID: c.id, Version: c.version, Action: ActParkReviewDue, Reason: reasonParkReviewDue, timer: true}
		return prepare(ctx, tx, t, machine[t.Action], c)
	})
}
