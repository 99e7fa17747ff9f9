package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Market is the points supermarket's store (migration 028). Every method takes the
// administrator's roots (the units they administer) and refuses what lies outside them.
type Market struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewMarket keeps the supermarket in pool.
func NewMarket(pool *pgxpool.Pool) *Market { return &Market{pool: pool, now: time.Now} }

// SetClock replaces the clock the redemption window is read by (tests).
func (m *Market) SetClock(now func() time.Time) { m.now = now }

// marketRootPatterns are LIKE patterns of the roots' subtrees.
func marketRootPatterns(roots []string) []string {
	out := make([]string, len(roots))
	for i, r := range roots {
		out[i] = r + "%"
	}
	return out
}

// Items offered to the workers of roots (the items of the units above them too) or owned in
// them, the roots' own first.
const selectItems = `
SELECT i.id, i.unit_code, u.name AS unit_name, i.name, i.price, i.stock, i.active, i.updated_at
FROM point_market_items i JOIN units u ON u.code = i.unit_code
WHERE i.unit_code LIKE ANY($1) OR EXISTS (SELECT 1 FROM unnest($2::text[]) r WHERE r LIKE i.unit_code || '%')
ORDER BY i.active DESC, i.unit_code DESC, i.price, i.id`

// Items lists what the roots' administrators may sell or edit.
func (m *Market) Items(ctx context.Context, roots []string) ([]MarketItem, error) {
	rows, err := m.pool.Query(ctx, selectItems, marketRootPatterns(roots), roots)
	if err != nil {
		return nil, fmt.Errorf("%w: supermarket items: %v", ErrRetryable, err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[MarketItem])
	if err != nil {
		return nil, fmt.Errorf("%w: supermarket items: %v", ErrRetryable, err)
	}
	return items, nil
}

// SaveItem creates (it.ID 0) or replaces an item of a unit in roots, audited.
func (m *Market) SaveItem(ctx context.Context, roots []string, it MarketItem, by int64) (MarketItem, error) {
	if err := it.Check(); err != nil {
		return MarketItem{}, err
	}
	if !marketUnderAny(it.Unit, roots) {
		return MarketItem{}, fmt.Errorf("%w: unit %s is outside what you administer", ErrNotYours, it.Unit)
	}
	err := pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		var was any
		if it.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO point_market_items (unit_code, name, price, stock, active)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, it.Unit, it.Name, it.Price, it.Stock, it.Active).Scan(&it.ID); err != nil {
				return err
			}
		} else {
			var old MarketItem
			err := tx.QueryRow(ctx, `SELECT unit_code, name, price, stock, active FROM point_market_items WHERE id = $1 FOR UPDATE`, it.ID).
				Scan(&old.Unit, &old.Name, &old.Price, &old.Stock, &old.Active)
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && !marketUnderAny(old.Unit, roots)) {
				return ErrItemNotFound
			} else if err != nil {
				return err
			}
			if old.Unit != it.Unit {
				return fmt.Errorf("%w: unit: an item stays with the unit that offers it", ErrBadMarketItem)
			}
			was = map[string]any{"name": old.Name, "price": old.Price, "stock": old.Stock, "active": old.Active}
			if _, err := tx.Exec(ctx, `UPDATE point_market_items SET name = $2, price = $3, stock = $4, active = $5, updated_at = now()
				WHERE id = $1`, it.ID, it.Name, it.Price, it.Stock, it.Active); err != nil {
				return err
			}
		}
		return auditMarket(ctx, tx, by, "points.item_save", nil, it.Unit, map[string]any{"item": it.ID, "name": it.Name,
			"price": it.Price, "stock": it.Stock, "active": it.Active, "was": was})
	})
	if err != nil {
		return MarketItem{}, marketError("save item", err)
	}
	return m.item(ctx, it.ID)
}

func (m *Market) item(ctx context.Context, id int64) (MarketItem, error) {
	rows, err := m.pool.Query(ctx, `SELECT i.id, i.unit_code, u.name AS unit_name, i.name, i.price, i.stock, i.active, i.updated_at
		FROM point_market_items i JOIN units u ON u.code = i.unit_code WHERE i.id = $1`, id)
	if err != nil {
		return MarketItem{}, fmt.Errorf("%w: supermarket item: %v", ErrRetryable, err)
	}
	it, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[MarketItem])
	if errors.Is(err, pgx.ErrNoRows) {
		return MarketItem{}, ErrItemNotFound
	} else if err != nil {
		return MarketItem{}, fmt.Errorf("%w: supermarket item: %v", ErrRetryable, err)
	}
	return it, nil
}

