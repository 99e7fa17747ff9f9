package grid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
)

// Every administrative change is one transaction that also writes its audit entry, so an entry
// exists exactly when the change does.

// audit writes one entry of the audit log.
func audit(ctx context.Context, tx pgx.Tx, by *int64, action string, member *int64, units []string, detail any) error {
	if units == nil {
		units = []string{}
	}
	if detail == nil {
		detail = map[string]any{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, member_id, units, detail) VALUES ($1, $2, $3, $4, $5)`,
		by, action, member, units, b); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditDeploymentWide writes, inside tx, an audit entry about something every county shares
// (the routing catalogue): it is filed under every current county, so that each county's
// administrators read it.
func AuditDeploymentWide(ctx context.Context, tx pgx.Tx, by *int64, action string, detail any) error {
	var counties []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM units WHERE level = $1 AND retired_at IS NULL`,
		int16(County)).Scan(&counties); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return audit(ctx, tx, by, action, nil, counties, detail)
}

// checkAssignment checks an assignment's role against its unit's level and the administrator.
func (a Admin) checkAssignment(as Assignment) error {
	if !as.Role.Valid() {
		return fmt.Errorf("%w: unknown role %q", ErrInvalidMember, as.Role)
	}
	level := LevelOfCode(as.UnitCode)
	if !as.Role.AllowedAt(level) {
		return fmt.Errorf("%w: a %s cannot be assigned at %s %s", ErrRoleLevel, as.Role, level, as.UnitCode)
	}
	if !a.covers(as.UnitCode) {
		return fmt.Errorf("%w: unit %s", ErrOutOfScope, as.UnitCode)
	}
	return nil
}

// assignTx inserts an assignment at a current unit; assigning twice is not an error.
func assignTx(ctx context.Context, tx pgx.Tx, member int64, as Assignment) error {
	var current bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1 AND retired_at IS NULL)`, as.UnitCode).Scan(&current); err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	if !current {
		return fmt.Errorf("unit %s: %w (or retired)", as.UnitCode, ErrNotFound)
	}
	_, err := tx.Exec(ctx, `INSERT INTO assignments (member_id, unit_code, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		member, as.UnitCode, string(as.Role))
	if err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	return nil
}

