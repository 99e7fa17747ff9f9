package web

import "github.com/griddispatch/griddispatch/dispatch"

// The points' sentinels as clients are told them (points.go, docs/points.md).
func init() {
	type told = struct {
		err       error
		status    int
		code      string
		retryable bool
	}
	for name, t := range map[string]told{
		"dispatch.ErrBadPointRule":    {dispatch.ErrBadPointRule, 400, "bad_request", false},
		"dispatch.ErrBadPointItem":    {dispatch.ErrBadPointItem, 400, "bad_request", false},
		"dispatch.ErrPointNotFound":   {dispatch.ErrPointNotFound, 404, "not_found", false},
		"dispatch.ErrPointDecided":    {dispatch.ErrPointDecided, 409, "already_decided", false},
		"dispatch.ErrPointReversed":   {dispatch.ErrPointReversed, 409, "already_cancelled", false},
		"dispatch.ErrMonthConfirmed":  {dispatch.ErrMonthConfirmed, 409, "month_confirmed", false},
		"dispatch.ErrPointRuleExists": {dispatch.ErrPointRuleExists, 409, "rule_exists", false},
		"dispatch.ErrMonthNotPast":    {dispatch.ErrMonthNotPast, 422, "month_not_past", false},
	} {
		classified[name] = t
	}
}
