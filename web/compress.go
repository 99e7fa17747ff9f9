package web

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// jsonMinSize: an answer shorter than this goes as it is; gzip's header and the work would
// cost more than they save.
const jsonMinSize = 1024

// compressAPI gzips the API's answers (JSON, and CSV exports) of jsonMinSize bytes or more for
// clients that accept gzip. gzhttp picks the types, so photos, spreadsheets and PDFs (already
// compressed) pass as they are, and a handler that flushes still streams: gzhttp flushes its
// writer and the connection. Only /api/ is wrapped: the websocket (/ws) hijacks its connection
// and its frames are small, and the apps' files come compressed from the build
// (asset_encoding.go).
func compressAPI(next http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(jsonMinSize),
		gzhttp.EnableZstd(false), // gzip is what every client and proxy here knows
		gzhttp.ContentTypeFilter(compressible),
	)
	if err != nil {
		return nil, fmt.Errorf("compression: %w", err)
	}
	gz := wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			gz(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}), nil
}

// compressible: JSON (GeoJSON too: the maps' outlines are the largest answers), CSV and text.
func compressible(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return t == "application/json" || strings.HasSuffix(t, "+json") || t == "text/csv" || t == "text/plain"
}
