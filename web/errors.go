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

// writeError answers err over HTTP as classify says. Unknown errors are logged and answered
// 500 without detail.
func writeError(w http.ResponseWriter, logger *slog.Logger, err error) {
	p := classify(err)
	p.log(logger, "request failed", err)
	if p.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(p.RetryAfter)))
	}
	if p.Status == http.StatusUnauthorized && p.Code == "unauthenticated" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="griddispatch"`)
	}
	body := apiError{Code: p.Code, Field: p.Field, Message: p.Message}
	var re *reportError
	if errors.As(err, &re) && p.Status != http.StatusInternalServerError {
		writeReport(w, logger, p.Status, body, re.report)
		return
	}
	writeJSON(w, p.Status, body)
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
