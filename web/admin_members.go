package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/griddispatch/griddispatch/grid"
)

// adminMemberJSON is a member as the admin routes show them (docs/admin-api.md).
type adminMemberJSON struct {
	ID                 int64                 `json:"id"`
	Phone              string                `json:"phone"`
	Name               string                `json:"name"`
	DeactivatedAt      *time.Time            `json:"deactivated_at"`
	PhoneReleased      bool                  `json:"phone_released"`
	MustChangePassword bool                  `json:"must_change_password"`
	Assignments        []adminAssignmentJSON `json:"assignments"`
}

type adminAssignmentJSON struct {
	UnitCode string    `json:"unit_code"`
	UnitName string    `json:"unit_name"`
	Role     grid.Role `json:"role"`
	Flagged  bool      `json:"flagged"`
	Retired  bool      `json:"retired"`
}

func adminMemberOf(m grid.MemberInfo) adminMemberJSON {
	out := adminMemberJSON{ID: m.ID, Phone: m.Phone, Name: m.Name, DeactivatedAt: m.DeactivatedAt,
		PhoneReleased: m.PhoneReleased, MustChangePassword: m.MustChangePassword, Assignments: []adminAssignmentJSON{}}
	for _, a := range m.Assignments {
		out.Assignments = append(out.Assignments, adminAssignmentJSON(a))
	}
	return out
}

// maxSearchText bounds the member and unit searches' text, in bytes.
const maxSearchText = 100

// handleMembers: GET /api/admin/members?q=&unit=&role=&flagged=1&inactive=1&limit=&offset=.
func (s *Server) handleMembers(w http.ResponseWriter, r *http.Request) {
	a, acc := adminFrom(r.Context())
	q := r.URL.Query()
	mq := grid.MemberQuery{Text: q.Get("q"), Unit: q.Get("unit"), Role: grid.Role(q.Get("role")),
		Flagged: q.Get("flagged") == "1", Inactive: q.Get("inactive") == "1"}
	err := checkSearchText("q", mq.Text)
	if err == nil && mq.Unit != "" {
		err = acc.unitInScope("unit", mq.Unit)
	}
	if err == nil && mq.Role != "" && !mq.Role.Valid() {
		err = &FieldError{Field: "role", Message: fmt.Sprintf("not a role: %s", quoteShort(string(mq.Role)))}
	}
	limit, offset := int64(0), int64(0)
	if err == nil {
		limit, err = queryInt(q.Get("limit"), "limit", grid.MaxMemberPage, 1, grid.MaxMemberPage)
	}
	if err == nil {
		offset, err = queryInt(q.Get("offset"), "offset", 0, 0, 1<<31)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	mq.Limit, mq.Offset = int(limit), int(offset)
	list, total, err := s.auth.grid.SearchMembers(r.Context(), a, mq)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	out := make([]adminMemberJSON, len(list))
	for i, m := range list {
		out[i] = adminMemberOf(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out, "total": total})
}

func checkSearchText(field, text string) error {
	if len(text) > maxSearchText || strings.ContainsRune(text, 0) || !utf8.ValidString(text) {
		return &FieldError{Field: field, Message: fmt.Sprintf("at most %d bytes of text", maxSearchText)}
	}
	return nil
}

const maxMemberBody = 16 << 10

type memberAddJSON struct {
	Phone       string           `json:"phone"`
	Name        string           `json:"name"`
	Assignments []assignmentJSON `json:"assignments"`
}

// maxAddAssignments bounds one new member's assignments.
const maxAddAssignments = 50

// handleMemberAdd: POST /api/admin/members -> 201 with the member and a one-time code to hand
// to them (their password is theirs to choose with it).
func (s *Server) handleMemberAdd(w http.ResponseWriter, r *http.Request) {
	a, acc := adminFrom(r.Context())
	var req memberAddJSON
	if err := decodeJSON(w, r, maxMemberBody, &req); err != nil {
		writeError(w, s.logger, err)
		return
	}
	err := checkNewMember(acc, req)
	var m grid.Member
	var code string
	var expires time.Time
	if err == nil {
		as := make([]grid.Assignment, len(req.Assignments))
		for i, x := range req.Assignments {
			as[i] = grid.Assignment{UnitCode: x.UnitCode, Role: x.Role}
		}
		// A new member has no password: the code, given in the same transaction, is how they
		// choose one.
		m, code, expires, err = s.auth.grid.AddMemberWithCode(r.Context(), a, req.Phone, req.Name, as)
	}
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	info, err := s.memberInfo(r, a, m)
	if err != nil {
		writeError(w, s.logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"member": adminMemberOf(info), "code": code, "code_expires_at": expires})
}

// checkNewMember names the field at fault in a new member, before the store checks the rest.
func checkNewMember(acc access, req memberAddJSON) error {
	if err := grid.CheckPhone(req.Phone); err != nil {
		return &FieldError{Field: "phone", Message: err.Error()}
	}
	if err := grid.CheckMember(req.Phone, req.Name); err != nil || strings.ContainsRune(req.Name, 0) {
		return &FieldError{Field: "name", Message: fmt.Sprintf("a name of 1 to %d characters", grid.MaxMemberNameLength)}
	}
	switch n := len(req.Assignments); {
	case n == 0:
		return &FieldError{Field: "assignments", Message: "a member needs at least one assignment (a role at a unit)"}
	case n > maxAddAssignments:
		return &FieldError{Field: "assignments", Message: fmt.Sprintf("at most %d", maxAddAssignments)}
	}
	for i, x := range req.Assignments {
		if err := checkAssignment(acc, fmt.Sprintf("assignments[%d].", i), x.UnitCode, x.Role); err != nil {
			return err
		}
	}
	return nil
}

// checkAssignment checks a role at a unit: the unit in scope, the role known and allowed at
// the unit's level. prefix is the fields' path in the body.
func checkAssignment(acc access, prefix, unit string, role grid.Role) error {
	if err := acc.unitInScope(prefix+"unit_code", unit); err != nil {
		return err
	}
	if !role.Valid() {
		return &FieldError{Field: prefix + "role", Message: fmt.Sprintf("not a role: %s", quoteShort(string(role)))}
	}
	if l := grid.LevelOfCode(unit); !role.AllowedAt(l) {
		return &FieldError{Field: prefix + "role", Message: fmt.Sprintf("a %s cannot be assigned at a %s", role, l)}
	}
	return nil
}

// memberInfo reads a member as the admin routes show them.
func (s *Server) memberInfo(r *http.Request, a grid.Admin, m grid.Member) (grid.MemberInfo, error) {
	list, _, err := s.auth.grid.SearchMembers(r.Context(), a, grid.MemberQuery{Text: m.Phone, Inactive: true, Limit: 10})
	if err != nil {
		return grid.MemberInfo{}, err
	}
	for _, x := range list {
		if x.ID == m.ID {
			return x, nil
		}
	}
	return grid.MemberInfo{}, fmt.Errorf("member %d: %w", m.ID, grid.ErrNotFound)
}
