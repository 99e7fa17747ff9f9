package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/griddispatch/griddispatch/web"
)

// raw is a client that shows what went over the wire: it neither asks for gzip nor undoes it.
var raw = &http.Client{Transport: &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type wire struct {
	status int
	header http.Header
	body   []byte
}

func over(t *testing.T, method, url string, header map[string]string) wire {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return wire{res.StatusCode, res.Header, body}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

// TestAppAssetsGoPrecompressed: the build's .br and .gz copies are embedded and served in place
// of their file by the request's Accept-Encoding, each with its own ETag, Vary, the file's
// Content-Type and cache headers; HEAD, conditional and range requests behave.
func TestAppAssetsGoPrecompressed(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("static/app/phone/index.html"); err != nil {
		t.Fatal("the apps are not built: run `make ui` (make test does)")
	}
	fx := newFixture(t)
	shell := over(t, "GET", fx.base+"/phone/", nil)
	script := regexp.MustCompile(`/assets/phone-[\w-]+\.js`).FindString(string(shell.body))
	if script == "" {
		t.Fatalf("no bundle in the shell %q", shell.body)
	}
	plain, err := os.ReadFile("static/app" + script)
	if err != nil {
		t.Fatal(err)
	}
	brotli, err := os.ReadFile("static/app" + script + ".br")
	if err != nil {
		t.Fatalf("the build wrote no brotli copy (web/ui/vite.config.ts): %v", err)
	}
	cases := []struct {
		name, accept, coding string
		want                 []byte
	}{
		{"brotli first", "gzip, deflate, br, zstd", "br", brotli},
		{"gzip", "gzip", "gzip", plain},
		{"brotli refused", "br;q=0, gzip;q=0.8", "gzip", plain},
		{"any", "*", "br", brotli},
		{"nothing", "", "", plain},
		{"identity only", "identity, gzip;q=0, br;q=0", "", plain},
	}
	etags := map[string]string{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := over(t, "GET", fx.base+script, map[string]string{"Accept-Encoding": c.accept})
			h := w.header
			if w.status != 200 || h.Get("Content-Encoding") != c.coding {
				t.Fatalf("%d, Content-Encoding %q, want %q", w.status, h.Get("Content-Encoding"), c.coding)
			}
			body := w.body
			if c.coding == "gzip" {
				body = gunzip(t, body)
			}
			if !bytes.Equal(body, c.want) {
				t.Errorf("body differs from the built file (%d bytes, want %d)", len(body), len(c.want))
			}
			if h.Get("Vary") != "Accept-Encoding" || h.Get("Content-Type") != "text/javascript; charset=utf-8" ||
				h.Get("Cache-Control") != "public, max-age=31536000, immutable" || h.Get("Content-Length") != strconv.Itoa(len(w.body)) {
				t.Errorf("headers %v", h)
			}
			if prev, ok := etags[c.coding]; ok && prev != h.Get("ETag") || h.Get("ETag") == "" {
				t.Errorf("ETag %q for %q, before %q", h.Get("ETag"), c.coding, prev)
			}
			etags[c.coding] = h.Get("ETag")
		})
	}
	if len(etags) != 3 || etags["br"] == etags["gzip"] || etags["br"] == etags[""] || etags["gzip"] == etags[""] {
		t.Errorf("one ETag per encoding, got %v", etags)
	}

	t.Run("not modified", func(t *testing.T) {
		w := over(t, "GET", fx.base+script, map[string]string{"Accept-Encoding": "br", "If-None-Match": etags["br"]})
		if w.status != 304 || len(w.body) != 0 {
			t.Errorf("revalidating the brotli copy: %d", w.status)
		}
		// the gzip copy's tag is not the brotli copy's: a cache holding gzip gets the brotli body
		if w := over(t, "GET", fx.base+script, map[string]string{"Accept-Encoding": "br", "If-None-Match": etags["gzip"]}); w.status != 200 ||
			w.header.Get("Content-Encoding") != "br" {
			t.Errorf("gzip's ETag for a brotli request: %d %q", w.status, w.header.Get("Content-Encoding"))
		}
	})
	t.Run("head", func(t *testing.T) {
		w := over(t, "HEAD", fx.base+script, map[string]string{"Accept-Encoding": "br"})
		if w.status != 200 || w.header.Get("Content-Encoding") != "br" || w.header.Get("Content-Length") != strconv.Itoa(len(brotli)) ||
			len(w.body) != 0 || w.header.Get("ETag") != etags["br"] {
			t.Errorf("HEAD: %d %v, %d bytes of body", w.status, w.header, len(w.body))
		}
	})
	t.Run("range", func(t *testing.T) {
		// a range is of the file as it is, whatever the request accepts
		w := over(t, "GET", fx.base+script, map[string]string{"Accept-Encoding": "br, gzip", "Range": "bytes=10-109"})
		if w.status != http.StatusPartialContent || w.header.Get("Content-Encoding") != "" || !bytes.Equal(w.body, plain[10:110]) ||
			w.header.Get("Content-Range") != "bytes 10-109/"+strconv.Itoa(len(plain)) {
			t.Errorf("range: %d %v", w.status, w.header)
		}
	})
	t.Run("shell", func(t *testing.T) {
		w := over(t, "GET", fx.base+"/phone/", map[string]string{"Accept-Encoding": "gzip"})
		if w.header.Get("Content-Encoding") != "gzip" || w.header.Get("Cache-Control") != "no-cache" ||
			w.header.Get("Content-Type") != "text/html; charset=utf-8" || !bytes.Contains(gunzip(t, w.body), []byte(script)) {
			t.Errorf("the phone's page: %v", w.header)
		}
		if w := over(t, "GET", fx.base+"/phone/manifest.webmanifest", map[string]string{"Accept-Encoding": "br"}); w.header.Get("Content-Type") != "application/manifest+json" {
			t.Errorf("manifest: %v", w.header)
		}
		// an icon has no compressed copy: as it is, and nothing varies
		if w := over(t, "GET", fx.base+"/phone/icon-192.png", map[string]string{"Accept-Encoding": "br, gzip"}); w.status != 200 ||
			w.header.Get("Content-Encoding") != "" || w.header.Get("Vary") != "" || w.header.Get("Content-Type") != "image/png" {
			t.Errorf("icon: %d %v", w.status, w.header)
		}
	})
	t.Run("copies are not addressable", func(t *testing.T) {
		for _, p := range []string{script + ".br", script + ".gz", "/phone/index.html.gz"} {
			if w := over(t, "GET", fx.base+p, nil); w.status != 404 {
				t.Errorf("%s: %d", p, w.status)
			}
		}
	})
	t.Run("precache", func(t *testing.T) {
		sw := over(t, "GET", fx.base+"/phone/sw.js", nil)
		if bytes.Contains(sw.body, []byte(".br\"")) || bytes.Contains(sw.body, []byte(".gz\"")) || !bytes.Contains(sw.body, []byte(script)) {
			t.Errorf("the phone's precache lists compressed copies, or misses the bundle: %s", sw.body)
		}
	})
}

