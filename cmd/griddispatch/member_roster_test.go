package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// The roster commands: a bad roster is refused with a line per problem; fixed, it imports with
// its codes written to a file; its export imports as a no-op, in xlsx and csv.
func TestMemberRosterCommands(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	dir := t.TempDir()
	cli := func(wantCode int, args ...string) string {
		t.Helper()
		out, _, err := run(t, append([]string{"--database-url", db.URL, "member", "roster"}, args...)...)
		if code := exitCode(err); code != wantCode {
			t.Fatalf("%v: exit %d (%v), output %q; want %d", args, code, err, out, wantCode)
		}
		return out
	}
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := file("bad.csv", "手机号,姓名,单位代码,角色\n13900000061,王芳,140802001001001,网格员\n13900000062,李娜,140802001009,网格员\n")
	out := cli(1, "import", bad)
	if !strings.Contains(out, "row 3  unit_code  140802001009  unknown_unit  ") || !strings.Contains(out, "2 rows, 1 problems: refused, nothing written") {
		t.Fatalf("refused import: %q", out)
	}
	good := file("good.csv", "手机号,姓名,单位代码,角色\n13900000061,王芳,140802001001001,网格员\n13900000062,李娜,140802001001002,网格长\n")
	if out := cli(0, "import", "--dry-run", good); !strings.Contains(out, "2 rows: 2 members and 2 assignments would be added (dry run, nothing written)") {
		t.Fatalf("dry run: %q", out)
	}
	codes := filepath.Join(dir, "codes.csv")
	if out := cli(0, "import", "--codes", codes, good); !strings.Contains(out, "2 members and 2 assignments added") || !strings.Contains(out, "2 one-time codes written to") {
		t.Fatalf("import: %q", out)
	}
	if b, err := os.ReadFile(codes); err != nil || strings.Count(string(b), "\n") != 3 || !strings.Contains(string(b), ",13900000062,李娜,") {
		t.Fatalf("codes file %q %v", b, err)
	}
	cli(1, "import", "--codes", codes, good) // the codes file is never overwritten
	for _, name := range []string{"roster.xlsx", "roster.csv"} {
		exported := filepath.Join(dir, name)
		if out := cli(0, "export", "--unit", "140802001", "-o", exported); !strings.Contains(out, "2 rows written") {
			t.Fatalf("export: %q", out)
		}
		if out := cli(0, "import", exported); !strings.Contains(out, "2 rows: 0 members and 0 assignments added") {
			t.Fatalf("import of the export: %q", out)
		}
	}
	if out := cli(0, "export", "--format", "csv"); !strings.HasPrefix(out, "\uFEFF手机号,姓名,单位代码,单位名称,角色\r\n13900000061,王芳,140802001001001,东阜村第1网格,网格员\r\n") {
		t.Fatalf("export to standard output: %q", out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "roster.xlsx")); !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatal("the .xlsx export is not a workbook")
	}
}
