package grid_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/griddispatch/griddispatch/grid"
)

// csvRoster writes records as a CSV file, with a byte-order mark.
func csvRoster(t testing.TB, recs [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xlsxRoster writes rows of cells (strings, numbers) as the first sheet of a workbook.
func xlsxRoster(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func problemList(ps []grid.RosterProblem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %s %s", p.Row, p.Column, p.Kind))
	}
	return out
}

// Reading: headers in either language and any order, title rows, Excel's numbers, full-width
// digits, roles by Chinese name, GBK text; and the files that are not rosters at all.
func TestReadRoster(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("手机号,姓名,单位代码,角色\r\n13900000001,王芳,140802001001001,网格员\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := grid.RosterRow{Row: 2, Phone: "13900000001", Name: "王芳", UnitCode: "140802001001001", Role: grid.RoleGridWorker}
	for _, tc := range []struct {
		name   string
		format grid.RosterFormat
		file   []byte
		row    grid.RosterRow // the first row read
		kinds  []string       // the problems
		err    error
	}{
		{name: "chinese header", format: grid.RosterCSV, row: want,
			file: csvRoster(t, [][]string{{"手机号", "姓名", "单位代码", "角色"}, {"13900000001", " 王芳 ", "140802001001001", "网格员"}})},
		{name: "english header in another order, extra columns", format: grid.RosterCSV, row: grid.RosterRow{Row: 3, Phone: "13900000001", Name: "王芳", UnitCode: "140802001001001", Role: grid.RoleGridWorker},
			file: []byte("Role,单位名称,Unit_Code,Name,Phone\n\ngrid_worker,东阜村第1网格,140802001001001,王芳,13900000001\n")},
		{name: "gbk", format: grid.RosterCSV, file: gbk, row: want},
		{name: "full-width digits", format: grid.RosterCSV, row: want,
			file: csvRoster(t, [][]string{{"手机号", "姓名", "单位代码", "角色"}, {"１３９ ０００００００１", "王芳", "140802001001001", "网格员"}})},
		{name: "scientific notation from an Excel csv", format: grid.RosterCSV,
			row:   grid.RosterRow{Row: 2, Phone: "1.39E+10", Name: "王芳", UnitCode: "140802001001001", Role: grid.RoleGridWorker},
			file:  csvRoster(t, [][]string{{"手机号", "姓名", "单位代码", "角色"}, {"1.39E+10", "王芳", "140802001001001", "网格员"}}),
			kinds: []string{"2 phone bad_phone"}},
		{name: "xlsx numbers and a title row", format: grid.RosterXLSX, row: grid.RosterRow{Row: 3, Phone: "13900000001", Name: "王芳", UnitCode: "140802001001001", Role: grid.RoleGridWorker},
			file: xlsxRoster(t, [][]any{{"安邑街道网格员花名册"}, {"手机号", "姓名", "单位代码", "角色"}, {13900000001, "王芳", 140802001001001, "网格员"}})},
		{name: "every bad cell", format: grid.RosterCSV,
			row: grid.RosterRow{Row: 2, Phone: "1390000", Role: "队长"},
			file: csvRoster(t, [][]string{{"phone", "name", "unit_code", "role"}, {"1390000", "", "", "队长"},
				{"13900000002", strings.Repeat("长", 51), "140802001001001", "grid_worker"}, {"13900000003", "张三", "140802001001001", ""},
				{"13900000003", "李四", "140802001001001", "网格长"}}),
			kinds: []string{"2 phone bad_phone", "2 name empty", "2 unit_code empty", "2 role bad_role", "3 name bad_name", "4 role empty", "5 name duplicate_phone"}},
		{name: "missing column", format: grid.RosterCSV, file: []byte("手机号,姓名,角色\n13900000001,王芳,网格员\n"), kinds: []string{"1 unit_code bad_header"}},
		{name: "no header", format: grid.RosterCSV, file: bytes.Repeat([]byte("13900000001,王芳,140802001001001,网格员\n"), 20), kinds: []string{"10  bad_header"}},
		{name: "header only", format: grid.RosterCSV, file: []byte("\uFEFFphone,name,unit_code,role\r\n"), kinds: []string{"0  empty"}},
		{name: "empty", format: grid.RosterXLSX, file: xlsxRoster(t, nil), kinds: []string{"0  empty"}},
		{name: "neither utf-8 nor gbk", format: grid.RosterCSV, file: []byte("phone,name\n\xff\xff\xff\n"), err: grid.ErrBadEncoding},
		{name: "utf-16", format: grid.RosterCSV, file: []byte("\xff\xfep\x00"), err: grid.ErrBadEncoding},
		{name: "xls", format: grid.RosterXLSX, file: []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), err: grid.ErrBadRoster},
		{name: "csv as xlsx", format: grid.RosterXLSX, file: []byte("phone,name\n"), err: grid.ErrBadRoster},
		{name: "xlsx as csv", format: grid.RosterCSV, file: xlsxRoster(t, nil), err: grid.ErrBadRoster},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, ps, err := grid.ReadRoster(bytes.NewReader(tc.file), tc.format)
			if tc.err != nil || err != nil {
				if !errors.Is(err, tc.err) || !errors.Is(err, grid.ErrBadRoster) {
					t.Fatalf("error %v; want %v", err, tc.err)
				}
				return
			}
			if got := problemList(ps); !slices.Equal(got, tc.kinds) {
				t.Fatalf("problems %q; want %q\n%+v", got, tc.kinds, ps)
			}
			if tc.row.Row != 0 && (len(rows) == 0 || rows[0] != tc.row) {
				t.Fatalf("rows %+v; want first %+v", rows, tc.row)
			}
		})
	}
}

