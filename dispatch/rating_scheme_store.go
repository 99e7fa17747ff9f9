package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// Ratings keeps the rating schemes, the villages' assessments and the marks they hold
// (docs/ratings.md). Computed indicators read the figures of Stats, never recount cases.
type Ratings struct {
	pool  *pgxpool.Pool
	stats *Stats
}

// NewRatings rates in pool, reading figures through stats.
func NewRatings(pool *pgxpool.Pool, stats *Stats) *Ratings { return &Ratings{pool: pool, stats: stats} }

const selectRatingSchemes = `SELECT s.id, s.code, s.name, s.kind, s.period, s.level, s.notice_days, s.award_level, s.updated_at,
    coalesce((SELECT json_agg(json_build_object('mark', m.mark, 'name', m.name, 'pass_score', m.pass_score,
        'indicators', (SELECT coalesce(json_agg(json_build_object('code', i.code, 'name', i.name, 'source', i.source,
            'metric', coalesce(i.metric, ''), 'unit_word', i.unit_word, 'direction', i.direction,
            'threshold', i.threshold, 'weight', i.weight) ORDER BY i.position, i.code), '[]')
          FROM rating_indicators i WHERE i.scheme_id = s.id AND i.mark = m.mark)) ORDER BY m.mark)
      FROM rating_marks m WHERE m.scheme_id = s.id), '[]')
FROM rating_schemes s`

func scanSchemes(rows pgx.Rows) ([]RatingScheme, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (RatingScheme, error) {
		var s RatingScheme
		err := row.Scan(&s.ID, &s.Code, &s.Name, &s.Kind, &s.Period, &s.Level, &s.NoticeDays, &s.AwardLevel, &s.UpdatedAt, &s.Marks)
		return s, err
	})
}

// Schemes lists every scheme with its marks and indicators, by code.
func (r *Ratings) Schemes(ctx context.Context) ([]RatingScheme, error) {
	rows, err := r.pool.Query(ctx, selectRatingSchemes+` ORDER BY s.code`)
	if err != nil {
		return nil, fmt.Errorf("%w: rating schemes: %v", ErrRetryable, err)
	}
	out, err := scanSchemes(rows)
	if err != nil {
		return nil, fmt.Errorf("%w: rating schemes: %v", ErrRetryable, err)
	}
	return out, nil
}

// Scheme reads one scheme by its code.
func (r *Ratings) Scheme(ctx context.Context, code string) (*RatingScheme, error) {
	rows, err := r.pool.Query(ctx, selectRatingSchemes+` WHERE s.code = $1`, code)
	if err != nil {
		return nil, fmt.Errorf("%w: rating scheme: %v", ErrRetryable, err)
	}
	out, err := scanSchemes(rows)
	if err != nil {
		return nil, fmt.Errorf("%w: rating scheme: %v", ErrRetryable, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrRatingSchemeNotFound, code)
	}
	return &out[0], nil
}

// SaveScheme creates the scheme of s.Code or replaces its settings, marks and indicators,
// audited with what it replaces; by is the administrator. Assessments, entries, holdings and
// decisions stay: an entry whose indicator is gone is no longer read.
func (r *Ratings) SaveScheme(ctx context.Context, s RatingScheme, by int64) (*RatingScheme, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	was, err := r.Scheme(ctx, s.Code)
	if err != nil && !errors.Is(err, ErrRatingSchemeNotFound) {
		return nil, err
	}
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO rating_schemes (code, name, kind, period, notice_days, award_level)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, period = EXCLUDED.period,
				notice_days = EXCLUDED.notice_days, award_level = EXCLUDED.award_level, updated_at = now()
			RETURNING id`, s.Code, s.Name, s.Kind, s.Period, s.NoticeDays, s.AwardLevel).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rating_marks WHERE scheme_id = $1`, id); err != nil {
			return err
		}
		for _, m := range s.Marks {
			if _, err := tx.Exec(ctx, `INSERT INTO rating_marks (scheme_id, mark, name, pass_score) VALUES ($1, $2, $3, $4)`,
				id, m.Mark, m.Name, m.PassScore); err != nil {
				return err
			}
			for pos, it := range m.Indicators {
				var metric *string
				if it.Metric != "" {
					metric = &it.Metric
				}
				if _, err := tx.Exec(ctx, `INSERT INTO rating_indicators (scheme_id, code, mark, position, name, source, metric,
					unit_word, direction, threshold, weight) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
					id, it.Code, m.Mark, pos+1, it.Name, it.Source, metric, it.UnitWord, it.Direction, it.Threshold, it.Weight); err != nil {
					return err
				}
			}
		}
		return grid.AuditDeploymentWide(ctx, tx, &by, "rating_scheme.save", map[string]any{"scheme": s, "was": was})
	})
	if err != nil {
		return nil, fmt.Errorf("%w: rating scheme: %v", ErrRetryable, err)
	}
	return r.Scheme(ctx, s.Code)
}
