package web

import "github.com/griddispatch/griddispatch/dispatch"

// The points supermarket's and rankings' sentinels, for TestErrorTable (kept in a file of
// their own so that issue 17's parts add to the table without touching one list).
func init() {
	type want = struct {
		err       error
		status    int
		code      string
		retryable bool
	}
	for name, w := range map[string]want{
		"dispatch.ErrBadMarketItem":      {dispatch.ErrBadMarketItem, 400, "bad_request", false},
		"dispatch.ErrBadWindow":          {dispatch.ErrBadWindow, 400, "bad_request", false},
		"dispatch.ErrBadRedemption":      {dispatch.ErrBadRedemption, 400, "bad_request", false},
		"dispatch.ErrBadRanking":         {dispatch.ErrBadRanking, 400, "bad_request", false},
		"dispatch.ErrItemNotFound":       {dispatch.ErrItemNotFound, 404, "not_found", false},
		"dispatch.ErrRedemptionNotFound": {dispatch.ErrRedemptionNotFound, 404, "not_found", false},
		"dispatch.ErrNoSuchWorker":       {dispatch.ErrNoSuchWorker, 404, "not_found", false},
		"dispatch.ErrInsufficientPoints": {dispatch.ErrInsufficientPoints, 409, "insufficient_points", false},
		"dispatch.ErrOutOfStock":         {dispatch.ErrOutOfStock, 409, "out_of_stock", false},
		"dispatch.ErrOutsideWindow":      {dispatch.ErrOutsideWindow, 409, "outside_window", false},
		"dispatch.ErrItemInactive":       {dispatch.ErrItemInactive, 409, "item_inactive", false},
		"dispatch.ErrAlreadyCancelled":   {dispatch.ErrAlreadyCancelled, 409, "already_cancelled", false},
		"dispatch.ErrDuplicateItem":      {dispatch.ErrDuplicateItem, 409, "duplicate_item", false},
		"dispatch.ErrItemElsewhere":      {dispatch.ErrItemElsewhere, 422, "item_elsewhere", false},
	} {
		classified[name] = w
	}
}
