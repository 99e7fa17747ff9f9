package grid

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/griddispatch/griddispatch/grid/background"
)

// A change set that takes effect on a later day is reviewed now and scheduled: the server
// applies it when that day begins in the county (ChangeScheduler), so nobody has to be at a
// terminal at midnight. Applying on schedule is the same ApplyChange, with the same checks:
// the grid may have changed since the review.

// ErrChangeNotScheduled means the change set is not waiting to be applied on schedule.
var ErrChangeNotScheduled = errors.New("change set not scheduled")

// ScheduleChange marks a draft to be applied on its effective day, by by.
func (s *Store) ScheduleChange(ctx context.Context, id int64, by *int64) (ChangeSet, error) {
	return s.setSchedule(ctx, id, by, true)
}

// UnscheduleChange takes a draft off the schedule; it stays a draft.
func (s *Store) UnscheduleChange(ctx context.Context, id int64, by *int64) (ChangeSet, error) {
	return s.setSchedule(ctx, id, by, false)
}

func (s *Store) setSchedule(ctx context.Context, id int64, by *int64, on bool) (ChangeSet, error) {
	var cs ChangeSet
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if cs, err = lockChange(ctx, tx, id); err != nil {
			return err
		}
		if cs.State != ChangeDraft {
			return fmt.Errorf("change %d: %w (%s)", id, ErrChangeDecided, cs.State)
		}
		action := "grid_change.schedule"
		if on {
			_, err = tx.Exec(ctx, `UPDATE grid_changes SET scheduled_by = $2, scheduled_at = now(), schedule_error = NULL WHERE id = $1`, id, by)
		} else {
			if cs.ScheduledAt == nil {
				return fmt.Errorf("change %d: %w", id, ErrChangeNotScheduled)
			}
			action = "grid_change.unschedule"
			_, err = tx.Exec(ctx, `UPDATE grid_changes SET scheduled_by = NULL, scheduled_at = NULL WHERE id = $1`, id)
		}
		if err != nil {
			return fmt.Errorf("schedule change %d: %w", id, err)
		}
		if err := audit(ctx, tx, by, action, nil, []string{cs.RootCode}, map[string]any{"change": id, "title": cs.Title, "effective_on": cs.EffectiveOn}); err != nil {
			return err
		}
		cs, err = scanChange(tx.QueryRow(ctx, selectChange+` WHERE id = $1`, id), id)
		return err
	})
	return cs, err
}

// DueChange is what a scheduled apply did: applied, or refused and taken off the schedule.
type DueChange struct {
	Report  ChangeReport
	Refused error // nil when applied
}

// ApplyDueChanges applies the scheduled change sets whose day has begun at now, oldest day
// first. A set another process applied meanwhile is skipped; one whose apply is refused is
// taken off the schedule with the reason (ScheduleError) and an audit entry. Any other error
// (the database) stops the round, to be tried again at the next.
func (s *Store) ApplyDueChanges(ctx context.Context, now time.Time) ([]DueChange, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, scheduled_by FROM grid_changes
		WHERE scheduled_at IS NOT NULL AND state = 'draft' AND effective_on <= $1::date
		ORDER BY effective_on, id`, CountyToday(now))
	if err != nil {
		return nil, fmt.Errorf("due changes: %w", err)
	}
	type due struct {
		ID int64
		By *int64
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[due])
	if err != nil {
		return nil, fmt.Errorf("due changes: %w", err)
	}
	var out []DueChange
	for _, d := range list {
		rep, err := s.applyChange(ctx, d.ID, d.By, ChangeOptions{}, now)
		switch {
		case err == nil:
			out = append(out, DueChange{Report: rep})
		case errors.Is(err, ErrChangeDecided):
			// applied or discarded by someone else since the query
		case errors.Is(err, ErrChangeRefused) || errors.Is(err, ErrChangeInvalid):
			if uerr := s.unscheduleRefused(ctx, d.ID, err, rep); uerr != nil {
				return out, uerr
			}
			out = append(out, DueChange{Report: rep, Refused: err})
		default:
			return out, err
		}
	}
	return out, nil
}

// unscheduleRefused records why a scheduled apply was refused and takes the set off the
// schedule, unless it was decided or rescheduled meanwhile.
func (s *Store) unscheduleRefused(ctx context.Context, id int64, refusal error, rep ChangeReport) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var root string
		err := tx.QueryRow(ctx, `
			UPDATE grid_changes SET scheduled_at = NULL, schedule_error = $2
			WHERE id = $1 AND state = 'draft' AND scheduled_at IS NOT NULL RETURNING root_code`, id, refusal.Error()).Scan(&root)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unschedule change %d: %w", id, err)
		}
		return audit(ctx, tx, nil, "grid_change.schedule_refused", nil, []string{root},
			map[string]any{"change": id, "reason": refusal.Error(), "problems": len(rep.Problems)})
	})
}

// ChangeSchedulerInterval is how often the server looks for scheduled change sets that are
// due: a set is applied within this long after its day begins.
const ChangeSchedulerInterval = time.Minute

// ChangeScheduler applies scheduled change sets on their day, in the background. Every process
// may run one: ApplyChange locks the set, and the second process finds it decided.
type ChangeScheduler struct {
	store  *Store
	logger *slog.Logger
	every  time.Duration
	bg     background.Group
}

// NewChangeScheduler makes a scheduler that looks for due change sets every interval once
// started.
func (s *Store) NewChangeScheduler(logger *slog.Logger, every time.Duration) *ChangeScheduler {
	return &ChangeScheduler{store: s, logger: logger, every: every}
}

// Start runs the scheduler until Close, looking first at once.
func (c *ChangeScheduler) Start(ctx context.Context) error {
	if err := c.bg.Start(ctx); err != nil {
		return fmt.Errorf("grid change scheduler: %w", err)
	}
	c.bg.Go(c.run)
	return nil
}

// Close stops the scheduler and waits for it.
func (c *ChangeScheduler) Close() { c.bg.Close() }

func (c *ChangeScheduler) run(ctx context.Context) {
	tick := time.NewTicker(c.every)
	defer tick.Stop()
	for {
		done, err := c.store.ApplyDueChanges(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			c.logger.Warn("scheduled grid changes", "err", err)
		}
		for _, d := range done {
			if d.Refused != nil {
				c.logger.Warn("scheduled grid change refused and unscheduled", "change", d.Report.Change.ID, "err", d.Refused)
			} else {
				c.logger.Info("scheduled grid change applied", "change", d.Report.Change.ID,
					"retired", len(d.Report.Retired), "added", len(d.Report.Added))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
