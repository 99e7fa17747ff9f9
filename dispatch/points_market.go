package dispatch

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The points supermarket (积分超市, docs/points-market.md): a township or the county offers
// items for points; its administrators record what a grid worker of their subtree takes. A
// redemption is one ledger row of kind 'redemption' (migration 027) written with the
// redemption, the stock and the worker's locked balance in one transaction, so that concurrent
// redemptions never take the balance or the stock below zero. A mistake is cancelled by a
// counter-entry, never by deleting.

// Bounds of the supermarket's inputs: those of migration 028's checks.
const (
	MaxItemPrice       = 100000
	MaxItemStock       = 1000000
	MaxItemName        = 60
	MaxRedeemQuantity  = 100
	MaxRedeemPoints    = 100000 // a ledger row's bound
	MaxCancelReason    = 200
	MaxWindowLastDays  = 31
	MaxRedemptionsPage = 500
)

// MarketItem is one item of a unit's supermarket. Stock nil: not counted.
type MarketItem struct {
	ID        int64     `db:"id"`
	Unit      string    `db:"unit_code"`
	UnitName  string    `db:"unit_name"`
	Name      string    `db:"name"`
	Price     int       `db:"price"`
	Stock     *int      `db:"stock"`
	Active    bool      `db:"active"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Check refuses an item the tables would refuse, in words an administrator reads.
func (it MarketItem) Check() error {
	name := strings.TrimSpace(it.Name)
	switch {
	case len(it.Unit) != 6 && len(it.Unit) != 9:
		return fmt.Errorf("%w: unit: the supermarket is a county's or a township's", ErrBadMarketItem)
	case name == "" || utf8.RuneCountInString(name) > MaxItemName || name != it.Name:
		return fmt.Errorf("%w: name: 1 to %d characters, no spaces around", ErrBadMarketItem, MaxItemName)
	case it.Price < 1 || it.Price > MaxItemPrice:
		return fmt.Errorf("%w: price: 1 to %d points", ErrBadMarketItem, MaxItemPrice)
	case it.Stock != nil && (*it.Stock < 0 || *it.Stock > MaxItemStock):
		return fmt.Errorf("%w: stock: 0 to %d, or none", ErrBadMarketItem, MaxItemStock)
	}
	return nil
}

// Redemption is one redemption as its lists show it.
type Redemption struct {
	ID             int64      `db:"id"`
	ItemID         int64      `db:"item_id"`
	ItemName       string     `db:"item_name"`
	MemberID       int64      `db:"member_id"`
	MemberName     string     `db:"member_name"`
	Unit           string     `db:"unit_code"`
	Quantity       int        `db:"quantity"`
	Price          int        `db:"price"`
	RecordedBy     int64      `db:"recorded_by"`
	RecordedByName string     `db:"recorded_by_name"`
	RecordedAt     time.Time  `db:"recorded_at"`
	CancelledAt    *time.Time `db:"cancelled_at"`
	CancelReason   *string    `db:"cancel_reason"`
}

// Points is what the redemption cost.
func (r Redemption) Points() int { return r.Price * r.Quantity }

// RedeemRequest is a redemption to record: a worker takes quantity of an item.
type RedeemRequest struct {
	ItemID   int64
	MemberID int64
	Quantity int
}

// WorkerBalance is a grid worker with their balance, for the supermarket's counter.
type WorkerBalance struct {
	MemberID int64  `db:"member_id"`
	Name     string `db:"name"`
	Phone    string `db:"phone"`
	Grid     string `db:"grid"`
	GridName string `db:"grid_name"`
	Balance  int64  `db:"balance"`
}

// RedemptionWindow is when a county's workers may redeem: the last LastDays days of every
// quarter or month, in the county's time (StatsZone). A county without one: any day.
type RedemptionWindow struct {
	Period   string // "quarter" or "month"
	LastDays int
}

// Check refuses a window the table would refuse.
func (w RedemptionWindow) Check() error {
	if w.Period != "quarter" && w.Period != "month" {
		return fmt.Errorf("%w: period: quarter or month", ErrBadWindow)
	}
	if w.LastDays < 1 || w.LastDays > MaxWindowLastDays {
		return fmt.Errorf("%w: last_days: 1 to %d", ErrBadWindow, MaxWindowLastDays)
	}
	return nil
}

// periodEnd is the first day after the quarter or month holding day (a local midnight).
func (w RedemptionWindow) periodEnd(day time.Time) time.Time {
	y, m, _ := day.Date()
	if w.Period == "quarter" {
		m = (m-1)/3*3 + 1
		return time.Date(y, m+3, 1, 0, 0, 0, 0, day.Location())
	}
	return time.Date(y, m+1, 1, 0, 0, 0, 0, day.Location())
}

// OpensAt is when the window of the quarter or month holding t opens, and when it closes.
func (w RedemptionWindow) OpensAt(t time.Time) (opens, closes time.Time) {
	local := t.In(statsLocation)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, statsLocation)
	end := w.periodEnd(day)
	opens = end.AddDate(0, 0, -w.LastDays)
	if start := periodStart(w, day); opens.Before(start) { // a window longer than the month: all of it
		opens = start
	}
	return opens, end
}

// periodStart is the first day of the quarter or month holding day.
func periodStart(w RedemptionWindow, day time.Time) time.Time {
	y, m, _ := day.Date()
	if w.Period == "quarter" {
		m = (m-1)/3*3 + 1
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, day.Location())
}

// Open says whether t falls in the window; if not, when it next opens.
func (w RedemptionWindow) Open(t time.Time) (bool, time.Time) {
	opens, _ := w.OpensAt(t)
	return !t.Before(opens), opens
}

// InsufficientPointsError refuses a redemption that costs more than the worker's balance.
type InsufficientPointsError struct {
	Balance int64
	Cost    int64
}

func (e *InsufficientPointsError) Error() string {
	return fmt.Sprintf("%s: the balance is %d points, the redemption costs %d", ErrInsufficientPoints, e.Balance, e.Cost)
}

func (e *InsufficientPointsError) Unwrap() error { return ErrInsufficientPoints }

// AsInsufficientPoints finds the refusal's balance and cost in err.
func AsInsufficientPoints(err error) (*InsufficientPointsError, bool) {
	var e *InsufficientPointsError
	ok := errors.As(err, &e)
	return e, ok
}
