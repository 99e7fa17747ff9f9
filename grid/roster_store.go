package grid

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sync/errgroup"
)

// rosterCodeCost is the bcrypt cost of the one-time codes a roster import hands out: the
// lowest. A code is 49 random bits good for 72 hours, not a password people reuse, so even at
// cost 4 a leaked hash would take one GPU decades to break, while 100,000 codes hash in about
// two minutes of CPU rather than the four hours cost 11 would take (docs/roster.md).
const rosterCodeCost = bcrypt.MinCost

// refused is the error of a refused roster, wrapping ErrRosterRefused.
func refused(rep RosterReport) error {
	return fmt.Errorf("%w: %d problems; nothing written", ErrRosterRefused, len(rep.Problems)+rep.More)
}

// rosterUnit is what the check needs of a unit.
type rosterUnit struct {
	level   Level
	retired bool
}

// rosterMember is a member who holds a phone of the roster.
type rosterMember struct {
	id          int64
	name        string
	deactivated bool
	units       []string
	has         map[Assignment]bool // their assignments, MemberID left 0
}

// rosterPlan is what an import writes: new members with their assignments, and new
// assignments of existing members, in the order the file first names them.
type rosterPlan struct {
	newPhones []string
	newNames  map[string]string
	newAs     map[string][]Assignment // by phone
	oldIDs    []int64
	oldAs     map[int64][]Assignment
}

// ImportRoster checks every row of a roster against the grid and the members, and, when there
// is no problem and not dryRun, writes it in one transaction: members the file names for the
// first time are registered with a one-time code each (in the report, shown once), and members
// already registered under the same name get the assignments they do not have yet. Nothing is
// removed: importing the same roster again, or an export, changes nothing. With any problem
// nothing is written and the error wraps ErrRosterRefused; the report lists every problem. A
// dry run checks the same and reports what would be added, without codes.
func (s *Store) ImportRoster(ctx context.Context, a Admin, rows []RosterRow, dryRun bool) (RosterReport, error) {
	rep := RosterReport{DryRun: dryRun, Rows: len(rows)}
	if len(rows) > MaxRosterRows {
		return rep, fmt.Errorf("%w: %d rows, more than %d; split the file", ErrBadRoster, len(rows), MaxRosterRows)
	}
	if len(rows) == 0 {
		rep.addProblems([]RosterProblem{problem(0, "", "", ProblemEmpty, "the roster has no rows")})
		return rep, refused(rep)
	}
	opts := pgx.TxOptions{}
	if dryRun {
		opts.AccessMode = pgx.ReadOnly
	}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		ps, plan, err := planRoster(ctx, tx, a, rows)
		if err != nil {
			return err
		}
		rep.addProblems(ps)
		if len(rep.Problems) > 0 {
			return refused(rep)
		}
		rep.MembersAdded = len(plan.newPhones)
		for _, as := range plan.newAs {
			rep.AssignmentsAdded += len(as)
		}
		for _, as := range plan.oldAs {
			rep.AssignmentsAdded += len(as)
		}
		if dryRun {
			return nil
		}
		if rep.Codes, err = writeRoster(ctx, tx, a, plan); err != nil {
			return err
		}
		rep.Committed = true
		return nil
	})
	if err != nil {
		rep.Committed, rep.Codes = false, nil
	}
	return rep, err
}

