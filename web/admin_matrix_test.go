package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/griddispatch/griddispatch/geo"
	"github.com/griddispatch/griddispatch/grid"
)

// The jurisdiction matrix's tries of the administrators' routes (jurisdiction_matrix_test.go):
// each acts on something of its own (a fresh member, a fresh change set), so that the tries of
// one role do not change what the next one finds.

var freshPhones atomic.Int64

// staffRoleAt is a role that may be assigned at a unit of code's level.
func staffRoleAt(code string) grid.Role {
	switch grid.LevelOfCode(code) {
	case grid.Grid:
		return grid.RoleGridWorker
	case grid.MicroGrid:
		return grid.RoleInfoOfficer
	}
	return grid.RoleMediator
}

// freshPhone is a phone number no fixture uses.
func freshPhone() string { return fmt.Sprintf("1370%07d", freshPhones.Add(1)) }

// freshMember registers a member at unit, straight through the store.
func freshMember(t *testing.T, fx *fixture, unit string) grid.Member {
	t.Helper()
	ctx := context.Background()
	m, err := fx.g.AddMember(ctx, grid.CommandLine, freshPhone(), "新成员", []grid.Assignment{{UnitCode: unit, Role: staffRoleAt(unit)}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tryPasswordChange sends a new password that breaks the rules: the route was reached when it
// answers 400 for field new, and no password is changed (bcrypt's cost is spared too).
func tryPasswordChange(t *testing.T, c matrixCall) int {
	r := call(t, "POST", c.env.base+"/api/me/password", c.token, `{"current": "`+password+`", "new": "short"}`)
	if r.status == http.StatusBadRequest && r.body["field"] == "new" {
		return http.StatusOK
	}
	return r.status
}

func tryAddMember(t *testing.T, c matrixCall) int {
	body := fmt.Sprintf(`{"phone": %q, "name": "新成员", "assignments": [{"unit_code": %q, "role": %q}]}`,
		freshPhone(), c.target.unit, staffRoleAt(c.target.unit))
	return status(t, c, "POST", "/api/admin/members", body)
}

// onMember does something to a fresh member at the target unit; {unit} and {role} in suffix
// and body are the unit and the member's role.
func onMember(method, suffix, body string) func(*testing.T, matrixCall) int {
	return func(t *testing.T, c matrixCall) int {
		m := freshMember(t, c.env.fixture, c.target.unit)
		role := staffRoleAt(c.target.unit)
		fill := strings.NewReplacer("{unit}", c.target.unit, "{role}", string(role)).Replace
		return status(t, c, method, fmt.Sprintf("/api/admin/members/%d", m.ID)+fill(suffix), fill(body))
	}
}

func tryReleasePhone(t *testing.T, c matrixCall) int {
	m := freshMember(t, c.env.fixture, c.target.unit)
	if _, err := c.env.g.DeactivateMember(context.Background(), grid.CommandLine, m.ID); err != nil {
		t.Fatal(err)
	}
	return status(t, c, "POST", fmt.Sprintf("/api/admin/members/%d/release-phone", m.ID), "")
}

// tryImport dry-runs a file of one unit as it is stored: the unit below the target.
func tryImport(t *testing.T, c matrixCall) int {
	u, err := c.env.g.Unit(context.Background(), c.target.below)
	if err != nil {
		t.Fatal(err)
	}
	props := map[string]any{"code": u.Code, "name": u.Name, "level": u.Level}
	if u.ParentCode != "" {
		props["parent_code"] = u.ParentCode
	}
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{
		map[string]any{"type": "Feature", "properties": props, "geometry": geo.EncodeMultiPolygon(u.Geom)}}})
	if err != nil {
		t.Fatal(err)
	}
	return status(t, c, "POST", "/api/admin/grid/imports?dry_run=1", string(b))
}

func tryDraft(t *testing.T, c matrixCall) int {
	body := fmt.Sprintf(`{"title": "矩阵改名", "operations": [{"op": "rename", "code": %q, "name": "改名"}]}`, c.target.below)
	return status(t, c, "POST", "/api/admin/grid/changes", body)
}

// onChange drafts a rename of the unit below the target through the store, then calls the
// change set's route.
func onChange(method, suffix string) func(*testing.T, matrixCall) int {
	return func(t *testing.T, c matrixCall) int {
		rep, err := c.env.g.DraftChange(context.Background(), grid.ChangeRequest{Title: "矩阵",
			Operations: []grid.ChangeOp{{Op: grid.OpRename, Code: c.target.below, Name: "改名"}}})
		if err != nil {
			t.Fatal(err)
		}
		if suffix == "/unschedule" {
			if _, err := c.env.g.ScheduleChange(context.Background(), rep.Change.ID, nil); err != nil {
				t.Fatal(err)
			}
		}
		return status(t, c, method, fmt.Sprintf("/api/admin/grid/changes/%d%s", rep.Change.ID, suffix), "")
	}
}

// tryRoster dry-runs a roster of one new member at the target unit. A row outside the
// administrator's subtrees is a problem of the report (out_of_scope, 422): a refusal for scope.
func tryRoster(t *testing.T, c matrixCall) int {
	body := fmt.Sprintf("phone,name,unit_code,role\n%s,新成员,%s,%s\n", freshPhone(), c.target.unit, staffRoleAt(c.target.unit))
	r := call(t, "POST", c.env.base+"/api/admin/roster?dry_run=1&format=csv", c.token, body)
	if ps, _ := r.body["problems"].([]any); r.status == http.StatusUnprocessableEntity && len(ps) == 1 &&
		ps[0].(map[string]any)["kind"] == "out_of_scope" {
		return http.StatusForbidden
	}
	return r.status
}
