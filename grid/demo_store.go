package grid

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// DemoResult says what LoadDemo did for one county.
type DemoResult struct {
	County  string
	Loaded  bool // false when the county was already there
	Units   int
	Members int
}

// LoadDemo stores one generated county of the demo city with its staff, in one transaction.
// A county that already exists is left as it is, so loading again is cheap and safe.
func (s *Store) LoadDemo(ctx context.Context, countyCode string, seed uint64) (DemoResult, error) {
	res := DemoResult{County: countyCode}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1)`, countyCode).Scan(&exists); err != nil {
		return res, fmt.Errorf("demo %s: %w", countyCode, err)
	}
	if exists {
		// A county loaded before members had passwords gets the demo password now.
		return res, s.giveDemoPasswords(ctx, countyCode)
	}
	demo, err := GenerateDemo(countyCode, seed)
	if err != nil {
		return res, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := insertUnits(ctx, tx, demo.Units); err != nil {
			return err
		}
		return insertStaff(ctx, tx, demo.Staff)
	})
	if err != nil {
		return res, fmt.Errorf("demo %s: %w", countyCode, err)
	}
	res.Loaded, res.Units, res.Members = true, len(demo.Units), len(demo.Staff)
	return res, nil
}

// giveDemoPasswords sets the demo password of the county's demo members that have none.
func (s *Store) giveDemoPasswords(ctx context.Context, countyCode string) error {
	hash, err := demoPasswordHash()
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `
		UPDATE members SET password_hash = $2
		WHERE password_hash IS NULL
		  AND id IN (SELECT member_id FROM assignments WHERE unit_code LIKE $1 || '%')`, countyCode, hash)
	if err != nil {
		return fmt.Errorf("demo %s: passwords: %w", countyCode, err)
	}
	return nil
}

const createStaffStaging = `
CREATE TEMP TABLE staff_staging (
    phone     text NOT NULL,
    name      text NOT NULL,
    unit_code text COLLATE "C" NOT NULL,
    role      text NOT NULL
) ON COMMIT DROP`

// Every demo member gets DemoPassword. They share one bcrypt hash (and so one salt): hashing
// 150,000 passwords one by one would take hours, and these are demo accounts.
const insertStagedMembers = `
INSERT INTO members (phone, name, password_hash)
SELECT DISTINCT ON (phone) phone, name, $1 FROM staff_staging ORDER BY phone
ON CONFLICT (phone) WHERE phone_released_at IS NULL DO NOTHING`

const insertStagedAssignments = `
INSERT INTO assignments (member_id, unit_code, role)
SELECT m.id, s.unit_code, s.role FROM staff_staging s JOIN members m ON m.phone = s.phone AND m.phone_released_at IS NULL
ON CONFLICT DO NOTHING`

// DemoPassword signs in every demo member (README).
const DemoPassword = "demo1408"

var demoPasswordHash = sync.OnceValues(func() (string, error) { return HashPassword(DemoPassword) })

func insertStaff(ctx context.Context, tx pgx.Tx, staff []DemoStaff) error {
	var err error
	if _, err = tx.Exec(ctx, createStaffStaging); err != nil {
		return fmt.Errorf("create staff staging: %w", err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"staff_staging"}, []string{"phone", "name", "unit_code", "role"},
		pgx.CopyFromSlice(len(staff), func(i int) ([]any, error) {
			s := staff[i]
			return []any{s.Phone, s.Name, s.UnitCode, string(s.Role)}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy staff: %w", err)
	}
	hash, err := demoPasswordHash()
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, insertStagedMembers, hash); err != nil {
		return fmt.Errorf("store staff: %w", err)
	}
	if _, err := tx.Exec(ctx, insertStagedAssignments); err != nil {
		return fmt.Errorf("store staff assignments: %w", err)
	}
	return nil
}
