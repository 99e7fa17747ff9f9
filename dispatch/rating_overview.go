package dispatch

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// RatingOverview is a scheme's picture of the villages at or below a unit: how many hold 0 … 5
// marks, and each village's marks, for the map and the ranking.
type RatingOverview struct {
	Scheme   string          `json:"scheme"`
	Kind     string          `json:"kind"`
	Marks    []string        `json:"marks"` // the marks' names, 1 … n
	Unit     string          `json:"unit"`
	From     time.Time       `json:"-"`
	To       time.Time       `json:"-"`
	Counts   []int           `json:"counts"` // [k]: villages holding k marks
	Warned   int             `json:"warned"` // villages with a held mark in 预警
	Villages []VillageRating `json:"villages"`
}

// VillageRating is one village's line: ranked by marks held, then fewest warnings, then the
// sum of its marks' scores.
type VillageRating struct {
	Rank     int     `json:"rank"`
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	Township string  `json:"township"`
	Held     []int   `json:"held"`
	Removed  []int   `json:"removed"`
	Warned   []int   `json:"warned"`
	Passing  []int   `json:"passing"` // marks whose indicators pass this period
	Score    float64 `json:"score"`   // the sum of the marks' scores this period
	State    string  `json:"state"`   // this period's assessment ("" not begun)
}

// MaxRatingVillages bounds an overview: a county has a few hundred villages.
const MaxRatingVillages = 5000

// Overview reads the villages at or below unit (a county, township or village) for the period
// of the scheme that holds day.
func (r *Ratings) Overview(ctx context.Context, scheme, unit string, day, today time.Time) (*RatingOverview, error) {
	s, err := r.Scheme(ctx, scheme)
	if err != nil {
		return nil, err
	}
	from, to := RatingPeriod(s.Period, day)
	o := &RatingOverview{Scheme: s.Code, Kind: s.Kind, Unit: unit, From: from, To: to, Counts: make([]int, len(s.Marks)+1)}
	for _, m := range s.Marks {
		o.Marks = append(o.Marks, m.Name)
	}
	rows, err := r.pool.Query(ctx, `SELECT u.code, u.name, coalesce(t.name, ''),
    coalesce(array_agg(h.mark::int ORDER BY h.mark) FILTER (WHERE h.held), '{}'),
    coalesce(array_agg(h.mark::int ORDER BY h.mark) FILTER (WHERE NOT h.held), '{}'),
    coalesce((SELECT a.state FROM rating_assessments a WHERE a.scheme_id = $2 AND a.unit_code = u.code AND a.period_start = $3), '')
FROM units u LEFT JOIN units t ON t.code = u.parent_code
LEFT JOIN rating_holdings h ON h.scheme_id = $2 AND h.unit_code = u.code
WHERE u.level = 3 AND u.retired_at IS NULL AND starts_with(u.code, $1)
GROUP BY u.code, u.name, t.name ORDER BY u.code LIMIT $4`, unit, s.ID, from, MaxRatingVillages)
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	o.Villages, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (VillageRating, error) {
		var v VillageRating
		return v, row.Scan(&v.Code, &v.Name, &v.Township, &v.Held, &v.Removed, &v.State)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	figs, err := r.villageFigures(ctx, unit, from, to, today)
	if err != nil {
		return nil, err
	}
	entries, err := entriesOf(ctx, r.pool, s.ID, unit, from)
	if err != nil {
		return nil, err
	}
	for i := range o.Villages {
		v := &o.Villages[i]
		holds := map[int]holding{}
		for _, m := range v.Held {
			holds[m] = holding{held: true}
		}
		for _, m := range v.Removed {
			holds[m] = holding{}
		}
		for _, m := range buildMarks(s, figs[v.Code], entries[v.Code], holds) {
			if m.Warned {
				v.Warned = append(v.Warned, m.Mark)
			}
			if m.Pass {
				v.Passing = append(v.Passing, m.Mark)
			}
			if m.Score != nil {
				v.Score += *m.Score
			}
		}
		if v.Warned == nil {
			v.Warned = []int{}
		}
		if v.Passing == nil {
			v.Passing = []int{}
		}
		if len(v.Held) < len(o.Counts) {
			o.Counts[len(v.Held)]++
		}
		if len(v.Warned) > 0 {
			o.Warned++
		}
	}
	sort.SliceStable(o.Villages, func(i, j int) bool {
		a, b := o.Villages[i], o.Villages[j]
		if len(a.Held) != len(b.Held) {
			return len(a.Held) > len(b.Held)
		}
		if len(a.Warned) != len(b.Warned) {
			return len(a.Warned) < len(b.Warned)
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Code < b.Code
	})
	for i := range o.Villages {
		o.Villages[i].Rank = i + 1
	}
	return o, nil
}

// VillageOutlines returns the villages at or below unit as a GeoJSON FeatureCollection with
// simplified polygons and properties code, name and level, for the ratings' map.
func (r *Ratings) VillageOutlines(ctx context.Context, unit string) ([]byte, error) {
	var out []byte
	err := r.pool.QueryRow(ctx, `SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
    'type', 'Feature',
    'properties', json_build_object('code', code, 'name', name, 'level', level),
    'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.0002), 6)::json) ORDER BY code), '[]'::json))::text
FROM units WHERE level = 3 AND retired_at IS NULL AND starts_with(code, $1)`, unit).Scan(&out)
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	return out, nil
}
