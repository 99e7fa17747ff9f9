package web

import (
	"bytes"

	"github.com/xuri/excelize/v2"

	"github.com/griddispatch/griddispatch/dispatch"
)

// The points workbooks: a ranking, and the yearly summary, each one sheet with the header on
// the first row, numbers as numbers and codes as text (a 15-digit grid code is no number).

// pointsSheet writes rows of cells to one sheet, remembering the first error.
type pointsSheet struct {
	f     *excelize.File
	sheet string
	row   int
	err   error
}

func newPointsSheet(name string) *pointsSheet {
	f := excelize.NewFile()
	_ = f.SetSheetName(f.GetSheetName(0), name)
	return &pointsSheet{f: f, sheet: name}
}

// add writes one row: strings as text, whole numbers as numbers, *float64 with one decimal.
func (s *pointsSheet) add(cells ...any) {
	s.row++
	for i, v := range cells {
		if s.err != nil {
			return
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, s.row)
		switch x := v.(type) {
		case string:
			s.err = s.f.SetCellStr(s.sheet, cell, x)
		case int:
			s.err = s.f.SetCellInt(s.sheet, cell, int64(x))
		case int64:
			s.err = s.f.SetCellInt(s.sheet, cell, x)
		case *float64:
			if x != nil {
				s.err = s.f.SetCellFloat(s.sheet, cell, *x, 1, 64)
			}
		}
	}
}

func (s *pointsSheet) bytes() ([]byte, error) {
	defer s.f.Close()
	if s.err != nil {
		return nil, s.err
	}
	var buf bytes.Buffer
	err := s.f.Write(&buf)
	return buf.Bytes(), err
}

// words picks the Chinese or, with lang "en", the English of each pair.
func pointsWords(lang string, pairs ...[2]string) []any {
	out := make([]any, len(pairs))
	for i, p := range pairs {
		out[i] = p[0]
		if lang == "en" {
			out[i] = p[1]
		}
	}
	return out
}

func rankingWorkbook(rk pointsRankingJSON, lang string) ([]byte, error) {
	name := "积分排名"
	if lang == "en" {
		name = "Points ranking"
	}
	s := newPointsSheet(name)
	if rk.Level == dispatch.PointsRankWorker {
		s.add(pointsWords(lang, [2]string{"名次", "Rank"}, [2]string{"姓名", "Name"}, [2]string{"网格代码", "Grid code"},
			[2]string{"网格", "Grid"}, [2]string{"积分", "Points"})...)
		for _, r := range rk.Rows {
			s.add(r.Rank, r.Name, r.Code, r.GridName, r.Points)
		}
	} else {
		s.add(pointsWords(lang, [2]string{"名次", "Rank"}, [2]string{"代码", "Code"}, [2]string{"单位", "Unit"},
			[2]string{"积分", "Points"}, [2]string{"网格员数", "Workers"}, [2]string{"人均积分", "Points per worker"})...)
		for _, r := range rk.Rows {
			s.add(r.Rank, r.Code, r.Name, r.Points, r.Workers, r.PerCapita)
		}
	}
	return s.bytes()
}

func summaryWorkbook(sum dispatch.PointsYear, lang string) ([]byte, error) {
	name := "年度汇总"
	if lang == "en" {
		name = "Yearly summary"
	}
	s := newPointsSheet(name)
	head := pointsWords(lang, [2]string{"网格代码", "Grid code"}, [2]string{"网格", "Grid"}, [2]string{"姓名", "Name"})
	for _, c := range sum.Categories {
		if c == "" {
			c = map[bool]string{true: "(no category)", false: "(未分类)"}[lang == "en"]
		}
		head = append(head, c)
	}
	head = append(head, pointsWords(lang, [2]string{"获得合计", "Earned"}, [2]string{"扣分", "Lost"},
		[2]string{"兑换", "Spent"}, [2]string{"年末余额", "Balance at year end"})...)
	s.add(head...)
	line := func(r dispatch.PointsYearRow, code, grid, name string) {
		cells := []any{code, grid, name}
		for _, c := range sum.Categories {
			cells = append(cells, r.Earned[c])
		}
		s.add(append(cells, r.Total, r.Lost, r.Spent, r.Balance)...)
	}
	for _, r := range sum.Rows {
		line(r, r.Grid, r.GridName, r.Name)
	}
	line(sum.Totals, "", "", pointsWords(lang, [2]string{"合计", "Total"})[0].(string))
	return s.bytes()
}
