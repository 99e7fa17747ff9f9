package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Merging (并单, docs/cases.md): the centre closes a duplicate report into its main case. The
// duplicate's history row is its 'merge' transition; case_merges records which case it follows,
// so its reporter is told of the main case's outcome (Notifier) and the figures count it apart
// (docs/metrics.md).

// checkMerge: a merge names its main case and nothing else names one; a merge carries no photos.
func (t *Transition) checkMerge() error {
	switch {
	case t.Action == ActMerge && t.MergeInto <= 0:
		return fmt.Errorf("%w: merge needs merge_into, the main case", ErrBadTransition)
	case t.Action != ActMerge && t.MergeInto != 0:
		return fmt.Errorf("%w: merge_into belongs to merge only", ErrBadTransition)
	case t.Action == ActMerge && t.MergeInto == t.CaseID:
		return ErrNotMainCase
	case t.Action == ActMerge && len(t.Photos) > 0:
		return fmt.Errorf("%w: merge carries no photos", ErrBadTransition)
	}
	return nil
}

// selectMainCase locks the main case (after the duplicate: two merges of one pair in opposite
// directions deadlock, and PostgreSQL aborts one, answered as retryable) and says whether the
// duplicate is itself the main case of merged reports, which would make a chain.
const selectMainCase = `
SELECT m.centre_code, m.state, EXISTS (SELECT 1 FROM case_merges g WHERE g.case_id = m.id),
       EXISTS (SELECT 1 FROM case_merges g WHERE g.main_id = $2)
FROM cases m WHERE m.id = $1 FOR UPDATE`

// checkMainCase refuses a main case in another centre, closed or merged itself, and a duplicate
// that other reports follow (merge those into the new main case first).
func checkMainCase(ctx context.Context, q querier, t Transition, c caseRow) error {
	var centre string
	var state CaseState
	var merged, followed bool
	err := q.QueryRow(ctx, selectMainCase, t.MergeInto, t.CaseID).Scan(&centre, &state, &merged, &followed)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrNotMainCase
	case err != nil:
		return err
	case centre != c.centre || state == StateClosed || merged:
		return ErrNotMainCase
	case followed:
		return fmt.Errorf("%w: other reports are merged into this case; merge the other way", ErrNotAllowed)
	}
	return nil
}
