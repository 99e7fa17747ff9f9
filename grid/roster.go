package grid

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A roster is the spreadsheet a county keeps of its people: one row per assignment, phone,
// name, unit code and role (docs/roster.md). It is read (ReadRoster), checked all at once and
// imported all or nothing (Store.ImportRoster), and exported in the same shape
// (Store.ExportRoster), so that importing an export changes nothing.

// RosterFormat is the file format of a roster.
type RosterFormat string

// The roster formats.
const (
	RosterXLSX RosterFormat = "xlsx"
	RosterCSV  RosterFormat = "csv"
)

// RosterRow is one assignment of a roster. Row is its row in the file, counting the header,
// as Excel numbers it.
type RosterRow struct {
	Row      int
	Phone    string
	Name     string
	UnitCode string
	Role     Role
}

// RosterProblem is one thing wrong with a roster: where (Row, and Column as one of phone,
// name, unit_code, role, or "" for the whole row or file), the value found, a Kind among the
// Problem constants below and a message for people.
type RosterProblem struct {
	Row     int
	Column  string
	Value   string
	Kind    string
	Message string
}

// The kinds of roster problems (docs/admin-api.md, "Roster").
const (
	ProblemBadHeader      = "bad_header"      // a column missing or given twice
	ProblemEmpty          = "empty"           // a required cell empty, or no rows at all
	ProblemBadPhone       = "bad_phone"       // not an 11-digit mainland mobile number
	ProblemBadName        = "bad_name"        // longer than MaxMemberNameLength, or control characters
	ProblemBadRole        = "bad_role"        // not a role's code or Chinese name
	ProblemRoleLevel      = "role_level"      // the role does not belong at the unit's level
	ProblemUnknownUnit    = "unknown_unit"    // no unit has the code
	ProblemRetiredUnit    = "retired_unit"    // the unit was retired by a change set
	ProblemOutOfScope     = "out_of_scope"    // the unit is outside what the administrator administers
	ProblemDuplicatePhone = "duplicate_phone" // the file gives the phone to two names
	ProblemPhoneHeld      = "phone_held"      // a deactivated member still holds the phone
	ProblemNameMismatch   = "name_mismatch"   // the phone is a member's under another name
)

// RosterCode is the one-time code of a member the import registered, to hand to them.
type RosterCode struct {
	MemberID  int64
	Phone     string
	Name      string
	Code      string
	ExpiresAt time.Time
}

// RosterReport says what an import did or would do. Problems are the first
// MaxReportedProblems, in row order; More counts those left out.
type RosterReport struct {
	DryRun           bool
	Committed        bool
	Rows             int
	MembersAdded     int
	AssignmentsAdded int
	Problems         []RosterProblem
	More             int
	Codes            []RosterCode
}

// ErrRosterRefused means the roster has problems, which the report lists; nothing was written.
var ErrRosterRefused = errors.New("roster refused")

// ErrBadRoster means the file cannot be read as a roster at all: not an xlsx workbook, text
// in no encoding we read, too large.
var ErrBadRoster = errors.New("roster not readable")

// Bounds of a roster: rows (not counting the header and blank rows) and bytes of the file.
// A report lists MaxReportedProblems problems and counts the rest in More.
const (
	MaxRosterRows  = 200_000
	MaxRosterBytes = 64 << 20
)

// rosterColumns are the columns a roster needs, as problems name them.
var rosterColumns = []string{"phone", "name", "unit_code", "role"}

// rosterHeaders are the header names read for each column, compared without case and spaces.
var rosterHeaders = map[string]string{
	"手机号": "phone", "手机号码": "phone", "phone": "phone",
	"姓名": "name", "name": "name",
	"单位代码": "unit_code", "网格编码": "unit_code", "unit_code": "unit_code",
	"角色": "role", "role": "role",
}

// exportHeader is what ExportRoster writes: the four columns with the unit's name, for people,
// before the role. Import ignores the name.
var exportHeader = []string{"手机号", "姓名", "单位代码", "单位名称", "角色"}

