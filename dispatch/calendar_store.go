package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// CalendarStore is the county's working calendar as an administrator edits it (docs/routing.md,
// "Working time"; docs/admin-api.md), by is the administrator, nil from the command line. Every
// edit renews the calendar's revision, so every process uses it for the next deadline it sets;
// deadlines already set stay as they are.
type CalendarStore struct{ pool *pgxpool.Pool }

// NewCalendarStore edits the calendar in pool.
func NewCalendarStore(pool *pgxpool.Pool) *CalendarStore { return &CalendarStore{pool: pool} }

// MaxCalendarDayNameChars bounds a day's name (国庆节调休上班 and the like).
const MaxCalendarDayNameChars = 40

// CalendarYears bounds the dates an administrator may edit: a deadline reaches a few years.
const (
	MinCalendarYear = 2000
	MaxCalendarYear = 2100
)

// CalendarView is the calendar of a year: the working hours and the year's exceptions.
type CalendarView struct {
	Hours     []Span
	Days      []CalendarDay
	Revision  string
	UpdatedAt time.Time
}

// Year reads the working hours and the exceptions of year.
func (s *CalendarStore) Year(ctx context.Context, year int) (CalendarView, error) {
	if year < MinCalendarYear || year > MaxCalendarYear {
		return CalendarView{}, fmt.Errorf("%w: year must be %d to %d", ErrBadCalendar, MinCalendarYear, MaxCalendarYear)
	}
	var v CalendarView
	var raw []byte
	if err := s.pool.QueryRow(ctx, `SELECT hours, revision::text, updated_at FROM calendar_settings`).
		Scan(&raw, &v.Revision, &v.UpdatedAt); err != nil {
		return v, fmt.Errorf("%w: calendar: %v", ErrRetryable, err)
	}
	var err error
	if v.Hours, err = parseHours(raw); err != nil {
		return v, err
	}
	rows, err := s.pool.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), kind, name FROM calendar_days
		WHERE day >= make_date($1, 1, 1) AND day < make_date($1 + 1, 1, 1) ORDER BY day`, year)
	if err != nil {
		return v, fmt.Errorf("%w: calendar: %v", ErrRetryable, err)
	}
	var day, kind, name string
	if _, err := pgx.ForEachRow(rows, []any{&day, &kind, &name}, func() error {
		d, err := ParseDate(day)
		v.Days = append(v.Days, CalendarDay{Date: d, Kind: DayKind(kind), Name: name})
		return err
	}); err != nil {
		return v, fmt.Errorf("%w: calendar: %v", ErrRetryable, err)
	}
	return v, nil
}

// SetHours replaces the working hours of every working day.
func (s *CalendarStore) SetHours(ctx context.Context, hours []Span, by *int64) error {
	if _, err := NewCalendar(hours, nil); err != nil {
		return err
	}
	pairs := make([][2]int, len(hours))
	for i, h := range hours {
		pairs[i] = [2]int{h.Start, h.End}
	}
	raw, _ := json.Marshal(pairs)
	return s.edit(ctx, by, "calendar.hours", map[string]any{"hours": pairs}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE calendar_settings SET hours = $1`, raw)
		return err
	})
}

// SetDay makes a date a holiday or a working day (调休), replacing what it was.
func (s *CalendarStore) SetDay(ctx context.Context, d CalendarDay, by *int64) error {
	d.Name = strings.TrimSpace(d.Name)
	switch {
	case d.Kind != DayHoliday && d.Kind != DayWorkday:
		return fmt.Errorf("%w: kind must be holiday or workday", ErrBadCalendar)
	case !utf8.ValidString(d.Name) || utf8.RuneCountInString(d.Name) < 1 || utf8.RuneCountInString(d.Name) > MaxCalendarDayNameChars ||
		strings.ContainsRune(d.Name, 0):
		return fmt.Errorf("%w: name must have 1 to %d characters", ErrBadCalendar, MaxCalendarDayNameChars)
	case d.Date.Year < MinCalendarYear || d.Date.Year > MaxCalendarYear:
		return fmt.Errorf("%w: year must be %d to %d", ErrBadCalendar, MinCalendarYear, MaxCalendarYear)
	}
	return s.edit(ctx, by, "calendar.day", map[string]any{"date": d.Date.String(), "kind": d.Kind, "name": d.Name},
		func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO calendar_days (day, kind, name, updated_by) VALUES ($1::date, $2, $3, $4)
				ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = now(),
				updated_by = EXCLUDED.updated_by`, d.Date.String(), string(d.Kind), d.Name, by)
			return err
		})
}

// DeleteDay returns a date to the weekday rule.
func (s *CalendarStore) DeleteDay(ctx context.Context, d Date, by *int64) error {
	return s.edit(ctx, by, "calendar.day_delete", map[string]any{"date": d.String()}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM calendar_days WHERE day = $1::date`, d.String())
		if err == nil && tag.RowsAffected() == 0 {
			return ErrCalendarDayNotFound
		}
		return err
	})
}

// edit runs change, renews the revision and writes the audit entry, in one transaction.
func (s *CalendarStore) edit(ctx context.Context, by *int64, action string, detail any, change func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE calendar_settings SET revision = gen_random_uuid(), updated_at = now(),
			updated_by = $1`, by); err != nil {
			return err
		}
		return grid.AuditDeploymentWide(ctx, tx, by, action, detail)
	})
	if errors.Is(err, ErrCalendarDayNotFound) || errors.Is(err, ErrBadCalendar) {
		return err
	}
	if err != nil {
		return fmt.Errorf("%w: calendar: %v", ErrRetryable, err)
	}
	return nil
}
