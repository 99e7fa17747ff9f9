package web

import (
	"sort"

	"github.com/griddispatch/griddispatch/dispatch"
)

// JSON of the dashboard's figures (docs/stats-api.md).

type statsUnitJSON struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level int    `json:"level"`
}

func sortUnits(u []statsUnitJSON) {
	sort.Slice(u, func(i, j int) bool {
		if u[i].Level != u[j].Level {
			return u[i].Level < u[j].Level
		}
		return u[i].Code < u[j].Code
	})
}

type closeTimeJSON struct {
	Bin   int    `json:"bin"`
	FromS int64  `json:"from_s"`
	ToS   *int64 `json:"to_s"`
}

func closeTime(c *dispatch.CloseTime) *closeTimeJSON {
	if c == nil {
		return nil
	}
	j := &closeTimeJSON{Bin: c.Bin, FromS: int64(c.From.Seconds())}
	if c.To > 0 {
		to := int64(c.To.Seconds())
		j.ToS = &to
	}
	return j
}

type tierJSON struct {
	Tier           dispatch.Tier  `json:"tier"`
	Arrived        int64          `json:"arrived"`
	Escalated      int64          `json:"escalated"`
	EscalationRate *float64       `json:"escalation_rate"`
	Closed         int64          `json:"closed"`
	OnTime         int64          `json:"on_time"`
	Mediated       int64          `json:"mediated"`
	Unsettled      int64          `json:"unsettled"`
	Open           int64          `json:"open"`
	Overdue        int64          `json:"overdue"`
	Median         *closeTimeJSON `json:"median"`
	P90            *closeTimeJSON `json:"p90"`
}

func tiersJSON(f dispatch.Figures) []tierJSON {
	out := make([]tierJSON, 0, len(f.Tiers))
	for _, t := range f.Tiers {
		out = append(out, tierJSON{Tier: t.Tier, Arrived: t.Arrived, Escalated: t.Escalated, EscalationRate: t.EscalationRate,
			Closed: t.Closed, OnTime: t.OnTime, Mediated: t.Mediated, Unsettled: t.Unsettled, Open: t.Open,
			Overdue: t.Overdue, Median: closeTime(t.Median), P90: closeTime(t.P90)})
	}
	return out
}

type backlogJSON struct {
	FromDays int   `json:"from_days"`
	ToDays   *int  `json:"to_days"`
	Open     int64 `json:"open"`
}

type statsSummaryJSON struct {
	Unit                 statsUnitJSON  `json:"unit"`
	From                 string         `json:"from"`
	To                   string         `json:"to"`
	Category             string         `json:"category"`
	Received             int64          `json:"received"`
	Closed               int64          `json:"closed"`
	ClosureRate          *float64       `json:"closure_rate"`
	OnTime               int64          `json:"on_time"`
	OnTimeRate           *float64       `json:"on_time_rate"`
	Mediated             int64          `json:"mediated"`
	Unsettled            int64          `json:"unsettled"`
	MediationSuccessRate *float64       `json:"mediation_success_rate"`
	SettledLow           int64          `json:"settled_low"`
	SettledLowRate       *float64       `json:"settled_low_rate"`
	Reworks              int64          `json:"reworks"`
	Verifications        int64          `json:"verifications"`
	ReworkRate           *float64       `json:"rework_rate"`
	Reopened             int64          `json:"reopened"`
	Unverified           int64          `json:"unverified"`        // closed as not verified
	UnverifiedRate       *float64       `json:"unverified_rate"`   // of closed
	Led                  int64          `json:"led"`               // open, owned by a county leader (领导包案)
	Merged               int64          `json:"merged"`            // merged reports (并单), not in received
	Callbacks            int64          `json:"callbacks"`         // 回访 ended
	CallbacksReached     int64          `json:"callbacks_reached"` // the party reached
	CallbackRate         *float64       `json:"callback_rate"`     // reached / ended
	Satisfied            int64          `json:"satisfied"`         // satisfied or basically
	SatisfactionRate     *float64       `json:"satisfaction_rate"` // satisfied / reached
	Open                 int64          `json:"open"`
	Overdue              int64          `json:"overdue"`
	Parked               int64          `json:"parked"`    // 挂账 now, among open: clock stopped, counted apart
	Aged                 int64          `json:"aged"`      // 积案: overdue, or open aged_days or more
	AgedDays             int            `json:"aged_days"` // N of 积案
	Median               *closeTimeJSON `json:"median"`
	P90                  *closeTimeJSON `json:"p90"`
	Tiers                []tierJSON     `json:"tiers"`
	Backlog              []backlogJSON  `json:"backlog"`
}

func summaryOf(f dispatch.Figures) statsSummaryJSON {
	return statsSummaryJSON{Received: f.Received, Closed: f.Closed, ClosureRate: f.ClosureRate, OnTime: f.OnTime,
		OnTimeRate: f.OnTimeRate, Mediated: f.Mediated, Unsettled: f.Unsettled, MediationSuccessRate: f.MediationSuccessRate,
		SettledLow: f.SettledLow, SettledLowRate: f.SettledLowRate, Reworks: f.Reworks, Verifications: f.Verifications,
		ReworkRate: f.ReworkRate, Reopened: f.Reopened, Unverified: f.Unverified, UnverifiedRate: f.UnverifiedRate, Led: f.Led,
		Merged: f.Merged, Open: f.Open, Overdue: f.Overdue, Parked: f.Parked,
		Callbacks: f.Callbacks, CallbacksReached: f.CallbacksReached, CallbackRate: f.CallbackRate,
		Satisfied: f.Satisfied, SatisfactionRate: f.SatisfactionRate,
		Median: closeTime(f.Median), P90: closeTime(f.P90), Tiers: tiersJSON(f)}
}

func backlogOf(bands []int64) []backlogJSON {
	out := make([]backlogJSON, len(bands))
	for i, n := range bands {
		out[i] = backlogJSON{FromDays: dispatch.BacklogBands[i], Open: n}
		if i+1 < len(dispatch.BacklogBands) {
			to := dispatch.BacklogBands[i+1]
			out[i].ToDays = &to
		}
	}
	return out
}
