package web

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// The bulletin as an A4 PDF: a red letterhead (office, number, date), the title, the summary
// paragraph, then the tables, which wrap long names and break across pages under their headers.

var bulletinWords = map[string][2]string{ // key: zh, en
	"received": {"受理", "Received"}, "closed": {"办结", "Closed"}, "closure_rate": {"办结率", "Closure rate"},
	"on_time_rate": {"按期办结率", "On-time rate"}, "mediation_success_rate": {"调解成功率", "Mediation success"},
	"settled_low_rate": {"矛盾不上交率", "Settled low"}, "overdue": {"逾期", "Overdue"}, "open": {"在办", "Open"},
	"figure": {"指标", "Figure"}, "this_week": {"本周", "This week"}, "last_week": {"上周", "Week before"},
	"change": {"变化", "Change"}, "rank": {"名次", "Rank"}, "unit": {"单位", "Unit"}, "category": {"类别", "Category"},
	"h_figures": {"一、主要指标", "1. Headline figures"}, "h_best": {"二、办结率前五名", "2. Top five by closure rate"},
	"h_worst": {"三、办结率后五名", "3. Lowest five by closure rate"}, "h_overdue": {"四、逾期最多", "4. Most overdue"},
	"h_categories": {"五、分类情况", "5. By category"}, "none_ranked": {"本周无参与排名的单位", "No unit is ranked this week"},
	"none_worst":    {"参与排名的单位不足两个", "Fewer than two units are ranked"},
	"no_overdue":    {"本周受理的案件无逾期", "No case received this week is overdue"},
	"no_categories": {"本周未受理案件", "No cases this week"}, "period": {"统计时段：%s", "Period: %s"},
	"compared": {"变化为与上周（%s）相比；比率的变化以百分点计。", "Changes are against the week before (%s); for rates, in percentage points."},
	"page":     {"第 %d 页 / 共 %d 页", "Page %d of %d"}, "pts": {"%s个百分点", "%s pts"},
	"up": {"↑", "+"}, "down": {"↓", "-"}, "same": {"持平", "same"},
	"callback_rate": {"回访率", "Callback rate"}, "satisfaction_rate": {"满意率", "Satisfaction"},
}

func (b *Bulletin) word(key string) string {
	w := bulletinWords[key]
	if b.Lang == "en" {
		return w[1]
	}
	return w[0]
}

// changeText words a figure's change: "↑1.2个百分点", "+3", "持平", "—" when not comparable.
func (b *Bulletin) changeText(f bulletinFigure) string {
	if f.Change == nil {
		return "—"
	}
	d := *f.Change
	if d == 0 {
		return b.word("same")
	}
	sign := b.word("up")
	if d < 0 {
		sign = b.word("down")
	}
	if f.Rate {
		return sign + fmt.Sprintf(b.word("pts"), pointsText(d))
	}
	if d < 0 {
		d = -d
	}
	return sign + numText(int64(d), b.Lang)
}

func (b *Bulletin) figureText(f bulletinFigure, v *float64) string {
	if f.Rate {
		return pctText(v)
	}
	return numText(int64(*v), b.Lang)
}

// WriteBulletinPDF writes b as an A4 PDF in font.
func WriteBulletinPDF(w io.Writer, b *Bulletin, font *pdfdoc.Font) error {
	issued, _ := time.Parse(time.DateOnly, b.Date)
	lang := "zh-CN"
	if b.Lang == "en" {
		lang = "en"
	}
	doc, err := pdfdoc.New(font, pdfdoc.Meta{Title: b.Title + " " + b.Number, Author: b.Office, Subject: b.Unit.Name,
		Lang: lang, Created: issued.Add(8 * time.Hour),
		Footer: func(n, total int) string { return fmt.Sprintf(b.word("page"), n, total) }})
	if err != nil {
		return err
	}
	doc.Letterhead(b.Office, b.Number, b.DateText)
	doc.Title(b.Title)
	doc.Subtitle(fmt.Sprintf(b.word("period"), b.Period))
	doc.Paragraph(b.Summary, b.Lang != "en")

	doc.Heading(b.word("h_figures"))
	figs := pdfdoc.Table{Columns: []pdfdoc.Column{{Label: b.word("figure"), Weight: 2}, {Label: b.word("this_week"), Num: true},
		{Label: b.word("last_week"), Num: true}, {Label: b.word("change"), Weight: 1.3, Num: true}}}
	for _, f := range b.Figures {
		figs.Rows = append(figs.Rows, []string{b.word(f.Key), b.figureText(f, f.Value), b.figureText(f, f.Before), b.changeText(f)})
	}
	doc.Table(figs)
	doc.Note(fmt.Sprintf(b.word("compared"), weekText(b.Before.From, b.Before.To, b.Lang)))

	ranking := func(rows []bulletinUnit, empty string) pdfdoc.Table {
		t := pdfdoc.Table{Empty: empty, Columns: []pdfdoc.Column{{Label: b.word("rank"), Weight: 0.7, Num: true},
			{Label: b.word("unit"), Weight: 3}, {Label: b.word("received"), Num: true}, {Label: b.word("closed"), Num: true},
			{Label: b.word("closure_rate"), Weight: 1.2, Num: true}, {Label: b.word("overdue"), Num: true}}}
		for _, r := range rows {
			t.Rows = append(t.Rows, []string{rankText(r.Rank), r.Name, numText(r.Received, b.Lang), numText(r.Closed, b.Lang),
				pctText(r.ClosureRate), numText(r.Overdue, b.Lang)})
		}
		return t
	}
	doc.Heading(b.word("h_best"))
	doc.Table(ranking(b.Best, b.word("none_ranked")))
	doc.Heading(b.word("h_worst"))
	doc.Table(ranking(b.Worst, b.word("none_worst")))
	doc.Note(b.RankingNote)

	doc.Heading(b.word("h_overdue"))
	over := pdfdoc.Table{Empty: b.word("no_overdue"), Columns: []pdfdoc.Column{{Label: b.word("unit"), Weight: 3},
		{Label: b.word("overdue"), Num: true}, {Label: b.word("open"), Num: true}, {Label: b.word("received"), Num: true},
		{Label: b.word("closure_rate"), Weight: 1.2, Num: true}}}
	for _, r := range b.MostOverdue {
		over.Rows = append(over.Rows, []string{r.Name, numText(r.Overdue, b.Lang), numText(r.Open, b.Lang),
			numText(r.Received, b.Lang), pctText(r.ClosureRate)})
	}
	doc.Table(over)

	doc.Heading(b.word("h_categories"))
	cats := pdfdoc.Table{Empty: b.word("no_categories"), Columns: []pdfdoc.Column{{Label: b.word("category"), Weight: 3},
		{Label: b.word("received"), Num: true}, {Label: b.word("closed"), Num: true},
		{Label: b.word("closure_rate"), Weight: 1.2, Num: true}, {Label: b.word("overdue"), Num: true}}}
	for _, r := range b.Categories {
		cats.Rows = append(cats.Rows, []string{r.Name, numText(r.Received, b.Lang), numText(r.Closed, b.Lang),
			pctText(r.ClosureRate), numText(r.Overdue, b.Lang)})
	}
	doc.Table(cats)
	b.writePoints(doc)
	_, err = doc.WriteTo(w)
	return err
}

func rankText(n int) string {
	if n == 0 {
		return "—"
	}
	return strconv.Itoa(n)
}
