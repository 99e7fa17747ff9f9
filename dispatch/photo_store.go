package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Photo limits. Phones resize before upload; 8 MiB leaves room for a full-size camera JPEG.
const (
	MaxPhotoBytes   = 8 << 20
	MaxReportPhotos = 9
)

var photoTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Photo is a stored image.
type Photo struct {
	SHA256      string
	ContentType string
	Bytes       int
}

// Photos keeps images as files named by content hash (so an image uploaded twice is stored
// once) under dir, and who may see them in PostgreSQL.
type Photos struct {
	dir  string
	pool *pgxpool.Pool
}

// NewPhotos stores photos under dir.
func NewPhotos(dir string, pool *pgxpool.Pool) *Photos { return &Photos{dir: dir, pool: pool} }

// Save checks that data is a JPEG, PNG or WebP image by its content (not by what the client
// claims), writes it, and records its uploader.
func (p *Photos) Save(ctx context.Context, uploader int64, data []byte) (Photo, error) {
	if len(data) == 0 || len(data) > MaxPhotoBytes {
		return Photo{}, fmt.Errorf("%w: a photo has 1 to %d bytes", ErrInvalidPhoto, MaxPhotoBytes)
	}
	ct := http.DetectContentType(data)
	if !photoTypes[ct] {
		return Photo{}, fmt.Errorf("%w: content is %s; want a JPEG, PNG or WebP image", ErrInvalidPhoto, ct)
	}
	sum := sha256.Sum256(data)
	ph := Photo{SHA256: hex.EncodeToString(sum[:]), ContentType: ct, Bytes: len(data)}
	if err := p.writeFile(ph.SHA256, data); err != nil {
		return Photo{}, err
	}
	_, err := p.pool.Exec(ctx, `WITH p AS (
			INSERT INTO photos (sha256, content_type, bytes, uploader_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (sha256) DO NOTHING)
		INSERT INTO photo_uploads (sha256, member_id) VALUES ($1, $4) ON CONFLICT DO NOTHING`,
		ph.SHA256, ph.ContentType, ph.Bytes, uploader)
	if err != nil {
		return Photo{}, fmt.Errorf("%w: record photo: %v", ErrRetryable, err)
	}
	return ph, nil
}

// writeFile writes atomically: a reader never sees half a photo, and a crash leaves at most a
// temporary file.
func (p *Photos) writeFile(hash string, data []byte) error {
	path := p.path(hash)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("photo directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), hash+".tmp-*")
	if err != nil {
		return fmt.Errorf("photo file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("photo file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("photo file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("photo file: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

func (p *Photos) path(hash string) string { return filepath.Join(p.dir, hash[:2], hash) }

// canSee: the uploader; or whoever may read an event or case transition showing it: the
// event's reporter, or staff assigned to a unit above or at the event's unit or its case's
// current centre (its code a prefix of theirs), as for the case page (docs/cases-api.md).
const canSee = `
SELECT ph.content_type FROM photos ph
WHERE ph.sha256 = $1 AND (
    EXISTS (SELECT 1 FROM photo_uploads pu WHERE pu.sha256 = ph.sha256 AND pu.member_id = $2)
    OR EXISTS (
        SELECT 1 FROM (
            SELECT ep.event_id FROM event_photos ep WHERE ep.sha256 = ph.sha256
            UNION ALL
            SELECT c.event_id FROM case_history_photos hp JOIN case_history h ON h.id = hp.history_id
            JOIN cases c ON c.id = h.case_id WHERE hp.sha256 = ph.sha256
        ) shown JOIN events e ON e.id = shown.event_id LEFT JOIN cases c ON c.event_id = e.id
        WHERE e.reporter_id = $2
            OR EXISTS (SELECT 1 FROM assignments a
                       WHERE a.member_id = $2 AND a.role IN ('mediator', 'supervisor', 'admin', 'grid_leader')
                         AND (starts_with(e.unit_code, a.unit_code) OR starts_with(c.centre_code, a.unit_code)))))`

// Open returns the photo's path and type if viewer may see it; otherwise ErrPhotoNotFound, the
// same answer as for a photo that does not exist, so hashes cannot be probed.
func (p *Photos) Open(ctx context.Context, hash string, viewer int64) (string, string, error) {
	if !hashPattern.MatchString(hash) {
		return "", "", ErrPhotoNotFound
	}
	var ct string
	err := p.pool.QueryRow(ctx, canSee, hash, viewer).Scan(&ct)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return "", "", ErrPhotoNotFound
		}
		return "", "", fmt.Errorf("%w: %v", ErrRetryable, err)
	}
	return p.path(hash), ct, nil
}
