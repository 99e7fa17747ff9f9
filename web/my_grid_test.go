package web_test

import (
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// TestMyGridOutlines: GET /api/my/grid gives a grid worker the outlines of their own grid and
// its micro-grids only (WGS84 GeoJSON); another grid is 403, a member with no grid 404, nobody 401.
func TestMyGridOutlines(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	r := call(t, "GET", fx.base+"/api/my/grid", fx.token, "")
	if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("my grid: %d %v", r.status, r.body)
	}
	features, _ := r.body["features"].([]any)
	levels := map[float64]int{}
	for _, f := range features {
		p := f.(map[string]any)["properties"].(map[string]any)
		code := p["code"].(string)
		if code[:15] != "140802001001001" {
			t.Errorf("outside the worker's grid: %s", code)
		}
		levels[p["level"].(float64)]++
		g := f.(map[string]any)["geometry"].(map[string]any)
		c := g["coordinates"].([]any)
		for c != nil {
			if pt, ok := c[0].(float64); ok {
				if pt < 110 || pt > 113 {
					t.Errorf("%s: not WGS84 longitude: %v", code, c)
				}
				break
			}
			c = c[0].([]any)
		}
	}
	if levels[4] != 1 || levels[5] < 1 {
		t.Fatalf("want the grid and its micro-grids, got levels %v (%d features)", levels, len(features))
	}
	if r := call(t, "GET", fx.base+"/api/my/grid?unit=140802001001001", fx.token, ""); r.status != 200 {
		t.Fatalf("own grid by code: %d", r.status)
	}
	// A micro-grid's information officer gets the grid their micro-grid lies in.
	micro := fx.member(t, "13900000021", "140802001001001001", grid.RoleInfoOfficer)
	if r := call(t, "GET", fx.base+"/api/my/grid", micro, ""); r.status != 200 || len(r.body["features"].([]any)) != len(features) {
		t.Fatalf("micro-grid officer: %d %v", r.status, r.body["grids"])
	}
	for _, c := range []struct {
		name, token, query string
		status             int
	}{
		{"sibling grid", fx.token, "?unit=140802001001002", 403},
		{"the village above", fx.token, "?unit=140802001001", 403},
		{"no such unit", fx.token, "?unit=x", 403},
		{"no grid", fx.member(t, "13900000022", "140802001001", grid.RoleMediator), "", 404},
		{"no session", "", "", 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := call(t, "GET", fx.base+"/api/my/grid"+c.query, c.token, ""); r.status != c.status || r.body["error"] == nil {
				t.Fatalf("%d %v, want %d", r.status, r.body, c.status)
			}
		})
	}
}
