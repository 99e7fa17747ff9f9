package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// The points supermarket's routes (积分超市, docs/points-market.md): administrators edit their
// unit's items and record redemptions for the grid workers of their subtrees; a county's
// administrators set the redemption window. The store checks every unit and member against
// the administrator's roots; what lies outside is 404 (a worker, an item, a redemption) or 403
// (a unit named in the request), as elsewhere in the admin routes.

const (
	maxMarketBody    = 1 << 10
	maxWorkerSearch  = 20
	maxRedemptionsQs = dispatch.MaxRedemptionsPage
)

// marketItemJSON is an item as the admin app reads and writes it; stock null: not counted.
type marketItemJSON struct {
	ID        int64     `json:"id"`
	Unit      string    `json:"unit"`
	UnitName  string    `json:"unit_name"`
	Name      string    `json:"name"`
	Price     int       `json:"price"`
	Stock     *int      `json:"stock"`
	Active    bool      `json:"active"`
	UpdatedAt time.Time `json:"updated_at"`
	Editable  bool      `json:"editable"` // the administrator's own unit's (else a unit's above)
}

type redemptionJSON struct {
	ID             int64      `json:"id"`
	ItemID         int64      `json:"item_id"`
	ItemName       string     `json:"item_name"`
	MemberID       int64      `json:"member_id"`
	MemberName     string     `json:"member_name"`
	Grid           string     `json:"grid"`
	Quantity       int        `json:"quantity"`
	Price          int        `json:"price"`
	Points         int        `json:"points"`
	RecordedByName string     `json:"recorded_by_name"`
	RecordedAt     time.Time  `json:"recorded_at"`
	CancelledAt    *time.Time `json:"cancelled_at"`
	CancelReason   *string    `json:"cancel_reason"`
}

func redemptionOf(r dispatch.Redemption) redemptionJSON {
	return redemptionJSON{ID: r.ID, ItemID: r.ItemID, ItemName: r.ItemName, MemberID: r.MemberID, MemberName: r.MemberName,
		Grid: r.Unit, Quantity: r.Quantity, Price: r.Price, Points: r.Points(), RecordedByName: r.RecordedByName,
		RecordedAt: r.RecordedAt, CancelledAt: r.CancelledAt, CancelReason: r.CancelReason}
}

// handleMarketItems: GET /api/admin/points/items -> the items the administrator may sell:
// their units' and those of the units above them.
func (s *Server) handleMarketItems(w http.ResponseWriter, r *http.Request) {
	_, a := adminFrom(r.Context())
	items, err := s.market.Items(r.Context(), a.administers)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]marketItemJSON, len(items))
	for i, it := range items {
		out[i] = marketItemJSON{ID: it.ID, Unit: it.Unit, UnitName: it.UnitName, Name: it.Name, Price: it.Price, Stock: it.Stock,
			Active: it.Active, UpdatedAt: it.UpdatedAt, Editable: a.administersUnit(it.Unit)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// handleMarketItemSave: POST /api/admin/points/items and PUT /api/admin/points/items/{id}
// {"unit", "name", "price", "stock", "active"} -> the item.
func (s *Server) handleMarketItemSave(w http.ResponseWriter, r *http.Request) {
	_, a := adminFrom(r.Context())
	var id int64
	if v := r.PathValue("id"); v != "" {
		var err error
		if id, err = pathID(v, "item"); err != nil {
			writeError(w, s.logger, err)
			return
		}
	}
	var req marketItemJSON
	if err := decodeJSON(w, r, maxMarketBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if err := a.unitInScope("unit", req.Unit); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if l := grid.LevelOfCode(req.Unit); l != grid.County && l != grid.Township {
		writeError(w, s.logger, &FieldError{Field: "unit", Message: "the supermarket is a county's or a township's"})
		return
	}
	it, err := s.market.SaveItem(r.Context(), a.administers, dispatch.MarketItem{ID: id, Unit: req.Unit, Name: strings.TrimSpace(req.Name),
		Price: req.Price, Stock: req.Stock, Active: req.Active}, a.member)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	code := http.StatusOK
	if id == 0 {
		code = http.StatusCreated
	}
	writeJSON(w, code, marketItemJSON{ID: it.ID, Unit: it.Unit, UnitName: it.UnitName, Name: it.Name, Price: it.Price, Stock: it.Stock,
		Active: it.Active, UpdatedAt: it.UpdatedAt, Editable: true})
}

// handleMarketWorkers: GET /api/admin/points/workers?unit=&q= -> the grid workers below the
// unit with their balances, for the counter.
func (s *Server) handleMarketWorkers(w http.ResponseWriter, r *http.Request) {
	_, a := adminFrom(r.Context())
	q := r.URL.Query()
	unit := q.Get("unit")
	if unit == "" && len(a.administers) > 0 {
		unit = a.administers[0]
	}
	if err := a.unitInScope("unit", unit); err != nil {
		writeError(w, s.logger, err)
		return
	}
	search := strings.TrimSpace(q.Get("q"))
	if len([]rune(search)) > maxWorkerSearch {
		writeError(w, s.logger, &FieldError{Field: "q", Message: fmt.Sprintf("at most %d characters of a name or phone", maxWorkerSearch)})
		return
	}
	limit, err := queryInt(q.Get("limit"), "limit", 200, 1, dispatch.MaxWorkersPage)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := s.market.Workers(r.Context(), unit, search, int(limit))
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	if list == nil {
		list = []dispatch.WorkerBalance{}
	}
	type workerJSON struct {
		MemberID int64  `json:"member_id"`
		Name     string `json:"name"`
		Phone    string `json:"phone"`
		Grid     string `json:"grid"`
		GridName string `json:"grid_name"`
		Balance  int64  `json:"balance"`
	}
	out := make([]workerJSON, len(list))
	for i, x := range list {
		out[i] = workerJSON(x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"workers": out})
}

// handleRedemptions: GET /api/admin/points/redemptions?member=&limit= -> the newest
// redemptions of the administrator's workers.
func (s *Server) handleRedemptions(w http.ResponseWriter, r *http.Request) {
	_, a := adminFrom(r.Context())
	q := r.URL.Query()
	member, err := queryInt(q.Get("member"), "member", 0, 1, 1<<62)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	limit, err := queryInt(q.Get("limit"), "limit", 100, 1, maxRedemptionsQs)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	list, err := s.market.Redemptions(r.Context(), a.administers, member, int(limit))
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]redemptionJSON, len(list))
	for i, x := range list {
		out[i] = redemptionOf(x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"redemptions": out})
}

// handleRedeem: POST /api/admin/points/redemptions {"member_id", "item_id", "quantity"} ->
// 201 the redemption and the balance left; 409 insufficient_points with the balance.
func (s *Server) handleRedeem(w http.ResponseWriter, r *http.Request) {
	_, a := adminFrom(r.Context())
	var req struct {
		MemberID int64 `json:"member_id"`
		ItemID   int64 `json:"item_id"`
		Quantity int   `json:"quantity"`
	}
	if err := decodeJSON(w, r, maxMarketBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if req.Quantity == 0 {
		req.Quantity = 1
	}
	if req.Quantity < 1 || req.Quantity > dispatch.MaxRedeemQuantity {
		writeError(w, s.logger, &FieldError{Field: "quantity", Message: fmt.Sprintf("1 to %d", dispatch.MaxRedeemQuantity)})
		return
	}
	red, balance, err := s.market.Redeem(r.Context(), a.administers, dispatch.RedeemRequest{ItemID: req.ItemID, MemberID: req.MemberID,
		Quantity: req.Quantity}, a.member)
	if e, ok := dispatch.AsInsufficientPoints(err); ok {
		p := classify(err)
		writeJSON(w, p.Status, map[string]any{"error": p.Code, "message": p.Message, "balance": e.Balance, "cost": e.Cost})
		return
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"redemption": redemptionOf(red), "balance": balance})
}

// handleRedemptionCancel: POST /api/admin/points/redemptions/{id}/cancel {"reason"} -> the
// cancelled redemption: its points back by a counter-entry, its stock back.
func (s *Server) handleRedemptionCancel(w http.ResponseWriter, r *http.Request) {
	_, a := adminFrom(r.Context())
	id, err := pathID(r.PathValue("id"), "redemption")
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, maxMarketBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" || len([]rune(reason)) > dispatch.MaxCancelReason {
		writeError(w, s.logger, &FieldError{Field: "reason", Message: fmt.Sprintf("why, in 1 to %d characters", dispatch.MaxCancelReason)})
		return
	}
	red, err := s.market.Cancel(r.Context(), a.administers, id, reason, a.member)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, redemptionOf(red))
}

