package dispatch

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is an event as a grid worker's phone sends it.
type Report struct {
	ClientID      string // UUID made by the phone; resending it never makes a second event
	ReporterID    int64
	Category      string
	Severity      string // "normal" or "urgent"
	Description   string
	Lon, Lat      float64
	AccuracyM     float64 // GPS accuracy the phone reports, metres
	HappenedAt    time.Time
	HandledOnSpot bool
	OnSpotNote    string
	Photos        []string // SHA-256 of photos the reporter uploaded first
}

// Bounds on a report's fields.
const (
	MaxDescriptionChars = 2000
	MaxNoteChars        = 2000
	maxClockSkew        = 10 * time.Minute // phones' clocks run a little fast
	maxReportAge        = 90 * 24 * time.Hour
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidationError names the field of a report that is wrong.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

func (e *ValidationError) Unwrap() error { return ErrInvalidReport }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// check validates a report against the catalogue, before anything is stored.
func (r Report) check(categories map[string]Category, now time.Time) error {
	cat, known := categories[r.Category]
	switch {
	case !uuidPattern.MatchString(r.ClientID):
		return invalid("client_id", "must be a UUID")
	case r.ReporterID <= 0:
		return invalid("reporter", "unknown reporter")
	case !known || !cat.Active:
		return invalid("category", "%q is not in the catalogue", r.Category)
	case r.Severity != "normal" && r.Severity != "urgent":
		return invalid("severity", "must be normal or urgent")
	case !utf8.ValidString(r.Description):
		return invalid("description", "is not valid UTF-8")
	case !utf8.ValidString(r.OnSpotNote):
		return invalid("on_spot_note", "is not valid UTF-8")
	// PostgreSQL text cannot hold NUL: the commit would fail, and the phone, told to retry,
	// would resend the report for ever.
	case strings.ContainsRune(r.Description, 0):
		return invalid("description", "contains a NUL character")
	case strings.ContainsRune(r.OnSpotNote, 0):
		return invalid("on_spot_note", "contains a NUL character")
	case utf8.RuneCountInString(r.Description) == 0 || utf8.RuneCountInString(r.Description) > MaxDescriptionChars:
		return invalid("description", "must have 1 to %d characters", MaxDescriptionChars)
	case utf8.RuneCountInString(r.OnSpotNote) > MaxNoteChars:
		return invalid("on_spot_note", "must have at most %d characters", MaxNoteChars)
	case !(r.Lon >= -180 && r.Lon <= 180):
		return invalid("lon", "must be a longitude between -180 and 180")
	case !(r.Lat >= -90 && r.Lat <= 90):
		return invalid("lat", "must be a latitude between -90 and 90")
	case math.IsNaN(r.AccuracyM) || r.AccuracyM < 0 || r.AccuracyM > 1e5:
		return invalid("accuracy_m", "must be between 0 and 100000 metres")
	case r.HappenedAt.IsZero():
		return invalid("happened_at", "required: when it happened, in RFC 3339 with its zone")
	case r.HappenedAt.After(now.Add(maxClockSkew)):
		return invalid("happened_at", "must be a time not in the future")
	case r.HappenedAt.Before(now.Add(-maxReportAge)):
		return invalid("happened_at", "is more than 90 days ago")
	case r.HandledOnSpot && !cat.GridMayClose:
		return invalid("handled_on_spot", "%s cannot be closed on the spot; it goes to the mediation centre", cat.NameEN)
	case len(r.Photos) > MaxReportPhotos:
		return invalid("photos", "at most %d photos", MaxReportPhotos)
	}
	seen := map[string]bool{}
	for _, h := range r.Photos {
		if !hashPattern.MatchString(h) || seen[h] {
			return invalid("photos", "each photo is the SHA-256 (64 hex digits) of an upload, listed once")
		}
		seen[h] = true
	}
	return nil
}
