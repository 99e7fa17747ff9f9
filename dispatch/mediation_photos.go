package dispatch

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Signed copies of agreements are photos (photo_store.go) that only the owner centre reads: the
// copy carries the parties' numbers in full. Mediations.HasCopy is their check, and then the
// file is served without the photo store's own (which would let the case's other readers in).

// CopyFile returns the path and type of a stored photo, for a caller that checked who reads it.
func (p *Photos) CopyFile(ctx context.Context, hash string) (string, string, error) {
	if !hashPattern.MatchString(hash) {
		return "", "", ErrPhotoNotFound
	}
	var ct string
	err := p.pool.QueryRow(ctx, `SELECT content_type FROM photos WHERE sha256 = $1`, hash).Scan(&ct)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrPhotoNotFound
	}
	if err != nil {
		return "", "", mediationRetry("photo", err)
	}
	return p.path(hash), ct, nil
}