// planRoster checks the rows against the database, with one query for the units and one for
// the members, and says what writing them would add.
func planRoster(ctx context.Context, tx pgx.Tx, a Admin, rows []RosterRow) ([]RosterProblem, rosterPlan, error) {
	problems := checkRosterRows(rows)
	units, err := rosterUnits(ctx, tx, rows)
	if err != nil {
		return nil, rosterPlan{}, err
	}
	members, err := rosterMembers(ctx, tx, rows)
	if err != nil {
		return nil, rosterPlan{}, err
	}
	plan := rosterPlan{newNames: map[string]string{}, newAs: map[string][]Assignment{}, oldAs: map[int64][]Assignment{}}
	planned := map[string]bool{} // phone, unit and role already in the plan
	for _, r := range rows {
		ok := true
		if r.UnitCode != "" {
			u, found := units[r.UnitCode]
			switch {
			case !a.covers(r.UnitCode):
				problems = append(problems, problem(r.Row, "unit_code", r.UnitCode, ProblemOutOfScope, "unit %s is outside what you administer", r.UnitCode))
			case !found:
				hint := ""
				if strings.ContainsAny(r.UnitCode, "eE.") {
					hint = "; Excel turned the code into a number and lost digits: format the column as text"
				}
				problems = append(problems, problem(r.Row, "unit_code", r.UnitCode, ProblemUnknownUnit, "no unit has code %s%s", r.UnitCode, hint))
			case u.retired:
				problems = append(problems, problem(r.Row, "unit_code", r.UnitCode, ProblemRetiredUnit, "unit %s was retired by a grid change; use the unit that replaced it", r.UnitCode))
			case r.Role.Valid() && !r.Role.AllowedAt(u.level):
				problems = append(problems, problem(r.Row, "role", string(r.Role), ProblemRoleLevel, "a %s (%s) cannot be assigned at a %s (%s)",
					roleNames[r.Role], r.Role, u.level, r.UnitCode))
			}
		}
		if m, found := members[r.Phone]; found && r.Phone != "" {
			switch {
			case m.deactivated:
				ok = false
				problems = append(problems, problem(r.Row, "phone", r.Phone, ProblemPhoneHeld,
					"phone %s belongs to deactivated member %d; release it first (member release-phone)", r.Phone, m.id))
			case m.name != r.Name && r.Name != "":
				ok = false
				who := "another name"
				if a.Roots == nil || slices.ContainsFunc(m.units, a.covers) {
					who = m.name
				}
				problems = append(problems, problem(r.Row, "name", r.Name, ProblemNameMismatch,
					"phone %s is registered to member %d under %s", r.Phone, m.id, who))
			}
		}
		if !ok || len(problems) > 0 {
			continue // no plan is needed once the roster is refused
		}
		as := Assignment{UnitCode: r.UnitCode, Role: r.Role}
		key := r.Phone + " " + r.UnitCode + " " + string(r.Role)
		if planned[key] {
			continue
		}
		planned[key] = true
		if m, found := members[r.Phone]; found {
			if !m.has[as] {
				if len(plan.oldAs[m.id]) == 0 {
					plan.oldIDs = append(plan.oldIDs, m.id)
				}
				as.MemberID = m.id
				plan.oldAs[m.id] = append(plan.oldAs[m.id], as)
			}
			continue
		}
		if _, found := plan.newNames[r.Phone]; !found {
			plan.newPhones = append(plan.newPhones, r.Phone)
			plan.newNames[r.Phone] = r.Name
		}
		plan.newAs[r.Phone] = append(plan.newAs[r.Phone], as)
	}
	return problems, plan, nil
}

// rosterUnits reads the units the rows name, in one query.
func rosterUnits(ctx context.Context, tx pgx.Tx, rows []RosterRow) (map[string]rosterUnit, error) {
	codes := distinct(rows, func(r RosterRow) string { return r.UnitCode })
	out := make(map[string]rosterUnit, len(codes))
	rs, err := tx.Query(ctx, `SELECT code, level, retired_at IS NOT NULL FROM units WHERE code = ANY($1::text[])`, codes)
	if err != nil {
		return nil, fmt.Errorf("roster units: %w", err)
	}
	var code string
	var u rosterUnit
	_, err = pgx.ForEachRow(rs, []any{&code, &u.level, &u.retired}, func() error { out[code] = u; return nil })
	if err != nil {
		return nil, fmt.Errorf("roster units: %w", err)
	}
	return out, nil
}

