package grid

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// ReadRoster reads a roster file: its header (Chinese or English names, columns in any order,
// other columns ignored, title rows above it skipped), then one RosterRow per non-blank row.
// Every row comes back, the bad ones too, and with them the problem of every bad row (the same
// that Store.ImportRoster finds again, with the database's). A bad header or a file without
// rows gives problems and no rows: report them with NewRosterReport. The error is for a file
// that cannot be read at all (ErrBadRoster): not an xlsx workbook, CSV text in neither UTF-8
// nor GB18030, more than MaxRosterBytes or MaxRosterRows.
func ReadRoster(r io.Reader, format RosterFormat) ([]RosterRow, []RosterProblem, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxRosterBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBadRoster, err)
	}
	if len(b) > MaxRosterBytes {
		return nil, nil, fmt.Errorf("%w: the file is larger than %d MiB", ErrBadRoster, MaxRosterBytes>>20)
	}
	var next func() (row int, cells []string, err error)
	switch format {
	case RosterXLSX:
		f, err := openWorkbook(b)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		if next, err = xlsxRows(f); err != nil {
			return nil, nil, err
		}
	case RosterCSV:
		if next, err = csvRows(b); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("%w: format %q; want xlsx or csv", ErrBadRoster, format)
	}
	return readRosterRows(next)
}

// maxTitleRows: the header is looked for in the first rows only, so that a file without one
// is refused at its first row rather than read to its end.
const maxTitleRows = 10

// readRosterRows finds the header, then reads the rows under it.
func readRosterRows(next func() (int, []string, error)) ([]RosterRow, []RosterProblem, error) {
	var cols map[string]int
	var rows []RosterRow
	for {
		n, cells, err := next()
		if err != nil {
			return nil, nil, err
		}
		if n == 0 {
			break
		}
		if blank(cells) {
			continue
		}
		if cols == nil {
			// The header is the first row naming a column; a title row or two above it (花名册,
			// the township's name) is common in county sheets and skipped.
			found, ps := readHeader(n, cells)
			switch {
			case found == nil && n < maxTitleRows:
				continue
			case found == nil:
				return nil, []RosterProblem{problem(n, "", strings.Join(cells, ","), ProblemBadHeader,
					"no header row in the first %d rows: it names the columns 手机号, 姓名, 单位代码, 角色 (or phone, name, unit_code, role)", maxTitleRows)}, nil
			case len(ps) > 0:
				return nil, ps, nil
			}
			cols = found
			continue
		}
		if len(rows) == MaxRosterRows {
			return nil, nil, fmt.Errorf("%w: more than %d rows; split the file", ErrBadRoster, MaxRosterRows)
		}
		cell := func(c string) string {
			if i := cols[c]; i < len(cells) {
				return cells[i]
			}
			return ""
		}
		rows = append(rows, newRosterRow(n, cell("phone"), cell("name"), cell("unit_code"), cell("role")))
	}
	switch {
	case cols == nil:
		return nil, []RosterProblem{problem(0, "", "", ProblemEmpty, "the file has no rows")}, nil
	case len(rows) == 0:
		return nil, []RosterProblem{problem(0, "", "", ProblemEmpty, "the file has a header but no rows under it")}, nil
	}
	return rows, checkRosterRows(rows), nil
}

// readHeader reads a header row: nil if no cell names a column; problems if a column is
// missing or named twice.
func readHeader(n int, cells []string) (map[string]int, []RosterProblem) {
	cols := map[string]int{}
	var ps []RosterProblem
	for i, c := range cells {
		key := strings.ToLower(strings.ReplaceAll(cleanCell(c), " ", ""))
		col, ok := rosterHeaders[key]
		if !ok {
			continue
		}
		if j, twice := cols[col]; twice {
			ps = append(ps, problem(n, col, cleanCell(c), ProblemBadHeader, "column %s is given twice (columns %d and %d)", col, j+1, i+1))
			continue
		}
		cols[col] = i
	}
	if len(cols) == 0 {
		return nil, nil
	}
	for _, col := range rosterColumns {
		if _, ok := cols[col]; !ok {
			ps = append(ps, problem(n, col, "", ProblemBadHeader, "no column %s (%s)", col, chineseHeader[col]))
		}
	}
	return cols, ps
}

