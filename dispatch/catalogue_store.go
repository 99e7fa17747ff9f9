package dispatch

import (
	"context"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/grid"
)

// Catalogue is the routing catalogue as an administrator edits it (docs/routing.md): every
// category, active or not, with its starting tier, deadlines and escalation rule.
type Catalogue struct{ pool *pgxpool.Pool }

// NewCatalogue edits the catalogue in pool.
func NewCatalogue(pool *pgxpool.Pool) *Catalogue { return &Catalogue{pool: pool} }

// SubjectCatalogueChanged tells every process to read the catalogue again.
const SubjectCatalogueChanged = "catalogue.changed"

var codePattern = regexp.MustCompile(`^[a-z][a-z_]{1,40}$`)

// MaxCategoryNameChars bounds a category's names.
const MaxCategoryNameChars = 40

// List returns every category in code order.
func (k *Catalogue) List(ctx context.Context) ([]Category, error) {
	rows, err := k.pool.Query(ctx, selectCategories)
	if err != nil {
		return nil, fmt.Errorf("%w: categories: %v", ErrRetryable, err)
	}
	list, err := pgx.CollectRows(rows, scanCategory)
	if err != nil {
		return nil, fmt.Errorf("%w: categories: %v", ErrRetryable, err)
	}
	return list, nil
}

func (c Category) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidCategory, fmt.Sprintf(format, args...))
	}
	switch {
	case !codePattern.MatchString(c.Code):
		return bad("code must be 2 to 41 lower-case letters or underscores")
	case !codePattern.MatchString(c.Group):
		return bad("group must be 2 to 41 lower-case letters or underscores")
	case !utf8.ValidString(c.NameZH) || utf8.RuneCountInString(c.NameZH) < 1 || utf8.RuneCountInString(c.NameZH) > MaxCategoryNameChars:
		return bad("name_zh must have 1 to %d characters", MaxCategoryNameChars)
	case !utf8.ValidString(c.NameEN) || utf8.RuneCountInString(c.NameEN) < 1 || utf8.RuneCountInString(c.NameEN) > MaxCategoryNameChars:
		return bad("name_en must have 1 to %d characters", MaxCategoryNameChars)
	case c.StartLevel < TierCounty || c.StartLevel > TierVillage:
		return bad("start_level must be 1 (county), 2 (township) or 3 (village)")
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"village_s", c.Deadlines.Village}, {"township_s", c.Deadlines.Township}, {"county_s", c.Deadlines.County},
		{"urgent_s", c.Deadlines.Urgent}, {"verify_s", c.Deadlines.Verify}} {
		if d.d < time.Second || d.d > MaxDeadline || d.d%time.Second != 0 {
			return bad("deadlines.%s: every deadline must be whole seconds from 1 s to 365 days", d.name)
		}
	}
	return c.Deadlines.checkClocks()
}

const upsertCategory = `
INSERT INTO categories (code, group_code, name_zh, name_en, start_level, grid_may_close, village_deadline_s,
    township_deadline_s, county_deadline_s, urgent_deadline_s, auto_escalate, active, updated_at, updated_by,
    verify_deadline_s, village_clock, township_clock, county_clock, urgent_clock)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), $13, $14, $15, $16, $17, $18)
ON CONFLICT (code) DO UPDATE SET group_code = EXCLUDED.group_code, name_zh = EXCLUDED.name_zh,
    name_en = EXCLUDED.name_en, start_level = EXCLUDED.start_level, grid_may_close = EXCLUDED.grid_may_close,
    village_deadline_s = EXCLUDED.village_deadline_s, township_deadline_s = EXCLUDED.township_deadline_s,
    county_deadline_s = EXCLUDED.county_deadline_s, urgent_deadline_s = EXCLUDED.urgent_deadline_s,
    verify_deadline_s = EXCLUDED.verify_deadline_s,
    auto_escalate = EXCLUDED.auto_escalate, active = EXCLUDED.active, updated_at = now(),
    updated_by = EXCLUDED.updated_by, village_clock = EXCLUDED.village_clock,
    township_clock = EXCLUDED.township_clock, county_clock = EXCLUDED.county_clock, urgent_clock = EXCLUDED.urgent_clock`

// Save creates or replaces a category and, in the same transaction, tells every process to read
// the catalogue again. Existing cases keep their deadlines; new deadlines apply from the next
// report or transition that sets one.
func (k *Catalogue) Save(ctx context.Context, c Category, by int64) error {
	if err := c.check(); err != nil {
		return err
	}
	s := func(d time.Duration) int32 { return int32(d / time.Second) }
	clocks := c.Deadlines.Clocks
	err := pgx.BeginFunc(ctx, k.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, upsertCategory, c.Code, c.Group, c.NameZH, c.NameEN, c.StartLevel, c.GridMayClose,
			s(c.Deadlines.Village), s(c.Deadlines.Township), s(c.Deadlines.County), s(c.Deadlines.Urgent),
			c.AutoEscalate, c.Active, by, s(c.Deadlines.Verify), clocks.Village.stored(), clocks.Township.stored(),
			clocks.County.stored(), clocks.Urgent.stored()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (subject, payload) VALUES ($1, jsonb_build_object('code', $2::text, 'at', now()))`,
			SubjectCatalogueChanged, c.Code); err != nil {
			return err
		}
		return grid.AuditDeploymentWide(ctx, tx, &by, "category.save", map[string]any{"code": c.Code, "name": c.NameZH,
			"start_level": c.StartLevel, "active": c.Active, "deadlines_s": map[string]int32{"village": s(c.Deadlines.Village),
				"township": s(c.Deadlines.Township), "county": s(c.Deadlines.County), "urgent": s(c.Deadlines.Urgent), "verify": s(c.Deadlines.Verify)},
			"clocks": map[string]Clock{"village": clocks.Village.stored(), "township": clocks.Township.stored(),
				"county": clocks.County.stored(), "urgent": clocks.Urgent.stored()}})
	})
	if err != nil {
		return fmt.Errorf("%w: save category: %v", ErrRetryable, err)
	}
	return nil
}
