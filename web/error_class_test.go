package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// classified is what every sentinel error is told as: HTTP status and code (the same code in
// a websocket error frame), and whether it is retryable. The statuses and codes that existed
// before the table are the apps' (web/ui/src) and docs/api.md's; they do not change.
var classified = map[string]struct {
	err       error
	status    int
	code      string
	retryable bool
}{
	"dispatch.ErrBusDown":             {dispatch.ErrBusDown, 503, "unavailable", true},
	"dispatch.ErrInvalidReport":       {dispatch.ErrInvalidReport, 400, "invalid_report", false},
	"dispatch.ErrRetryable":           {dispatch.ErrRetryable, 503, "unavailable", true},
	"dispatch.ErrClientIDTaken":       {dispatch.ErrClientIDTaken, 409, "client_id_taken", false},
	"dispatch.ErrInvalidPhoto":        {dispatch.ErrInvalidPhoto, 415, "unsupported_photo", false},
	"dispatch.ErrPhotoNotFound":       {dispatch.ErrPhotoNotFound, 404, "not_found", false},
	"dispatch.ErrBadStatsQuery":       {dispatch.ErrBadStatsQuery, 400, "bad_request", false},
	"dispatch.ErrBadCalendar":         {dispatch.ErrBadCalendar, 400, "bad_calendar", false},
	"dispatch.ErrNotRunning":          {dispatch.ErrNotRunning, 503, "unavailable", true},
	"dispatch.ErrStaleVersion":        {dispatch.ErrStaleVersion, 409, "stale_version", false},
	"dispatch.ErrNotAllowed":          {dispatch.ErrNotAllowed, 422, "not_allowed", false},
	"dispatch.ErrNotYours":            {dispatch.ErrNotYours, 403, "forbidden", false},
	"dispatch.ErrCaseNotFound":        {dispatch.ErrCaseNotFound, 404, "not_found", false},
	"dispatch.ErrBadTransition":       {dispatch.ErrBadTransition, 400, "bad_request", false},
	"dispatch.ErrNoAttemptYet":        {dispatch.ErrNoAttemptYet, 422, "no_attempt_yet", false},
	"dispatch.ErrNoTierThatWay":       {dispatch.ErrNoTierThatWay, 422, "no_tier", false},
	"dispatch.ErrUnknownCentre":       {dispatch.ErrUnknownCentre, 422, "unknown_centre", false},
	"dispatch.ErrNoMediationYet":      {dispatch.ErrNoMediationYet, 422, "no_mediation_yet", false},
	"dispatch.ErrNoExtensionPending":  {dispatch.ErrNoExtensionPending, 422, "no_extension_pending", false},
	"dispatch.ErrPastDeadline":        {dispatch.ErrPastDeadline, 422, "past_deadline", false},
	"dispatch.ErrNotDifficult":        {dispatch.ErrNotDifficult, 422, "not_difficult", false},
	"dispatch.ErrAlreadyOwned":        {dispatch.ErrAlreadyOwned, 409, "already_owned", false},
	"dispatch.ErrNotOwned":            {dispatch.ErrNotOwned, 422, "not_owned", false},
	"dispatch.ErrNotOwner":            {dispatch.ErrNotOwner, 403, "forbidden", false},
	"dispatch.ErrNotLeader":           {dispatch.ErrNotLeader, 422, "not_leader", false},
	"dispatch.ErrBadGradeRule":        {dispatch.ErrBadGradeRule, 400, "bad_request", false},
	"dispatch.ErrUnknownGrade":        {dispatch.ErrUnknownGrade, 400, "bad_request", false},
	"dispatch.ErrCalendarDayNotFound": {dispatch.ErrCalendarDayNotFound, 404, "not_found", false},
	"dispatch.ErrBadMediation":        {dispatch.ErrBadMediation, 400, "bad_mediation", false},
	"dispatch.ErrBadTemplate":         {dispatch.ErrBadTemplate, 400, "bad_template", false},
	"dispatch.ErrMediationNotFound":   {dispatch.ErrMediationNotFound, 404, "not_found", false},
	"dispatch.ErrNotOwnerCentre":      {dispatch.ErrNotOwnerCentre, 403, "forbidden", false},
	"dispatch.ErrNotSettled":          {dispatch.ErrNotSettled, 422, "not_settled", false},
	"dispatch.ErrConfirmationLapsed":  {dispatch.ErrConfirmationLapsed, 422, "confirmation_lapsed", false},
	"dispatch.ErrInvalidCategory":     {dispatch.ErrInvalidCategory, 400, "bad_request", false},
	"dispatch.ErrNotMainCase":         {dispatch.ErrNotMainCase, 400, "bad_request", false},

	"grid.ErrNotFound":           {grid.ErrNotFound, 404, "not_found", false},
	"grid.ErrInvalidUnit":        {grid.ErrInvalidUnit, 400, "bad_request", false},
	"grid.ErrLevelOrder":         {grid.ErrLevelOrder, 400, "bad_request", false},
	"grid.ErrCodePrefix":         {grid.ErrCodePrefix, 400, "bad_request", false},
	"grid.ErrDuplicateCode":      {grid.ErrDuplicateCode, 400, "bad_request", false},
	"grid.ErrUnknownParent":      {grid.ErrUnknownParent, 400, "bad_request", false},
	"grid.ErrBadGeometry":        {grid.ErrBadGeometry, 400, "bad_request", false},
	"grid.ErrBadGeoJSON":         {grid.ErrBadGeoJSON, 400, "bad_request", false},
	"grid.ErrBadCRS":             {grid.ErrBadCRS, 400, "bad_request", false},
	"grid.ErrBadShapefile":       {grid.ErrBadShapefile, 400, "bad_request", false},
	"grid.ErrBadEncoding":        {grid.ErrBadEncoding, 400, "bad_request", false},
	"grid.ErrInvalidMember":      {grid.ErrInvalidMember, 400, "bad_request", false},
	"grid.ErrRoleLevel":          {grid.ErrRoleLevel, 400, "bad_request", false},
	"grid.ErrDuplicatePhone":     {grid.ErrDuplicatePhone, 409, "duplicate_phone", false},
	"grid.ErrInvalidTolerance":   {grid.ErrInvalidTolerance, 400, "bad_request", false},
	"grid.ErrChangeNotScheduled": {grid.ErrChangeNotScheduled, 409, "change_not_scheduled", false},
	"grid.ErrRosterRefused":      {grid.ErrRosterRefused, 422, "roster_refused", false},
	"grid.ErrBadRoster":          {grid.ErrBadRoster, 400, "bad_request", false},
	"grid.ErrImportRefused":      {grid.ErrImportRefused, 422, "import_refused", false},
	"grid.ErrWrongPassword":      {grid.ErrWrongPassword, 400, "bad_request", false},
	"grid.ErrChangeInvalid":      {grid.ErrChangeInvalid, 422, "change_invalid", false},
	"grid.ErrChangeRefused":      {grid.ErrChangeRefused, 422, "change_refused", false},
	"grid.ErrChangeNotDue":       {grid.ErrChangeNotDue, 409, "change_not_due", false},
	"grid.ErrChangeDecided":      {grid.ErrChangeDecided, 409, "change_decided", false},
	"grid.ErrOutOfScope":         {grid.ErrOutOfScope, 403, "forbidden", false},
	"grid.ErrDeactivated":        {grid.ErrDeactivated, 409, "deactivated", false},
	"grid.ErrPhoneHeld":          {grid.ErrPhoneHeld, 409, "phone_held", false},

	"web.ErrUnauthenticated":        {ErrUnauthenticated, 401, "unauthenticated", false},
	"web.ErrInvalidCredentials":     {ErrInvalidCredentials, 401, "invalid_credentials", false},
	"web.ErrBadRequest":             {ErrBadRequest, 400, "bad_request", false},
	"web.ErrNotFound":               {ErrNotFound, 404, "not_found", false},
	"web.ErrForbidden":              {ErrForbidden, 403, "forbidden", false},
	"web.ErrPasswordChangeRequired": {ErrPasswordChangeRequired, 403, "password_change_required", false},
	"web.errBadMessage":             {errBadMessage, 400, "bad_message", false},
	"web.errUnknownType":            {errUnknownType, 400, "unknown_type", false},
	"web.errTooManyMessages":        {errTooManyMessages, 429, "rate_limited", true},
	"web.errTooManySubscriptions":   {errTooManySubscriptions, 409, "too_many", false},
	"web.errSessionEnded":           {errSessionEnded, 401, "session_ended", false},
	"web.errTooManyConnections":     {errTooManyConnections, 409, "too_many_connections", false},
	"pdfdoc.ErrNoFont":              {pdfdoc.ErrNoFont, 503, "no_pdf_font", false},
	// 五面红旗 / 五星支部 (rating.go)
	"dispatch.ErrRatingSchemeNotFound": {dispatch.ErrRatingSchemeNotFound, 404, "not_found", false},
	"dispatch.ErrRatingUnitNotFound":   {dispatch.ErrRatingUnitNotFound, 404, "not_found", false},
	"dispatch.ErrBadRatingScheme":      {dispatch.ErrBadRatingScheme, 400, "bad_request", false},
	"dispatch.ErrBadRatingAction":      {dispatch.ErrBadRatingAction, 400, "bad_request", false},
	"dispatch.ErrRatingNotYours":       {dispatch.ErrRatingNotYours, 403, "forbidden", false},
	"dispatch.ErrRatingNotAllowed":     {dispatch.ErrRatingNotAllowed, 409, "rating_state", false},
	"dispatch.ErrNoticeRunning":        {dispatch.ErrNoticeRunning, 409, "notice_running", false},
	"dispatch.ErrRatingBelowThreshold": {dispatch.ErrRatingBelowThreshold, 422, "below_threshold", false},
}

