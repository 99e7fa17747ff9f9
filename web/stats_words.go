package web

import (
	"context"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// How the dashboard's answers word their figures for a county leader (issue 15): the county's
// FiguresOptions for the app, 调解成功率 only for disputes, ranking only above the minimum, and
// trends with every week or month of the period, the unfinished ones marked.

// figuresJSON is FiguresOptions as the apps read them (GET /api/stats/scope).
type figuresJSON struct {
	RankingMinCases int       `json:"ranking_min_cases"`
	MapBands        []float64 `json:"map_bands"`
	AgedDays        int       `json:"aged_days"`
}

func (s *Server) figuresJSON() figuresJSON {
	return figuresJSON{RankingMinCases: s.figures.RankingMinCases, MapBands: s.figures.MapBands, AgedDays: dispatch.AgedDays}
}

// disputeGroup is the category group whose cases are mediated; 调解成功率 means nothing for the
// others (a pothole is repaired, not mediated), so it is null there.
const disputeGroup = "dispute"

// categoryGroups maps category codes to their groups.
func (s *Server) categoryGroups(ctx context.Context) (map[string]string, error) {
	cats, err := s.intake.Categories(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cats))
	for _, c := range cats {
		out[c.Code] = c.Group
	}
	return out, nil
}

// mediationApplies says whether 调解成功率 is a figure for a category filter ("" is every
// category, disputes among them).
func (s *Server) mediationApplies(ctx context.Context, category string) (bool, error) {
	if category == "" {
		return true, nil
	}
	groups, err := s.categoryGroups(ctx)
	if err != nil {
		return false, err
	}
	return groups[category] == disputeGroup, nil
}

// trendPeriods lists every week (from its Monday) or month (from its first) that meets
// [from, to], so that periods without cases are points too.
func trendPeriods(from, to time.Time, by string) []time.Time {
	start := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if by == "week" {
		start = from.AddDate(0, 0, -(int(from.Weekday())+6)%7)
	}
	var out []time.Time
	for p := start; !p.After(to); p = periodEnd(p, by).AddDate(0, 0, 1) {
		out = append(out, p)
	}
	return out
}

// periodEnd is the last day of the week or month starting at p.
func periodEnd(p time.Time, by string) time.Time {
	if by == "week" {
		return p.AddDate(0, 0, 6)
	}
	return p.AddDate(0, 1, -1)
}
