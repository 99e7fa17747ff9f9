package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/grid"
)

// ErrRatingUnitNotFound: the unit is no current village or community.
var ErrRatingUnitNotFound = errors.New("no such village or community")

// village reads a current village's name.
func (r *Ratings) village(ctx context.Context, q pgx.Tx, code string) (string, error) {
	var name string
	var err error
	const sql = `SELECT name FROM units WHERE code = $1 AND level = 3 AND retired_at IS NULL`
	if q != nil {
		err = q.QueryRow(ctx, sql, code).Scan(&name)
	} else {
		err = r.pool.QueryRow(ctx, sql, code).Scan(&name)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("%w: %q", ErrRatingUnitNotFound, code)
	}
	if err != nil {
		return "", fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	return name, nil
}

// figuresPeriod is the part of the period whose figures exist: up to today.
func figuresPeriod(from, to, today time.Time) (time.Time, time.Time, bool) {
	if to.After(today) {
		to = today
	}
	return from, to, !from.After(to)
}

// villageFigures reads the figures of every village at or below unit for the period, by code.
func (r *Ratings) villageFigures(ctx context.Context, unit string, from, to, today time.Time) (map[string]Figures, error) {
	out := map[string]Figures{}
	from, to, ok := figuresPeriod(from, to, today)
	if !ok {
		return out, nil
	}
	f := StatsFilter{Unit: unit, From: from, To: to}
	switch grid.LevelOfCode(unit) {
	case grid.Village:
		c, err := r.stats.Summary(ctx, f)
		if err != nil {
			return nil, err
		}
		out[unit] = c.Figures()
		return out, nil
	case grid.Township:
		return out, r.childFigures(ctx, f, out)
	case grid.County:
		rows, err := r.pool.Query(ctx, `SELECT code FROM units WHERE parent_code = $1 AND retired_at IS NULL ORDER BY code`, unit)
		if err != nil {
			return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
		}
		towns, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
		}
		for _, t := range towns {
			f.Unit = t
			if err := r.childFigures(ctx, f, out); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: ratings are read for a county, township or village, not %q", ErrBadStatsQuery, unit)
}

func (r *Ratings) childFigures(ctx context.Context, f StatsFilter, out map[string]Figures) error {
	kids, err := r.stats.Children(ctx, f)
	if err != nil {
		return err
	}
	for _, k := range kids {
		out[k.Code] = k.Counters.Figures()
	}
	return nil
}

// entriesOf reads the entries of the assessments of the period at or below unit, by village.
func entriesOf(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, scheme int64, unit string, period time.Time) (map[string]map[string]RatingEntry, error) {
	rows, err := q.Query(ctx, `SELECT a.unit_code, e.indicator_code, e.value::float8, e.note, e.photos, m.name, e.entered_at
FROM rating_entries e JOIN rating_assessments a ON a.id = e.assessment_id JOIN members m ON m.id = e.entered_by
WHERE a.scheme_id = $1 AND a.period_start = $2 AND starts_with(a.unit_code, $3)`, scheme, period, unit)
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	out := map[string]map[string]RatingEntry{}
	var code string
	var e RatingEntry
	_, err = pgx.ForEachRow(rows, []any{&code, &e.Code, &e.Value, &e.Note, &e.Photos, &e.EnteredBy, &e.EnteredAt}, func() error {
		if out[code] == nil {
			out[code] = map[string]RatingEntry{}
		}
		out[code][e.Code] = e
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	return out, nil
}

// Sheet is the village's indicator sheet for the period of the scheme that holds day.
func (r *Ratings) Sheet(ctx context.Context, scheme, unit string, day, today time.Time) (*RatingSheet, error) {
	s, err := r.Scheme(ctx, scheme)
	if err != nil {
		return nil, err
	}
	return r.sheet(ctx, s, unit, day, today)
}

func (r *Ratings) sheet(ctx context.Context, s *RatingScheme, unit string, day, today time.Time) (*RatingSheet, error) {
	name, err := r.village(ctx, nil, unit)
	if err != nil {
		return nil, err
	}
	from, to := RatingPeriod(s.Period, day)
	sh := &RatingSheet{Scheme: s.Code, Kind: s.Kind, Unit: unit, UnitName: name, From: from, To: to, Decisions: []RatingDecision{}}
	figs, err := r.villageFigures(ctx, unit, from, to, today)
	if err != nil {
		return nil, err
	}
	var a RatingAssessment
	switch err := r.pool.QueryRow(ctx, `SELECT id, state, notice_ends FROM rating_assessments
		WHERE scheme_id = $1 AND unit_code = $2 AND period_start = $3`, s.ID, unit, from).Scan(&a.ID, &a.State, &a.NoticeEnds); {
	case err == nil:
		sh.Assessment = &a
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	entries, err := entriesOf(ctx, r.pool, s.ID, unit, from)
	if err != nil {
		return nil, err
	}
	holds, err := r.holdings(ctx, s.ID, unit)
	if err != nil {
		return nil, err
	}
	sh.Marks = buildMarks(s, figs[unit], entries[unit], holds)
	for _, m := range sh.Marks {
		if m.Held {
			sh.Held++
		}
	}
	rows, err := r.pool.Query(ctx, `SELECT d.id, d.action, d.mark::int, d.from_state, d.to_state, d.reason, m.name, d.at
FROM rating_decisions d JOIN members m ON m.id = d.actor_id
WHERE d.scheme_id = $1 AND d.unit_code = $2 ORDER BY d.id DESC LIMIT 100`, s.ID, unit)
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	if sh.Decisions, err = pgx.CollectRows(rows, pgx.RowToStructByPos[RatingDecision]); err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	return sh, nil
}

func (r *Ratings) holdings(ctx context.Context, scheme int64, unit string) (map[int]holding, error) {
	rows, err := r.pool.Query(ctx, `SELECT mark, held FROM rating_holdings WHERE scheme_id = $1 AND unit_code = $2`, scheme, unit)
	if err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	out := map[int]holding{}
	var mark int16
	var held bool
	if _, err := pgx.ForEachRow(rows, []any{&mark, &held}, func() error {
		out[int(mark)] = holding{held: held}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	return out, nil
}

// Act takes one step of the process and returns the sheet after it.
func (r *Ratings) Act(ctx context.Context, st RatingStep) (*RatingSheet, error) {
	s, err := r.Scheme(ctx, st.Scheme)
	if err != nil {
		return nil, err
	}
	if err := st.check(s); err != nil {
		return nil, err
	}
	day := st.Period
	if day.IsZero() {
		day = st.Today
	}
	from, to := RatingPeriod(s.Period, day)
	if _, err := r.village(ctx, nil, st.Unit); err != nil {
		return nil, err
	}
	// The figures are read before the transaction, on another connection: an award judges the
	// indicators as the sheet showed them a moment ago.
	figs, err := r.villageFigures(ctx, st.Unit, from, to, st.Today)
	if err != nil {
		return nil, err
	}
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		return r.act(ctx, tx, s, st, from, figs[st.Unit])
	})
	if err != nil && !isRatingRefusal(err) {
		return nil, fmt.Errorf("%w: ratings: %v", ErrRetryable, err)
	}
	if err != nil {
		return nil, err
	}
	return r.sheet(ctx, s, st.Unit, day, st.Today)
}

func isRatingRefusal(err error) bool {
	for _, e := range []error{ErrBadRatingAction, ErrRatingNotAllowed, ErrRatingNotYours, ErrRatingBelowThreshold, ErrNoticeRunning} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (r *Ratings) act(ctx context.Context, tx pgx.Tx, s *RatingScheme, st RatingStep, from time.Time, f Figures) error {
	if st.Action == RateEnter || st.Action == RateSubmit {
		if _, err := tx.Exec(ctx, `INSERT INTO rating_assessments (scheme_id, unit_code, period_start, state)
			VALUES ($1, $2, $3, 'draft') ON CONFLICT DO NOTHING`, s.ID, st.Unit, from); err != nil {
			return err
		}
	}
	var id *int64
	var state string
	var noticeEnds *time.Time
	err := tx.QueryRow(ctx, `SELECT id, state, notice_ends FROM rating_assessments
		WHERE scheme_id = $1 AND unit_code = $2 AND period_start = $3 FOR UPDATE`, s.ID, st.Unit, from).Scan(&id, &state, &noticeEnds)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if err := ratingAllowed(st.Action, state, st.Roles, noticeEnds, st.Today); err != nil {
		return err
	}
	to := ratingRules[st.Action].to
	reason := st.Reason
	switch st.Action {
	case RateEnter:
		if err := r.enter(ctx, tx, *id, st); err != nil {
			return err
		}
		names := map[string]string{}
		for _, m := range s.Marks {
			for _, it := range m.Indicators {
				names[it.Code] = it.Name
			}
		}
		entered := make([]string, len(st.Entries))
		for i, e := range st.Entries {
			entered[i] = names[e.Code]
		}
		if reason == "" {
			reason = strings.Join(entered, "、")
		}
	case RateSubmit:
		var missing []string
		entries, err := entriesOf(ctx, tx, s.ID, st.Unit, from)
		if err != nil {
			return err
		}
		for _, m := range s.Marks {
			for _, it := range m.Indicators {
				if _, ok := entries[st.Unit][it.Code]; it.Source == "entered" && !ok {
					missing = append(missing, it.Name)
				}
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%w: enter every indicator the village reports first: %s", ErrRatingNotAllowed, strings.Join(missing, "、"))
		}
	case RateAccept:
		ends := st.Today.AddDate(0, 0, s.NoticeDays)
		if _, err := tx.Exec(ctx, `UPDATE rating_assessments SET notice_ends = $2 WHERE id = $1`, *id, ends); err != nil {
			return err
		}
	case RateAward, RateRemove, RateRestore:
		if err := r.decideMark(ctx, tx, s, st, from, f); err != nil {
			return err
		}
	}
	var fromState, toState *string
	if id != nil {
		fromState = &state
		toState = &state
		if to != "" {
			toState = &to
			if _, err := tx.Exec(ctx, `UPDATE rating_assessments SET state = $2, updated_at = now() WHERE id = $1`, *id, to); err != nil {
				return err
			}
		}
	}
	var mark *int
	if st.Mark != 0 {
		mark = &st.Mark
	}
	_, err = tx.Exec(ctx, `INSERT INTO rating_decisions (scheme_id, unit_code, assessment_id, action, mark, from_state, to_state, reason, actor_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, s.ID, st.Unit, id, st.Action, mark, fromState, toState, truncateRunes(reason, MaxRatingReason), st.ActorID)
	return err
}

// enter stores the village's entries with their evidence; the photos must be the actor's uploads.
func (r *Ratings) enter(ctx context.Context, tx pgx.Tx, id int64, st RatingStep) error {
	var photos []string
	for _, e := range st.Entries {
		photos = append(photos, e.Photos...)
	}
	if len(photos) > 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(DISTINCT sha256) FROM photo_uploads WHERE member_id = $1 AND sha256 = ANY($2)`,
			st.ActorID, photos).Scan(&n); err != nil {
			return err
		}
		distinct := map[string]bool{}
		for _, p := range photos {
			distinct[p] = true
		}
		if n != len(distinct) {
			return fmt.Errorf("%w: photos must be uploaded by you first (POST /api/photos)", ErrBadRatingAction)
		}
	}
	for _, e := range st.Entries {
		if e.Photos == nil {
			e.Photos = []string{}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO rating_entries (assessment_id, indicator_code, value, note, photos, entered_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (assessment_id, indicator_code) DO UPDATE SET value = EXCLUDED.value, note = EXCLUDED.note,
				photos = EXCLUDED.photos, entered_by = EXCLUDED.entered_by, entered_at = now()`,
			id, e.Code, e.Value, e.Note, e.Photos, st.ActorID); err != nil {
			return err
		}
	}
	return nil
}

// decideMark awards, removes or restores a mark, audited.
func (r *Ratings) decideMark(ctx context.Context, tx pgx.Tx, s *RatingScheme, st RatingStep, from time.Time, f Figures) error {
	var held *bool
	if err := tx.QueryRow(ctx, `SELECT held FROM rating_holdings WHERE scheme_id = $1 AND unit_code = $2 AND mark = $3 FOR UPDATE`,
		s.ID, st.Unit, st.Mark).Scan(&held); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	switch {
	case st.Action == RateAward && held != nil && *held:
		return fmt.Errorf("%w: the village holds this mark already", ErrRatingNotAllowed)
	case st.Action == RateRemove && (held == nil || !*held):
		return fmt.Errorf("%w: the village does not hold this mark", ErrRatingNotAllowed)
	case st.Action == RateRestore && (held == nil || *held):
		return fmt.Errorf("%w: only a mark that was removed is restored", ErrRatingNotAllowed)
	}
	if st.Action != RateRemove {
		entries, err := entriesOf(ctx, tx, s.ID, st.Unit, from)
		if err != nil {
			return err
		}
		m := buildMarks(s, f, entries[st.Unit], nil)[st.Mark-1]
		if !m.Pass {
			score := "nothing assessed"
			if m.Score != nil {
				score = fmt.Sprintf("%.2f", *m.Score)
			}
			return fmt.Errorf("%w: %s scores %s, %d needed", ErrRatingBelowThreshold, m.Name, score, m.PassScore)
		}
	}
	now := st.Action != RateRemove
	if _, err := tx.Exec(ctx, `INSERT INTO rating_holdings (scheme_id, unit_code, mark, held) VALUES ($1, $2, $3, $4)
		ON CONFLICT (scheme_id, unit_code, mark) DO UPDATE SET held = EXCLUDED.held, changed_at = now()`,
		s.ID, st.Unit, st.Mark, now); err != nil {
		return err
	}
	return grid.AuditDeploymentWide(ctx, tx, &st.ActorID, "rating."+st.Action, map[string]any{"scheme": s.Code,
		"unit": st.Unit, "mark": st.Mark, "mark_name": s.Marks[st.Mark-1].Name, "reason": st.Reason, "period": from.Format(time.DateOnly)})
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
