package web

import (
	"fmt"
	"sort"
)

// FiguresOptions are the county's choices about how figures are judged and shown: the fewest
// cases a unit needs to be ranked (best or worst, on the dashboard and in the bulletin's 后五),
// and the closure-rate bands that colour the dashboard's map.
type FiguresOptions struct {
	// RankingMinCases: a unit with fewer received cases in the period is listed but not ranked.
	RankingMinCases int
	// MapBands are closure-rate thresholds in percent, ascending: 85, 92, 97 gives the bands
	// <85 %, 85–92 %, 92–97 % and ≥97 %.
	MapBands []float64
}

// DefaultFiguresOptions is what an unconfigured server uses.
func DefaultFiguresOptions() FiguresOptions {
	return FiguresOptions{RankingMinCases: 5, MapBands: []float64{85, 92, 97}}
}

// Validate rejects options that cannot be drawn or ranked by.
func (o FiguresOptions) Validate() error {
	if o.RankingMinCases < 0 || o.RankingMinCases > 100000 {
		return fmt.Errorf("ranking minimum %d cases: want 0 to 100000", o.RankingMinCases)
	}
	if len(o.MapBands) < 1 || len(o.MapBands) > 8 {
		return fmt.Errorf("map bands %v: want 1 to 8 thresholds", o.MapBands)
	}
	if !sort.Float64sAreSorted(o.MapBands) {
		return fmt.Errorf("map bands %v: want ascending thresholds", o.MapBands)
	}
	for i, b := range o.MapBands {
		if b <= 0 || b >= 100 || (i > 0 && b == o.MapBands[i-1]) {
			return fmt.Errorf("map bands %v: want distinct percentages between 0 and 100", o.MapBands)
		}
	}
	return nil
}
