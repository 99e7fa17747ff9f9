package pdfdoc

// Column is a table column: its header, its share of the table's width (relative to the other
// columns') and whether its cells are numbers, set right.
type Column struct {
	Label  string
	Weight float64
	Num    bool
}

// Table is rows of cells under a header. A cell too wide for its column wraps; a row that does
// not fit the page goes to the next, under the header again. Empty is written when there are
// no rows.
type Table struct {
	Columns []Column
	Rows    [][]string
	Empty   string
}

const (
	cellPad  = 1.6 // mm left and right of a cell's text
	cellVPad = 1.0 // mm above and below
	tablePt  = 10.0
)

// Table writes t across the full width.
func (d *Doc) Table(t Table) {
	d.font(tablePt)
	widths := t.widths(d.minWidths(t))
	d.colour(black)
	d.pdf.SetDrawColor(150, 150, 150)
	d.pdf.SetLineWidth(0.2)
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Label
	}
	hdr := d.rowLines(header, widths)
	rows := make([][][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = d.rowLines(r, widths)
	}
	// The header is never left alone at the foot of a page.
	first := rowHeight(hdr)
	if len(rows) > 0 {
		first += rowHeight(rows[0])
	} else {
		first += lineH(tablePt) + 2*cellVPad
	}
	d.room(first)
	d.row(t, hdr, widths, true)
	if len(rows) == 0 {
		d.row(Table{Columns: []Column{{}}}, [][]string{wrap(t.Empty, Width()-2*cellPad, d.width)}, []float64{Width()}, false)
	}
	page := bottom - margin - rowHeight(hdr) // what a page holds under the header
	for _, r := range rows {
		for {
			avail := bottom - d.pdf.GetY()
			h := rowHeight(r)
			if h <= avail {
				d.row(t, r, widths, false)
				break
			}
			// A row taller than a page (a name of thousands of characters) goes on over the
			// pages; any other row goes whole to the next page.
			if n := int((avail - 2*cellVPad) / lineH(tablePt)); h > page && n >= 1 {
				var rest [][]string
				r, rest = splitRow(r, n)
				d.row(t, r, widths, false)
				r = rest
			}
			d.pdf.AddPage()
			d.row(t, hdr, widths, true)
		}
	}
	d.pdf.SetDrawColor(0, 0, 0)
	d.font(bodyPt)
	d.Space(4)
}

// widths shares the width between the columns by weight (1 when unset), then widens the
// columns whose longest word would not fit (a header such as "Received") at the expense of the
// others, so that words are cut only when the columns' words cannot all fit.
func (t Table) widths(need []float64) []float64 {
	total := 0.0
	for _, c := range t.Columns {
		total += weight(c)
	}
	out := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = Width() * weight(c) / total
	}
	needed := 0.0
	for _, n := range need {
		needed += n
	}
	if needed > Width() {
		return out
	}
	for range len(out) { // each pass fixes at least one column at its need, or is the last
		short, spare := 0.0, 0.0
		for i := range out {
			if out[i] < need[i] {
				short += need[i] - out[i]
			} else {
				spare += out[i] - need[i]
			}
		}
		if short == 0 {
			break
		}
		for i := range out {
			if out[i] < need[i] {
				out[i] = need[i]
			} else {
				out[i] -= (out[i] - need[i]) * short / spare
			}
		}
	}
	return out
}

// minWidths is, for each column, the width of its widest word (or Chinese character with its
// punctuation) in the header and the cells, padded.
func (d *Doc) minWidths(t Table) []float64 {
	out := make([]float64, len(t.Columns))
	widest := func(i int, s string) {
		for _, tok := range tokens(s) {
			out[i] = max(out[i], d.width(tok)+2*cellPad+0.5)
		}
	}
	for i, c := range t.Columns {
		widest(i, c.Label)
		for _, r := range t.Rows {
			if i < len(r) {
				widest(i, r[i])
			}
		}
	}
	return out
}

func weight(c Column) float64 {
	if c.Weight <= 0 {
		return 1
	}
	return c.Weight
}

// rowLines wraps each cell to its column.
func (d *Doc) rowLines(cells []string, widths []float64) [][]string {
	out := make([][]string, len(widths))
	for i := range widths {
		s := ""
		if i < len(cells) {
			s = cells[i]
		}
		out[i] = wrap(s, widths[i]-2*cellPad, d.width)
	}
	return out
}

// splitRow parts a row after its first n lines.
func splitRow(cells [][]string, n int) (head, rest [][]string) {
	head, rest = make([][]string, len(cells)), make([][]string, len(cells))
	for i, c := range cells {
		k := min(n, len(c))
		head[i], rest[i] = c[:k], c[k:]
	}
	return head, rest
}

func rowHeight(cells [][]string) float64 {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return float64(n)*lineH(tablePt) + 2*cellVPad
}

// row draws one row at the current position: bordered cells, the header's shaded and centred.
func (d *Doc) row(t Table, cells [][]string, widths []float64, header bool) {
	h := rowHeight(cells)
	x, y := margin, d.pdf.GetY()
	for i, lines := range cells {
		if header {
			d.pdf.SetFillColor(235, 235, 235)
			d.pdf.Rect(x, y, widths[i], h, "FD")
		} else {
			d.pdf.Rect(x, y, widths[i], h, "D")
		}
		align := "L"
		switch {
		case header:
			align = "C"
		case i < len(t.Columns) && t.Columns[i].Num:
			align = "R"
		}
		for j, l := range lines {
			d.cell(x+cellPad, y+cellVPad+float64(j)*lineH(tablePt), widths[i]-2*cellPad, lineH(tablePt), l, align)
		}
		x += widths[i]
	}
	d.pdf.SetXY(margin, y+h)
}
