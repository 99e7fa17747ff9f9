package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// Errors of the HTTP layer.
var (
	ErrUnauthenticated    = errors.New("not signed in, or the session has expired or was revoked")
	ErrInvalidCredentials = errors.New("wrong phone number or password")
	ErrBadRequest         = errors.New("bad request")
	ErrNotFound           = errors.New("no such page")
	ErrForbidden          = errors.New("forbidden")
	// ErrPasswordChangeRequired: signed in with a one-time code, the member must choose a
	// password before anything else (docs/admin-api.md).
	ErrPasswordChangeRequired = errors.New("choose a new password first (POST /api/me/password): you signed in with a one-time code")
)

// reportError is a refusal that comes with the report saying why (an import, a change set, a
// roster): the body is the report's members with "error" and "message" added.
type reportError struct {
	err    error
	report any
}

func (e *reportError) Error() string { return e.err.Error() }
func (e *reportError) Unwrap() error { return e.err }

// withReport attaches report to a refusal.
func withReport(err error, report any) error { return &reportError{err: err, report: report} }

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
	case errors.Is(err, ErrPasswordChangeRequired):
		status, code, msg = http.StatusForbidden, "password_change_required", err.Error()
	case errors.Is(err, grid.ErrChangeInvalid):
		status, code, msg = http.StatusUnprocessableEntity, "change_invalid", err.Error()
	case errors.Is(err, grid.ErrChangeRefused):
		status, code, msg = http.StatusUnprocessableEntity, "change_refused", err.Error()
	case errors.Is(err, grid.ErrImportRefused):
		status, code, msg = http.StatusUnprocessableEntity, "import_refused", err.Error()
	case errors.Is(err, grid.ErrRosterRefused):
		status, code, msg = http.StatusUnprocessableEntity, "roster_refused", err.Error()
	case errors.Is(err, grid.ErrChangeNotDue):
		status, code, msg = http.StatusConflict, "change_not_due", err.Error()
	case errors.Is(err, grid.ErrChangeDecided):
		status, code, msg = http.StatusConflict, "change_decided", err.Error()
	case errors.Is(err, grid.ErrChangeNotScheduled):
		status, code, msg = http.StatusConflict, "change_not_scheduled", err.Error()
	case errors.Is(err, grid.ErrOutOfScope):
		status, code, msg = http.StatusForbidden, "forbidden", err.Error()
	case errors.Is(err, grid.ErrDuplicatePhone):
		status, code, msg = http.StatusConflict, "duplicate_phone", err.Error()
	case errors.Is(err, grid.ErrPhoneHeld):
		status, code, msg = http.StatusConflict, "phone_held", err.Error()
	case errors.Is(err, grid.ErrDeactivated):
		status, code, msg = http.StatusConflict, "deactivated", err.Error()
	case errors.Is(err, ErrBadRequest), errors.Is(err, grid.ErrInvalidMember), errors.Is(err, dispatch.ErrInvalidCategory),
		errors.Is(err, grid.ErrRoleLevel), errors.Is(err, grid.ErrInvalidUnit), errors.Is(err, grid.ErrWrongPassword),
		errors.Is(err, grid.ErrBadGeoJSON), errors.Is(err, grid.ErrBadCRS), errors.Is(err, grid.ErrBadShapefile),
		errors.Is(err, grid.ErrBadEncoding), errors.Is(err, grid.ErrBadGeometry), errors.Is(err, grid.ErrBadRoster):
		status, code, msg = http.StatusBadRequest, "bad_request", err.Error()
	case errors.Is(err, dispatch.ErrBadCalendar): // the working calendar (admin_calendar.go)
		status, code, msg = http.StatusBadRequest, "bad_calendar", err.Error()
	case errors.Is(err, dispatch.ErrBadGradeRule): // the grade rules (admin_grade_rules.go)
		status, code, msg = http.StatusBadRequest, "bad_request", err.Error()
	case errors.Is(err, dispatch.ErrCalendarDayNotFound):
		status, code, msg = http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, dispatch.ErrInvalidPhoto):
		status, code, msg = http.StatusUnsupportedMediaType, "unsupported_photo", err.Error()
	case errors.Is(err, dispatch.ErrPhotoNotFound), errors.Is(err, ErrNotFound), errors.Is(err, dispatch.ErrCaseNotFound),
		errors.Is(err, grid.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, ErrForbidden), errors.Is(err, dispatch.ErrNotYours):
		status, code, msg = http.StatusForbidden, "forbidden", err.Error()
	case errors.Is(err, dispatch.ErrStaleVersion):
		status, code, msg = http.StatusConflict, "stale_version", err.Error()
	case errors.Is(err, dispatch.ErrNotOwned): // leader ownership (dispatch/case_leader.go)
		status, code, msg = http.StatusUnprocessableEntity, "not_owned", err.Error()
	case errors.Is(err, dispatch.ErrNotLeader):
		status, code, msg = http.StatusUnprocessableEntity, "not_leader", err.Error()
	case errors.Is(err, dispatch.ErrNotAllowed):
		status, code, msg = http.StatusUnprocessableEntity, "not_allowed", err.Error()
	case errors.Is(err, dispatch.ErrNoAttemptYet):
		status, code, msg = http.StatusUnprocessableEntity, "no_attempt_yet", err.Error()
	case errors.Is(err, dispatch.ErrNoTierThatWay):
		status, code, msg = http.StatusUnprocessableEntity, "no_tier", err.Error()
	case errors.Is(err, dispatch.ErrUnknownCentre):
		status, code, msg = http.StatusUnprocessableEntity, "unknown_centre", err.Error()
	case errors.Is(err, dispatch.ErrNoMediationYet):
		status, code, msg = http.StatusUnprocessableEntity, "no_mediation_yet", err.Error()
	case errors.Is(err, dispatch.ErrNotDifficult): // risk grading (dispatch/case_grade.go)
		status, code, msg = http.StatusUnprocessableEntity, "not_difficult", err.Error()
	case errors.Is(err, dispatch.ErrAlreadyOwned):
		status, code, msg = http.StatusConflict, "already_owned", err.Error()
	case errors.Is(err, dispatch.ErrNoExtensionPending):
		status, code, msg = http.StatusUnprocessableEntity, "no_extension_pending", err.Error()
	case errors.Is(err, dispatch.ErrPastDeadline):
		status, code, msg = http.StatusUnprocessableEntity, "past_deadline", err.Error()
	case errors.Is(err, dispatch.ErrBadTransition):
		status, code, msg = http.StatusBadRequest, "bad_request", err.Error()
	case errors.Is(err, pdfdoc.ErrNoFont): // the server runs, but cannot write PDFs (docs/deploy.md)
		status, code, msg = http.StatusServiceUnavailable, "no_pdf_font", "PDFs cannot be written here: "+err.Error()
		logger.Warn("request failed", "err", err)
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
	var re *reportError
	if errors.As(err, &re) && status != http.StatusInternalServerError {
		writeReport(w, logger, status, apiError{Code: code, Field: field, Message: msg}, re.report)
		return
	}
	writeJSON(w, status, apiError{Code: code, Field: field, Message: msg})
}

// writeReport answers a refusal with its report: the report's members and the error's.
func writeReport(w http.ResponseWriter, logger *slog.Logger, status int, e apiError, report any) {
	body, err := json.Marshal(report)
	if err != nil || len(body) < 2 || body[0] != '{' {
		logger.Error("refusal report", "err", err)
		writeJSON(w, status, e)
		return
	}
	head, _ := json.Marshal(e)
	out := append(head[:len(head)-1:len(head)-1], ',')
	if len(body) == 2 { // {}
		out = head
	} else {
		out = append(out, body[1:]...)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(out, '\n'))
}
