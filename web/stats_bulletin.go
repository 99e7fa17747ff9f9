package web

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// pdfFonts loads the PDF font once, on the first PDF asked for: a server without one still
// serves everything else, and answers PDFs 503 saying what to install (docs/deploy.md). A
// bulletin's PDF takes some 40 ms and 14 MB (the font is parsed for each document), so a few
// are written at once and the rest wait their turn.
type pdfFonts struct {
	path  string // "": the first of pdfdoc.FontPaths
	once  sync.Once
	font  *pdfdoc.Font
	err   error
	slots chan struct{}
}

// pdfsAtOnce bounds the PDFs written at the same time.
const pdfsAtOnce = 2

func newPDFFonts(path string) *pdfFonts {
	return &pdfFonts{path: path, slots: make(chan struct{}, pdfsAtOnce)}
}

func (p *pdfFonts) get() (*pdfdoc.Font, error) {
	p.once.Do(func() { p.font, p.err = pdfdoc.LoadFont(p.path) })
	return p.font, p.err
}

// handleStatsBulletin: GET /api/stats/bulletin?unit&week[&lang][&format=pdf] -> the weekly
// bulletin of the week holding week (last week by default), as JSON or a PDF. The policy
// (figures-viewer) has checked unit against the member's jurisdiction.
func (s *Server) handleStatsBulletin(w http.ResponseWriter, r *http.Request) {
	if err := s.statsBulletin(w, r); err != nil {
		writeError(w, s.logger, err)
	}
}

func (s *Server) statsBulletin(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	today := dispatch.StatsToday(time.Now())
	day := today.AddDate(0, 0, -7)
	if v := q.Get("week"); v != "" {
		t, err := dispatch.ParseStatsDate(v)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			return fmt.Errorf("%w: week must be a date YYYY-MM-DD between 2000 and 2100, not %s", ErrBadRequest, quoteShort(v))
		}
		day = t
	}
	format := q.Get("format")
	switch format {
	case "", "json", "pdf":
	default:
		return fmt.Errorf("%w: format must be json or pdf", ErrBadRequest)
	}
	var font *pdfdoc.Font
	if format == "pdf" { // before the queries: without a font there is no PDF to write
		var err error
		if font, err = s.pdfFont.get(); err != nil {
			return err
		}
	}
	src := BulletinSource{Stats: s.stats, Units: s.statsGrid, Categories: s.intake, Figures: s.figures, PointsFigures: s.pointsFigures}
	if br, ok := s.ratings.(BulletinRatings); ok {
		src.Ratings = br
	}
	b, err := src.Build(r.Context(), q.Get("unit"), day, q.Get("lang"), today)
	if err != nil {
		return err
	}
	if format != "pdf" {
		writeJSON(w, http.StatusOK, b)
		return nil
	}
	select {
	case s.pdfFont.slots <- struct{}{}:
		defer func() { <-s.pdfFont.slots }()
	case <-r.Context().Done():
		return r.Context().Err()
	}
	var buf bytes.Buffer
	if err := WriteBulletinPDF(&buf, b, font); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="bulletin-%s-%d-W%02d.pdf"`, b.Unit.Code, b.Year, b.Issue))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// PDFFontErr loads the PDF font now, and says why PDFs cannot be written if they cannot: a
// server logs it at start rather than at the first bulletin asked for.
func (s *Server) PDFFontErr() error {
	_, err := s.pdfFont.get()
	return err
}
