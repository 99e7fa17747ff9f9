package web_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestLeaderHandoverOverHTTP (docs/cases-api.md): the county leader who owns a difficult case
// is offered 移交 and 放弃包案 with the county's other leaders to pick from; another leader is
// not, and is refused; a handover to someone who is no leader, or with a bad to_member, is
// refused with its status; the handover reaches the county's console live over NATS, names the
// new owner in the history, and the dashboard's 领导包案 counts the case once, then not at all
// once it is given up. Once an owner leaves the county, its other leaders are offered both.
func TestLeaderHandoverOverHTTP(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	county := fx.member(t, "13900000021", "140802", grid.RoleMediator)
	first := fx.member(t, "13900000022", "140802", grid.RoleSupervisor)
	second := fx.member(t, "13900000023", "140802", grid.RoleSupervisor)
	firstID, secondID := fx.memberID(t, "13900000022"), fx.memberID(t, "13900000023")
	ws := connect(t, fx.ws, county)
	if m := subscribe(t, ws, "s1", "centre", "140802"); m["type"] != "subscribed" {
		t.Fatalf("subscribe: %v", m)
	}
	if r := fx.act(t, fx.village, "accept", "", `, "grade": "difficult"`); r.status != http.StatusOK {
		t.Fatalf("accept: %d %v", r.status, r.body)
	}
	readType(t, ws, "case")
	if r := fx.act(t, first, "lead_release", "不再包案"); r.status != http.StatusUnprocessableEntity || r.body["error"] != "not_owned" {
		t.Fatalf("release before anyone owns it: %d %v", r.status, r.body)
	}
	if r := fx.act(t, first, "lead", ""); r.status != http.StatusOK {
		t.Fatalf("lead: %d %v", r.status, r.body)
	}
	readType(t, ws, "case")
	led := func() float64 {
		r := call(t, "GET", fx.base+"/api/stats/summary?unit=140802", first, "")
		n, _ := r.body["led"].(float64)
		return n
	}
	gridtest.Eventually(t, "the dashboard counts the led case", func() bool { return led() == 1 })

	page := func(token string) ([]any, []any) {
		r := call(t, "GET", fx.caseURL(""), token, "")
		a, _ := r.body["actions"].([]any)
		to, _ := r.body["lead_to"].([]any)
		return a, to
	}
	actions, to := page(first)
	if !slices.Contains(actions, any("lead_handover")) || !slices.Contains(actions, any("lead_release")) || len(to) != 1 ||
		to[0].(map[string]any)["id"] != float64(secondID) {
		t.Fatalf("the owner's page: actions %v, lead_to %v", actions, to)
	}
	if actions, to := page(second); slices.Contains(actions, any("lead_handover")) || slices.Contains(actions, any("lead_release")) || len(to) != 0 {
		t.Fatalf("another leader's page: actions %v, lead_to %v", actions, to)
	}
	for _, tc := range []struct {
		name, token, action, extra string
		status                     int
		code                       string
	}{
		{"another leader hands it over", second, "lead_handover", `, "to_member": ` + strconv.FormatInt(secondID, 10), http.StatusForbidden, "forbidden"},
		{"the township supervisor gives it up", fx.supervisor, "lead_release", ``, http.StatusForbidden, "forbidden"},
		{"to a township supervisor", first, "lead_handover", `, "to_member": ` + strconv.FormatInt(fx.memberID(t, "13900000014"), 10), http.StatusUnprocessableEntity, "not_leader"},
		{"to the owner", first, "lead_handover", `, "to_member": ` + strconv.FormatInt(firstID, 10), http.StatusUnprocessableEntity, "not_leader"},
		{"to nobody", first, "lead_handover", ``, http.StatusBadRequest, "bad_request"},
		{"to_member not a number", first, "lead_handover", `, "to_member": "x"`, http.StatusBadRequest, "bad_request"},
		{"to_member on a release", first, "lead_release", `, "to_member": ` + strconv.FormatInt(secondID, 10), http.StatusBadRequest, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := fx.act(t, tc.token, tc.action, "工作调整", tc.extra); r.status != tc.status || r.body["error"] != tc.code {
				t.Fatalf("%d %v; want %d %s", r.status, r.body, tc.status, tc.code)
			}
		})
	}
	if r := fx.act(t, first, "lead_handover", "调任，移交分管领导", `, "to_member": `+strconv.FormatInt(secondID, 10)); r.status != http.StatusOK {
		t.Fatalf("handover: %d %v", r.status, r.body)
	}
	if f := readType(t, ws, "case"); f["action"] != "lead_handover" || f["leader"] != float64(secondID) {
		t.Fatalf("the county's console got %v", f)
	}
	r := call(t, "GET", fx.caseURL(""), second, "")
	history, _ := r.body["history"].([]any)
	last := history[len(history)-1].(map[string]any)
	if l, _ := last["to_leader"].(map[string]any); last["transition"] != "lead_handover" || l["name"] != "成员0023" || last["reason"] != "调任，移交分管领导" {
		t.Fatalf("the handover's history row: %v", last)
	}
	if leader, _ := r.body["case"].(map[string]any)["leader"].(map[string]any); leader["id"] != float64(secondID) {
		t.Fatalf("the case's leader: %v", leader)
	}
	gridtest.Eventually(t, "the handed-over case counted once", func() bool { return led() == 1 })

	if r := fx.act(t, second, "lead_release", ""); r.status != http.StatusBadRequest {
		t.Fatalf("release without a reason: %d %v", r.status, r.body)
	}
	if r := fx.act(t, second, "lead_release", "矛盾已化解，交中心办理"); r.status != http.StatusOK {
		t.Fatalf("release: %d %v", r.status, r.body)
	}
	if f := readType(t, ws, "case"); f["action"] != "lead_release" || f["leader"] != nil {
		t.Fatalf("the county's console got %v", f)
	}
	gridtest.Eventually(t, "the given-up case no longer counted", func() bool { return led() == 0 })
	if actions, _ := page(first); !slices.Contains(actions, any("lead")) {
		t.Fatalf("a case nobody owns can be taken again: %v", actions)
	}

	// The owner leaves the county: its other leaders are offered the handover, to themselves too.
	if r := fx.act(t, first, "lead", ""); r.status != http.StatusOK {
		t.Fatalf("lead again: %d %v", r.status, r.body)
	}
	if _, err := fx.pool.Exec(context.Background(), `DELETE FROM assignments WHERE member_id = $1`, firstID); err != nil {
		t.Fatal(err)
	}
	actions, to = page(second)
	if !slices.Contains(actions, any("lead_handover")) || !slices.Contains(actions, any("lead_release")) || len(to) != 1 ||
		to[0].(map[string]any)["id"] != float64(secondID) {
		t.Fatalf("a leader's page once the owner left: actions %v, lead_to %v", actions, to)
	}
	if r := fx.act(t, second, "lead_handover", "原包案领导已调离", `, "to_member": `+strconv.FormatInt(secondID, 10)); r.status != http.StatusOK {
		t.Fatalf("handover to oneself once the owner left: %d %v", r.status, r.body)
	}
}
