package grid

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// rootPatterns are LIKE patterns of the administrator's subtrees ('%' for the command line).
func (a Admin) rootPatterns() []string {
	if a.Roots == nil {
		return []string{"%"}
	}
	out := make([]string, len(a.Roots))
	for i, r := range a.Roots {
		out[i] = r + "%"
	}
	return out
}

// selectMembers lists the members an administrator sees: assigned in their subtrees, or (with
// inactive) deactivated after being there, matching the query. The count comes with each row.
const selectMembers = `
WITH seen AS (
    SELECT m.id FROM members m
    WHERE (EXISTS (SELECT 1 FROM assignments a WHERE a.member_id = m.id AND a.unit_code LIKE ANY($1)
                   AND ($3 = '' OR a.unit_code LIKE $3 || '%') AND ($4 = '' OR a.role = $4)
                   AND (NOT $6 OR a.flagged_by IS NOT NULL))
           OR $5 AND m.deactivated_at IS NOT NULL AND $3 = '' AND $4 = '' AND NOT $6 AND EXISTS (
               SELECT 1 FROM audit_log l, unnest(l.units) u WHERE l.member_id = m.id AND u LIKE ANY($1)))
      AND ($2 = '' OR m.name LIKE '%' || $2 || '%' OR m.phone LIKE $2 || '%')
      AND ($5 OR m.deactivated_at IS NULL)
)
SELECT m.id, m.phone, m.name, m.deactivated_at, m.phone_released_at IS NOT NULL, m.must_change_password,
       coalesce((SELECT json_agg(json_build_object('unit_code', a.unit_code, 'unit_name', u.name, 'role', a.role,
                     'flagged', a.flagged_by IS NOT NULL, 'retired', u.retired_at IS NOT NULL) ORDER BY a.unit_code, a.role)
                 FROM assignments a JOIN units u ON u.code = a.unit_code WHERE a.member_id = m.id), '[]'),
       count(*) OVER ()
FROM members m JOIN seen USING (id)
ORDER BY m.deactivated_at IS NOT NULL, m.name, m.id
LIMIT $7 OFFSET $8`

// SearchMembers lists the members the administrator sees, a page at a time, with the number
// of all that match.
func (s *Store) SearchMembers(ctx context.Context, a Admin, q MemberQuery) ([]MemberInfo, int, error) {
	if err := checkRoot(q.Unit); err != nil {
		return nil, 0, err
	}
	if q.Role != "" && !q.Role.Valid() {
		return nil, 0, fmt.Errorf("%w: unknown role %q", ErrInvalidMember, q.Role)
	}
	if q.Limit <= 0 || q.Limit > MaxMemberPage {
		q.Limit = MaxMemberPage
	}
	text := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.TrimSpace(q.Text))
	rows, err := s.pool.Query(ctx, selectMembers, a.rootPatterns(), text, q.Unit, string(q.Role), q.Inactive, q.Flagged, q.Limit, max(q.Offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("search members: %w", err)
	}
	defer rows.Close()
	var out []MemberInfo
	total := 0
	for rows.Next() {
		var m MemberInfo
		var as []byte
		if err := rows.Scan(&m.ID, &m.Phone, &m.Name, &m.DeactivatedAt, &m.PhoneReleased, &m.MustChangePassword, &as, &total); err != nil {
			return nil, 0, fmt.Errorf("search members: %w", err)
		}
		var list []struct {
			UnitCode string `json:"unit_code"`
			UnitName string `json:"unit_name"`
			Role     Role   `json:"role"`
			Flagged  bool   `json:"flagged"`
			Retired  bool   `json:"retired"`
		}
		if err := json.Unmarshal(as, &list); err != nil {
			return nil, 0, fmt.Errorf("search members: %w", err)
		}
		for _, x := range list {
			m.Assignments = append(m.Assignments, AssignmentInfo(x))
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// AuditEntry is one entry of the audit log, with the names of who did it and to whom.
type AuditEntry struct {
	ID         int64           `db:"id"`
	At         time.Time       `db:"at"`
	ActorID    *int64          `db:"actor_id"`
	ActorName  string          `db:"actor_name"` // "" for the command line
	Action     string          `db:"action"`
	MemberID   *int64          `db:"member_id"`
	MemberName string          `db:"member_name"`
	Units      []string        `db:"units"`
	Detail     json.RawMessage `db:"detail"`
}

// AuditQuery filters the audit log: one member's entries, one action, entries before an ID
// (the next page), at most Limit.
type AuditQuery struct {
	Member int64
	Action string
	Before int64
	Limit  int
}

// MaxAuditPage bounds one page of the audit log.
const MaxAuditPage = 1000

const selectAudit = `
SELECT l.id, l.at, l.actor_id, coalesce(a.name, '') AS actor_name, l.action, l.member_id, coalesce(m.name, '') AS member_name,
       l.units, l.detail
FROM audit_log l LEFT JOIN members a ON a.id = l.actor_id LEFT JOIN members m ON m.id = l.member_id
WHERE EXISTS (SELECT 1 FROM unnest(l.units) u WHERE u LIKE ANY($1))
  AND ($2 = 0 OR l.member_id = $2) AND ($3 = '' OR l.action = $3) AND ($4 = 0 OR l.id < $4)
ORDER BY l.id DESC
LIMIT $5`

// AuditLog reads the entries about the administrator's subtrees, newest first.
func (s *Store) AuditLog(ctx context.Context, a Admin, q AuditQuery) ([]AuditEntry, error) {
	if q.Limit <= 0 || q.Limit > MaxAuditPage {
		q.Limit = MaxAuditPage
	}
	rows, err := s.pool.Query(ctx, selectAudit, a.rootPatterns(), q.Member, q.Action, q.Before, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	entries, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditEntry])
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return entries, nil
}
