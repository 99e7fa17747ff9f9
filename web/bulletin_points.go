package web

import (
	"context"
	"fmt"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// The bulletin's points section (积分, issue 17; docs/points-market.md): the grid workers of the
// unit with the most points earned in the month of the week's Sunday so far, or, when nobody has
// earned any yet (the first days of a month), in the month before.

// bulletinPointsTop is how many places the section lists (ties at the last place included).
const bulletinPointsTop = 5

// bulletinPoints is the section: the month ranked and its best workers.
type bulletinPoints struct {
	Month  string                   `json:"month"`   // 2026-12
	SoFar  bool                     `json:"so_far"`  // the month is not over at the week's end
	Top    []dispatch.PointsRankRow `json:"top"`     // rank, name, grid, points
	Header string                   `json:"heading"` // in the bulletin's language
	Note   string                   `json:"note"`
}

// pointsSection ranks the workers below unit for the month holding to (the week's Sunday).
func (src BulletinSource) pointsSection(ctx context.Context, unit string, to time.Time, lang string) (*bulletinPoints, error) {
	month := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	soFar := to.AddDate(0, 0, 1).Month() == to.Month()
	top := []dispatch.PointsRankRow{} // never null in the JSON
	for try := range 2 {
		period, err := dispatch.NewPointsPeriod("month", month)
		if err != nil {
			return nil, err
		}
		rows, err := src.PointsFigures.Ranking(ctx, dispatch.PointsRankQuery{Unit: unit, Level: dispatch.PointsRankWorker, Period: period})
		if err != nil {
			return nil, err
		}
		top = top[:0]
		for _, r := range rows {
			if r.Points <= 0 || r.Rank > bulletinPointsTop {
				break
			}
			top = append(top, r)
		}
		if len(top) > 0 || try == 1 {
			break
		}
		month, soFar = month.AddDate(0, -1, 0), false
	}
	p := &bulletinPoints{Month: month.Format("2006-01"), SoFar: soFar, Top: top}
	if lang == "en" {
		p.Header = fmt.Sprintf("Points: the top grid workers of %s", month.Format("January 2006"))
		p.Note = "Points earned by the rules (case and manual items, less cancellations), not counting what was redeemed."
		if soFar {
			p.Note = "So far this month. " + p.Note
		}
	} else {
		p.Header = fmt.Sprintf("积分：%d年%d月网格员积分前五名", month.Year(), month.Month())
		p.Note = "按积分规则获得的积分（事件与手工项目，扣除冲销），不含积分超市兑换。"
		if soFar {
			p.Note = "本月截至本周。" + p.Note
		}
	}
	return p, nil
}

// writePoints adds the section to the PDF, when the bulletin has one.
func (b *Bulletin) writePoints(doc *pdfdoc.Doc) {
	if b.Points == nil {
		return
	}
	cols := [][2]string{{"名次", "Rank"}, {"姓名", "Name"}, {"网格", "Grid"}, {"积分", "Points"}}
	label := func(i int) string {
		if b.Lang == "en" {
			return cols[i][1]
		}
		return cols[i][0]
	}
	empty := "本月尚无积分。"
	if b.Lang == "en" {
		empty = "No points earned yet."
	}
	t := pdfdoc.Table{Empty: empty, Columns: []pdfdoc.Column{{Label: label(0), Weight: 0.7, Num: true}, {Label: label(1), Weight: 2},
		{Label: label(2), Weight: 3}, {Label: label(3), Num: true}}}
	for _, r := range b.Points.Top {
		t.Rows = append(t.Rows, []string{rankText(r.Rank), r.Name, r.GridName, numText(r.Points, b.Lang)})
	}
	doc.Heading(b.Points.Header)
	doc.Table(t)
	doc.Note(b.Points.Note)
}