// windowJSON is a county's redemption window; period "" is none (any day).
type windowJSON struct {
	County   string `json:"county"`
	Period   string `json:"period"`
	LastDays int    `json:"last_days"`
	Open     bool   `json:"open"`                // today
	Opens    string `json:"opens,omitempty"`     // the window of the current period opens (YYYY-MM-DD)
	ClosesBy string `json:"closes_by,omitempty"` // and ends before this day
}

// handleRedemptionWindow: GET /api/admin/points/window -> the window of the administrator's
// county.
func (s *Server) handleRedemptionWindow(w http.ResponseWriter, r *http.Request) {
	_, a := adminFrom(r.Context())
	county := a.administers[0][:6]
	win, err := s.market.Window(r.Context(), county)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, windowOf(county, win, time.Now()))
}

func windowOf(county string, win *dispatch.RedemptionWindow, now time.Time) windowJSON {
	out := windowJSON{County: county, Open: true}
	if win != nil {
		opens, closes := win.OpensAt(now)
		out.Period, out.LastDays, out.Opens, out.ClosesBy = win.Period, win.LastDays, opens.Format(time.DateOnly), closes.Format(time.DateOnly)
		out.Open, _ = win.Open(now)
	}
	return out
}

// handleRedemptionWindowSave: PUT /api/admin/points/window {"period": "quarter"|"month"|"",
// "last_days"} -> the window of the administrator's county.
func (s *Server) handleRedemptionWindowSave(w http.ResponseWriter, r *http.Request) {
	_, a := adminFrom(r.Context())
	var county string
	for _, c := range a.administers {
		if grid.LevelOfCode(c) == grid.County {
			county = c
			break
		}
	}
	var req windowJSON
	if err := decodeJSON(w, r, maxMarketBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	if req.County != "" && req.County != county {
		writeError(w, s.logger, fmt.Errorf("%w: the window of county %s is not yours to set", ErrForbidden, quoteShort(req.County)))
		return
	}
	var win *dispatch.RedemptionWindow
	if req.Period != "" {
		win = &dispatch.RedemptionWindow{Period: req.Period, LastDays: req.LastDays}
	}
	if err := s.market.SaveWindow(r.Context(), county, win, a.member); err != nil {
		var field string
		if errors.Is(err, dispatch.ErrBadWindow) {
			field = "period"
			if req.Period == "quarter" || req.Period == "month" {
				field = "last_days"
			}
			err = &FieldError{Field: field, Message: err.Error()}
		}
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, windowOf(county, win, time.Now()))
}
