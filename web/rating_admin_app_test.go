package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// TestRatingSchemesAdminApp: a county administrator edits 五面红旗 in the admin app (a bad weight
// refused with the server's words, a target, a pass score and a new indicator saved); a township
// administrator only reads it (rating_schemes.mjs). The API then holds what the page showed.
func TestRatingSchemesAdminApp(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withBrowser("admin"))
	county := fx.member(t, "13900000051", "140802", grid.RoleAdmin)
	fx.member(t, "13900000052", "140802001", grid.RoleAdmin)
	out := browserScript(t, "rating_schemes.mjs", nil, "BASE_URL="+fx.base, "PASSWORD="+password,
		"COUNTY=13900000051", "TOWNSHIP=13900000052")
	if !strings.Contains(string(out), `"done":true`) {
		t.Fatalf("script output %q", out)
	}
	r := call(t, "GET", fx.base+"/api/admin/rating-schemes", county, "")
	b, _ := json.Marshal(r.body["schemes"])
	var schemes []struct {
		Code  string
		Marks []struct {
			PassScore  int `json:"pass_score"`
			Indicators []struct {
				Code, Name, Source string
				Threshold          float64
				Weight             int
			}
		}
	}
	if err := json.Unmarshal(b, &schemes); err != nil {
		t.Fatal(err)
	}
	for _, s := range schemes {
		if s.Code != "five_flags" {
			continue
		}
		got := fmt.Sprintf("pass %d, closure %v; ", s.Marks[1].PassScore, s.Marks[1].Indicators[0].Threshold)
		for _, it := range s.Marks[4].Indicators {
			got += fmt.Sprintf("%s %s %v %d; ", it.Name, it.Source, it.Threshold, it.Weight)
		}
		want := "pass 70, closure 97; 村集体经济收入 entered 10 60; 农民人均可支配收入增幅 entered 6 40; 特色产业项目 entered 1 20; "
		if got != want {
			t.Errorf("five_flags after the page:\n%s\nwant\n%s", got, want)
		}
		return
	}
	t.Fatal("no five_flags scheme")
}