// TestErrorTable walks the one table from errors to what clients are told: every sentinel of
// dispatch, grid and web is classified (none passes for our failure, "internal"), keeps its
// status and code, and reads the same over HTTP and in a websocket error frame, wrapped or not.
func TestErrorTable(t *testing.T) {
	t.Parallel()
	for _, pkg := range []string{"dispatch", "grid", "web"} {
		for _, name := range sentinelNames(t, filepath.Join("..", pkg)) {
			if _, ok := classified[pkg+"."+name]; !ok {
				t.Errorf("%s.%s is not in this test: classify it in errorTable (web/error_class.go) and list it here", pkg, name)
			}
		}
	}
	for name, want := range classified {
		for _, err := range []error{want.err, fmt.Errorf("%s: %w", "some context", want.err)} {
			t.Run(name, func(t *testing.T) {
				httpCode, status, _ := overHTTP(t, err)
				f := errorFrameOf("r1", err)
				switch {
				case status != want.status || httpCode != want.code:
					t.Errorf("HTTP %d %q; want %d %q", status, httpCode, want.status, want.code)
				case f.Code != httpCode || f.Retryable != want.retryable || f.ID != "r1" || f.Type != "error" || f.Message == "":
					t.Errorf("websocket frame %+v; want code %q (as over HTTP), retryable %v", f, httpCode, want.retryable)
				}
			})
		}
	}
}

