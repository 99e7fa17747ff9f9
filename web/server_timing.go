package web

import (
	"fmt"
	"net/http"
	"time"
)

// timed adds a Server-Timing header (app;dur=<ms>) to the response: how long the handler took
// to the first byte, which browsers' developer tools and the dashboard benchmark read without
// the network's share. The routes register it inside guard, so the session and jurisdiction
// checks are not in it (they are in the client's time).
func timed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		next(&timingWriter{ResponseWriter: w, start: time.Now()}, r)
	}
}

type timingWriter struct {
	http.ResponseWriter
	start   time.Time
	written bool
}

func (t *timingWriter) WriteHeader(code int) {
	if !t.written {
		t.written = true
		ms := float64(time.Since(t.start).Microseconds()) / 1000
		v := fmt.Sprintf("app;dur=%.2f", ms)
		if more := t.Header().Get("Server-Timing"); more != "" { // the handler's own, e.g. cache;desc=hit
			v += ", " + more
		}
		t.Header().Set("Server-Timing", v)
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *timingWriter) Write(b []byte) (int, error) {
	if !t.written {
		t.WriteHeader(http.StatusOK)
	}
	return t.ResponseWriter.Write(b)
}
