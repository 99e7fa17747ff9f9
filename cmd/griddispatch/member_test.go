package main

import (
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

// The member commands: add, reset, deactivate, release, list, and the audit log as CSV with
// every step in it.
func TestMemberCommands(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	gridtest.Import(t, grid.NewStore(db.Pool))
	cli := func(wantCode int, args ...string) string {
		t.Helper()
		out, _, err := run(t, append([]string{"--database-url", db.URL, "member"}, args...)...)
		if code := exitCode(err); code != wantCode {
			t.Fatalf("%v: exit %d (%v), output %q; want %d", args, code, err, out, wantCode)
		}
		return out
	}
	if out := cli(0, "add", "--phone", "13900000051", "--name", "赵网格", "--assign", "140802001001001:grid_worker"); !strings.Contains(out, "member 1 赵网格") {
		t.Fatalf("add: %q", out)
	}
	cli(1, "add", "--phone", "13900000052", "--name", "错", "--assign", "140802001:grid_worker") // a grid worker at a township
	if out := cli(0, "reset-password", "1"); !strings.Contains(out, "one-time code for member 1: ") {
		t.Fatalf("reset: %q", out)
	}
	if out := cli(0, "deactivate", "1"); !strings.Contains(out, "member 1 deactivated") {
		t.Fatalf("deactivate: %q", out)
	}
	cli(1, "add", "--phone", "13900000051", "--name", "新人", "--assign", "140802001001001:grid_worker") // number still held
	cli(0, "release-phone", "1")
	cli(0, "add", "--phone", "13900000051", "--name", "新人", "--assign", "140802001001001:grid_worker")
	if out := cli(0, "list", "--inactive"); !strings.Contains(out, "1  13900000051  赵网格  deactivated") || !strings.Contains(out, "2 of 2 members") {
		t.Fatalf("list: %q", out)
	}
	out := cli(0, "audit")
	for _, action := range []string{"member.add", "password.reset", "member.deactivate", "member.release_phone"} {
		if !strings.Contains(out, ","+action+",") {
			t.Errorf("audit log without %s:\n%s", action, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 6 { // the header and five entries
		t.Errorf("audit log of %d lines:\n%s", n, out)
	}
}
