package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// problem is what a client is told about an error, on either transport: over HTTP the status,
// the body's "error" (Code), "field" and "message", and Retry-After; in a websocket error frame
// "code", "field", "message" and "retryable". One error yields one problem, so a phone that
// sends a report over the websocket and a console that calls a route read the same code.
type problem struct {
	Status     int
	Code       string
	Field      string
	Message    string
	Retryable  bool          // resending the same request may succeed
	RetryAfter time.Duration // when to try again (HTTP Retry-After); 0 for no header
	Log        logAt
}

// logAt is how loudly a problem is logged: most are the client's and not logged at all.
type logAt int8

const (
	logNever logAt = iota
	logWarn
	logError
)

func (p problem) log(logger *slog.Logger, msg string, err error) {
	switch p.Log {
	case logWarn:
		logger.Warn(msg, "err", err)
	case logError:
		logger.Error(msg, "err", err)
	}
}

// errorRule classifies the errors that are (errors.Is) one of errs, or that match.
type errorRule struct {
	errs       []error
	match      func(error) bool // for error types; nil when errs says it
	status     int
	code       string
	field      string // the field at fault when the error is always about one
	retryable  bool
	retryAfter func(error) time.Duration
	log        logAt
	message    func(error) string // nil: the error's own text
}

// Errors of the websocket protocol (docs/protocol.md). They are in the table like every other
// error, with the codes phones have always been sent; over HTTP they would be 400s and 409s.
var (
	errBadMessage           = errors.New("not a protocol message")
	errUnknownType          = errors.New("unknown message type")
	errTooManyMessages      = errors.New("too many messages; slow down and resend")
	errTooManySubscriptions = fmt.Errorf("at most %d subscriptions per connection", maxSubscriptions)
	errSessionEnded         = errors.New("the session has ended (signed out, expired or revoked); sign in again")
	errTooManyConnections   = errors.New("too many connections of this member")
)