// unassignTx removes one assignment, which must exist.
func unassignTx(ctx context.Context, tx pgx.Tx, member int64, as Assignment) error {
	tag, err := tx.Exec(ctx, `DELETE FROM assignments WHERE member_id = $1 AND unit_code = $2 AND role = $3`, member, as.UnitCode, string(as.Role))
	if err != nil {
		return fmt.Errorf("unassign: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("member %d has no %s assignment at %s: %w", member, as.Role, as.UnitCode, ErrNotFound)
	}
	return nil
}

// AddMember registers a member with their assignments (at least one: a member belongs
// somewhere), all or nothing.
func (s *Store) AddMember(ctx context.Context, a Admin, phone, name string, assignments []Assignment) (Member, error) {
	m, _, _, err := s.addMember(ctx, a, phone, name, assignments, false)
	return m, err
}

// AddMemberWithCode registers a member as AddMember does and gives them a one-time code (as
// ResetPassword does) in the same transaction, so that a member is never left without a way to
// sign in. The code is returned once.
func (s *Store) AddMemberWithCode(ctx context.Context, a Admin, phone, name string, assignments []Assignment) (m Member, code string, expires time.Time, err error) {
	return s.addMember(ctx, a, phone, name, assignments, true)
}

func (s *Store) addMember(ctx context.Context, a Admin, phone, name string, assignments []Assignment, withCode bool) (m Member, code string, expires time.Time, err error) {
	if err := CheckMember(phone, name); err != nil {
		return Member{}, "", time.Time{}, err
	}
	if len(assignments) == 0 {
		return Member{}, "", time.Time{}, fmt.Errorf("%w: a member needs at least one assignment (role at a unit)", ErrInvalidMember)
	}
	for _, as := range assignments {
		if err := a.checkAssignment(as); err != nil {
			return Member{}, "", time.Time{}, err
		}
	}
	m = Member{Phone: phone, Name: name}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := phoneTaken(ctx, tx, phone); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO members (phone, name) VALUES ($1, $2) RETURNING id`, phone, name).Scan(&m.ID)
		if isUniqueViolation(err) { // registered at the same moment
			return fmt.Errorf("%w: phone %s is already registered", ErrDuplicatePhone, phone)
		}
		if err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		units := make([]string, len(assignments))
		for i, as := range assignments {
			if err := assignTx(ctx, tx, m.ID, as); err != nil {
				return err
			}
			units[i] = as.UnitCode
		}
		if withCode {
			if code, expires, err = setOneTimeCode(ctx, tx, m.ID, passwordCost()); err != nil {
				return err
			}
			m.MustChangePassword = true
		}
		return audit(ctx, tx, a.By, "member.add", &m.ID, units, map[string]any{"phone": phone, "name": name, "assignments": assignmentsJSON(assignments)})
	})
	return m, code, expires, err
}

// phoneTaken says who holds a phone number, if anyone: a current member, or a deactivated one.
func phoneTaken(ctx context.Context, tx pgx.Tx, phone string) error {
	var id int64
	var deactivated bool
	err := tx.QueryRow(ctx, `SELECT id, deactivated_at IS NOT NULL FROM members WHERE phone = $1 AND phone_released_at IS NULL`, phone).Scan(&id, &deactivated)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("look up phone: %w", err)
	case deactivated:
		return fmt.Errorf("%w: %s belongs to deactivated member %d; release it first", ErrPhoneHeld, phone, id)
	}
	return fmt.Errorf("%w: phone %s is already registered to member %d", ErrDuplicatePhone, phone, id)
}

func assignmentsJSON(as []Assignment) []map[string]string {
	out := make([]map[string]string, len(as))
	for i, x := range as {
		out[i] = map[string]string{"unit_code": x.UnitCode, "role": string(x.Role)}
	}
	return out
}

// lockMember locks a member for a change and returns where they are: their assignments' units,
// or for a member with none left, the units of their latest audit entry that had any, so that
// the administrator who emptied them can still act on them.
func lockMember(ctx context.Context, tx pgx.Tx, id int64) (units []string, deactivated bool, err error) {
	err = tx.QueryRow(ctx, `SELECT deactivated_at IS NOT NULL FROM members WHERE id = $1 FOR UPDATE`, id).Scan(&deactivated)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, fmt.Errorf("member %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, false, fmt.Errorf("lock member: %w", err)
	}
	err = tx.QueryRow(ctx, `
		SELECT coalesce(
		    (SELECT array_agg(DISTINCT unit_code ORDER BY unit_code) FROM assignments WHERE member_id = $1),
		    (SELECT units FROM audit_log WHERE member_id = $1 AND cardinality(units) > 0 ORDER BY id DESC LIMIT 1),
		    '{}')`, id).Scan(&units)
	if err != nil {
		return nil, false, fmt.Errorf("units of member %d: %w", id, err)
	}
	return units, deactivated, nil
}

// memberChange locks the member, checks that the administrator covers all of them and that
// they are active (unless inactiveOK), and runs fn in the transaction.
func (s *Store) memberChange(ctx context.Context, a Admin, id int64, inactiveOK bool, fn func(tx pgx.Tx, units []string) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		units, deactivated, err := lockMember(ctx, tx, id)
		if err != nil {
			return err
		}
		if !a.coversAll(units) {
			return fmt.Errorf("%w: member %d is also assigned outside it", ErrOutOfScope, id)
		}
		if deactivated && !inactiveOK {
			return fmt.Errorf("member %d: %w", id, ErrDeactivated)
		}
		return fn(tx, units)
	})
}

// AssignMember gives an active member a role at a unit in the administrator's subtree.
func (s *Store) AssignMember(ctx context.Context, a Admin, id int64, as Assignment) error {
	if err := a.checkAssignment(as); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, deactivated, err := lockMember(ctx, tx, id); err != nil {
			return err
		} else if deactivated {
			return fmt.Errorf("member %d: %w", id, ErrDeactivated)
		}
		if err := assignTx(ctx, tx, id, as); err != nil {
			return err
		}
		return audit(ctx, tx, a.By, "assignment.add", &id, []string{as.UnitCode}, map[string]string{"unit_code": as.UnitCode, "role": string(as.Role)})
	})
}

// UnassignMember removes one assignment in the administrator's subtree.
func (s *Store) UnassignMember(ctx context.Context, a Admin, id int64, as Assignment) error {
	if !a.covers(as.UnitCode) {
		return fmt.Errorf("%w: unit %s", ErrOutOfScope, as.UnitCode)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := unassignTx(ctx, tx, id, as); err != nil {
			return err
		}
		return audit(ctx, tx, a.By, "assignment.remove", &id, []string{as.UnitCode}, map[string]string{"unit_code": as.UnitCode, "role": string(as.Role)})
	})
}

// MoveAssignment moves one assignment to another unit of a level the role belongs at: a
// worker changing grids, or a flagged assignment of a retired unit finding its new unit.
func (s *Store) MoveAssignment(ctx context.Context, a Admin, id int64, from Assignment, to string) error {
	if !a.covers(from.UnitCode) {
		return fmt.Errorf("%w: unit %s", ErrOutOfScope, from.UnitCode)
	}
	next := Assignment{MemberID: id, UnitCode: to, Role: from.Role}
	if err := a.checkAssignment(next); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := unassignTx(ctx, tx, id, from); err != nil {
			return err
		}
		if err := assignTx(ctx, tx, id, next); err != nil {
			return err
		}
		return audit(ctx, tx, a.By, "assignment.move", &id, []string{from.UnitCode, to},
			map[string]string{"from": from.UnitCode, "to": to, "role": string(from.Role)})
	})
}

// DeactivateMember ends a member's work at once: every session is revoked (the hashes are
// returned, so the server closes their websockets), every assignment removed (and recorded);
// the member and their history stay, and their phone number stays theirs until released.
func (s *Store) DeactivateMember(ctx context.Context, a Admin, id int64) (sessions [][]byte, err error) {
	err = s.memberChange(ctx, a, id, false, func(tx pgx.Tx, units []string) error {
		rows, err := tx.Query(ctx, `DELETE FROM assignments WHERE member_id = $1 RETURNING member_id, unit_code, role`, id)
		if err != nil {
			return fmt.Errorf("deactivate: %w", err)
		}
		removed, err := pgx.CollectRows(rows, pgx.RowToStructByName[Assignment])
		if err != nil {
			return fmt.Errorf("deactivate: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE members SET deactivated_at = now() WHERE id = $1`, id); err != nil {
			return fmt.Errorf("deactivate: %w", err)
		}
		if sessions, err = revokeSessions(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, a.By, "member.deactivate", &id, units, map[string]any{"assignments": assignmentsJSON(removed), "sessions_ended": len(sessions)})
	})
	return sessions, err
}

