package dispatch

import "errors"

// Sentinel errors of dispatch.
var (
	// ErrBusDown means NATS or JetStream cannot be used right now.
	ErrBusDown = errors.New("bus unavailable")
	// ErrInvalidReport wraps every ValidationError: the report is wrong and resending it
	// unchanged will not help.
	ErrInvalidReport = errors.New("invalid report")
	// ErrRetryable means the report was not stored for a reason of ours (the database away):
	// the phone keeps it in its outbox and sends it again.
	ErrRetryable = errors.New("not stored; try again")
	// ErrClientIDTaken means another member already used this client id.
	ErrClientIDTaken = errors.New("client id already used by another member")
	// ErrInvalidPhoto means an upload is not an acceptable image.
	ErrInvalidPhoto = errors.New("invalid photo")
	// ErrPhotoNotFound means no such photo, or not one the viewer may see.
	ErrPhotoNotFound = errors.New("photo not found")
	// ErrBadStatsQuery means a question the figures cannot answer: a unit below the grid, an
	// unknown trend step.
	ErrBadStatsQuery = errors.New("bad statistics query")
	// ErrBadCalendar means a working calendar that cannot be used: overlapping hours, an
	// unknown kind of day, a date listed twice (docs/routing.md, "Working time").
	ErrBadCalendar = errors.New("bad working calendar")
	// ErrNotRunning means a background part (the intake) was not started or has been closed:
	// a report sent then is refused, wrapped in ErrRetryable, for the phone to send again.
	ErrNotRunning = errors.New("not running")
)