// roleNames are the Chinese names of the roles, as rosters and the UI write them.
var roleNames = map[Role]string{
	RoleGridWorker:  "网格员",
	RoleGridLeader:  "网格长",
	RoleInfoOfficer: "网格信息员",
	RoleMediator:    "调解员",
	RoleSupervisor:  "督导",
	RoleAdmin:       "管理员",
}

// ChineseName is the role's name in Chinese (网格员 for grid_worker).
func (r Role) ChineseName() string { return roleNames[r] }

// parseRosterRole reads a role's code (any case) or its Chinese name.
func parseRosterRole(s string) (Role, bool) {
	if r := Role(strings.ToLower(s)); r.Valid() {
		return r, true
	}
	for r, n := range roleNames {
		if n == s {
			return r, true
		}
	}
	return "", false
}

// normaliseDigits turns full-width digits (０-９, typed with a Chinese input method) into
// ASCII and drops spaces and hyphens, which people put in phone numbers and codes to read them.
func normaliseDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + r - '０'
		case r == ' ' || r == '-' || r == '\u3000' || r == '－':
			return -1
		}
		return r
	}, s)
}

// numberCell undoes what Excel and other writers do to a long number in a cell formatted
// "General": 13912345678 stored as a number may come back as 13912345678.0 or
// 1.3912345678E+10. It is turned back into its digits only when none were lost: Excel's CSV
// writes what the cell shows, 1.39123E+10, and that stays as it is, to be refused.
func numberCell(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e < 0 || e > 20 {
			return s
		}
		mant, exp = s[:i], e
	}
	whole, frac, _ := strings.Cut(mant, ".")
	digits := whole + frac
	if whole == "" || strings.Trim(digits, "0123456789") != "" {
		return s
	}
	point := len(whole) + exp
	if point > len(digits) || strings.Trim(digits[point:], "0") != "" {
		return s // digits lost to the exponent, or a fraction: not a phone or a code
	}
	return digits[:point]
}

// cleanCell trims a cell: spaces (also the ideographic space) and a byte-order mark.
func cleanCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

// newRosterRow reads one row's cells, as strings, into a RosterRow: trimmed, digits made
// ASCII, Excel's numbers undone, a role's Chinese name made its code. An unknown role is kept
// as written, for checkRosterRow to report.
func newRosterRow(row int, phone, name, unit, role string) RosterRow {
	r := RosterRow{Row: row,
		Phone:    normaliseDigits(numberCell(cleanCell(phone))),
		Name:     cleanCell(name),
		UnitCode: normaliseDigits(numberCell(cleanCell(unit))),
	}
	role = cleanCell(role)
	if x, ok := parseRosterRole(role); ok {
		r.Role = x
	} else {
		r.Role = Role(role)
	}
	return r
}

// maxProblemValue bounds the value quoted in a problem: a report quotes cells, not files.
const maxProblemValue = 64

