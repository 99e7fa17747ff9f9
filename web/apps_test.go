package web_test

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestAppsAreServedWithTheirHeaders(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("static/app/phone/index.html"); err != nil {
		t.Fatal("the apps are not built: run `make ui` (make test does)")
	}
	fx := newFixture(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := noFollow.Get(fx.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	for path, to := range map[string]string{"/": "/phone/", "/phone": "/phone/"} {
		if res, _ := get(path); res.StatusCode/100 != 3 || res.Header.Get("Location") != to {
			t.Errorf("%s: %d to %q, want a redirect to %s", path, res.StatusCode, res.Header.Get("Location"), to)
		}
	}
	res, page := get("/phone/")
	if res.StatusCode != 200 || !strings.Contains(page, `lang="zh-CN"`) || !strings.Contains(page, "manifest.webmanifest") {
		t.Fatalf("/phone/: %d %q", res.StatusCode, page)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("the shell is cached as %q; a new build would not reach phones", cc)
	}
	script := regexp.MustCompile(`/assets/phone-[\w-]+\.js`).FindString(page)
	if res, _ := get(script); script == "" || res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("bundle %q: %d %q", script, res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res, sw := get("/phone/sw.js"); res.StatusCode != 200 || !strings.Contains(sw, script) || strings.Contains(sw, "__PRECACHE__") {
		t.Errorf("service worker: %d, precaches the bundle: %v", res.StatusCode, strings.Contains(sw, script))
	}
	if res, _ := get("/phone/manifest.webmanifest"); res.Header.Get("Content-Type") != "application/manifest+json" {
		t.Errorf("manifest type %q", res.Header.Get("Content-Type"))
	}
	for _, path := range []string{"/api/nothing", "/assets/", "/phone/../../go.mod", "/static/README.md"} {
		if r := call(t, "GET", fx.base+path, "", ""); r.status != 404 || r.body["error"] != "not_found" {
			t.Errorf("%s: %d %v, want a JSON 404", path, r.status, r.body)
		}
	}
}

func TestCategories(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	r := call(t, "GET", fx.base+"/api/categories", fx.token, "")
	list, _ := r.body["categories"].([]any)
	if r.status != 200 || len(list) < 20 {
		t.Fatalf("categories: %d, %d entries", r.status, len(list))
	}
	found := false
	for _, c := range list {
		c := c.(map[string]any)
		if c["code"] == "neighbour" {
			found = c["name_zh"] == "邻里纠纷" && c["grid_may_close"] == true && c["start_level"] == 3.0 && c["group"] == "dispute"
		}
	}
	if !found {
		t.Errorf("neighbour dispute missing or wrong in %v", list)
	}
	if r := call(t, "GET", fx.base+"/api/categories", "", ""); r.status != 401 {
		t.Errorf("without a session: %d", r.status)
	}
}
