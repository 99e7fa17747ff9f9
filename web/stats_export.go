package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// A table the dashboard shows and exports: its columns in order, with headers in both
// languages, and its rows as the JSON has them.
type table struct {
	name    string
	columns []tableColumn
	rows    []map[string]any
}

type tableColumn struct {
	key, zh, en string
	kind        columnKind
}

type columnKind int

const (
	colText columnKind = iota
	colInt
	colRate // a *float64 between 0 and 1; empty when undefined
	colBin  // a *closeTimeJSON
	colCode // a unit code: digits that must stay text (140802001001, not 1.40802E+11)
)

// writeTable answers a table route as JSON (body), CSV or an Excel workbook.
func (s *Server) writeTable(w http.ResponseWriter, req statsRequest, t table, body any) error {
	if req.format == "json" {
		writeJSON(w, http.StatusOK, body)
		return nil
	}
	name := fmt.Sprintf("%s-%s-%s-%s", t.name, req.Unit, req.From.Format(time.DateOnly), req.To.Format(time.DateOnly))
	if req.Category != "" {
		name += "-" + req.Category
	}
	var buf bytes.Buffer
	var err error
	ctype := "text/csv; charset=utf-8"
	if req.format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = t.writeXLSX(&buf, req.lang)
	} else {
		err = t.writeCSV(&buf, req.lang)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, req.format))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

func (c tableColumn) header(lang string) string {
	if lang == "en" {
		return c.en
	}
	return c.zh
}

// cell renders a value for a file: rates as percentages with two decimals, bins as ranges.
func (c tableColumn) cell(v any, lang string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x*100, 'f', 2, 64) + "%"
	case *closeTimeJSON:
		if x == nil {
			return ""
		}
		return binLabel(x, lang)
	default:
		return fmt.Sprint(x)
	}
}

// binLabel: "1–2 天" / "1-2 d", hours below a day.
func binLabel(b *closeTimeJSON, lang string) string {
	unit, div := "小时", int64(3600)
	if lang == "en" {
		unit = "h"
	}
	if b.FromS >= 86400 {
		unit, div = "天", 86400
		if lang == "en" {
			unit = "d"
		}
	}
	if b.ToS == nil {
		return fmt.Sprintf("≥%d %s", b.FromS/div, unit)
	}
	return fmt.Sprintf("%d–%d %s", b.FromS/div, *b.ToS/div, unit)
}

// writeCSV writes UTF-8 with a byte-order mark, which Excel needs to read Chinese.
func (t table) writeCSV(buf *bytes.Buffer, lang string) error {
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(buf)
	head := make([]string, len(t.columns))
	for i, c := range t.columns {
		head[i] = c.header(lang)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range t.rows {
		rec := make([]string, len(t.columns))
		for i, c := range t.columns {
			rec[i] = c.cell(row[c.key], lang)
			switch c.kind {
			case colText:
				rec[i] = defuse(rec[i])
			case colCode:
				rec[i] = codeCell(rec[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps a spreadsheet from reading text as a formula (CSV injection): names come from
// administrators and grid imports, and a cell such as =HYPERLINK(…) would run when the file is
// opened. Such text is prefixed with an apostrophe, as OWASP advises. Excel files need no such
// care: their text cells are strings.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// codeCell keeps a unit code text when the CSV is opened: Excel and WPS both read a cell
// ="140802001001" as the formula of a text constant and show the digits as they are, where a bare
// 140802001001 becomes the number 1.40802E+11 (and a 15-digit micro-grid code loses its last
// digits). Only digits are wrapped, so no other formula can ride on it.
func codeCell(s string) string {
	if isDigits(s) {
		return `="` + s + `"`
	}
	return defuse(s)
}

// writeXLSX writes one sheet with typed cells: numbers as numbers, rates as percentages.
func (t table) writeXLSX(buf *bytes.Buffer, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return err
	}
	for i, c := range t.columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, cell, c.header(lang)); err != nil {
			return err
		}
	}
	for r, row := range t.rows {
		for i, c := range t.columns {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			var err error
			switch v := row[c.key].(type) {
			case int64:
				err = f.SetCellInt(sheet, cell, v)
			case int:
				err = f.SetCellInt(sheet, cell, int64(v))
			case *float64:
				if v != nil {
					if err = f.SetCellFloat(sheet, cell, *v, -1, 64); err == nil {
						err = f.SetCellStyle(sheet, cell, cell, pct)
					}
				}
			default:
				err = f.SetCellStr(sheet, cell, c.cell(v, lang))
			}
			if err != nil {
				return err
			}
		}
	}
	return f.Write(buf)
}

// writeCached answers body with an ETag, or 304 when the browser has it already.
func writeCached(w http.ResponseWriter, r *http.Request, ctype string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(body)
}