func problem(row int, column, value, kind, format string, args ...any) RosterProblem {
	if utf8.RuneCountInString(value) > maxProblemValue {
		value = string([]rune(value)[:maxProblemValue]) + "…"
	}
	return RosterProblem{Row: row, Column: column, Value: value, Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// checkRosterRow finds what is wrong with one row by itself, without the database.
func checkRosterRow(r RosterRow) []RosterProblem {
	var out []RosterProblem
	switch {
	case r.Phone == "":
		out = append(out, problem(r.Row, "phone", "", ProblemEmpty, "the phone number is empty"))
	case strings.ContainsAny(r.Phone, "eE") && strings.ContainsAny(r.Phone, "+."):
		out = append(out, problem(r.Row, "phone", r.Phone, ProblemBadPhone,
			"Excel turned the number into scientific notation and lost digits; format the column as text and type it again"))
	case CheckPhone(r.Phone) != nil:
		out = append(out, problem(r.Row, "phone", r.Phone, ProblemBadPhone, "not an 11-digit mainland mobile number (13… to 19…)"))
	}
	switch n := utf8.RuneCountInString(r.Name); {
	case n == 0:
		out = append(out, problem(r.Row, "name", "", ProblemEmpty, "the name is empty"))
	case n > MaxMemberNameLength:
		out = append(out, problem(r.Row, "name", r.Name, ProblemBadName, "a name has at most %d characters, this one %d", MaxMemberNameLength, n))
	case strings.IndexFunc(r.Name, unicode.IsControl) >= 0 || strings.ContainsRune(r.Name, utf8.RuneError):
		out = append(out, problem(r.Row, "name", r.Name, ProblemBadName, "the name holds control characters or damaged text"))
	}
	if r.UnitCode == "" {
		out = append(out, problem(r.Row, "unit_code", "", ProblemEmpty, "the unit code is empty"))
	}
	switch {
	case r.Role == "":
		out = append(out, problem(r.Row, "role", "", ProblemEmpty, "the role is empty"))
	case !r.Role.Valid():
		out = append(out, problem(r.Row, "role", string(r.Role), ProblemBadRole, "unknown role; use one of %s", roleList()))
	}
	return out
}

func roleList() string {
	var out []string
	for _, r := range []Role{RoleGridWorker, RoleGridLeader, RoleInfoOfficer, RoleMediator, RoleSupervisor, RoleAdmin} {
		out = append(out, roleNames[r]+" ("+string(r)+")")
	}
	return strings.Join(out, ", ")
}

// checkRosterRows finds what is wrong with the rows without the database: each row by itself,
// and phones given to two names. The same phone and name on several rows are several
// assignments of one member; the same row twice is one assignment.
func checkRosterRows(rows []RosterRow) []RosterProblem {
	var out []RosterProblem
	first := make(map[string]RosterRow, len(rows))
	for _, r := range rows {
		out = append(out, checkRosterRow(r)...)
		if r.Phone == "" || r.Name == "" {
			continue
		}
		if f, ok := first[r.Phone]; !ok {
			first[r.Phone] = r
		} else if f.Name != r.Name {
			out = append(out, problem(r.Row, "name", r.Name, ProblemDuplicatePhone,
				"row %d gives phone %s to %s; one phone is one person", f.Row, r.Phone, f.Name))
		}
	}
	return out
}

// NewRosterReport is the report of a roster refused before the database saw it: when
// ReadRoster finds a bad header or no rows, it returns no rows and these problems.
func NewRosterReport(dryRun bool, problems []RosterProblem) RosterReport {
	rep := RosterReport{DryRun: dryRun}
	rep.addProblems(problems)
	return rep
}

// addProblems sorts the problems by row and column and keeps the first MaxReportedProblems.
func (rep *RosterReport) addProblems(ps []RosterProblem) {
	ps = append(rep.Problems, ps...)
	col := func(c string) int { return slices.Index(rosterColumns, c) }
	slices.SortStableFunc(ps, func(a, b RosterProblem) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return col(a.Column) - col(b.Column)
	})
	if len(ps) > MaxReportedProblems {
		rep.More += len(ps) - MaxReportedProblems
		ps = ps[:MaxReportedProblems:MaxReportedProblems]
	}
	rep.Problems = ps
}

// Lines are the report for people: one line per problem, then a summary.
func (rep RosterReport) Lines() []string {
	var out []string
	for _, p := range rep.Problems {
		col, val := p.Column, p.Value
		if col == "" {
			col = "-"
		}
		if val == "" {
			val = "-"
		}
		out = append(out, fmt.Sprintf("row %d  %s  %s  %s  %s", p.Row, col, val, p.Kind, p.Message))
	}
	if rep.More > 0 {
		out = append(out, fmt.Sprintf("… and %d more problems", rep.More))
	}
	verb := "added"
	switch {
	case len(rep.Problems) > 0:
		out = append(out, fmt.Sprintf("%d rows, %d problems: refused, nothing written", rep.Rows, len(rep.Problems)+rep.More))
		return out
	case !rep.Committed:
		verb = "would be added (dry run, nothing written)"
	}
	out = append(out, fmt.Sprintf("%d rows: %d members and %d assignments %s", rep.Rows, rep.MembersAdded, rep.AssignmentsAdded, verb))
	return out
}
