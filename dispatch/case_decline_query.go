package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DeclineToRule is a case a centre below declined (退单), awaiting a ruling, with the decline.
type DeclineToRule struct {
	Case       CaseSummary   `db:"-"`
	CentreName string        `db:"centre_name"` // the centre that declined it
	ReasonCode DeclineReason `db:"reason_code"`
	Reason     string        `db:"reason"`
	DeclinedAt time.Time     `db:"declined_at"`
}

// declineToRuleRow is a row of selectDeclinesToRule, read by name: the case, then the decline.
type declineToRuleRow struct {
	CaseSummary
	DeclineToRule
}

// selectDeclinesToRule is selectDeclinedBelow with the last decline of each case: its reason
// code and words, and when. Served by cases_declined_idx and case_history_decline_idx.
const selectDeclinesToRule = `SELECT ` + summaryColumns + `,
       coalesce((SELECT n.name FROM units n WHERE n.code = c.centre_code), '') AS centre_name,
       coalesce(d.reason_code, '') AS reason_code, coalesce(d.reason, '') AS reason, coalesce(d.at, c.opened_at) AS declined_at
` + caseJoins + `
LEFT JOIN LATERAL (SELECT h.reason_code, h.reason, h.at FROM case_history h
                   WHERE h.case_id = c.id AND h.transition = 'decline' ORDER BY h.id DESC LIMIT 1) d ON true
WHERE c.state = 'declined' AND starts_with(c.centre_code, $1) AND c.centre_code <> $1
ORDER BY c.id
LIMIT $2`

// DeclinesToRule lists up to limit cases declined by centres below centre, awaiting its ruling
// (退单待裁决), with why each was declined, the oldest case first.
func (cs *Cases) DeclinesToRule(ctx context.Context, centre string, limit int) ([]DeclineToRule, error) {
	rows, err := cs.pool.Query(ctx, selectDeclinesToRule, centre, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: declines to rule: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DeclineToRule, error) {
		r, err := pgx.RowToStructByName[declineToRuleRow](row)
		r.DeclineToRule.Case = r.CaseSummary
		return r.DeclineToRule, err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: declines to rule: %v", ErrRetryable, err)
	}
	return list, nil
}
