package web

import (
	"bufio"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCompressedExportStillStreams: a CSV export that flushes as it goes reaches the client
// gzipped, row by row, before the handler has finished; the websocket path is never wrapped.
func TestCompressedExportStillStreams(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/export.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_, _ = w.Write([]byte("first," + strings.Repeat("x", 2*jsonMinSize) + "\n"))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		<-release // the rest waits until the client has read the first row
		_, _ = w.Write([]byte("last\n"))
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Hijacker); !ok {
			t.Error("the websocket's writer cannot hijack")
		}
		if w.Header().Get("Vary") != "" {
			t.Error("the websocket went through the compressor")
		}
	})
	h, err := compressAPI(mux)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer close(release)

	// The client reads in the background: a compressor that held the answer back would keep it
	// waiting for headers as well as for the first row.
	first := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("GET", srv.URL+"/api/export.csv", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			first <- err.Error()
			return
		}
		defer res.Body.Close()
		if res.Header.Get("Content-Encoding") != "gzip" {
			first <- "not gzipped: " + res.Header.Get("Content-Encoding")
			return
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			first <- err.Error()
			return
		}
		line, _ := bufio.NewReader(zr).ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if !strings.HasPrefix(line, "first,") {
			t.Errorf("first row %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Error("the first row never came while the handler was still writing: the export does not stream")
	}

	ws, err := http.Get(srv.URL + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	ws.Body.Close()
}