// errorTable is the one table from errors to what clients are told, for HTTP responses
// (writeError) and websocket error frames (errorFrameOf). The first rule that matches wins, so
// an error that wraps two sentinels (grid.ErrNotFound and dispatch.ErrUnknownGrade, say) is
// classified by the one listed first. Errors no rule matches are ours: 500 "internal", logged.
var errorTable = []errorRule{
	{match: isA[*RateLimitError], status: http.StatusTooManyRequests, code: "rate_limited", retryable: true,
		retryAfter: func(err error) time.Duration { rl, _ := asA[*RateLimitError](err); return rl.RetryAfter }},
	{errs: []error{errTooManyMessages}, status: http.StatusTooManyRequests, code: "rate_limited", retryable: true,
		retryAfter: func(error) time.Duration { return time.Second }},
	{errs: []error{ErrUnauthenticated}, status: http.StatusUnauthorized, code: "unauthenticated"},
	{errs: []error{ErrInvalidCredentials}, status: http.StatusUnauthorized, code: "invalid_credentials"},
	{errs: []error{errSessionEnded}, status: http.StatusUnauthorized, code: "session_ended"},
	{match: isA[*http.MaxBytesError], status: http.StatusRequestEntityTooLarge, code: "too_large",
		message: func(err error) string {
			tooBig, _ := asA[*http.MaxBytesError](err)
			return fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit)
		}},
	{errs: []error{ErrPasswordChangeRequired}, status: http.StatusForbidden, code: "password_change_required"},
	{errs: []error{grid.ErrChangeInvalid}, status: http.StatusUnprocessableEntity, code: "change_invalid"},
	{errs: []error{grid.ErrChangeRefused}, status: http.StatusUnprocessableEntity, code: "change_refused"},
	{errs: []error{grid.ErrImportRefused}, status: http.StatusUnprocessableEntity, code: "import_refused"},
	{errs: []error{grid.ErrRosterRefused}, status: http.StatusUnprocessableEntity, code: "roster_refused"},
	{errs: []error{grid.ErrChangeNotDue}, status: http.StatusConflict, code: "change_not_due"},
	{errs: []error{grid.ErrChangeDecided}, status: http.StatusConflict, code: "change_decided"},
	{errs: []error{grid.ErrChangeNotScheduled}, status: http.StatusConflict, code: "change_not_scheduled"},
	{errs: []error{grid.ErrOutOfScope}, status: http.StatusForbidden, code: "forbidden"},
	{errs: []error{grid.ErrDuplicatePhone}, status: http.StatusConflict, code: "duplicate_phone"},
	{errs: []error{grid.ErrPhoneHeld}, status: http.StatusConflict, code: "phone_held"},
	{errs: []error{grid.ErrDeactivated}, status: http.StatusConflict, code: "deactivated"},
	{errs: []error{errBadMessage}, status: http.StatusBadRequest, code: "bad_message"},
	{errs: []error{errUnknownType}, status: http.StatusBadRequest, code: "unknown_type"},
	{errs: []error{ErrBadRequest, grid.ErrInvalidMember, dispatch.ErrInvalidCategory, grid.ErrRoleLevel, grid.ErrInvalidUnit,
		grid.ErrWrongPassword, grid.ErrBadGeoJSON, grid.ErrBadCRS, grid.ErrBadShapefile, grid.ErrBadEncoding, grid.ErrBadGeometry,
		grid.ErrBadRoster}, status: http.StatusBadRequest, code: "bad_request"},
	{errs: []error{dispatch.ErrBadCalendar}, status: http.StatusBadRequest, code: "bad_calendar"}, // admin_calendar.go
	{errs: []error{dispatch.ErrBadGradeRule}, status: http.StatusBadRequest, code: "bad_request"}, // admin_grade_rules.go
	{errs: []error{dispatch.ErrCalendarDayNotFound}, status: http.StatusNotFound, code: "not_found"},
	// 积分 (points.go, docs/points.md).
	{errs: []error{dispatch.ErrBadPointRule, dispatch.ErrBadPointItem}, status: http.StatusBadRequest, code: "bad_request"},
	{errs: []error{dispatch.ErrPointNotFound}, status: http.StatusNotFound, code: "not_found"},
	{errs: []error{dispatch.ErrPointDecided}, status: http.StatusConflict, code: "already_decided"},
	{errs: []error{dispatch.ErrPointReversed}, status: http.StatusConflict, code: "already_cancelled"},
	{errs: []error{dispatch.ErrMonthConfirmed}, status: http.StatusConflict, code: "month_confirmed"},
	{errs: []error{dispatch.ErrPointRuleExists}, status: http.StatusConflict, code: "rule_exists"},
	{errs: []error{dispatch.ErrMonthNotPast}, status: http.StatusUnprocessableEntity, code: "month_not_past"},
	{errs: []error{dispatch.ErrInvalidPhoto}, status: http.StatusUnsupportedMediaType, code: "unsupported_photo"},
	{errs: []error{dispatch.ErrPhotoNotFound, ErrNotFound, dispatch.ErrCaseNotFound, grid.ErrNotFound},
		status: http.StatusNotFound, code: "not_found"},
	{errs: []error{ErrForbidden, dispatch.ErrNotYours}, status: http.StatusForbidden, code: "forbidden"},
	{errs: []error{dispatch.ErrStaleVersion}, status: http.StatusConflict, code: "stale_version"},
	{errs: []error{dispatch.ErrNotOwned}, status: http.StatusUnprocessableEntity, code: "not_owned"}, // case_leader.go
	{errs: []error{dispatch.ErrNotLeader}, status: http.StatusUnprocessableEntity, code: "not_leader"},
	{errs: []error{dispatch.ErrNotAllowed}, status: http.StatusUnprocessableEntity, code: "not_allowed"},
	{errs: []error{dispatch.ErrNoAttemptYet}, status: http.StatusUnprocessableEntity, code: "no_attempt_yet"},
	{errs: []error{dispatch.ErrNoTierThatWay}, status: http.StatusUnprocessableEntity, code: "no_tier"},
	{errs: []error{dispatch.ErrUnknownCentre}, status: http.StatusUnprocessableEntity, code: "unknown_centre"},
	{errs: []error{dispatch.ErrNoMediationYet}, status: http.StatusUnprocessableEntity, code: "no_mediation_yet"},
	{errs: []error{dispatch.ErrNotDifficult}, status: http.StatusUnprocessableEntity, code: "not_difficult"}, // case_grade.go
	// 五面红旗 / 五星支部 (rating.go, docs/ratings.md)
	{errs: []error{dispatch.ErrRatingSchemeNotFound, dispatch.ErrRatingUnitNotFound}, status: http.StatusNotFound, code: "not_found"},
	{errs: []error{dispatch.ErrBadRatingScheme, dispatch.ErrBadRatingAction}, status: http.StatusBadRequest, code: "bad_request"},
	{errs: []error{dispatch.ErrRatingNotYours}, status: http.StatusForbidden, code: "forbidden"},
	{errs: []error{dispatch.ErrRatingNotAllowed}, status: http.StatusConflict, code: "rating_state"},
	{errs: []error{dispatch.ErrNoticeRunning}, status: http.StatusConflict, code: "notice_running"},
	{errs: []error{dispatch.ErrRatingBelowThreshold}, status: http.StatusUnprocessableEntity, code: "below_threshold"},
	{errs: []error{dispatch.ErrAlreadyOwned}, status: http.StatusConflict, code: "already_owned"},
	{errs: []error{dispatch.ErrNoExtensionPending}, status: http.StatusUnprocessableEntity, code: "no_extension_pending"},
	{errs: []error{dispatch.ErrPastDeadline}, status: http.StatusUnprocessableEntity, code: "past_deadline"},
	{errs: []error{dispatch.ErrBadTransition}, status: http.StatusBadRequest, code: "bad_request"},
	{errs: []error{dispatch.ErrBadMediation}, status: http.StatusBadRequest, code: "bad_mediation"}, // mediation.go
	{errs: []error{dispatch.ErrBadTemplate}, status: http.StatusBadRequest, code: "bad_template"},
	{errs: []error{dispatch.ErrMediationNotFound}, status: http.StatusNotFound, code: "not_found"},
	{errs: []error{dispatch.ErrNotSettled}, status: http.StatusUnprocessableEntity, code: "not_settled"},
	{errs: []error{dispatch.ErrConfirmationLapsed}, status: http.StatusUnprocessableEntity, code: "confirmation_lapsed"},
	// The server runs, but cannot write PDFs (docs/deploy.md).
	{errs: []error{pdfdoc.ErrNoFont}, status: http.StatusServiceUnavailable, code: "no_pdf_font", log: logWarn,
		message: func(err error) string { return "PDFs cannot be written here: " + err.Error() }},
	{errs: []error{dispatch.ErrRetryable, dispatch.ErrBusDown, dispatch.ErrNotRunning}, status: http.StatusServiceUnavailable,
		code: "unavailable", retryable: true, retryAfter: func(error) time.Duration { return 5 * time.Second }, log: logWarn,
		message: func(error) string { return "temporarily unavailable; try again" }},
	// Reports (the websocket's; docs/protocol.md).
	{errs: []error{dispatch.ErrInvalidReport}, status: http.StatusBadRequest, code: "invalid_report"},
	{errs: []error{dispatch.ErrClientIDTaken}, status: http.StatusConflict, code: "client_id_taken", field: "client_id"},
	{errs: []error{errTooManySubscriptions}, status: http.StatusConflict, code: "too_many"},
	{errs: []error{errTooManyConnections}, status: http.StatusConflict, code: "too_many_connections"},
	// The points supermarket and rankings (points_market.go, points_rank.go).
	{errs: []error{dispatch.ErrBadMarketItem, dispatch.ErrBadWindow, dispatch.ErrBadRedemption, dispatch.ErrBadRanking},
		status: http.StatusBadRequest, code: "bad_request"},
	{errs: []error{dispatch.ErrItemNotFound, dispatch.ErrRedemptionNotFound, dispatch.ErrNoSuchWorker}, status: http.StatusNotFound, code: "not_found"},
	{errs: []error{dispatch.ErrInsufficientPoints}, status: http.StatusConflict, code: "insufficient_points"},
	{errs: []error{dispatch.ErrOutOfStock}, status: http.StatusConflict, code: "out_of_stock"},
	{errs: []error{dispatch.ErrOutsideWindow}, status: http.StatusConflict, code: "outside_window"},
	{errs: []error{dispatch.ErrItemInactive}, status: http.StatusConflict, code: "item_inactive"},
	{errs: []error{dispatch.ErrAlreadyCancelled}, status: http.StatusConflict, code: "already_cancelled"},
	{errs: []error{dispatch.ErrDuplicateItem}, status: http.StatusConflict, code: "duplicate_item", field: "name"},
	{errs: []error{dispatch.ErrItemElsewhere}, status: http.StatusUnprocessableEntity, code: "item_elsewhere"},
	// Refusals that reach no route today but must not pass for our failures if one ever does.
	{errs: []error{dispatch.ErrBadStatsQuery, dispatch.ErrUnknownGrade, grid.ErrLevelOrder, grid.ErrCodePrefix,
		grid.ErrDuplicateCode, grid.ErrUnknownParent, grid.ErrInvalidTolerance}, status: http.StatusBadRequest, code: "bad_request"},
}