func revokeSessions(ctx context.Context, tx pgx.Tx, id int64) ([][]byte, error) {
	rows, err := tx.Query(ctx, `UPDATE sessions SET revoked_at = now() WHERE member_id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING token_hash`, id)
	if err != nil {
		return nil, fmt.Errorf("revoke sessions: %w", err)
	}
	hashes, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("revoke sessions: %w", err)
	}
	return hashes, nil
}

// ReleasePhone frees a deactivated member's phone number for a new member: the explicit step
// after deactivation, since a number reused too early would give one person's reports, calls
// and verifications to another.
func (s *Store) ReleasePhone(ctx context.Context, a Admin, id int64) error {
	return s.memberChange(ctx, a, id, true, func(tx pgx.Tx, units []string) error {
		tag, err := tx.Exec(ctx, `UPDATE members SET phone_released_at = now() WHERE id = $1 AND deactivated_at IS NOT NULL AND phone_released_at IS NULL`, id)
		if err != nil {
			return fmt.Errorf("release phone: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: member %d is active, or their number was released already", ErrInvalidMember, id)
		}
		return audit(ctx, tx, a.By, "member.release_phone", &id, units, nil)
	})
}

// ResetPassword replaces an active member's password by a one-time code, good for
// ResetCodeLifetime, that signs in only to choose a new password; their sessions end. The code
// is returned once, to be given to the member, and stored only hashed.
func (s *Store) ResetPassword(ctx context.Context, a Admin, id int64) (code string, expires time.Time, sessions [][]byte, err error) {
	// The code is drawn and hashed once the member is locked and the administrator's scope
	// checked: a refused reset costs no bcrypt.
	err = s.memberChange(ctx, a, id, false, func(tx pgx.Tx, units []string) error {
		var err error
		if code, expires, err = setOneTimeCode(ctx, tx, id, passwordCost()); err != nil {
			return err
		}
		if sessions, err = revokeSessions(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, a.By, "password.reset", &id, units, map[string]any{"sessions_ended": len(sessions)})
	})
	return code, expires, sessions, err
}

// setOneTimeCode gives a member a new one-time code, good for ResetCodeLifetime, in place of
// their password.
func setOneTimeCode(ctx context.Context, tx pgx.Tx, id int64, cost int) (code string, expires time.Time, err error) {
	code, hash, err := newOneTimeCode(cost)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := tx.QueryRow(ctx, `UPDATE members SET password_hash = $2, must_change_password = true, reset_expires_at = now() + $3::interval
		WHERE id = $1 RETURNING reset_expires_at`, id, hash, ResetCodeLifetime.String()).Scan(&expires); err != nil {
		return "", time.Time{}, fmt.Errorf("one-time code: %w", err)
	}
	return code, expires, nil
}

// newOneTimeCode draws a one-time code and hashes it with bcrypt at cost: a reset's at the
// cost of passwords, a roster's many at a lower one (docs/roster.md).
func newOneTimeCode(cost int) (code, hash string, err error) {
	if code, err = newResetCode(); err != nil {
		return "", "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(code), cost)
	if err != nil {
		return "", "", fmt.Errorf("hash one-time code: %w", err)
	}
	return code, string(h), nil
}

// ChangeOwnPassword sets a member's password after checking the current one (or their
// one-time code); it ends a pending reset.
func (s *Store) ChangeOwnPassword(ctx context.Context, id int64, current, next string) error {
	if err := CheckPasswordRules(next); err != nil {
		return err
	}
	if next == current {
		return fmt.Errorf("%w: the new password must differ from the current one", ErrInvalidMember)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var old *string
		err := tx.QueryRow(ctx, `SELECT password_hash FROM members WHERE id = $1 AND deactivated_at IS NULL FOR UPDATE`, id).Scan(&old)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("member %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		if old == nil || !PasswordMatches(*old, current) {
			return ErrWrongPassword
		}
		// Hashed only once the current password is right: a wrong guess costs one bcrypt.
		hash, err := HashPassword(next)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE members SET password_hash = $2, must_change_password = false, reset_expires_at = NULL,
			password_changed_at = now() WHERE id = $1`, id, hash); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		units, _, err := lockMember(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, &id, "password.change", &id, units, nil)
	})
}

// ErrWrongPassword means the current password given is not the member's.
var ErrWrongPassword = errors.New("the current password is wrong")