// TestErrorTableTransportsAgree: the same refusal reads alike on both transports, field and
// Retry-After included; what no rule knows is our failure, told without detail and retryable
// (a phone keeps the report; the apps' HTTP client retries a 5xx too).
func TestErrorTableTransportsAgree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		err        error
		code       string
		field      string
		retryable  bool
		retryAfter string
	}{
		{"a report's field", &dispatch.ValidationError{Field: "description", Message: "must have 1 to 2000 characters"},
			"invalid_report", "description", false, ""},
		{"a client id of another member", fmt.Errorf("store: %w", dispatch.ErrClientIDTaken), "client_id_taken", "client_id", false, ""},
		{"the database away", fmt.Errorf("%w: dial tcp: refused", dispatch.ErrRetryable), "unavailable", "", true, "5"},
		{"a body's field", &FieldError{Field: "limit", Message: "must be a whole number"}, "bad_request", "limit", false, ""},
		{"a refusal in words of its own", refusedAs(errBadMessage, "id", "not a protocol message: id: a string"),
			"bad_message", "id", false, ""},
		{"too many sign-ins", &RateLimitError{RetryAfter: 1500 * time.Millisecond}, "rate_limited", "", true, "2"},
		{"our failure", errors.New("pq: relation missing"), "internal", "", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, status, rec := overHTTP(t, tc.err)
			var body apiError
			json.Unmarshal(rec.Body.Bytes(), &body)
			f := errorFrameOf("r1", tc.err)
			p := classify(tc.err)
			switch {
			case code != tc.code || body.Field != tc.field || rec.Header().Get("Retry-After") != tc.retryAfter || status != p.Status:
				t.Errorf("HTTP %d %s, Retry-After %q; want %q field %q Retry-After %q", status, rec.Body, rec.Header().Get("Retry-After"),
					tc.code, tc.field, tc.retryAfter)
			case f.Code != tc.code || f.Field != tc.field || f.Retryable != tc.retryable || f.Message != body.Message:
				t.Errorf("websocket frame %+v; want code %q field %q retryable %v message %q", f, tc.code, tc.field, tc.retryable, body.Message)
			}
			if tc.code == "internal" && (body.Message != "internal error" || status != http.StatusInternalServerError) {
				t.Errorf("our failure told as %d %+v; want 500 without detail", status, body)
			}
		})
	}
}

// overHTTP is writeError's answer to err: its code, status and the recording.
func overHTTP(t *testing.T, err error) (string, int, *httptest.ResponseRecorder) {
	t.Helper()
	rec := httptest.NewRecorder()
	writeError(rec, slog.New(slog.DiscardHandler), err)
	var body apiError
	if e := json.Unmarshal(rec.Body.Bytes(), &body); e != nil {
		t.Fatalf("error body %q: %v", rec.Body, e)
	}
	return body.Code, rec.Code, rec
}

// sentinelNames lists the package-level error variables (Err..., err... in web) declared in
// the non-test files of dir.
func sentinelNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if strings.HasPrefix(n.Name, "Err") || (dir == filepath.Join("..", "web") && strings.HasPrefix(n.Name, "err") &&
						len(n.Name) > 3 && n.Name[3] >= 'A' && n.Name[3] <= 'Z') {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}