// internalProblem answers what no rule knows: our failure, told without detail. It is
// retryable, as every 5xx is to the apps' HTTP client: a phone keeps the report and resends.
var internalProblem = problem{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error",
	Retryable: true, Log: logError}

// classify finds what a client is told about err.
func classify(err error) problem {
	for _, r := range errorTable {
		if !r.matches(err) {
			continue
		}
		p := problem{Status: r.status, Code: r.code, Field: r.field, Message: err.Error(), Retryable: r.retryable, Log: r.log}
		if r.message != nil {
			p.Message = r.message(err)
		}
		if r.retryAfter != nil {
			p.RetryAfter = r.retryAfter(err)
		}
		var rf *refusal
		var ve *dispatch.ValidationError
		var fe *FieldError
		switch {
		case errors.As(err, &rf) && rf.field != "":
			p.Field = rf.field
		case errors.As(err, &ve):
			p.Field = ve.Field
		case errors.As(err, &fe) && p.Status == http.StatusBadRequest:
			p.Field = fe.Field
		}
		return p
	}
	return internalProblem
}

func (r errorRule) matches(err error) bool {
	if r.match != nil {
		return r.match(err)
	}
	for _, e := range r.errs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func isA[T error](err error) bool { _, ok := asA[T](err); return ok }

func asA[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}

// refusal is an error of a class (what it wraps) told in words of its own: the message is the
// whole text a client reads, and field, when set, the member at fault.
type refusal struct {
	class   error
	field   string
	message string
}

func (r *refusal) Error() string { return r.message }
func (r *refusal) Unwrap() error { return r.class }

// refusedAs makes a refusal of class with this field and message.
func refusedAs(class error, field, message string) error {
	return &refusal{class: class, field: field, message: message}
}

// errorFrameOf is the websocket error frame answering the message id with err.
func errorFrameOf(id string, err error) errorFrame {
	p := classify(err)
	return errorFrame{Type: "error", ID: id, Code: p.Code, Field: p.Field, Message: p.Message, Retryable: p.Retryable}
}
