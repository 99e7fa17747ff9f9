package web_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

// TestLoadTimeScript: web/ui/e2e/loadtime.mjs, the slow-link measurement of docs/benchmarks.md
// (`make loadtime`), still finds each app's sign-in form and first figures, and in Chromium the
// apps' files arrive brotli-compressed: the dashboard's first screen weighs less than the
// ECharts chunk alone does uncompressed.
func TestLoadTimeScript(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, withBrowser("phone", "console", "dashboard", "admin"))
	fx.submit(t, "13900000001", "两户因排水沟发生争执") // the phone's first case
	fx.member(t, "13900000071", "140802001001", grid.RoleMediator)
	fx.member(t, "13900000072", "140802001", grid.RoleSupervisor)
	fx.member(t, "13900000073", "140802", grid.RoleAdmin)
	out := browserScript(t, "loadtime.mjs", nil, "BASE_URL="+fx.base, "RUNS=1", "PASSWORD="+password,
		"LATENCY_MS=20", "THROUGHPUT=2000000", // a quicker link than the benchmark's: this checks, it does not measure
		"PHONE_PHONE=13900000001", "PHONE_CONSOLE=13900000071", "PHONE_DASHBOARD=13900000072", "PHONE_ADMIN=13900000073")
	t.Logf("%s", out)
	seen := map[string]bool{}
	for _, line := range bytes.Split(out, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("{")) {
			continue
		}
		var r struct {
			App        string
			FormMS     int            `json:"form_ms"`
			FormBytes  int            `json:"form_bytes"`
			FirstMS    int            `json:"first_ms"`
			FirstBytes int            `json:"first_bytes"`
			Encodings  map[string]int `json:"encodings"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		seen[r.App] = true
		if r.FormMS <= 0 || r.FirstMS < r.FormMS || r.FormBytes <= 0 || r.FirstBytes < r.FormBytes || r.Encodings["br"] == 0 {
			t.Errorf("%s: %+v", r.App, r)
		}
		if r.App == "dashboard" && r.FirstBytes > 400_000 {
			t.Errorf("the dashboard's first screen took %d bytes: its files went uncompressed", r.FirstBytes)
		}
	}
	for _, app := range []string{"phone", "console", "dashboard", "admin"} {
		if !seen[app] {
			t.Errorf("no figures for %s in\n%s", app, out)
		}
	}
}
