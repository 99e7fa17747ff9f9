package web_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"testing"

	"github.com/griddispatch/griddispatch/grid"
)

func pngBytes(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(t *testing.T, base, token string, body []byte) (int, map[string]any) {
	t.Helper()
	status, _, raw := do(t, "POST", base+"/api/photos", token, body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return status, m
}

func fetch(t *testing.T, url, token string) (int, string, []byte) {
	t.Helper()
	status, header, raw := do(t, "GET", url, token, nil)
	return status, header.Get("Content-Type"), raw
}

func TestPhotos(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	img := pngBytes(t, 200)

	status, body := upload(t, fx.base, fx.token, img)
	hash, _ := body["sha256"].(string)
	if status != http.StatusCreated || len(hash) != 64 || body["content_type"] != "image/png" {
		t.Fatalf("upload: %d %v", status, body)
	}
	if status, again := upload(t, fx.base, fx.token, img); status != http.StatusCreated || again["sha256"] != hash {
		t.Fatalf("same image again: %d %v", status, again)
	}
	refusals := []struct {
		name   string
		token  string
		body   []byte
		status int
	}{
		{"not an image", fx.token, []byte("<html><script>alert(1)</script></html>"), http.StatusUnsupportedMediaType},
		{"empty", fx.token, nil, http.StatusUnsupportedMediaType},
		{"over 8 MiB", fx.token, append(pngBytes(t, 1), make([]byte, 9<<20)...), http.StatusRequestEntityTooLarge},
		{"no session", "", img, http.StatusUnauthorized},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := upload(t, fx.base, tc.token, tc.body); status != tc.status {
				t.Fatalf("%d %v; want %d", status, body, tc.status)
			}
		})
	}

	// The worker reports with the photo; a stranger's or unknown hash is refused.
	c := connect(t, fx.ws, fx.token)
	msg := reportMsg("r1", newClientID())
	msg["report"].(map[string]any)["photos"] = []string{hash}
	if err := c.WriteJSON(msg); err != nil {
		t.Fatal(err)
	}
	if f := read(t, c); f["type"] != "ack" {
		t.Fatalf("report with a photo: %v", f)
	}
	stranger := fx.member(t, "13900000009", "140802001001002", grid.RoleGridWorker)
	_, otherBody := upload(t, fx.base, stranger, pngBytes(t, 10))
	msg = reportMsg("r2", newClientID())
	msg["report"].(map[string]any)["photos"] = []string{otherBody["sha256"].(string)}
	if err := c.WriteJSON(msg); err != nil {
		t.Fatal(err)
	}
	if f := read(t, c); f["code"] != "invalid_report" || f["field"] != "photos" {
		t.Fatalf("report with someone else's photo: %v", f)
	}

	// Who may see it: the reporter and staff above the event's unit; nobody else, and the
	// answer for "not yours" is the same as for "no such photo".
	villageMediator := fx.member(t, "13900000010", "140802001001", grid.RoleMediator)
	otherMediator := fx.member(t, "13900000011", "140802001002", grid.RoleMediator)
	url := fx.base + "/api/photos/" + hash
	viewers := []struct {
		name   string
		token  string
		url    string
		status int
	}{
		{"reporter", fx.token, url, http.StatusOK},
		{"mediator of the village", villageMediator, url, http.StatusOK},
		{"mediator of another village", otherMediator, url, http.StatusNotFound},
		{"grid worker elsewhere", stranger, url, http.StatusNotFound},
		{"no session", "", url, http.StatusUnauthorized},
		{"not a hash", fx.token, fx.base + "/api/photos/..%2F..%2Fetc%2Fpasswd", http.StatusNotFound},
	}
	for _, v := range viewers {
		t.Run(v.name, func(t *testing.T) {
			status, ct, b := fetch(t, v.url, v.token)
			if status != v.status {
				t.Fatalf("%d; want %d", status, v.status)
			}
			if status == http.StatusOK && (ct != "image/png" || !bytes.Equal(b, img)) {
				t.Fatalf("served %s, %d bytes", ct, len(b))
			}
		})
	}
}
