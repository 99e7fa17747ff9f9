package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The build writes name.br and name.gz beside each text file of the apps (web/ui/vite.config.ts),
// compressed once at the best levels; a file without them (an icon, a small file) goes as it is.
// encodedCopies lists them best first.
var encodedCopies = []struct{ coding, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// isEncodedCopy: the compressed copies are served in place of their file, never by their own name.
func isEncodedCopy(name string) bool {
	for _, c := range encodedCopies {
		if strings.HasSuffix(name, c.ext) {
			return true
		}
	}
	return false
}

// serveAsset serves the app file name in the best encoding the request accepts, with its
// Content-Type, Vary: Accept-Encoding when there is a choice, and an ETag of the bytes sent, so
// that a cache never hands a brotli body to a client that asked for gzip. http.ServeContent does
// HEAD, conditional requests and ranges; a range is taken of the file as it is, never of a
// compressed copy, which is what a client resuming a download expects.
func serveAsset(w http.ResponseWriter, r *http.Request, files fs.FS, name string, etags *etagCache) error {
	h := w.Header()
	h.Set("Content-Type", contentTypeOf(name))
	served, coding := name, ""
	varies := false
	for _, c := range encodedCopies {
		if _, err := fs.Stat(files, name+c.ext); err != nil {
			continue
		}
		varies = true
		if coding == "" && r.Header.Get("Range") == "" && acceptsCoding(r.Header.Get("Accept-Encoding"), c.coding) {
			served, coding = name+c.ext, c.coding
		}
	}
	if varies {
		h.Add("Vary", "Accept-Encoding")
	}
	f, err := files.Open(served)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	body, ok := f.(io.ReadSeeker) // embedded files are
	if !ok {
		return fmt.Errorf("%s cannot seek", served)
	}
	tag, err := etags.of(files, served)
	if err != nil {
		return err
	}
	h.Set("ETag", tag)
	if coding != "" {
		h.Set("Content-Encoding", coding)
		// http.ServeContent leaves the length out when an encoding is set, for those who compress
		// on the fly; this copy has one (a 304 drops it).
		h.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	}
	http.ServeContent(w, r, name, time.Time{}, body)
	return nil
}

// contentTypeOf is the type of the file as it is, whatever its encoding on the wire.
func contentTypeOf(name string) string {
	ext := path.Ext(name)
	if ext == ".webmanifest" {
		return "application/manifest+json"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// acceptsCoding reads an Accept-Encoding header (RFC 9110 12.5.3): coding is accepted when it is
// listed, or "*" is, with a q-value above 0.
func acceptsCoding(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		ok := qAboveZero(params)
		if name == coding {
			return ok
		}
		star = ok
	}
	return star
}

// qAboveZero reads the parameters after a coding: "q=0" (or 0.0, 0.000) refuses it.
func qAboveZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}

// etagCache keeps each embedded file's ETag, a hash of its bytes: the files never change while
// the process runs, and hashing the ECharts bundle on every request would waste time.
type etagCache struct{ m sync.Map }

func (c *etagCache) of(files fs.FS, name string) (string, error) {
	if v, ok := c.m.Load(name); ok {
		return v.(string), nil
	}
	body, err := fs.ReadFile(files, name)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:12]) + `"`
	c.m.Store(name, tag)
	return tag, nil
}
