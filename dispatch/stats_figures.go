package dispatch

import (
	"math"
	"time"
)

// Figures are the metrics of docs/metrics.md for one set of counters. A rate is nil when its
// denominator is 0.
type Figures struct {
	Received, Closed, OnTime, Mediated, Unsettled, SettledLow int64
	Reworks, Verifications, Reopened, Open, Overdue           int64
	Unverified                                                int64 // closed as not verified
	Led                                                       int64 // open, owned by a county leader (领导包案)
	Merged                                                    int64 // merged into another case (并单), not in Received
	Callbacks, CallbacksReached, Satisfied                    int64 // 回访: ended, reached, satisfied or basically
	Parked                                                    int64 // parked now (挂账), among Open

	ClosureRate, OnTimeRate, MediationSuccessRate, SettledLowRate, ReworkRate *float64
	UnverifiedRate                                                            *float64 // of closed
	CallbackRate, SatisfactionRate                                            *float64 // reached / ended; satisfied / reached
	Median, P90                                                               *CloseTime

	Tiers [statsTiers]TierFigures
}

// TierFigures are the figures of one tier (1 county ... 4 grid).
type TierFigures struct {
	Tier                                                    Tier
	Arrived, Escalated, Closed, OnTime, Mediated, Unsettled int64
	Open, Overdue                                           int64
	EscalationRate                                          *float64
	Median, P90                                             *CloseTime
}

// CloseTime is the time-to-close bin holding a percentile: [From, To), To 0 for the last bin.
type CloseTime struct {
	Bin      int
	From, To time.Duration
}

// Figures computes the metrics from counters.
func (c Counters) Figures() Figures {
	var f Figures
	f.Received, f.Reworks, f.Verifications, f.Reopened = c[cReceived], c[cReworks], c[cVerifications], c[cReopened]
	f.Unverified = c[cUnverified]
	f.Led = c[cLed]
	f.Merged = c[cMerged]
	f.Callbacks, f.CallbacksReached, f.Satisfied = c[cCallbacks], c[cReached], c[cSatisfied]
	f.Parked = c[cParked]
	total := make([]int64, closeBinCount)
	for t := TierCounty; t <= statsTiers; t++ {
		tf := TierFigures{Tier: t,
			Arrived: c[tierCol(tArrived, t)], Escalated: c[tierCol(tEscalated, t)], Closed: c[tierCol(tClosed, t)],
			OnTime: c[tierCol(tOnTime, t)], Mediated: c[tierCol(tMediated, t)], Unsettled: c[tierCol(tUnsettled, t)],
			Open: c[tierCol(tOpen, t)], Overdue: c[tierCol(tOverdue, t)]}
		tf.EscalationRate = rate(tf.Escalated, tf.Arrived)
		if len(c) > histCol(t, closeBinCount-1) {
			hist := c[histCol(t, 0) : histCol(t, closeBinCount-1)+1]
			tf.Median, tf.P90 = percentileBin(hist, 0.5), percentileBin(hist, 0.9)
			for b, n := range hist {
				total[b] += n
			}
		}
		f.Tiers[t-1] = tf
		f.Closed += tf.Closed
		f.OnTime += tf.OnTime
		f.Mediated += tf.Mediated
		f.Unsettled += tf.Unsettled
		f.Open += tf.Open
		f.Overdue += tf.Overdue
		if t >= TierVillage {
			f.SettledLow += tf.Closed
		}
	}
	f.ClosureRate = rate(f.Closed, f.Received)
	f.OnTimeRate = rate(f.OnTime, f.Closed)
	f.MediationSuccessRate = rate(f.Mediated, f.Mediated+f.Unsettled)
	f.SettledLowRate = rate(f.SettledLow, f.Closed)
	f.ReworkRate = rate(f.Reworks, f.Verifications)
	f.UnverifiedRate = rate(f.Unverified, f.Closed)
	f.CallbackRate = rate(f.CallbacksReached, f.Callbacks)
	f.SatisfactionRate = rate(f.Satisfied, f.CallbacksReached)
	f.Median, f.P90 = percentileBin(total, 0.5), percentileBin(total, 0.9)
	return f
}

func rate(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// percentileBin is the bin of the ⌈p·n⌉-th fastest closure, as PostgreSQL's percentile_disc
// picks it (docs/metrics.md); nil without closures.
func percentileBin(hist []int64, p float64) *CloseTime {
	var n int64
	for _, v := range hist {
		n += v
	}
	if n == 0 {
		return nil
	}
	rank := int64(math.Ceil(p * float64(n)))
	if rank < 1 {
		rank = 1
	}
	var seen int64
	for b, v := range hist {
		seen += v
		if seen >= rank {
			return BinTime(b)
		}
	}
	return BinTime(len(hist) - 1)
}

// BinTime is the range of a time-to-close bin.
func BinTime(b int) *CloseTime {
	ct := &CloseTime{Bin: b}
	if b > 0 {
		ct.From = CloseBins[b-1]
	}
	if b < len(CloseBins) {
		ct.To = CloseBins[b]
	}
	return ct
}

// BacklogBands are the first days of the backlog's age bands (docs/metrics.md): [0, 1), [1, 3)
// ... [90, ∞) days since the case was received.
var BacklogBands = []int{0, 1, 3, 7, 15, 30, 90}

// AgedDays is N of 积案 (docs/metrics.md): an open case is 积案 when it is flagged overdue or
// was received AgedDays or more local days ago.
const AgedDays = 30

// Backlog sums open cases by the age band of the day they were received; today is the local date.
func Backlog(openByDay map[time.Time]int64, today time.Time) []int64 {
	out := make([]int64, len(BacklogBands))
	for d, n := range openByDay {
		age := int(today.Sub(d).Hours() / 24)
		b := len(BacklogBands) - 1
		for b > 0 && age < BacklogBands[b] {
			b--
		}
		out[b] += n
	}
	return out
}
