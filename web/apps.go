package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// The browser apps, built from web/ui by `make ui` into static/app. Without a build the binary
// still compiles (static/README.md is always there) and the app routes answer 503.
//
//go:embed all:static
var staticFiles embed.FS

// apps are the embedded app directories, each served under /<name>/.
var apps = []string{"phone", "console", "dashboard", "admin"}

// appFiles returns the built apps, or nil if they were not built.
func appFiles() fs.FS {
	sub, err := fs.Sub(staticFiles, "static/app")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(sub, "phone/index.html"); err != nil {
		return nil
	}
	return sub
}

// appSecurityHeaders: the apps load nothing from elsewhere (no CDN), are never framed, and
// leak no addresses in Referer. Photos shown in the app come from blob: URLs and /api/photos.
const appCSP = "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// handleApps serves the app shells and their assets. They are public, like any sign-in page:
// they hold code, never data; every route that returns data needs a session. Each file goes out
// in the best encoding the request accepts among those built beside it (asset_encoding.go).
func (s *Server) handleApps(files fs.FS) http.HandlerFunc {
	etags := &etagCache{}
	return func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/" {
			http.Redirect(w, r, "/phone/", http.StatusFound)
			return
		}
		if files == nil {
			if s.isAppPath(p) {
				writeJSON(w, http.StatusServiceUnavailable, apiError{Code: "unavailable",
					Message: "the browser apps were not built into this binary: run `make ui`, then rebuild"})
				return
			}
			writeError(w, s.logger, ErrNotFound)
			return
		}
		if strings.HasSuffix(p, "/index.html") { // one address per page, as http.FileServer keeps it
			http.Redirect(w, r, "./", http.StatusMovedPermanently)
			return
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if strings.HasSuffix(p, "/") {
			name = path.Join(name, "index.html")
		}
		st, err := fs.Stat(files, name)
		if err == nil && st.IsDir() && s.isAppPath(p) {
			http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
			return
		}
		if err != nil || st.IsDir() || isEncodedCopy(name) {
			writeError(w, s.logger, ErrNotFound)
			return
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", appCSP)
		if strings.HasPrefix(name, "assets/") {
			h.Set("Cache-Control", "public, max-age=31536000, immutable") // names carry content hashes
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		if err := serveAsset(w, r, files, name, etags); err != nil {
			writeError(w, s.logger, fmt.Errorf("app file %s: %w", name, err))
		}
	}
}

func (s *Server) isAppPath(p string) bool {
	for _, a := range apps {
		if p == "/"+a || strings.HasPrefix(p, "/"+a+"/") {
			return true
		}
	}
	return strings.HasPrefix(p, "/assets/")
}
