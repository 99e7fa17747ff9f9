// Package pdfdoc writes plain A4 documents: a letterhead, titles, paragraphs and tables that
// wrap their cells and break across pages with their headers repeated, in one TrueType font
// that covers Chinese, embedded as a subset. The weekly bulletin is one; mediation agreements
// (issue 17) will be another. It is the one place the PDF library is used.
package pdfdoc

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Sizes in millimetres and points.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 20.0
	bottom       = pageH - 22.0 // the footer sits below
	bodyPt       = 11.0
	ptMM         = 25.4 / 72 // one point in millimetres
	lineFactor   = 1.55      // line height / font size
	fontName     = "cjk"
	latinName    = "latin"
)

// Colours.
var (
	black = [3]int{0, 0, 0}
	red   = [3]int{192, 0, 0}
	grey  = [3]int{96, 96, 96}
)

// Meta is what the document says of itself.
type Meta struct {
	Title, Author, Subject string
	Lang                   string    // zh-CN, en
	Created                time.Time // the document's date; the same input writes the same bytes
	// Footer is the text of page n of total, e.g. "第 1 页 / 共 2 页"; nil: no footer.
	Footer func(n, total int) string
}

// Doc is one document being written.
type Doc struct {
	pdf   *fpdf.Fpdf
	meta  Meta
	pt    float64 // the size of the type set
	latin bool    // Latin letters and digits in the Latin font
}

// New starts an A4 portrait document written in font.
func New(font *Font, meta Meta) (*Doc, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCreationDate(meta.Created)
	pdf.SetModificationDate(meta.Created)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(clean(meta.Title), true)
	pdf.SetAuthor(clean(meta.Author), true)
	pdf.SetSubject(clean(meta.Subject), true)
	pdf.SetCreator("griddispatch", false)
	pdf.SetProducer("griddispatch", false)
	if meta.Lang != "" {
		pdf.SetLang(meta.Lang)
	}
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, 0) // pages break where the layout below says
	pdf.AddUTF8FontFromBytes(fontName, "", font.data)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("font %s: %w", font.Path, err)
	}
	if font.latin != nil {
		pdf.AddUTF8FontFromBytes(latinName, "", font.latin)
		if err := pdf.Error(); err != nil {
			return nil, fmt.Errorf("font %s: %w", font.LatinPath, err)
		}
	}
	pdf.AddPage()
	d := &Doc{pdf: pdf, meta: meta, latin: font.latin != nil}
	d.font(bodyPt)
	return d, nil
}

// Width is the width between the margins.
func Width() float64 { return pageW - 2*margin }

func (d *Doc) font(pt float64) {
	d.pt = pt
	d.pdf.SetFont(fontName, "", pt)
}

// runs splits s into runs of one font each: Latin letters, digits and ASCII punctuation in the
// Latin font (when there is one), the rest (Chinese, full-width punctuation) in the CJK font.
func (d *Doc) runs(s string) (runs []string, latin []bool) {
	start := 0
	for i, r := range s {
		l := d.latin && r < 0x250
		if i == 0 {
			latin = append(latin, l)
			continue
		}
		if l != latin[len(latin)-1] {
			runs = append(runs, s[start:i])
			latin = append(latin, l)
			start = i
		}
	}
	if s != "" {
		runs = append(runs, s[start:])
	}
	return runs, latin
}

func (d *Doc) setRunFont(latin bool) {
	if latin {
		d.pdf.SetFont(latinName, "", d.pt)
	} else {
		d.pdf.SetFont(fontName, "", d.pt)
	}
}

// width is how wide s is set at the current size, in millimetres.
func (d *Doc) width(s string) float64 {
	runs, latin := d.runs(s)
	w := 0.0
	for i, r := range runs {
		d.setRunFont(latin[i])
		w += d.pdf.GetStringWidth(r)
	}
	d.setRunFont(false)
	return w
}

// cell sets s on one line in the box at x, y of width w and height h, aligned L, C or R.
func (d *Doc) cell(x, y, w, h float64, s, align string) {
	runs, latin := d.runs(s)
	total := d.width(s)
	switch align {
	case "C":
		x += (w - total) / 2
	case "R":
		x += w - total
	}
	for i, r := range runs {
		d.setRunFont(latin[i])
		rw := d.pdf.GetStringWidth(r)
		d.pdf.SetXY(x, y)
		d.pdf.CellFormat(rw, h, r, "", 0, "L", false, 0, "")
		x += rw
	}
	d.setRunFont(false)
}