var chineseHeader = map[string]string{"phone": "手机号", "name": "姓名", "unit_code": "单位代码", "role": "角色"}

func blank(cells []string) bool {
	for _, c := range cells {
		if cleanCell(c) != "" {
			return false
		}
	}
	return true
}

// openWorkbook opens an xlsx file, saying what the file is when it is not one: an .xls of
// Excel 97-2003, or text.
func openWorkbook(b []byte) (*excelize.File, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fmt.Errorf("%w: an Excel 97-2003 .xls file (or an encrypted workbook); save it as .xlsx", ErrBadRoster)
	case !bytes.HasPrefix(b, []byte("PK")):
		return nil, fmt.Errorf("%w: not an xlsx workbook; for a CSV file use the csv format", ErrBadRoster)
	}
	// Sheets above UnzipXMLSizeLimit go to temporary files; the whole is bounded so that a
	// small zip cannot unpack into gigabytes.
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable xlsx workbook: %w", ErrBadRoster, err)
	}
	return f, nil
}

// xlsxRows iterates over the first sheet's rows. Cells come raw, not formatted: a phone typed
// as a number reads 13912345678, not 1.39E+10 as a narrow column shows it.
func xlsxRows(f *excelize.File) (func() (int, []string, error), error) {
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%w: the workbook has no sheet", ErrBadRoster)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %s: %w", ErrBadRoster, sheets[0], err)
	}
	n := 0
	return func() (int, []string, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return 0, nil, fmt.Errorf("%w: sheet %s: %w", ErrBadRoster, sheets[0], err)
			}
			return 0, nil, rows.Close()
		}
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return 0, nil, fmt.Errorf("%w: sheet %s row %d: %w", ErrBadRoster, sheets[0], n, err)
		}
		return n, cells, nil
	}, nil
}

// csvRows iterates over a CSV file's records, each with its line in the file (the row Excel
// shows). The text is UTF-8, with or without a byte-order mark, or else GB18030 (GBK's
// superset: what Excel on Chinese Windows saves as "CSV"), if it decodes cleanly as such.
func csvRows(b []byte) (func() (int, []string, error), error) {
	text, err := rosterText(b)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return func() (int, []string, error) {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return 0, nil, nil
		}
		if err != nil {
			return 0, nil, fmt.Errorf("%w: %w", ErrBadRoster, err)
		}
		line, _ := r.FieldPos(0)
		return line, rec, nil
	}, nil
}

// rosterText decodes a CSV file's bytes. Text that is neither UTF-8 nor clean GB18030 is
// refused rather than stored as mojibake.
func rosterText(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return "", fmt.Errorf("%w: %w: UTF-16 text (Excel's \"Unicode Text\"); save as \"CSV UTF-8\"", ErrBadRoster, ErrBadEncoding)
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "", fmt.Errorf("%w: this is an xlsx workbook, not CSV; use the xlsx format", ErrBadRoster)
	}
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	text := string(b)
	if !utf8.Valid(b) {
		s, err := GB18030.decode(b)
		if err != nil {
			return "", fmt.Errorf("%w: %w: the file is neither UTF-8 nor GBK/GB18030 text; save it from Excel as \"CSV UTF-8\"", ErrBadRoster, ErrBadEncoding)
		}
		text = s
	}
	if i := strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\r' && r != '\n' }); i >= 0 {
		return "", fmt.Errorf("%w: %w: control character %U at byte %d: not a text file", ErrBadRoster, ErrBadEncoding, []rune(text[i:])[0], i)
	}
	return text, nil
}
