package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RatingChange is a mark awarded, removed (摘旗) or restored, for the weekly bulletin.
type RatingChange struct {
	Unit     string    `json:"unit"`
	UnitName string    `json:"unit_name"`
	Scheme   string    `json:"scheme"`
	Mark     int       `json:"mark"`
	MarkName string    `json:"mark_name"`
	Action   string    `json:"action"` // award, remove or restore
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// MaxRatingChanges bounds a week's list: a county's villages change a few marks a week.
const MaxRatingChanges = 200

// Changes lists the marks awarded, removed and restored at or below unit on the local days
// [from, to], oldest first.
func (r *Ratings) Changes(ctx context.Context, unit string, from, to time.Time) ([]RatingChange, error) {
	rows, err := r.pool.Query(ctx, `SELECT d.unit_code, u.name, s.code, d.mark::int, coalesce(m.name, ''), d.action, d.reason, d.at
FROM rating_decisions d JOIN units u ON u.code = d.unit_code JOIN rating_schemes s ON s.id = d.scheme_id
LEFT JOIN rating_marks m ON m.scheme_id = d.scheme_id AND m.mark = d.mark
WHERE d.action IN ('award', 'remove', 'restore') AND starts_with(d.unit_code, $1)
  AND (d.at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2::date AND $3::date
ORDER BY d.id LIMIT $4`, unit, from, to, MaxRatingChanges)
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RatingChange])
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	return out, nil
}
