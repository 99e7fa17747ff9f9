package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// RulingLists are the lists of what waits on a centre or a supervisor above the case's centre:
// declines to rule on (退单待裁决) and extension requests to decide (延期申请). dispatch.Cases is
// one; the routes are served when Config.Cases is one.
type RulingLists interface {
	DeclinesToRule(ctx context.Context, centre string, limit int) ([]dispatch.DeclineToRule, error)
	PendingExtensions(ctx context.Context, member int64, unit string, after *dispatch.ExtensionCursor, limit int) ([]dispatch.ExtensionRequest, error)
}

// extensionRequestJSON is one pending request: its case, the date asked for, why and when.
type extensionRequestJSON struct {
	Case       caseSummaryJSON `json:"case"`
	CentreName string          `json:"centre_name"`
	Until      time.Time       `json:"until"`
	Reason     string          `json:"reason"`
	AskedAt    time.Time       `json:"asked_at"`
}

// defaultPendingExtensions is a page's length without ?limit=.
const defaultPendingExtensions = 50

// handlePendingExtensions: GET /api/extensions/pending?unit=&limit=&after= -> the 延期 requests
// the member may decide (docs/api.md). Only supervisors decide them (extend_approve's rule):
// anyone else is refused with 403, not given an empty list, so that a console knows not to offer
// the list at all. The query checks the jurisdiction again, per case, in SQL.
func (s *Server) handlePendingExtensions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lists, _ := s.cases.(RulingLists)
	acc, err := s.accessOf(ctx, principalFrom(ctx))
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	q := r.URL.Query()
	unit := q.Get("unit")
	switch {
	case len(acc.supervises) == 0:
		err = fmt.Errorf("%w: only supervisors decide extension requests", ErrForbidden)
	case unit != "" && (!isDigits(unit) || len(unit) > 15):
		err = &FieldError{Field: "unit", Message: "must be a unit code"}
	case unit != "" && !under(unit, acc.supervises):
		err = fmt.Errorf("%w: you supervise no unit above %s", ErrForbidden, unit)
	}
	var after *dispatch.ExtensionCursor
	if err == nil && q.Get("after") != "" {
		after, err = parseExtensionCursor(q.Get("after"))
	}
	limit := defaultPendingExtensions
	if err == nil {
		limit, err = limitParam(r, defaultPendingExtensions, dispatch.MaxPendingExtensions)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := lists.PendingExtensions(ctx, acc.member, unit, after, limit)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]extensionRequestJSON, len(list))
	for i, x := range list {
		out[i] = extensionRequestJSON{Case: summaryJSON(x.Case), CentreName: x.CentreName, Until: x.Until, Reason: x.Reason, AskedAt: x.AskedAt}
	}
	next := ""
	if len(list) == limit {
		c := list[len(list)-1].Cursor()
		next = strconv.FormatInt(c.Deadline.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": time.Now().UTC(), "requests": out, "next": next})
}

// parseExtensionCursor reads the next of a previous page: <deadline in µs since 1970>.<case id>.
func parseExtensionCursor(v string) (*dispatch.ExtensionCursor, error) {
	bad := &FieldError{Field: "after", Message: "must be the next of a previous page"}
	us, id, ok := strings.Cut(v, ".")
	if !ok || len(v) > 40 {
		return nil, bad
	}
	t, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n < 0 {
		return nil, bad
	}
	return &dispatch.ExtensionCursor{Deadline: time.UnixMicro(t).UTC(), ID: n}, nil
}
