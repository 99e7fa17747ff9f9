package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Without a font there is no PDF: the route answers 503 with what to install, and the server
// can say so at start (PDFFontErr).
func TestBulletinPDFWithoutFont(t *testing.T) {
	t.Parallel()
	s := &Server{logger: slog.New(slog.NewTextHandler(io.Discard, nil)), pdfFont: newPDFFonts(t.TempDir() + "/none.ttf")}
	if err := s.PDFFontErr(); err == nil {
		t.Fatal("no error for a missing font")
	}
	w := httptest.NewRecorder()
	s.handleStatsBulletin(w, httptest.NewRequest("GET", "/api/stats/bulletin?unit=140802001&format=pdf", nil))
	var body apiError
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusServiceUnavailable ||
		body.Code != "no_pdf_font" || !strings.Contains(body.Message, "none.ttf") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
