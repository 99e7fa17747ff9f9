package grid

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CreateMember stores a new member.
func (s *Store) CreateMember(ctx context.Context, phone, name string) (Member, error) {
	if err := CheckMember(phone, name); err != nil {
		return Member{}, err
	}
	m := Member{Phone: phone, Name: name}
	err := s.pool.QueryRow(ctx, `INSERT INTO members (phone, name) VALUES ($1, $2) RETURNING id`, phone, name).Scan(&m.ID)
	if isUniqueViolation(err) {
		return Member{}, fmt.Errorf("%w: phone %s is already registered", ErrDuplicatePhone, phone)
	}
	if err != nil {
		return Member{}, fmt.Errorf("create member: %w", err)
	}
	return m, nil
}

// Assign gives a member a role at a unit, if the role belongs at that unit's level.
// Assigning the same role twice is not an error.
func (s *Store) Assign(ctx context.Context, a Assignment) error {
	if err := CommandLine.checkAssignment(a); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO assignments (member_id, unit_code, role)
		SELECT m.id, u.code, $3 FROM members m, units u WHERE m.id = $1 AND u.code = $2 AND u.retired_at IS NULL
		ON CONFLICT DO NOTHING`, a.MemberID, a.UnitCode, string(a.Role))
	if err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assignments WHERE member_id = $1 AND unit_code = $2 AND role = $3)`,
			a.MemberID, a.UnitCode, string(a.Role)).Scan(&exists)
		if err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		if !exists {
			return fmt.Errorf("member %d or unit %s: %w", a.MemberID, a.UnitCode, ErrNotFound)
		}
	}
	return nil
}

// Credentials returns a member and their password hash ("" if they have none) by phone.
func (s *Store) Credentials(ctx context.Context, phone string) (Member, string, error) {
	m := Member{Phone: phone}
	var hash *string
	// A deactivated member does not sign in; a one-time code past its time no longer matches.
	err := s.pool.QueryRow(ctx, `
		SELECT id, name, CASE WHEN must_change_password AND reset_expires_at < now() THEN NULL ELSE password_hash END,
		       must_change_password
		FROM members WHERE phone = $1 AND phone_released_at IS NULL AND deactivated_at IS NULL`, phone).
		Scan(&m.ID, &m.Name, &hash, &m.MustChangePassword)
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, "", fmt.Errorf("member %s: %w", phone, ErrNotFound)
	}
	if err != nil {
		return Member{}, "", fmt.Errorf("read member: %w", err)
	}
	if hash == nil {
		return m, "", nil
	}
	return m, *hash, nil
}

// SetPassword sets a member's password.
func (s *Store) SetPassword(ctx context.Context, memberID int64, pw string) error {
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE members SET password_hash = $2 WHERE id = $1`, memberID, hash)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("member %d: %w", memberID, ErrNotFound)
	}
	return nil
}

const selectAssignments = `SELECT member_id, unit_code, role FROM assignments WHERE member_id = $1 ORDER BY unit_code, role`

// Assignments lists a member's assignments.
func (s *Store) Assignments(ctx context.Context, memberID int64) ([]Assignment, error) {
	rows, err := s.pool.Query(ctx, selectAssignments, memberID)
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Assignment])
}

// Staff is a member with one of their assignments.
type Staff struct {
	Member
	UnitCode string `db:"unit_code"`
	Role     Role   `db:"role"`
}

const selectStaff = `
SELECT m.id, m.phone, m.name, m.must_change_password, a.unit_code, a.role
FROM assignments a JOIN members m ON m.id = a.member_id
WHERE a.unit_code LIKE $1 || '%' AND ($2 = '' OR a.role = $2)
ORDER BY a.unit_code, m.phone`

// Staff lists the members assigned anywhere under root, optionally with one role only
// (empty role means every role), ordered by unit and phone.
func (s *Store) Staff(ctx context.Context, root string, role Role) ([]Staff, error) {
	if err := checkRoot(root); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, selectStaff, root, string(role))
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Staff])
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UniqueViolation
}
