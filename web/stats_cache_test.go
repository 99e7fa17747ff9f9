package web_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// statsCacheFixture is a server whose stats notices come from a real bus that nothing but the
// test publishes on (no applier), so that the test says which units changed.
func statsCacheFixture(t *testing.T, ttl time.Duration) (*fixture, *dispatch.Bus) {
	t.Helper()
	fx := newFixture(t, withQuietBus(), withConfig(func(c *web.Config) { c.StatsCacheTTL = ttl }))
	return fx, fx.bus
}

// cacheState asks for a view and says whether the cache answered it (Server-Timing).
func cacheState(t *testing.T, fx *fixture, token, view string) (string, []byte) {
	t.Helper()
	status, header, body := do(t, "GET", fx.base+"/api/stats/"+view, token, nil)
	if status != 200 {
		t.Fatalf("%s: %d %s", view, status, body)
	}
	timing := header.Get("Server-Timing")
	if !strings.HasPrefix(timing, "app;dur=") {
		t.Fatalf("%s: Server-Timing %q, want the app's time first", view, timing)
	}
	switch {
	case strings.Contains(timing, "cache;desc=hit"):
		return "hit", body
	case strings.Contains(timing, "cache;desc=miss"):
		return "miss", body
	}
	t.Fatalf("%s: Server-Timing %q says neither hit nor miss", view, timing)
	return "", nil
}

// A second request for the same view is answered from the cache with the same body; each of
// unit, period, category, step and language is a view of its own; files are not cached.
func TestStatsCacheHitIsTheSameAnswer(t *testing.T) {
	t.Parallel()
	fx, _ := statsCacheFixture(t, time.Minute)
	sup := fx.member(t, "13900000041", "140802001", grid.RoleSupervisor)
	period := "&from=2026-11-01&to=2026-11-30"
	for _, view := range []string{"summary?unit=140802001" + period, "units?unit=140802001" + period,
		"trend?unit=140802001&by=month" + period, "categories?unit=140802001001" + period, "tiers?unit=140802001" + period} {
		first, a := cacheState(t, fx, sup, view)
		second, b := cacheState(t, fx, sup, view)
		if first != "miss" || second != "hit" || !bytes.Equal(a, b) {
			t.Errorf("%s: %s then %s, same body %v; want a miss, then a hit with the same body", view, first, second, bytes.Equal(a, b))
		}
	}
	for _, other := range []string{"summary?unit=140802001&from=2026-11-01&to=2026-11-29",
		"summary?unit=140802001&category=neighbour" + period, "summary?unit=140802001002" + period,
		"trend?unit=140802001&by=week" + period, "units?unit=140802001&lang=en" + period} {
		if got, _ := cacheState(t, fx, sup, other); got != "miss" {
			t.Errorf("%s: %s, want a view of its own (miss)", other, got)
		}
	}
	status, header, _ := do(t, "GET", fx.base+"/api/stats/units?format=csv&unit=140802001"+period, sup, nil)
	status2, header2, _ := do(t, "GET", fx.base+"/api/stats/units?format=csv&unit=140802001"+period, sup, nil)
	if status != 200 || status2 != 200 || strings.Contains(header2.Get("Server-Timing"), "cache") {
		t.Errorf("csv: %d %d %q %q, want files not cached", status, status2, header.Get("Server-Timing"), header2.Get("Server-Timing"))
	}
}

// A stats notice naming a grid drops the answers about that grid and the units above it, and
// no others.
func TestStatsCacheDropsTheChangedUnitsAndAbove(t *testing.T) {
	t.Parallel()
	fx, bus := statsCacheFixture(t, time.Minute)
	county := fx.member(t, "13900000042", "140802", grid.RoleSupervisor)
	period := "&from=2026-11-01&to=2026-11-30"
	views := map[string]bool{ // view -> dropped by a change at grid 140802001001001
		"summary?unit=140802":                        true,
		"summary?unit=140802001":                     true,
		"units?unit=140802001001":                    true,
		"categories?unit=140802001001001":            true,
		"trend?by=week&unit=140802001001001&lang=en": true,
		"summary?unit=140802001002":                  false, // a village beside it
		"tiers?unit=140802001002001":                 false, // a grid of that village
		"summary?unit=140802002":                     false, // another township
	}
	for v := range views {
		cacheState(t, fx, county, v+period)
		if got, _ := cacheState(t, fx, county, v+period); got != "hit" {
			t.Fatalf("%s: %s, want it cached", v, got)
		}
	}
	if err := bus.PublishStatsChanged([]string{"140802001001001"}); err != nil {
		t.Fatal(err)
	}
	gridtest.Eventually(t, "the notice reaches the server", func() bool {
		got, _ := cacheState(t, fx, county, "units?unit=140802001001"+period)
		return got == "miss"
	})
	for v, dropped := range views {
		if v == "units?unit=140802001001" {
			continue // asked again while waiting
		}
		want := map[bool]string{true: "miss", false: "hit"}[dropped]
		if got, _ := cacheState(t, fx, county, v+period); got != want {
			t.Errorf("%s after a change at 140802001001001: %s, want %s", v, got, want)
		}
	}
}

// Who may see a unit is checked on every request, before the cache: a cached answer is not
// given to a member outside the unit's jurisdiction, nor without a session.
func TestStatsCacheIsBehindJurisdiction(t *testing.T) {
	t.Parallel()
	fx, _ := statsCacheFixture(t, time.Minute)
	sup := fx.member(t, "13900000043", "140802001", grid.RoleSupervisor)
	other := fx.member(t, "13900000044", "140802002", grid.RoleSupervisor)
	mediator := fx.member(t, "13900000045", "140802001001", grid.RoleMediator)
	view := "summary?unit=140802001&from=2026-11-01&to=2026-11-30"
	cacheState(t, fx, sup, view)
	if got, _ := cacheState(t, fx, sup, view); got != "hit" {
		t.Fatalf("%s: %s, want it cached", view, got)
	}
	for name, token := range map[string]string{"another township's supervisor": other, "a mediator below": mediator} {
		if r := call(t, "GET", fx.base+"/api/stats/"+view, token, ""); r.status != 403 || r.body["error"] == nil {
			t.Errorf("%s: %d %v, want 403 though the answer is cached", name, r.status, r.body)
		}
	}
	if r := call(t, "GET", fx.base+"/api/stats/"+view, "", ""); r.status != 401 {
		t.Errorf("no session: %d, want 401", r.status)
	}
}

// An answer is kept for the TTL at most, notice or not.
func TestStatsCacheExpires(t *testing.T) {
	t.Parallel()
	fx, _ := statsCacheFixture(t, 300*time.Millisecond)
	sup := fx.member(t, "13900000046", "140802001", grid.RoleSupervisor)
	view := "summary?unit=140802001&from=2026-11-01&to=2026-11-30"
	cacheState(t, fx, sup, view)
	start := time.Now()
	gridtest.Eventually(t, "the answer expires", func() bool {
		got, _ := cacheState(t, fx, sup, view)
		return got == "miss"
	})
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Errorf("expired after %v, want the TTL (300 ms)", waited)
	}
}