// workerGrid is the grid, under roots, where the member works (their first such assignment).
const workerGrid = `
SELECT a.unit_code FROM assignments a JOIN members m ON m.id = a.member_id
WHERE a.member_id = $1 AND a.role = 'grid_worker' AND a.unit_code LIKE ANY($2) AND m.deactivated_at IS NULL
ORDER BY a.unit_code LIMIT 1`

// Redeem records that a grid worker of roots takes an item: the redemption, its ledger row
// and the stock in one transaction, with the item's row and then the worker's balance row
// locked, so that concurrent redemptions see each other's. It returns the redemption and the
// balance left.
func (m *Market) Redeem(ctx context.Context, roots []string, req RedeemRequest, by int64) (Redemption, int64, error) {
	if req.Quantity < 1 || req.Quantity > MaxRedeemQuantity {
		return Redemption{}, 0, fmt.Errorf("%w: quantity: 1 to %d", ErrBadRedemption, MaxRedeemQuantity)
	}
	var id int64
	var balance int64
	err := pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		var grid string
		if err := tx.QueryRow(ctx, workerGrid, req.MemberID, marketRootPatterns(roots)).Scan(&grid); errors.Is(err, pgx.ErrNoRows) {
			return ErrNoSuchWorker
		} else if err != nil {
			return err
		}
		var it MarketItem
		err := tx.QueryRow(ctx, `SELECT unit_code, name, price, stock, active FROM point_market_items WHERE id = $1 FOR UPDATE`, req.ItemID).
			Scan(&it.Unit, &it.Name, &it.Price, &it.Stock, &it.Active)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrItemNotFound
		case err != nil:
			return err
		case !marketUnderAny(grid, []string{it.Unit}):
			return ErrItemElsewhere
		case !it.Active:
			return ErrItemInactive
		case it.Stock != nil && *it.Stock < req.Quantity:
			return fmt.Errorf("%w: %d left", ErrOutOfStock, *it.Stock)
		}
		cost := int64(it.Price) * int64(req.Quantity)
		if cost > MaxRedeemPoints {
			return fmt.Errorf("%w: at most %d points at once", ErrBadRedemption, MaxRedeemPoints)
		}
		if err := m.checkWindow(ctx, tx, grid[:6]); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT balance FROM point_balances WHERE member_id = $1 FOR UPDATE`, req.MemberID).Scan(&balance)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if balance < cost {
			return &InsufficientPointsError{Balance: balance, Cost: cost}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO point_redemptions (item_id, member_id, unit_code, quantity, price, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, req.ItemID, req.MemberID, grid, req.Quantity, it.Price, by).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, source, note, created_by)
			VALUES ($1, $2, date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date, $3, 'redemption', $4, $5, $6)`,
			req.MemberID, grid, -cost, "redemption:"+strconv.FormatInt(id, 10), fmt.Sprintf("%s × %d", it.Name, req.Quantity), by); err != nil {
			return err
		}
		if it.Stock != nil {
			if _, err := tx.Exec(ctx, `UPDATE point_market_items SET stock = stock - $2, updated_at = now() WHERE id = $1`,
				req.ItemID, req.Quantity); err != nil {
				return err
			}
		}
		balance -= cost
		member := req.MemberID
		return auditMarket(ctx, tx, by, "points.redeem", &member, grid, map[string]any{"redemption": id, "item": req.ItemID,
			"name": it.Name, "quantity": req.Quantity, "points": -cost})
	})
	if err != nil {
		return Redemption{}, 0, marketError("redeem", err)
	}
	r, err := m.redemption(ctx, id)
	return r, balance, err
}

// checkWindow refuses a redemption outside the county's window.
func (m *Market) checkWindow(ctx context.Context, tx pgx.Tx, county string) error {
	var w RedemptionWindow
	err := tx.QueryRow(ctx, `SELECT period, last_days FROM point_redemption_windows WHERE county_code = $1`, county).Scan(&w.Period, &w.LastDays)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	if open, opens := w.Open(m.now()); !open {
		return fmt.Errorf("%w: redemptions are open the last %d days of each %s, next from %s", ErrOutsideWindow,
			w.LastDays, w.Period, opens.Format("2006-01-02"))
	}
	return nil
}

