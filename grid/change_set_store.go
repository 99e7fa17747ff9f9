package grid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Every change set is tried the same way, inside a transaction: its units are locked, its
// operations done, the grid around them checked, and the transaction rolled back for a draft or
// a preview, committed for an apply. What a reviewer previews is therefore what applying does.

// ErrChangeInvalid means a change set cannot be stored as written; the report says why.
var ErrChangeInvalid = errors.New("change set invalid")

// ErrChangeRefused means applying found problems; the report lists them and nothing changed.
var ErrChangeRefused = errors.New("change set refused")

// ErrChangeNotDue means the change set takes effect on a later day.
var ErrChangeNotDue = errors.New("change set not yet due")

// ErrChangeDecided means the change set was already applied or discarded.
var ErrChangeDecided = errors.New("change set already decided")

// ChangeOptions are the choices of a preview or an apply.
type ChangeOptions struct {
	AllowTopologyProblems bool // apply even if the change leaves gaps, overlaps or units outside parents
	Tolerance             Tolerance
}

// DraftChange checks a change set and stores it as a draft. A request that cannot be tried
// (unknown units, malformed operations) is refused with ErrChangeInvalid and every problem in
// the report; one that can is stored, and the report says what applying would do and find.
func (s *Store) DraftChange(ctx context.Context, r ChangeRequest) (ChangeReport, error) {
	cs := ChangeSet{RootCode: changeRoot(r.Operations), Title: r.Title, Operations: r.Operations,
		Moves: r.Moves, EffectiveOn: r.EffectiveOn, State: ChangeDraft, CreatedBy: r.By}
	if cs.Moves == nil {
		cs.Moves = map[string]string{}
	}
	if cs.EffectiveOn == "" {
		cs.EffectiveOn = CountyToday(time.Now())
	}
	var rep ChangeReport
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Every problem at once: those of the request itself and those against the grid.
		named, err := lockNamed(ctx, tx, cs)
		if err != nil {
			return err
		}
		rep.Problems = append(checkRequest(r), checkAgainstGrid(cs, named)...)
		if len(rep.Problems) > 0 {
			sortProblems(rep.Problems)
			return fmt.Errorf("%w: %s", ErrChangeInvalid, rep.Problems[0].Detail)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1 AND retired_at IS NULL)`, cs.RootCode).Scan(&exists); err != nil {
			return fmt.Errorf("draft change: %w", err)
		}
		if !exists {
			rep.Problems = []Problem{{Code: cs.RootCode, Kind: InvalidChange, Detail: "the units changed are not under one current unit of the grid"}}
			return fmt.Errorf("%w: %s", ErrChangeInvalid, rep.Problems[0].Detail)
		}
		if err := insertChange(ctx, tx, &cs); err != nil {
			return err
		}
		rep, err = tryInSavepoint(ctx, tx, cs, ChangeOptions{})
		if err != nil {
			return err
		}
		if rep.invalid() {
			return fmt.Errorf("%w: %s", ErrChangeInvalid, rep.firstInvalid())
		}
		return audit(ctx, tx, r.By, "grid_change.draft", nil, []string{cs.RootCode}, map[string]any{"change": cs.ID, "title": cs.Title})
	})
	return rep, err
}

// PreviewChange says what applying a draft would do now, and what it would find, changing
// nothing.
func (s *Store) PreviewChange(ctx context.Context, id int64, o ChangeOptions) (ChangeReport, error) {
	var rep ChangeReport
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cs, err := lockChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if cs.State != ChangeDraft {
			rep.Change = cs
			return nil
		}
		rep, err = tryInSavepoint(ctx, tx, cs, o)
		return err
	})
	return rep, err
}

// ApplyChange applies a draft on or after its effective day: in one transaction its
// operations are done, assignments moved or flagged, and the set marked applied by who. It is
// refused, changing nothing, while any problem stops it (ChangeReport.Refusing).
func (s *Store) ApplyChange(ctx context.Context, id int64, by *int64, o ChangeOptions) (ChangeReport, error) {
	return s.applyChange(ctx, id, by, o, time.Now())
}

// applyChange applies as ApplyChange does, with now deciding whether the day has come.
func (s *Store) applyChange(ctx context.Context, id int64, by *int64, o ChangeOptions, now time.Time) (ChangeReport, error) {
	var rep ChangeReport
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cs, err := lockChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if cs.State != ChangeDraft {
			return fmt.Errorf("change %d: %w (%s)", id, ErrChangeDecided, cs.State)
		}
		if today := CountyToday(now); cs.EffectiveOn > today {
			return fmt.Errorf("change %d takes effect on %s, today is %s: %w", id, cs.EffectiveOn, today, ErrChangeNotDue)
		}
		if rep, err = tryChange(ctx, tx, cs, o); err != nil {
			return err
		}
		if n := rep.Refusing(o); n > 0 {
			return fmt.Errorf("%w: %d problems", ErrChangeRefused, n)
		}
		outcome, err := json.Marshal(rep.outcome())
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			UPDATE grid_changes SET state = 'applied', decided_by = $2, decided_at = now(), outcome = $3,
			       scheduled_at = NULL, schedule_error = NULL
			WHERE id = $1 RETURNING state, decided_by, decided_at, scheduled_at`, id, by, outcome).
			Scan(&rep.Change.State, &rep.Change.DecidedBy, &rep.Change.DecidedAt, &rep.Change.ScheduledAt)
		if err != nil {
			return err
		}
		rep.Change.ScheduleError = ""
		return audit(ctx, tx, by, "grid_change.apply", nil, []string{cs.RootCode}, map[string]any{"change": id, "title": cs.Title,
			"retired": len(rep.Retired), "added": len(rep.Added), "moved": len(rep.Moved), "flagged": len(rep.Flagged)})
	})
	if err != nil {
		return rep, err
	}
	rep.Applied = true
	return rep, nil
}

