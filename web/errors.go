package web

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// Errors of the HTTP layer.
var (
	ErrUnauthenticated    = errors.New("not signed in, or the session has expired or was revoked")
	ErrInvalidCredentials = errors.New("wrong phone number or password")
	ErrBadRequest         = errors.New("bad request")
	ErrNotFound           = errors.New("no such page")
	ErrForbidden          = errors.New("forbidden")
)

// RateLimitError refuses a request until RetryAfter has passed.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %d s", retrySeconds(e.RetryAfter))
}

func retrySeconds(d time.Duration) int { return int(math.Max(1, math.Ceil(d.Seconds()))) }

// apiError is the JSON body of every error response: a stable code for programs, a message
// for people, and for a body that could not be read the field at fault.
type apiError struct {
	Code    string `json:"error"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// writeError is the one table from errors to HTTP statuses. Unknown errors are logged and
// answered 500 without detail.
func writeError(w http.ResponseWriter, logger *slog.Logger, err error) {
	var rl *RateLimitError
	var tooBig *http.MaxBytesError
	status, code, msg := http.StatusInternalServerError, "internal", "internal error"
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(rl.RetryAfter)))
		status, code, msg = http.StatusTooManyRequests, "rate_limited", err.Error()
	case errors.Is(err, ErrUnauthenticated):
		w.Header().Set("WWW-Authenticate", `Bearer realm="griddispatch"`)
		status, code, msg = http.StatusUnauthorized, "unauthenticated", err.Error()
	case errors.Is(err, ErrInvalidCredentials):
		status, code, msg = http.StatusUnauthorized, "invalid_credentials", err.Error()
	case errors.As(err, &tooBig):
		status, code, msg = http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, ErrBadRequest), errors.Is(err, grid.ErrInvalidMember), errors.Is(err, dispatch.ErrInvalidCategory):
		status, code, msg = http.StatusBadRequest, "bad_request", err.Error()
	case errors.Is(err, dispatch.ErrInvalidPhoto):
		status, code, msg = http.StatusUnsupportedMediaType, "unsupported_photo", err.Error()
	case errors.Is(err, dispatch.ErrPhotoNotFound), errors.Is(err, ErrNotFound), errors.Is(err, dispatch.ErrCaseNotFound),
		errors.Is(err, grid.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, ErrForbidden), errors.Is(err, dispatch.ErrNotYours):
		status, code, msg = http.StatusForbidden, "forbidden", err.Error()
	case errors.Is(err, dispatch.ErrStaleVersion):
		status, code, msg = http.StatusConflict, "stale_version", err.Error()
	case errors.Is(err, dispatch.ErrNotAllowed):
		status, code, msg = http.StatusUnprocessableEntity, "not_allowed", err.Error()
	case errors.Is(err, dispatch.ErrNoAttemptYet):
		status, code, msg = http.StatusUnprocessableEntity, "no_attempt_yet", err.Error()
	case errors.Is(err, dispatch.ErrNoTierThatWay):
		status, code, msg = http.StatusUnprocessableEntity, "no_tier", err.Error()
	case errors.Is(err, dispatch.ErrUnknownCentre):
		status, code, msg = http.StatusUnprocessableEntity, "unknown_centre", err.Error()
	case errors.Is(err, dispatch.ErrBadTransition):
		status, code, msg = http.StatusBadRequest, "bad_request", err.Error()
	case errors.Is(err, dispatch.ErrRetryable):
		w.Header().Set("Retry-After", "5")
		status, code, msg = http.StatusServiceUnavailable, "unavailable", "temporarily unavailable; try again"
		logger.Warn("request failed", "err", err)
	default:
		logger.Error("request failed", "err", err)
	}
	var fe *FieldError
	field := ""
	if errors.As(err, &fe) && status == http.StatusBadRequest {
		field = fe.Field
	}
	writeJSON(w, status, apiError{Code: code, Field: field, Message: msg})
}
