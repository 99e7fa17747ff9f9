package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestPointsOnThePhone: the grid worker's report is accepted, mediated, settled by the village
// centre and verified on site by the worker, each through the server's routes; the points
// consumer books 上报事件被受理 +2 and 按时核查办结事件 +1, and the worker's phone shows the
// balance 3, this month's rows with their case number, and the rules, at 360 px and on a desk,
// in Chinese and English (points_phone.mjs).
func TestPointsOnThePhone(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withBrowser("phone"), withLive())
	mediator := fx.member(t, "13900000002", "140802001001", grid.RoleMediator)
	id := fx.submit(t, "13900000001", "两户因排水沟发生争执")
	for i, step := range []struct{ token, body string }{
		{mediator, `{"action": "accept"}`},
		{mediator, `{"action": "mediate", "reason": "约双方到村调解室面谈"}`},
		{mediator, `{"action": "settle", "reason": "双方达成协议，排水沟由两户共同清理", "outcome": "mediated"}`},
		{fx.token, `{"action": "verify"}`},
	} {
		var body map[string]any
		if err := json.Unmarshal([]byte(step.body), &body); err != nil {
			t.Fatal(err)
		}
		body["version"] = i + 1
		b, _ := json.Marshal(body)
		if res := call(t, "POST", fmt.Sprintf("%s/api/cases/%d/transitions", fx.base, id), step.token, string(b)); res.status != http.StatusOK {
			t.Fatalf("%s: %d %v", step.body, res.status, res.body)
		}
	}
	worker := fx.memberID(t, "13900000001")
	gridtest.Eventually(t, "the points booked", func() bool {
		return countOf(t, fx, `SELECT count(*) FROM point_ledger WHERE member_id = $1`, worker) == 2
	})
	out := browserScript(t, "points_phone.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password,
		"PHONE_W=13900000001", fmt.Sprintf("CASE_ID=%d", id), "LON=111.02", "LAT=35.02")
	var got struct {
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.Done {
		t.Fatalf("script output %q: %v", out, err)
	}
}