// DiscardChange sets a draft aside; it stays on record.
func (s *Store) DiscardChange(ctx context.Context, id int64, by *int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cs, err := lockChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if cs.State != ChangeDraft {
			return fmt.Errorf("change %d: %w (%s)", id, ErrChangeDecided, cs.State)
		}
		if _, err := tx.Exec(ctx, `UPDATE grid_changes SET state = 'discarded', decided_by = $2, decided_at = now(), scheduled_at = NULL WHERE id = $1`, id, by); err != nil {
			return fmt.Errorf("discard change %d: %w", id, err)
		}
		return audit(ctx, tx, by, "grid_change.discard", nil, []string{cs.RootCode}, map[string]any{"change": id, "title": cs.Title})
	})
}

const selectChange = `
SELECT id, root_code, title, operations, moves, to_char(effective_on, 'YYYY-MM-DD'), state,
       created_by, created_at, decided_by, decided_at, scheduled_by, scheduled_at, coalesce(schedule_error, '')
FROM grid_changes`

// Change reads one change set.
func (s *Store) Change(ctx context.Context, id int64) (ChangeSet, error) {
	return scanChange(s.pool.QueryRow(ctx, selectChange+` WHERE id = $1`, id), id)
}

// Changes lists the change sets whose root lies under root (all if empty), newest first.
func (s *Store) Changes(ctx context.Context, root string, limit int) ([]ChangeSet, error) {
	if err := checkRoot(root); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, selectChange+` WHERE root_code LIKE $1 || '%' ORDER BY id DESC LIMIT $2`, root, limit)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	defer rows.Close()
	var out []ChangeSet
	for rows.Next() {
		cs, err := scanChange(rows, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, rows.Err()
}

func scanChange(row pgx.Row, id int64) (ChangeSet, error) {
	var cs ChangeSet
	var ops, moves []byte
	err := row.Scan(&cs.ID, &cs.RootCode, &cs.Title, &ops, &moves, &cs.EffectiveOn, &cs.State,
		&cs.CreatedBy, &cs.CreatedAt, &cs.DecidedBy, &cs.DecidedAt, &cs.ScheduledBy, &cs.ScheduledAt, &cs.ScheduleError)
	if errors.Is(err, pgx.ErrNoRows) {
		return cs, fmt.Errorf("change %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return cs, fmt.Errorf("read change: %w", err)
	}
	if err := json.Unmarshal(ops, &cs.Operations); err != nil {
		return cs, fmt.Errorf("change %d: operations: %w", cs.ID, err)
	}
	if err := json.Unmarshal(moves, &cs.Moves); err != nil {
		return cs, fmt.Errorf("change %d: moves: %w", cs.ID, err)
	}
	return cs, nil
}

func lockChange(ctx context.Context, tx pgx.Tx, id int64) (ChangeSet, error) {
	return scanChange(tx.QueryRow(ctx, selectChange+` WHERE id = $1 FOR UPDATE`, id), id)
}

func insertChange(ctx context.Context, tx pgx.Tx, cs *ChangeSet) error {
	ops, err := json.Marshal(cs.Operations)
	if err != nil {
		return err
	}
	moves, err := json.Marshal(cs.Moves)
	if err != nil {
		return err
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO grid_changes (root_code, title, operations, moves, effective_on, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`,
		cs.RootCode, cs.Title, ops, moves, cs.EffectiveOn, cs.CreatedBy).Scan(&cs.ID, &cs.CreatedAt)
	if err != nil {
		return fmt.Errorf("store change: %w", err)
	}
	return nil
}

// tryInSavepoint tries the change and undoes it, keeping the rest of the transaction.
func tryInSavepoint(ctx context.Context, tx pgx.Tx, cs ChangeSet, o ChangeOptions) (ChangeReport, error) {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return ChangeReport{}, err
	}
	defer sp.Rollback(ctx)
	return tryChange(ctx, sp, cs, o)
}