// Every problem is reported, up to the cap, and the rest counted.
func TestRosterReportCapsProblems(t *testing.T) {
	t.Parallel()
	recs := [][]string{{"phone", "name", "unit_code", "role"}}
	for range 1200 {
		recs = append(recs, []string{"1", "王芳", "140802001001001", "grid_worker"})
	}
	_, ps, err := grid.ReadRoster(bytes.NewReader(csvRoster(t, recs)), grid.RosterCSV)
	if err != nil || len(ps) != 1200 {
		t.Fatalf("%d problems, %v", len(ps), err)
	}
	rep := grid.NewRosterReport(true, ps)
	if len(rep.Problems) != grid.MaxReportedProblems || rep.More != 200 || rep.Problems[999].Row != 1001 {
		t.Fatalf("%d problems, %d more", len(rep.Problems), rep.More)
	}
}

// counts are the rows an import may write.
func (fx adminFixture) counts(t *testing.T) [3]int {
	t.Helper()
	var c [3]int
	err := fx.db.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM assignments),
		(SELECT count(*) FROM audit_log)`).Scan(&c[0], &c[1], &c[2])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (fx adminFixture) importRoster(t *testing.T, a grid.Admin, file []byte, format grid.RosterFormat, dryRun bool) (grid.RosterReport, error) {
	t.Helper()
	rows, ps, err := grid.ReadRoster(bytes.NewReader(file), format)
	if err != nil {
		t.Fatal(err)
	}
	if rows == nil {
		return grid.NewRosterReport(dryRun, ps), grid.ErrRosterRefused
	}
	return fx.s.ImportRoster(context.Background(), a, rows, dryRun)
}

// A roster with every kind of bad row is refused with every one of them, by row, in a dry run
// and for real, and nothing is written.
func TestRosterRefusesEveryBadRow(t *testing.T) {
	t.Parallel()
	fx := newAdminFixture(t)
	ctx := context.Background()
	held, err := fx.s.AddMember(ctx, fx.township, "13900000101", "离职者", worker("140802001001001"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.s.DeactivateMember(ctx, fx.township, held.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.s.AddMember(ctx, fx.county, "13900000102", "王芳", []grid.Assignment{{UnitCode: "140802002", Role: grid.RoleMediator}}); err != nil {
		t.Fatal(err)
	}
	rep, err := fx.s.DraftChange(ctx, grid.ChangeRequest{Title: "拆分", Operations: splitSecondGrid(111.075)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.s.ApplyChange(ctx, rep.Change.ID, nil, grid.ChangeOptions{}); err != nil {
		t.Fatal(err)
	}
	file := csvRoster(t, [][]string{
		{"角色", "单位代码", "姓名", "手机号"},
		{"网格员", "140802001001001", "好人", "13900000110"},                    // 2: fine
		{"网格员", "140802001001001", "坏号", "12900000111"},                    // 3: bad_phone
		{"网格员", "140802001001001", strings.Repeat("名", 51), "13900000112"}, // 4: bad_name
		{"队长", "140802001001001", "坏角色", "13900000113"},                    // 5: bad_role
		{"网格员", "140802001", "错层级", "13900000114"},                         // 6: role_level
		{"网格员", "140802001009009", "无此网格", "13900000115"},                  // 7: unknown_unit
		{"网格员", "140802001001002", "旧网格", "13900000116"},                   // 8: retired_unit
		{"调解员", "140802002", "外镇", "13900000117"},                          // 9: out_of_scope
		{"网格员", "140802001001001", "甲", "13900000118"},                     // 10
		{"网格长", "140802001001001", "乙", "13900000118"},                     // 11: duplicate_phone
		{"网格员", "140802001001001", "新人", "13900000101"},                    // 12: phone_held
		{"网格员", "140802001001004", "王芳芳", "13900000102"},                   // 13: name_mismatch
		{"网格员", "", "", ""},                                                // 14: empty ×3
	})
	want := []string{"3 phone bad_phone", "4 name bad_name", "5 role bad_role", "6 role role_level", "7 unit_code unknown_unit",
		"8 unit_code retired_unit", "9 unit_code out_of_scope", "11 name duplicate_phone", "12 phone phone_held", "13 name name_mismatch",
		"14 phone empty", "14 name empty", "14 unit_code empty"}
	before := fx.counts(t)
	for _, dry := range []bool{true, false} {
		rep, err := fx.importRoster(t, fx.township, file, grid.RosterCSV, dry)
		if !errors.Is(err, grid.ErrRosterRefused) || rep.Committed || len(rep.Codes) != 0 || rep.Rows != 13 {
			t.Fatalf("dry run %v: %v, %+v", dry, err, rep)
		}
		if got := problemList(rep.Problems); !slices.Equal(got, want) {
			t.Errorf("dry run %v: problems\n%q; want\n%q", dry, got, want)
		}
	}
	if after := fx.counts(t); after != before {
		t.Fatalf("members, assignments, audit entries %v before, %v after", before, after)
	}
	if rep, _ := fx.importRoster(t, fx.township, file, grid.RosterCSV, true); !strings.Contains(rep.Problems[9].Message, "another name") {
		t.Errorf("the township's administrator learns the name of the county's member: %q", rep.Problems[9].Message)
	}
}

// A good roster (here a GBK CSV, as Excel on Chinese Windows saves it) adds its new members
// with one-time codes that sign in, and the assignments existing members lack, with an audit
// entry each; a dry run says the same and writes nothing; importing it again adds nothing.
func TestRosterImportAdds(t *testing.T) {
	t.Parallel()
	fx := newAdminFixture(t)
	ctx := context.Background()
	old, err := fx.s.AddMember(ctx, fx.county, "13900000201", "王芳", worker("140802001001001"))
	if err != nil {
		t.Fatal(err)
	}
	text := "手机号,姓名,单位代码,角色\r\n" +
		"13900000201,王芳,140802001001001,网格员\r\n" + // has it already
		"13900000201,王芳,140802001001001001,网格信息员\r\n" + // a new assignment of an existing member
		"13900000202,李娜,140802001001001,网格长\r\n" + // a new member
		"13900000202,李娜,140802001001,调解员\r\n" + // with two assignments
		"13900000202,李娜,140802001001,调解员\r\n" + // the same row twice is one assignment
		"13900000203,赵磊,140802001001002,grid_worker\r\n"
	file, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	before := fx.counts(t)
	dry, err := fx.importRoster(t, fx.township, file, grid.RosterCSV, true)
	if err != nil || dry.Committed || dry.MembersAdded != 2 || dry.AssignmentsAdded != 4 || len(dry.Codes) != 0 {
		t.Fatalf("dry run %+v %v", dry, err)
	}
	if after := fx.counts(t); after != before {
		t.Fatalf("the dry run wrote: %v before, %v after", before, after)
	}
	rep, err := fx.importRoster(t, fx.township, file, grid.RosterCSV, false)
	if err != nil || !rep.Committed || rep.MembersAdded != 2 || rep.AssignmentsAdded != 4 || len(rep.Codes) != 2 {
		t.Fatalf("import %+v %v", rep, err)
	}
	if after, want := fx.counts(t), [3]int{before[0] + 2, before[1] + 4, before[2] + 3}; after != want {
		t.Fatalf("members, assignments, audit entries %v; want %v", after, want)
	}
	for _, c := range rep.Codes {
		m, hash, err := fx.s.Credentials(ctx, c.Phone)
		if err != nil || m.ID != c.MemberID || m.Name != c.Name || !m.MustChangePassword || !grid.PasswordMatches(hash, c.Code) {
			t.Fatalf("the code of %+v does not sign in: %+v %v", c, m, err)
		}
		if d := time.Until(c.ExpiresAt) - grid.ResetCodeLifetime; d > 0 || d < -time.Minute {
			t.Fatalf("the code of %+v expires %v from now", c, time.Until(c.ExpiresAt))
		}
	}
	if c := rep.Codes[0]; c.Name != "李娜" {
		t.Fatalf("codes %+v: want the new members in file order, names decoded from GBK", rep.Codes)
	}
	entries, err := fx.s.AuditLog(ctx, fx.township, grid.AuditQuery{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if *e.ActorID != *fx.township.By || !strings.Contains(string(e.Detail), `"source": "roster"`) {
			t.Errorf("audit entry %+v %s", e, e.Detail)
		}
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"assignment.add", "member.add", "member.add"}) || *entries[0].MemberID != old.ID {
		t.Fatalf("audit log %v", actions)
	}
	again, err := fx.importRoster(t, fx.township, file, grid.RosterCSV, false)
	if err != nil || again.MembersAdded != 0 || again.AssignmentsAdded != 0 || len(again.Codes) != 0 {
		t.Fatalf("imported twice: %+v %v", again, err)
	}
}

// Importing an export changes nothing, and exporting again gives the same bytes, in both
// formats. An administrator exports their subtree only.
func TestRosterRoundTrip(t *testing.T) {
	t.Parallel()
	for _, format := range []grid.RosterFormat{grid.RosterCSV, grid.RosterXLSX} {
		t.Run(string(format), func(t *testing.T) {
			t.Parallel()
			fx := newAdminFixture(t)
			ctx := context.Background()
			first := csvRoster(t, [][]string{{"phone", "name", "unit_code", "role"},
				{"13900000301", "王芳", "140802001001001", "grid_worker"}, {"13900000301", "王芳", "140802001", "supervisor"},
				{"13900000302", "李娜", "140802001001001001", "info_officer"}, {"13900000303", "赵磊", "140802002", "mediator"}})
			if _, err := fx.importRoster(t, fx.county, first, grid.RosterCSV, false); err != nil {
				t.Fatal(err)
			}
			export := func(a grid.Admin, root string) []byte {
				t.Helper()
				var b bytes.Buffer
				if _, err := fx.s.ExportRoster(ctx, a, root, format, &b); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			}
			exported := export(fx.county, "")
			before := fx.counts(t)
			rep, err := fx.importRoster(t, fx.county, exported, format, false)
			if err != nil || rep.Rows != 6 || rep.MembersAdded != 0 || rep.AssignmentsAdded != 0 { // 4 rows and the 2 administrators
				t.Fatalf("import of the export: %+v %v", rep, err)
			}
			if after := fx.counts(t); after != before {
				t.Fatalf("importing the export wrote: %v before, %v after", before, after)
			}
			if again := export(fx.county, ""); !bytes.Equal(again, exported) {
				t.Fatal("the second export differs from the first")
			}
			rows, _, err := grid.ReadRoster(bytes.NewReader(export(fx.township, "")), format)
			if err != nil {
				t.Fatal(err)
			}
			var phones []string
			for _, r := range rows {
				phones = append(phones, r.Phone+" "+r.UnitCode+" "+string(r.Role))
			}
			want := []string{"13900000042 140802001 admin", "13900000301 140802001 supervisor",
				"13900000301 140802001001001 grid_worker", "13900000302 140802001001001001 info_officer"}
			if !slices.Equal(phones, want) {
				t.Fatalf("the township's roster %q; want %q", phones, want)
			}
			if _, err := fx.s.ExportRoster(ctx, fx.township, "140802002", format, &bytes.Buffer{}); !errors.Is(err, grid.ErrOutOfScope) {
				t.Fatalf("a township's administrator exported another township: %v", err)
			}
			if format == grid.RosterCSV && !bytes.HasPrefix(exported, []byte("\uFEFF手机号,姓名,单位代码,单位名称,角色\r\n")) {
				t.Fatalf("csv header %q", exported[:60])
			}
		})
	}
}
