package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// Points is the points ledger's earning side as the routes use it (docs/points.md, "API");
// dispatch.Points is one. Who may do what is the store's to check, against the member's
// assignments, as for /api/my/verifications.
type Points interface {
	Mine(ctx context.Context, member int64, month string) (dispatch.MyPoints, error)
	Rules(ctx context.Context, all bool) ([]dispatch.PointRule, error)
	SaveRule(ctx context.Context, r dispatch.PointRule, by int64) (dispatch.PointRule, error)
	Items(ctx context.Context, member int64) ([]dispatch.PointItem, error)
	LedWorkers(ctx context.Context, leader int64) ([]dispatch.PointWorker, error)
	EnterItem(ctx context.Context, leader int64, in dispatch.PointItemInput) (dispatch.PointItem, error)
	DecideItem(ctx context.Context, by, id int64, approve bool, reason string) (dispatch.PointItem, error)
	Cancel(ctx context.Context, by, id int64, reason string) (int64, error)
	ConfirmMonth(ctx context.Context, by int64, township string, month time.Time) error
}

const maxPointBody = 4 << 10

var monthParam = regexp.MustCompile(`^20[0-9]{2}-(0[1-9]|1[0-2])$`)

// pointRowJSON is a ledger row with the day it happened on, as the phone shows it.
type pointRowJSON struct {
	dispatch.PointRow
	Day string `json:"day,omitempty"`
}

type pointItemJSON struct {
	dispatch.PointItem
	Day string `json:"day"`
}

// handleMyPoints: GET /api/my/points?month=2026-12 -> the member's balance, month totals
// (newest first), their rows (the month's, or the newest), and the active rules.
func (s *Server) handleMyPoints(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month != "" && !monthParam.MatchString(month) {
		writeError(w, s.logger, &FieldError{Field: "month", Message: "a month such as 2026-12"})
		return
	}
	mine, err := s.points.Mine(r.Context(), principalFrom(r.Context()).Member.ID, month)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	rules, err := s.points.Rules(r.Context(), false)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	rows := make([]pointRowJSON, len(mine.Rows))
	for i, row := range mine.Rows {
		rows[i] = pointRowJSON{PointRow: row}
		if row.Day != nil {
			rows[i].Day = row.Day.Format(time.DateOnly)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"balance": mine.Balance, "months": mine.Months, "rows": rows, "rules": rules})
}

func pointItemOf(it dispatch.PointItem) pointItemJSON {
	return pointItemJSON{PointItem: it, Day: it.Day.Format(time.DateOnly)}
}

// handlePointItems: GET /api/points/items -> the items the member entered or is the worker of,
// those waiting for their approval, and the workers of the grids they lead (for a new item).
func (s *Server) handlePointItems(w http.ResponseWriter, r *http.Request) {
	me := principalFrom(r.Context()).Member.ID
	list, err := s.points.Items(r.Context(), me)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	workers, err := s.points.LedWorkers(r.Context(), me)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]pointItemJSON, len(list))
	for i, it := range list {
		out[i] = pointItemOf(it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "workers": workers})
}

// handlePointItemAdd: POST /api/points/items {"member_id", "rule", "day", "note"} -> 201 the
// item, waiting for approval; a grid leader's, for a worker of their grid (403 otherwise).
func (s *Server) handlePointItemAdd(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MemberID int64  `json:"member_id"`
		Rule     string `json:"rule"`
		Day      string `json:"day"`
		Note     string `json:"note"`
	}
	if err := decodeJSON(w, r, maxPointBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	day, err := time.Parse(time.DateOnly, req.Day)
	if err != nil {
		writeError(w, s.logger, &FieldError{Field: "day", Message: "a day such as 2026-12-01"})
		return
	}
	if req.MemberID <= 0 {
		writeError(w, s.logger, &FieldError{Field: "member_id", Message: "the worker's member id"})
		return
	}
	it, err := s.points.EnterItem(r.Context(), principalFrom(r.Context()).Member.ID,
		dispatch.PointItemInput{Member: req.MemberID, Rule: req.Rule, Day: day, Note: req.Note})
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, pointItemOf(it))
}

// handlePointItemDecide: POST /api/points/items/{id}/approve {} and .../reject {"reason"} ->
// the item; a supervisor's or administrator's at the rule's approver tier or above.
func (s *Server) handlePointItemDecide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r.PathValue("id"), "points item")
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		var req struct {
			Reason string `json:"reason"`
		}
		if err := decodeJSON(w, r, maxPointBody, &req); err != nil {
			writeError(w, s.logger, err)
			return
		}
		it, err := s.points.DecideItem(r.Context(), principalFrom(r.Context()).Member.ID, id, approve, req.Reason)
		if err != nil {
			writeError(w, s.logger, err)
			return
		}
		writeJSON(w, http.StatusOK, pointItemOf(it))
	}
}

// handlePointCancel: POST /api/points/rows/{id}/cancel {"reason"} -> {"counter_entry": id}; a
// supervisor or administrator of the row's township or county books a counter-entry, audited.
func (s *Server) handlePointCancel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"), "points row")
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, maxPointBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if n := len([]rune(req.Reason)); n == 0 || n > dispatch.MaxPointNoteChars {
		writeError(w, s.logger, &FieldError{Field: "reason", Message: fmt.Sprintf("why, in 1 to %d characters", dispatch.MaxPointNoteChars)})
		return
	}
	counter, err := s.points.Cancel(r.Context(), principalFrom(r.Context()).Member.ID, id, req.Reason)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"counter_entry": counter})
}

// handlePointMonthConfirm: POST /api/points/months {"township", "month": "2026-11"} -> 201; the
// monthly audit (月度审核) by a supervisor of the township or its county, of a past month.
func (s *Server) handlePointMonthConfirm(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Township string `json:"township"`
		Month    string `json:"month"`
	}
	if err := decodeJSON(w, r, maxPointBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if len(req.Township) != 9 || !isDigits(req.Township) {
		writeError(w, s.logger, &FieldError{Field: "township", Message: "a township's 9-digit code"})
		return
	}
	if !monthParam.MatchString(req.Month) {
		writeError(w, s.logger, &FieldError{Field: "month", Message: "a month such as 2026-11"})
		return
	}
	month, _ := time.Parse("2006-01", req.Month)
	if err := s.points.ConfirmMonth(r.Context(), principalFrom(r.Context()).Member.ID, req.Township, month); err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"township": req.Township, "month": req.Month})
}
