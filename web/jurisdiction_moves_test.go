package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// movingRoles are the staff around a case reported in village A (140802001001): A's and its
// sibling B's (140802001002) mediators, the grid leaders of the case's grid and of another, the township's
// mediator and supervisor, and the other township's (140802002).
var movingRoles = []staffRole{
	{"reporter", "", "", ""},
	{"village A mediator", "13900000201", "140802001001", grid.RoleMediator},
	{"village B mediator", "13900000202", "140802001002", grid.RoleMediator},
	{"A grid leader", "13900000203", "140802001001001", grid.RoleGridLeader},
	{"leader of another grid of A", "13900000204", "140802001001002", grid.RoleGridLeader},
	{"township mediator", "13900000205", "140802001", grid.RoleMediator},
	{"township supervisor", "13900000206", "140802001", grid.RoleSupervisor},
	{"other township mediator", "13900000207", "140802002", grid.RoleMediator},
}

// A move is a case's path through the centres, as the centres that hold it take it; expect is
// what each of movingRoles then gets from the case page, in their order: "-" not found (404),
// else the actions listed ("" none). The holder must then be able to accept it.
type caseMove struct {
	name   string
	steps  []moveStep
	holder int    // index in movingRoles of the mediator whose queue holds the case at the end
	centre string // the centre it ends at
	expect []string
}

type moveStep struct {
	by            int // index in movingRoles
	action, extra string
}

var (
	villageHolds  = "accept escalate transfer decline" // a village centre: nothing below, a sibling beside; decline 退单 (issue 16)
	townshipHolds = "accept escalate return transfer decline"
)

var caseMoves = []caseMove{
	{"transferred to the sibling village", []moveStep{{1, "transfer", `"to_centre": "140802001002"`}},
		2, "140802001002", []string{"", "", villageHolds, "", "-", "", "urge", "-"}},
	{"escalated to the township", []moveStep{{1, "accept", ""}, {1, "mediate", ""}, {1, "escalate", ""}},
		5, "140802001", []string{"", "", "-", "", "-", townshipHolds, "urge", "-"}},
	{"escalated and returned", []moveStep{{1, "accept", ""}, {1, "mediate", ""}, {1, "escalate", ""}, {5, "return", ""}},
		1, "140802001001", []string{"", villageHolds, "-", "", "-", "", "urge", "-"}},
	// A return goes back to the centre that last held the case below, not to the place's.
	{"transferred, escalated and returned", []moveStep{{1, "transfer", `"to_centre": "140802001002"`},
		{2, "accept", ""}, {2, "mediate", ""}, {2, "escalate", ""}, {5, "return", ""}},
		2, "140802001002", []string{"", "", villageHolds, "", "-", "", "urge", "-"}},
}

// TestCaseAccessFollowsItsCentre: whoever's centre holds a case reads it, acts on it and sees
// its photo, wherever its place is; staff of the place keep reading it; nobody else sees it.
func TestCaseAccessFollowsItsCentre(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	tokens := []string{fx.token}
	for _, r := range movingRoles[1:] {
		tokens = append(tokens, fx.member(t, r.phone, r.unit, r.role))
	}
	worker := fx.memberID(t, "13900000001")
	photos := dispatch.NewPhotos(fx.dataDir, fx.pool)
	for i, mv := range caseMoves {
		t.Run(mv.name, func(t *testing.T) {
			ph, err := photos.Save(ctx, worker, pngBytes(t, uint8(60+i)))
			if err != nil {
				t.Fatal(err)
			}
			rc, err := fx.intake.Submit(ctx, dispatch.Report{ClientID: newClientID(), ReporterID: worker, Category: "neighbour",
				Severity: "normal", Description: "案件流转", Lon: 111.02, Lat: 35.02, HappenedAt: time.Now().Add(-time.Hour),
				Photos: []string{ph.SHA256}})
			if err != nil {
				t.Fatal(err)
			}
			caseURL := fmt.Sprintf("%s/api/cases/%d", fx.base, rc.CaseID)
			act := func(token, action, extra string) response {
				t.Helper()
				page := call(t, "GET", caseURL, token, "")
				if page.status != http.StatusOK {
					t.Fatalf("%s: case page %d %v", action, page.status, page.body)
				}
				body := fmt.Sprintf(`{"action": %q, "version": %v, "reason": "流转测试"`, action, page.body["case"].(map[string]any)["version"])
				if extra != "" {
					body += ", " + extra
				}
				return call(t, "POST", caseURL+"/transitions", token, body+"}")
			}
			for _, s := range mv.steps {
				if r := act(tokens[s.by], s.action, s.extra); r.status != http.StatusOK {
					t.Fatalf("%s by %s: %d %v", s.action, movingRoles[s.by].name, r.status, r.body)
				}
			}
			for i, r := range movingRoles {
				page := call(t, "GET", caseURL, tokens[i], "")
				got := "-"
				if page.status == http.StatusOK {
					var acts []string
					for _, a := range page.body["actions"].([]any) {
						acts = append(acts, a.(string))
					}
					got = strings.Join(acts, " ")
				} else if page.status != http.StatusNotFound {
					t.Fatalf("%s: case page %d %v", r.name, page.status, page.body)
				}
				if got != mv.expect[i] {
					t.Errorf("%s: case page %q, want %q", r.name, got, mv.expect[i])
				}
				want := http.StatusOK
				if got == "-" {
					want = http.StatusNotFound
				}
				for _, url := range []string{caseURL + "/map", fx.base + "/api/photos/" + ph.SHA256} {
					if status, _, _ := do(t, "GET", url, tokens[i], nil); status != want {
						t.Errorf("%s: GET %s %d, want %d", r.name, url, status, want)
					}
				}
			}
			queue := call(t, "GET", fx.base+"/api/centres/"+mv.centre+"/queue", tokens[mv.holder], "")
			queued := false
			cases, _ := queue.body["cases"].([]any)
			for _, c := range cases {
				queued = queued || c.(map[string]any)["id"] == float64(rc.CaseID)
			}
			if queue.status != http.StatusOK || !queued {
				t.Fatalf("the queue of %s lacks the case: %d %v", mv.centre, queue.status, queue.body)
			}
			if r := act(tokens[mv.holder], "accept", ""); r.status != http.StatusOK || r.body["case"].(map[string]any)["centre"] != mv.centre {
				t.Fatalf("the holder accepts: %d %v", r.status, r.body)
			}
		})
	}
}
