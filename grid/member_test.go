package grid_test

import (
	"context"
	"errors"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

func TestMembersAndRoles(t *testing.T) {
	t.Parallel()
	s := storeWithGoodGrid(t)
	ctx := context.Background()
	m, err := s.CreateMember(ctx, "13912345678", "王芳")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMember(ctx, "13912345678", "李强"); !errors.Is(err, grid.ErrDuplicatePhone) {
		t.Fatalf("duplicate phone: %v", err)
	}
	if _, err := s.CreateMember(ctx, "12345", "李强"); !errors.Is(err, grid.ErrInvalidMember) {
		t.Fatalf("bad phone: %v", err)
	}

	cases := []struct {
		name    string
		a       grid.Assignment
		wantErr error
	}{
		{"grid worker at a grid", grid.Assignment{m.ID, "140802001001001", grid.RoleGridWorker}, nil},
		{"same again", grid.Assignment{m.ID, "140802001001001", grid.RoleGridWorker}, nil},
		{"mediator at a village centre", grid.Assignment{m.ID, "140802001001", grid.RoleMediator}, nil},
		{"supervisor at the county", grid.Assignment{m.ID, "140802", grid.RoleSupervisor}, nil},
		{"info officer at a micro-grid", grid.Assignment{m.ID, "140802001001001001", grid.RoleInfoOfficer}, nil},
		{"grid worker at a village", grid.Assignment{m.ID, "140802001001", grid.RoleGridWorker}, grid.ErrRoleLevel},
		{"mediator at a grid", grid.Assignment{m.ID, "140802001001001", grid.RoleMediator}, grid.ErrRoleLevel},
		{"admin at a village", grid.Assignment{m.ID, "140802001001", grid.RoleAdmin}, grid.ErrRoleLevel},
		{"unknown role", grid.Assignment{m.ID, "140802", grid.Role("mayor")}, grid.ErrInvalidMember},
		{"unknown unit", grid.Assignment{m.ID, "140802001009", grid.RoleMediator}, grid.ErrNotFound},
		{"unknown member", grid.Assignment{m.ID + 1000, "140802", grid.RoleMediator}, grid.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Assign(ctx, tc.a); !errors.Is(err, tc.wantErr) {
				t.Fatalf("assign %+v: %v; want %v", tc.a, err, tc.wantErr)
			}
		})
	}
	staff, err := s.Staff(ctx, "140802001", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) != 3 { // the worker, the village mediator and the info officer; not the county supervisor
		t.Fatalf("staff under 140802001: %+v", staff)
	}
}
