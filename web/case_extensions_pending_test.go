package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// TestPendingExtensionsFollowJurisdiction: the village asks for more time; the township's and
// the county's supervisors list the request, another township's does not, a mediator is refused
// (403: only supervisors decide), and a decision empties the list.
func TestPendingExtensionsFollowJurisdiction(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	county := fx.member(t, "13900000016", "140802", grid.RoleSupervisor)
	admin := fx.member(t, "13900000017", "140802", grid.RoleAdmin)
	pending := func(token, query string) response {
		return call(t, "GET", fx.base+"/api/extensions/pending"+query, token, "")
	}
	if r := fx.act(t, fx.village, "accept", ""); r.status != http.StatusOK {
		t.Fatalf("accept: %d %v", r.status, r.body)
	}
	var deadline time.Time
	if err := fx.pool.QueryRow(context.Background(), `SELECT deadline_at FROM cases WHERE id = $1`, fx.caseID).Scan(&deadline); err != nil {
		t.Fatal(err)
	}
	until := deadline.Add(72 * time.Hour).UTC().Format(time.RFC3339)
	if r := fx.act(t, fx.village, "extend_request", "需等待鉴定结果", `, "until": "`+until+`"`); r.status != http.StatusOK {
		t.Fatalf("extend_request: %d %v", r.status, r.body)
	}
	listed := func(r response) []string {
		var ids []string
		reqs, _ := r.body["requests"].([]any)
		for _, x := range reqs {
			m := x.(map[string]any)
			c := m["case"].(map[string]any)
			ids = append(ids, fmt.Sprintf("%v/%v/%v/%v", c["id"], c["centre"], m["centre_name"], m["reason"]))
			if m["until"] == nil || m["asked_at"] == nil || c["deadline_at"] == nil {
				t.Fatalf("a request without its dates: %v", m)
			}
		}
		return ids
	}
	want := fmt.Sprintf("%d/140802001001/东阜村/需等待鉴定结果", fx.caseID)
	for _, tc := range []struct {
		name, token, query string
		status             int
		want               string
	}{
		{"the township's supervisor", fx.supervisor, "", http.StatusOK, want},
		{"the township's supervisor, at the village", fx.supervisor, "?unit=140802001001", http.StatusOK, want},
		{"the county's supervisor", county, "?limit=1", http.StatusOK, want},
		{"another township's supervisor sees none", fx.otherSupervisor, "", http.StatusOK, ""},
		{"another township's supervisor may not ask for ours", fx.otherSupervisor, "?unit=140802001", http.StatusForbidden, ""},
		{"the next village's", fx.supervisor, "?unit=140802001002", http.StatusOK, ""},
		{"the village's mediator", fx.village, "", http.StatusForbidden, ""},
		{"the township's mediator", fx.township, "", http.StatusForbidden, ""},
		{"an administrator", admin, "", http.StatusForbidden, ""},
		{"the grid worker", fx.token, "", http.StatusForbidden, ""},
		{"no session", "", "", http.StatusUnauthorized, ""},
		{"a bad unit", fx.supervisor, "?unit=14080x", http.StatusBadRequest, ""},
		{"a bad limit", fx.supervisor, "?limit=201", http.StatusBadRequest, ""},
		{"a bad cursor", fx.supervisor, "?after=yesterday", http.StatusBadRequest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pending(tc.token, tc.query)
			if r.status != tc.status || (r.status >= 400 && r.body["error"] == nil) {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
			if got := strings.Join(listed(r), " "); r.status == http.StatusOK && got != tc.want {
				t.Fatalf("listed %q; want %q", got, tc.want)
			}
		})
	}
	// A page as long as its limit says where the next one starts; the next is empty.
	r := pending(county, "?limit=1")
	next, _ := r.body["next"].(string)
	if next == "" {
		t.Fatalf("no next: %v", r.body)
	}
	if r := pending(county, "?limit=1&after="+next); r.status != http.StatusOK || len(listed(r)) != 0 || r.body["next"] != "" {
		t.Fatalf("second page: %d %v", r.status, r.body)
	}
	if r := fx.act(t, fx.supervisor, "extend_approve", ""); r.status != http.StatusOK {
		t.Fatalf("extend_approve: %d %v", r.status, r.body)
	}
	if r := pending(fx.supervisor, ""); r.status != http.StatusOK || len(listed(r)) != 0 {
		t.Fatalf("after approval: %d %v", r.status, r.body)
	}
}

// TestDeclinesToRule: a decline is listed, with its reason code and words, to the township
// above it; not to the village that declined, and not to another township.
func TestDeclinesToRule(t *testing.T) {
	t.Parallel()
	fx := newCaseAPI(t)
	other := fx.member(t, "13900000018", "140802002", grid.RoleMediator)
	if r := fx.act(t, fx.village, "decline", "地址在邻村", `, "reason_code": "wrong_address"`); r.status != http.StatusOK {
		t.Fatalf("decline: %d %v", r.status, r.body)
	}
	for _, tc := range []struct {
		name, token, centre string
		status              int
		want                string
	}{
		{"the township", fx.township, "140802001", http.StatusOK, fmt.Sprintf("%d wrong_address 地址在邻村", fx.caseID)},
		{"the township's supervisor", fx.supervisor, "140802001", http.StatusOK, fmt.Sprintf("%d wrong_address 地址在邻村", fx.caseID)},
		{"the village that declined", fx.village, "140802001001", http.StatusOK, ""},
		{"another township", other, "140802002", http.StatusOK, ""},
		{"another township's, ours", other, "140802001", http.StatusForbidden, ""},
		{"no session", "", "140802001", http.StatusUnauthorized, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "GET", fx.base+"/api/centres/"+tc.centre+"/declines", tc.token, "")
			if r.status != tc.status {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
			var got []string
			ds, _ := r.body["declines"].([]any)
			for _, x := range ds {
				m := x.(map[string]any)
				got = append(got, fmt.Sprintf("%v %v %v", m["case"].(map[string]any)["id"], m["reason_code"], m["reason"]))
			}
			if r.status == http.StatusOK && strings.Join(got, "; ") != tc.want {
				t.Fatalf("listed %q; want %q", got, tc.want)
			}
		})
	}
}
