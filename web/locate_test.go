package web_test

import (
	"net/http"
	"testing"
)

func TestLocateEndpoint(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	cases := []struct {
		name    string
		query   string
		token   string
		status  int
		located bool
		units   int
	}{
		{"in a micro-grid", "lon=111.02&lat=35.02", fx.token, 200, true, 5},
		{"in a township without villages", "lon=111.15&lat=35.1", fx.token, 200, true, 2},
		{"far away", "lon=116.4&lat=39.9", fx.token, 200, false, 0},
		{"not numbers", "lon=east&lat=35", fx.token, 400, false, 0},
		{"out of range", "lon=111&lat=95", fx.token, 400, false, 0},
		{"missing", "", fx.token, 400, false, 0},
		{"no session", "lon=111.02&lat=35.02", "", 401, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "GET", fx.base+"/api/locate?"+tc.query, tc.token, "")
			if r.status != tc.status {
				t.Fatalf("%d %v; want %d", r.status, r.body, tc.status)
			}
			if r.status != http.StatusOK {
				return
			}
			units, _ := r.body["units"].([]any)
			if r.body["located"] != tc.located || len(units) != tc.units {
				t.Fatalf("%v", r.body)
			}
		})
	}
}
