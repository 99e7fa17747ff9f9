package grid_test

import (
	"context"
	"errors"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
)

type adminFixture struct {
	db       *dbtest.DB
	s        *grid.Store
	county   grid.Admin // administrator of 140802
	township grid.Admin // administrator of 140802001 only
}

func newAdminFixture(t *testing.T) adminFixture {
	t.Helper()
	db := dbtest.New(t)
	s := grid.NewStore(db.Pool)
	gridtest.Import(t, s)
	fx := adminFixture{db: db, s: s}
	for _, x := range []struct {
		admin *grid.Admin
		phone string
		unit  string
	}{{&fx.county, "13900000041", "140802"}, {&fx.township, "13900000042", "140802001"}} {
		m, err := s.AddMember(context.Background(), grid.CommandLine, x.phone, "管理员"+x.unit, []grid.Assignment{{UnitCode: x.unit, Role: grid.RoleAdmin}})
		if err != nil {
			t.Fatal(err)
		}
		*x.admin = grid.Admin{By: &m.ID, Roots: []string{x.unit}}
	}
	return fx
}

func worker(unit string) []grid.Assignment {
	return []grid.Assignment{{UnitCode: unit, Role: grid.RoleGridWorker}}
}

// A township administrator administers their township only; a member assigned in two
// townships is the county's to deactivate.
func TestAdministratorsStayInTheirSubtree(t *testing.T) {
	t.Parallel()
	fx := newAdminFixture(t)
	ctx := context.Background()
	if _, err := fx.s.AddMember(ctx, fx.township, "13900000043", "外镇网格员", []grid.Assignment{{UnitCode: "140802002", Role: grid.RoleMediator}}); !errors.Is(err, grid.ErrOutOfScope) {
		t.Fatalf("a township admin added a member in another township: %v", err)
	}
	m, err := fx.s.AddMember(ctx, fx.township, "13900000043", "网格员", worker("140802001001001"))
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.s.AssignMember(ctx, fx.county, m.ID, grid.Assignment{UnitCode: "140802002", Role: grid.RoleMediator}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.s.DeactivateMember(ctx, fx.township, m.ID); !errors.Is(err, grid.ErrOutOfScope) {
		t.Fatalf("a township admin deactivated a member of two townships: %v", err)
	}
	if err := fx.s.UnassignMember(ctx, fx.township, m.ID, grid.Assignment{UnitCode: "140802002", Role: grid.RoleMediator}); !errors.Is(err, grid.ErrOutOfScope) {
		t.Fatalf("a township admin removed an assignment of another township: %v", err)
	}
	if _, err := fx.s.DeactivateMember(ctx, fx.county, m.ID); err != nil {
		t.Fatal(err)
	}
	// The audit log: the township's administrator reads the entries about their township.
	mine, err := fx.s.AuditLog(ctx, fx.township, grid.AuditQuery{Member: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	all, err := fx.s.AuditLog(ctx, grid.CommandLine, grid.AuditQuery{Member: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	actions := func(es []grid.AuditEntry) (out []string) {
		for _, e := range es {
			out = append(out, e.Action)
		}
		return out
	}
	if got := actions(all); len(got) != 3 || got[0] != "member.deactivate" || got[1] != "assignment.add" || got[2] != "member.add" {
		t.Fatalf("audit log %v", got)
	}
	if got := actions(mine); len(got) != 2 || got[1] != "member.add" || *mine[1].ActorID != *fx.township.By {
		t.Fatalf("the township's audit log %v; want the deactivation and the addition, not the other township's assignment", got)
	}
}

// Deactivating ends the sessions, keeps the member and their phone until it is released; a
// reset's one-time code signs in only until the member chooses a password.
func TestDeactivateReleaseAndReset(t *testing.T) {
	t.Parallel()
	fx := newAdminFixture(t)
	ctx := context.Background()
	m, err := fx.s.AddMember(ctx, fx.township, "13900000044", "李网格", worker("140802001001001"))
	if err != nil {
		t.Fatal(err)
	}
	code, _, _, err := fx.s.ResetPassword(ctx, fx.township, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, hash, err := fx.s.Credentials(ctx, "13900000044")
	if err != nil || !got.MustChangePassword || !grid.PasswordMatches(hash, code) {
		t.Fatalf("the one-time code: %+v %v", got, err)
	}
	if err := fx.s.ChangeOwnPassword(ctx, m.ID, "not the code", "新密码很长12345"); !errors.Is(err, grid.ErrWrongPassword) {
		t.Fatalf("changed with a wrong code: %v", err)
	}
	if err := fx.s.ChangeOwnPassword(ctx, m.ID, code, "新密码很长12345"); err != nil {
		t.Fatal(err)
	}
	got, hash, _ = fx.s.Credentials(ctx, "13900000044")
	if got.MustChangePassword || !grid.PasswordMatches(hash, "新密码很长12345") || grid.PasswordMatches(hash, code) {
		t.Fatalf("after the change: %+v", got)
	}
	// An expired code no longer matches.
	code, _, _, err = fx.s.ResetPassword(ctx, fx.township, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.db.Pool.Exec(ctx, `UPDATE members SET reset_expires_at = now() - interval '1 minute' WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, hash, _ := fx.s.Credentials(ctx, "13900000044"); grid.PasswordMatches(hash, code) {
		t.Fatal("an expired one-time code still signs in")
	}

	if _, err := fx.db.Pool.Exec(ctx, `INSERT INTO sessions (token_hash, member_id, expires_at) VALUES (sha256('t'), $1, now() + interval '1 day')`, m.ID); err != nil {
		t.Fatal(err)
	}
	sessions, err := fx.s.DeactivateMember(ctx, fx.township, m.ID)
	if err != nil || len(sessions) != 1 {
		t.Fatalf("deactivate: %d sessions ended, %v", len(sessions), err)
	}
	if _, _, err := fx.s.Credentials(ctx, "13900000044"); !errors.Is(err, grid.ErrNotFound) {
		t.Fatalf("a deactivated member signs in: %v", err)
	}
	if as, _ := fx.s.Assignments(ctx, m.ID); len(as) != 0 {
		t.Fatalf("a deactivated member keeps %v", as)
	}
	if _, err := fx.s.AddMember(ctx, fx.township, "13900000044", "新人", worker("140802001001001")); !errors.Is(err, grid.ErrPhoneHeld) {
		t.Fatalf("the number was given away before it was released: %v", err)
	}
	if err := fx.s.ReleasePhone(ctx, fx.township, m.ID); err != nil {
		t.Fatalf("the township admin releases the number of the member they deactivated: %v", err)
	}
	next, err := fx.s.AddMember(ctx, fx.township, "13900000044", "新人", worker("140802001001001"))
	if err != nil {
		t.Fatal(err)
	}
	list, total, err := fx.s.SearchMembers(ctx, fx.township, grid.MemberQuery{Text: "1390000004", Inactive: true})
	if err != nil || total != 3 || list[0].ID == m.ID || list[len(list)-1].ID != m.ID || !list[len(list)-1].PhoneReleased {
		t.Fatalf("members %+v (%d, %v); want the two current ones, then the deactivated one", list, total, err)
	}
	if list, _, _ := fx.s.SearchMembers(ctx, fx.township, grid.MemberQuery{Text: "新"}); len(list) != 1 || list[0].ID != next.ID {
		t.Fatalf("search by name: %+v", list)
	}
}

// A flagged assignment of a retired unit is moved by hand, and the flag goes with it.
func TestMoveClearsTheFlag(t *testing.T) {
	t.Parallel()
	fx := newAdminFixture(t)
	ctx := context.Background()
	m, err := fx.s.AddMember(ctx, fx.county, "13900000045", "王网格", worker("140802001001002"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := fx.s.DraftChange(ctx, grid.ChangeRequest{Title: "拆分", Operations: splitSecondGrid(111.075)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.s.ApplyChange(ctx, rep.Change.ID, nil, grid.ChangeOptions{}); err != nil {
		t.Fatal(err)
	}
	flagged, _, err := fx.s.SearchMembers(ctx, fx.county, grid.MemberQuery{Flagged: true})
	if err != nil || len(flagged) != 1 || !flagged[0].Assignments[0].Flagged || !flagged[0].Assignments[0].Retired {
		t.Fatalf("flagged members %+v %v", flagged, err)
	}
	from := grid.Assignment{UnitCode: "140802001001002", Role: grid.RoleGridWorker}
	if err := fx.s.MoveAssignment(ctx, fx.county, m.ID, from, "140802001001002"); !errors.Is(err, grid.ErrNotFound) {
		t.Fatalf("moved onto a retired unit: %v", err)
	}
	if err := fx.s.MoveAssignment(ctx, fx.county, m.ID, from, "140802001001004"); err != nil {
		t.Fatal(err)
	}
	if flagged, _, _ := fx.s.SearchMembers(ctx, fx.county, grid.MemberQuery{Flagged: true}); len(flagged) != 0 {
		t.Fatalf("still flagged: %+v", flagged)
	}
}