// Cancel cancels a redemption of roots by a counter-entry in the ledger, and puts the stock
// back; audited with the reason.
func (m *Market) Cancel(ctx context.Context, roots []string, id int64, reason string, by int64) (Redemption, error) {
	if reason == "" || len([]rune(reason)) > MaxCancelReason {
		return Redemption{}, fmt.Errorf("%w: reason: 1 to %d characters", ErrBadRedemption, MaxCancelReason)
	}
	err := pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		var r Redemption
		var stocked bool
		err := tx.QueryRow(ctx, `SELECT r.item_id, r.member_id, r.unit_code, r.quantity, r.price, r.cancelled_at, i.stock IS NOT NULL
			FROM point_redemptions r JOIN point_market_items i ON i.id = r.item_id WHERE r.id = $1 FOR UPDATE OF r`, id).
			Scan(&r.ItemID, &r.MemberID, &r.Unit, &r.Quantity, &r.Price, &r.CancelledAt, &stocked)
		switch {
		case errors.Is(err, pgx.ErrNoRows) || (err == nil && !marketUnderAny(r.Unit, roots)):
			return ErrRedemptionNotFound
		case err != nil:
			return err
		case r.CancelledAt != nil:
			return ErrAlreadyCancelled
		}
		if stocked { // the item's row before the balance's, as Redeem locks them
			if _, err := tx.Exec(ctx, `UPDATE point_market_items SET stock = least(stock + $2, $3), updated_at = now() WHERE id = $1`,
				r.ItemID, r.Quantity, MaxItemStock); err != nil {
				return err
			}
		}
		src := "redemption:" + strconv.FormatInt(id, 10)
		if _, err := tx.Exec(ctx, `INSERT INTO point_ledger (member_id, unit_code, month, points, kind, source, reverses, note, created_by)
			SELECT member_id, unit_code, date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date, -points, 'reversal',
			       'reversal:' || id, id, $2, $3
			FROM point_ledger WHERE source = $1`, src, reason, by); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE point_redemptions SET cancelled_at = now(), cancelled_by = $2, cancel_reason = $3 WHERE id = $1`,
			id, by, reason); err != nil {
			return err
		}
		member := r.MemberID
		return auditMarket(ctx, tx, by, "points.redeem_cancel", &member, r.Unit, map[string]any{"redemption": id,
			"points": r.Points(), "reason": reason})
	})
	if err != nil {
		return Redemption{}, marketError("cancel redemption", err)
	}
	return m.redemption(ctx, id)
}

const selectRedemptions = `
SELECT r.id, r.item_id, i.name AS item_name, r.member_id, m.name AS member_name, r.unit_code, r.quantity, r.price,
       r.recorded_by, b.name AS recorded_by_name, r.recorded_at, r.cancelled_at, r.cancel_reason
FROM point_redemptions r JOIN point_market_items i ON i.id = r.item_id
JOIN members m ON m.id = r.member_id JOIN members b ON b.id = r.recorded_by`

// Redemptions lists the newest redemptions of workers under roots (one member's when member
// is not 0), at most limit.
func (m *Market) Redemptions(ctx context.Context, roots []string, member int64, limit int) ([]Redemption, error) {
	if limit < 1 || limit > MaxRedemptionsPage {
		limit = MaxRedemptionsPage
	}
	rows, err := m.pool.Query(ctx, selectRedemptions+` WHERE r.unit_code LIKE ANY($1) AND ($2 = 0 OR r.member_id = $2)
		ORDER BY r.id DESC LIMIT $3`, marketRootPatterns(roots), member, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: redemptions: %v", ErrRetryable, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Redemption])
	if err != nil {
		return nil, fmt.Errorf("%w: redemptions: %v", ErrRetryable, err)
	}
	return out, nil
}

func (m *Market) redemption(ctx context.Context, id int64) (Redemption, error) {
	rows, err := m.pool.Query(ctx, selectRedemptions+` WHERE r.id = $1`, id)
	if err != nil {
		return Redemption{}, fmt.Errorf("%w: redemption: %v", ErrRetryable, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Redemption])
	if err != nil {
		return Redemption{}, fmt.Errorf("%w: redemption: %v", ErrRetryable, err)
	}
	return r, nil
}

// MaxWorkersPage bounds the workers listed at the counter.
const MaxWorkersPage = 500

// selectWorkers: the active grid workers below a unit ($1 a pattern), by name, with balances.
const selectWorkers = `
SELECT DISTINCT ON (m.name, m.id) m.id AS member_id, m.name, m.phone, a.unit_code AS grid, u.name AS grid_name,
       coalesce(b.balance, 0) AS balance
FROM assignments a JOIN members m ON m.id = a.member_id JOIN units u ON u.code = a.unit_code
LEFT JOIN point_balances b ON b.member_id = m.id
WHERE a.role = 'grid_worker' AND a.unit_code LIKE $1 AND m.deactivated_at IS NULL
  AND ($2 = '' OR strpos(m.name, $2) > 0 OR strpos(m.phone, $2) > 0)
ORDER BY m.name, m.id, a.unit_code
LIMIT $3`

// Workers lists the active grid workers under unit with their balances, by name, at most
// limit; q, when not empty, keeps those whose name or phone contains it.
func (m *Market) Workers(ctx context.Context, unit, q string, limit int) ([]WorkerBalance, error) {
	if limit < 1 || limit > MaxWorkersPage {
		limit = MaxWorkersPage
	}
	rows, err := m.pool.Query(ctx, selectWorkers, unit+"%", q, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: workers: %v", ErrRetryable, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[WorkerBalance])
	if err != nil {
		return nil, fmt.Errorf("%w: workers: %v", ErrRetryable, err)
	}
	return out, nil
}

// Window is the county's redemption window; nil: any day.
func (m *Market) Window(ctx context.Context, county string) (*RedemptionWindow, error) {
	var w RedemptionWindow
	err := m.pool.QueryRow(ctx, `SELECT period, last_days FROM point_redemption_windows WHERE county_code = $1`, county).
		Scan(&w.Period, &w.LastDays)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%w: redemption window: %v", ErrRetryable, err)
	}
	return &w, nil
}

// SaveWindow sets the county's window (nil: any day), audited.
func (m *Market) SaveWindow(ctx context.Context, county string, w *RedemptionWindow, by int64) error {
	if w != nil {
		if err := w.Check(); err != nil {
			return err
		}
	}
	err := pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		if w == nil {
			if _, err := tx.Exec(ctx, `DELETE FROM point_redemption_windows WHERE county_code = $1`, county); err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, `INSERT INTO point_redemption_windows (county_code, period, last_days) VALUES ($1, $2, $3)
			ON CONFLICT (county_code) DO UPDATE SET period = EXCLUDED.period, last_days = EXCLUDED.last_days, updated_at = now()`,
			county, w.Period, w.LastDays); err != nil {
			return err
		}
		return auditMarket(ctx, tx, by, "points.window_save", nil, county, map[string]any{"window": w})
	})
	if err != nil {
		return marketError("save window", err)
	}
	return nil
}

// auditMarket writes the audit entry of a change to points (audit_log, migration 016), filed
// under unit so that the administrators above it read it.
func auditMarket(ctx context.Context, tx pgx.Tx, by int64, action string, member *int64, unit string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, member_id, units, detail) VALUES ($1, $2, $3, $4, $5)`,
		by, action, member, []string{unit}, b)
	return err
}

// marketError keeps the supermarket's refusals and tells the database's as the tables'.
func marketError(what string, err error) error {
	for _, sentinel := range []error{ErrItemNotFound, ErrRedemptionNotFound, ErrNoSuchWorker, ErrItemElsewhere, ErrItemInactive,
		ErrOutOfStock, ErrInsufficientPoints, ErrOutsideWindow, ErrAlreadyCancelled, ErrBadMarketItem, ErrBadRedemption,
		ErrBadWindow, ErrNotYours} {
		if errors.Is(err, sentinel) {
			return err
		}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.ConstraintName {
		case "point_market_items_name":
			return ErrDuplicateItem
		case "point_balances_redemption": // the trigger's own guard; the lock makes it unreachable
			return ErrInsufficientPoints
		}
	}
	return fmt.Errorf("%w: %s: %v", ErrRetryable, what, err)
}

// marketUnderAny reports whether code lies in the subtree of one of roots.
func marketUnderAny(code string, roots []string) bool {
	for _, r := range roots {
		if len(code) >= len(r) && code[:len(r)] == r {
			return true
		}
	}
	return false
}