// rosterMembers reads who holds the rows' phones, with their assignments, in one query.
func rosterMembers(ctx context.Context, tx pgx.Tx, rows []RosterRow) (map[string]*rosterMember, error) {
	phones := distinct(rows, func(r RosterRow) string {
		if CheckPhone(r.Phone) != nil {
			return ""
		}
		return r.Phone
	})
	out := map[string]*rosterMember{}
	rs, err := tx.Query(ctx, `
		SELECT m.phone, m.id, m.name, m.deactivated_at IS NOT NULL,
		       coalesce(array_agg(a.unit_code) FILTER (WHERE a.unit_code IS NOT NULL), '{}'),
		       coalesce(array_agg(a.role) FILTER (WHERE a.unit_code IS NOT NULL), '{}')
		FROM members m LEFT JOIN assignments a ON a.member_id = m.id
		WHERE m.phone = ANY($1::text[]) AND m.phone_released_at IS NULL
		GROUP BY m.id`, phones)
	if err != nil {
		return nil, fmt.Errorf("roster members: %w", err)
	}
	var phone string
	var roles []string
	m := rosterMember{}
	_, err = pgx.ForEachRow(rs, []any{&phone, &m.id, &m.name, &m.deactivated, &m.units, &roles}, func() error {
		x := m
		x.units = slices.Clone(m.units)
		x.has = make(map[Assignment]bool, len(roles))
		for i, r := range roles {
			x.has[Assignment{UnitCode: x.units[i], Role: Role(r)}] = true
		}
		out[phone] = &x
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("roster members: %w", err)
	}
	return out, nil
}

func distinct(rows []RosterRow, key func(RosterRow) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if k := key(r); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// writeRoster writes the plan: the new members with their codes in one INSERT, the
// assignments and the audit entries by COPY.
func writeRoster(ctx context.Context, tx pgx.Tx, a Admin, plan rosterPlan) ([]RosterCode, error) {
	codes := make([]RosterCode, len(plan.newPhones))
	hashes := make([]string, len(plan.newPhones))
	names := make([]string, len(plan.newPhones))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, phone := range plan.newPhones {
		names[i] = plan.newNames[phone]
		codes[i] = RosterCode{Phone: phone, Name: names[i]}
		g.Go(func() (err error) {
			codes[i].Code, hashes[i], err = newOneTimeCode(rosterCodeCost)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	rs, err := tx.Query(ctx, `
		INSERT INTO members (phone, name, password_hash, must_change_password, reset_expires_at)
		SELECT p, n, h, true, now() + $4::interval FROM unnest($1::text[], $2::text[], $3::text[]) AS x (p, n, h)
		RETURNING phone, id, reset_expires_at`, plan.newPhones, names, hashes, ResetCodeLifetime.String())
	if err != nil {
		return nil, fmt.Errorf("roster members: %w", err)
	}
	index := make(map[string]int, len(codes))
	for i, c := range codes {
		index[c.Phone] = i
	}
	var phone string
	var id int64
	var expires time.Time
	_, err = pgx.ForEachRow(rs, []any{&phone, &id, &expires}, func() error {
		codes[index[phone]].MemberID, codes[index[phone]].ExpiresAt = id, expires
		return nil
	})
	if isUniqueViolation(err) {
		return nil, fmt.Errorf("%w: a phone of the roster was registered while it was imported; import it again", ErrDuplicatePhone)
	}
	if err != nil {
		return nil, fmt.Errorf("roster members: %w", err)
	}

	var assignments, entries [][]any
	source := "roster"
	for _, c := range codes {
		as := plan.newAs[c.Phone]
		units := make([]string, len(as))
		for i, x := range as {
			units[i] = x.UnitCode
			assignments = append(assignments, []any{c.MemberID, x.UnitCode, string(x.Role)})
		}
		entries = append(entries, auditRow(a, "member.add", c.MemberID, units,
			map[string]any{"source": source, "phone": c.Phone, "name": c.Name, "assignments": assignmentsJSON(as)}))
	}
	for _, id := range plan.oldIDs {
		for _, x := range plan.oldAs[id] {
			assignments = append(assignments, []any{id, x.UnitCode, string(x.Role)})
			entries = append(entries, auditRow(a, "assignment.add", id, []string{x.UnitCode},
				map[string]any{"source": source, "unit_code": x.UnitCode, "role": string(x.Role)}))
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"assignments"}, []string{"member_id", "unit_code", "role"}, pgx.CopyFromRows(assignments)); err != nil {
		if isUniqueViolation(err) {
			return nil, fmt.Errorf("%w: an assignment of the roster was added while it was imported; import it again", ErrInvalidMember)
		}
		return nil, fmt.Errorf("roster assignments: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_log"}, []string{"actor_id", "action", "member_id", "units", "detail"}, pgx.CopyFromRows(entries)); err != nil {
		return nil, fmt.Errorf("roster audit: %w", err)
	}
	return codes, nil
}

func auditRow(a Admin, action string, member int64, units []string, detail map[string]any) []any {
	return []any{a.By, action, member, units, detail}
}

// ExportRoster writes the roster of root's subtree (root "": every subtree the administrator
// administers, everything for the command line): one row per assignment of an active member at
// a current unit, ordered by unit, role and phone, with the unit's name for people and the
// role's Chinese name. A CSV starts with a byte-order mark, so that Excel reads it as UTF-8.
// Assignments left on retired units by a change set are not in it (member list --flagged):
// importing them would be refused. It returns the number of rows.
func (s *Store) ExportRoster(ctx context.Context, a Admin, root string, format RosterFormat, w io.Writer) (int, error) {
	if err := checkRoot(root); err != nil {
		return 0, err
	}
	patterns := a.rootPatterns()
	if root != "" {
		if !a.covers(root) {
			return 0, fmt.Errorf("%w: unit %s", ErrOutOfScope, root)
		}
		patterns = []string{root + "%"}
	}
	var out rosterWriter
	switch format {
	case RosterCSV:
		out = newCSVRoster(w)
	case RosterXLSX:
		x, err := newXLSXRoster(w)
		if err != nil {
			return 0, err
		}
		out = x
	default:
		return 0, fmt.Errorf("%w: format %q; want xlsx or csv", ErrBadRoster, format)
	}
	defer out.Close()
	if err := out.Row(exportHeader); err != nil {
		return 0, err
	}
	rs, err := s.pool.Query(ctx, `
		SELECT m.phone, m.name, a.unit_code, u.name, a.role
		FROM assignments a JOIN members m ON m.id = a.member_id JOIN units u ON u.code = a.unit_code
		WHERE a.unit_code LIKE ANY($1) AND u.retired_at IS NULL AND m.deactivated_at IS NULL
		ORDER BY a.unit_code, a.role COLLATE "C", m.phone COLLATE "C"`, patterns)
	if err != nil {
		return 0, fmt.Errorf("export roster: %w", err)
	}
	n := 0
	rec := make([]string, 5)
	var role string
	_, err = pgx.ForEachRow(rs, []any{&rec[0], &rec[1], &rec[2], &rec[3], &role}, func() error {
		rec[4] = Role(role).ChineseName()
		n++
		return out.Row(rec)
	})
	if err != nil {
		return 0, fmt.Errorf("export roster: %w", err)
	}
	return n, out.Flush()
}

type rosterWriter interface {
	Row([]string) error
	Flush() error
	Close() error
}

type csvRoster struct {
	w   io.Writer
	cw  *csv.Writer
	bom bool
}

func newCSVRoster(w io.Writer) *csvRoster {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // Excel's own
	return &csvRoster{w: w, cw: cw}
}

func (c *csvRoster) Row(rec []string) error {
	if !c.bom {
		c.bom = true
		if _, err := io.WriteString(c.w, "\uFEFF"); err != nil {
			return err
		}
	}
	return c.cw.Write(rec)
}

func (c *csvRoster) Flush() error { c.cw.Flush(); return c.cw.Error() }
func (c *csvRoster) Close() error { return nil }

// xlsxRoster streams the rows into the sheet 花名册, every cell text: Excel shows a phone or a
// code as typed, never as 1.39E+10.
type xlsxRoster struct {
	w  io.Writer
	f  *excelize.File
	sw *excelize.StreamWriter
	n  int
}

const rosterSheet = "花名册"

func newXLSXRoster(w io.Writer) (*xlsxRoster, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", rosterSheet); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	sw, err := f.NewStreamWriter(rosterSheet)
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	for i, width := range []float64{14, 10, 20, 28, 10} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return nil, errors.Join(err, f.Close())
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return &xlsxRoster{w: w, f: f, sw: sw}, nil
}

func (x *xlsxRoster) Row(rec []string) error {
	x.n++
	cell, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	values := make([]any, len(rec))
	for i, v := range rec {
		values[i] = v
	}
	return x.sw.SetRow(cell, values)
}

func (x *xlsxRoster) Flush() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.w)
	return err
}

func (x *xlsxRoster) Close() error { return x.f.Close() }