func (d *Doc) colour(c [3]int) { d.pdf.SetTextColor(c[0], c[1], c[2]) }

func lineH(pt float64) float64 { return pt * ptMM * lineFactor }

// room makes sure h millimetres fit above the bottom margin, starting a new page if not.
// It reports whether a page was started.
func (d *Doc) room(h float64) bool {
	if d.pdf.GetY()+h <= bottom {
		return false
	}
	d.pdf.AddPage()
	return true
}

// Space moves down by mm.
func (d *Doc) Space(mm float64) {
	if d.pdf.GetY()+mm <= bottom {
		d.pdf.SetY(d.pdf.GetY() + mm)
	}
}

// Letterhead is an official heading: the issuing office in large red type, centred, then the
// number on the left and the date on the right above a red rule.
func (d *Doc) Letterhead(office, number, date string) {
	d.colour(red)
	pt := 22.0
	d.font(pt)
	office = clean(office)
	for pt > 12 && d.width(office) > Width() {
		pt--
		d.font(pt)
	}
	d.lines(wrap(office, Width(), d.width), pt, "C")
	d.Space(3)
	d.colour(black)
	d.font(bodyPt)
	y := d.pdf.GetY()
	d.cell(margin, y, Width()/2, lineH(bodyPt), clean(number), "L")
	d.cell(margin+Width()/2, y, Width()/2, lineH(bodyPt), clean(date), "R")
	d.pdf.SetY(y + lineH(bodyPt) + 1)
	d.pdf.SetDrawColor(red[0], red[1], red[2])
	d.pdf.SetLineWidth(0.6)
	d.pdf.Line(margin, d.pdf.GetY(), pageW-margin, d.pdf.GetY())
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(0.2)
	d.Space(5)
}

// Title is a centred title.
func (d *Doc) Title(s string) {
	d.colour(black)
	d.font(16)
	lines := wrap(s, Width(), d.width)
	d.room(float64(len(lines)) * lineH(16))
	d.lines(lines, 16, "C")
	d.font(bodyPt)
	d.Space(2)
}

// Subtitle is a centred line in grey, under a title.
func (d *Doc) Subtitle(s string) {
	d.colour(grey)
	d.font(bodyPt)
	lines := wrap(s, Width(), d.width)
	d.room(float64(len(lines)) * lineH(bodyPt))
	d.lines(lines, bodyPt, "C")
	d.colour(black)
	d.Space(3)
}

// Heading is a section heading; it is kept with at least three lines of what follows.
func (d *Doc) Heading(s string) {
	d.colour(black)
	d.font(13)
	lines := wrap(s, Width(), d.width)
	d.room(float64(len(lines))*lineH(13) + 3*lineH(bodyPt))
	d.lines(lines, 13, "L")
	d.font(bodyPt)
	d.Space(1)
}

// Paragraph is body text, justified left; indent starts its first line two ideographs in, as
// Chinese paragraphs do. It breaks across pages between lines.
func (d *Doc) Paragraph(s string, indent bool) {
	d.paragraph(s, indent, bodyPt, black)
}

// Note is small grey text.
func (d *Doc) Note(s string) {
	d.paragraph(s, false, 9, grey)
}

func (d *Doc) paragraph(s string, indent bool, pt float64, c [3]int) {
	d.colour(c)
	d.font(pt)
	if indent {
		s = "\u3000\u3000" + s // two ideographic spaces
	}
	for _, l := range wrap(s, Width(), d.width) {
		d.room(lineH(pt))
		d.lines([]string{l}, pt, "L")
	}
	d.colour(black)
	d.font(bodyPt)
	d.Space(2)
}

// lines writes lines at the current position, each a line high, aligned L, C or R.
func (d *Doc) lines(lines []string, pt float64, align string) {
	for _, l := range lines {
		y := d.pdf.GetY()
		d.cell(margin, y, Width(), lineH(pt), l, align)
		d.pdf.SetXY(margin, y+lineH(pt))
	}
}

// WriteTo writes the document, with its footers, to w.
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	if f := d.meta.Footer; f != nil {
		total := d.pdf.PageCount()
		for n := 1; n <= total; n++ {
			d.pdf.SetPage(n)
			d.colour(grey)
			d.font(9)
			d.cell(margin, pageH-15, Width(), lineH(9), clean(f(n, total)), "C")
		}
	}
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return 0, err
	}
	return buf.WriteTo(w)
}

// Pages is the number of pages so far.
func (d *Doc) Pages() int { return d.pdf.PageCount() }