// noisePNG is a PNG that PNG's own deflate cannot shrink, bigger than the JSON threshold.
func noisePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 48))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.UintN(256))
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAPIAnswersAreGzipped: JSON above 1 KiB goes gzipped to a client that accepts it, as it
// is to one that does not and below the threshold; a photo is never compressed again; the
// websocket still upgrades with gzip accepted.
func TestAPIAnswersAreGzipped(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	auth := "Bearer " + fx.token
	big := over(t, "GET", fx.base+"/api/categories", map[string]string{"Authorization": auth, "Accept-Encoding": "gzip, br"})
	if big.status != 200 || big.header.Get("Content-Encoding") != "gzip" || big.header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("categories: %d %v", big.status, big.header)
	}
	var cats struct{ Categories []any }
	if err := json.Unmarshal(gunzip(t, big.body), &cats); err != nil || len(cats.Categories) < 20 {
		t.Fatalf("categories, gunzipped: %v, %d", err, len(cats.Categories))
	}
	plain := over(t, "GET", fx.base+"/api/categories", map[string]string{"Authorization": auth})
	if plain.header.Get("Content-Encoding") != "" || len(plain.body) < 1024 || len(big.body) >= len(plain.body)/2 {
		t.Errorf("categories without gzip: %v, %d bytes (gzipped %d)", plain.header, len(plain.body), len(big.body))
	}
	small := over(t, "GET", fx.base+"/api/me", map[string]string{"Authorization": auth, "Accept-Encoding": "gzip"})
	if small.status != 200 || small.header.Get("Content-Encoding") != "" || len(small.body) >= 1024 {
		t.Errorf("/api/me (%d bytes): %v", len(small.body), small.header)
	}

	photo := noisePNG(t)
	status, up := upload(t, fx.base, fx.token, photo)
	if status != http.StatusCreated || len(photo) < 4096 {
		t.Fatalf("upload of %d bytes: %d %v", len(photo), status, up)
	}
	got := over(t, "GET", fx.base+"/api/photos/"+up["sha256"].(string), map[string]string{"Authorization": auth, "Accept-Encoding": "gzip"})
	if got.status != 200 || got.header.Get("Content-Encoding") != "" || !bytes.Equal(got.body, photo) {
		t.Errorf("photo: %d %v", got.status, got.header)
	}

	c, res, err := dial(t, fx.ws, http.Header{"Accept-Encoding": {"gzip, br"}}, web.Subprotocol, "bearer."+fx.token)
	if err != nil {
		t.Fatalf("websocket with gzip accepted: %v", err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("upgrade: %d %v", res.StatusCode, res.Header)
	}
	if hello := read(t, c); hello["type"] != "hello" {
		t.Errorf("first frame: %v", hello)
	}
}
