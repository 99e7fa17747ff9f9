package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OpenEvidence returns the path and type of a photo that is evidence of an entry of the
// village's ratings (docs/ratings.md), for those who may read the village's sheet: the web layer
// checks that, this checks the photo is the village's evidence. Otherwise ErrPhotoNotFound, as
// for a photo that does not exist.
func (p *Photos) OpenEvidence(ctx context.Context, hash, unit string) (string, string, error) {
	if !hashPattern.MatchString(hash) {
		return "", "", ErrPhotoNotFound
	}
	var ct string
	err := p.pool.QueryRow(ctx, `SELECT ph.content_type FROM photos ph WHERE ph.sha256 = $1 AND EXISTS (
    SELECT 1 FROM rating_entries e JOIN rating_assessments a ON a.id = e.assessment_id
    WHERE a.unit_code = $2 AND $1 = ANY(e.photos))`, hash, unit).Scan(&ct)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrPhotoNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrRetryable, err)
	}
	return p.path(hash), ct, nil
}
