package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/grid"
)

// The bulletin's words, in Chinese and English: the office, number and date, the summary
// paragraph and the ranking note. Counts read as words do ("未受理", "no cases", "1 case"), never
// "0 件".

// officeOf is the office that issues a unit's bulletin: the grid service management centre of
// a county or township (网格化服务管理中心), the service station of a village or grid.
func officeOf(name string, level grid.Level, lang string) string {
	if lang == "en" {
		if level >= grid.Village {
			return "Grid Service Station, " + name
		}
		return "Grid Service Management Centre, " + name
	}
	switch {
	case level >= grid.Grid: // 东阜村第1网格服务站, not …网格网格化服务站
		return name + "服务站"
	case level == grid.Village:
		return name + "网格化服务站"
	}
	return name + "网格化服务管理中心"
}

var months = [...]string{"", "January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"}

// dayText: "2026年12月7日", "7 December 2026".
func dayText(d time.Time, lang string) string {
	if lang == "en" {
		return fmt.Sprintf("%d %s %d", d.Day(), months[d.Month()], d.Year())
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day())
}

// weekText: "11月30日至12月6日" ("2026年12月28日至2027年1月3日" across a new year);
// "30 November to 6 December 2026".
func weekText(fromS, toS string, lang string) string {
	from, _ := time.Parse(time.DateOnly, fromS)
	to, _ := time.Parse(time.DateOnly, toS)
	same := from.Year() == to.Year()
	if lang == "en" {
		if same {
			return fmt.Sprintf("%d %s to %s", from.Day(), months[from.Month()], dayText(to, lang))
		}
		return dayText(from, lang) + " to " + dayText(to, lang)
	}
	if same {
		return fmt.Sprintf("%d年%d月%d日至%d月%d日", from.Year(), from.Month(), from.Day(), to.Month(), to.Day())
	}
	return dayText(from, lang) + "至" + dayText(to, lang)
}

// pctText: a rate as a percentage to one decimal, "89.8%".
func pctText(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// pointsText: a change in percentage points, without a decimal when whole: "1", "1.2".
func pointsText(d float64) string {
	d = math.Abs(d)
	if d == math.Trunc(d) {
		return strconv.FormatFloat(d, 'f', 0, 64)
	}
	return strconv.FormatFloat(d, 'f', 1, 64)
}

// numText: a count, grouped by thousands in English.
func numText(n int64, lang string) string {
	s := strconv.FormatInt(n, 10)
	if lang != "en" || len(s) <= 3 {
		return s
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// cases: "1 case", "12 cases".
func cases(n int64) string {
	if n == 1 {
		return "1 case"
	}
	return numText(n, "en") + " cases"
}

// write sets the words of the bulletin: office, title, number, date, summary, ranking note.
func (b *Bulletin) write() {
	en := b.Lang == "en"
	b.Office = officeOf(b.Unit.Name, b.level, b.Lang)
	issued, _ := time.Parse(time.DateOnly, b.Date)
	b.DateText = dayText(issued, b.Lang)
	b.Period = weekText(b.From, b.To, b.Lang)
	if en {
		b.Title = "Weekly Bulletin on Disputes and Reported Events"
		b.Number = fmt.Sprintf("No. %d, %d", b.Issue, b.Year)
	} else {
		b.Title = "矛盾纠纷和事件办理一周通报"
		b.Number = fmt.Sprintf("%d年第%d期", b.Year, b.Issue)
	}
	b.RankingNote = b.rankingNote()
	if en {
		b.Summary = b.summaryEN()
	} else {
		b.Summary = b.summaryZH()
	}
}

// rankingNote says who is ranked: the minimum, how many units it left out, and that the
// worst five are not among the best.
func (b *Bulletin) rankingNote() string {
	min := int64(max(b.RankingMinCases, 1))
	if b.Lang == "en" {
		s := fmt.Sprintf("Units are ranked by closure rate when they received at least %s this week", cases(min))
		switch {
		case b.Unranked == 1:
			s += "; 1 unit with fewer is not ranked"
		case b.Unranked > 1:
			s += fmt.Sprintf("; %d units with fewer are not ranked", b.Unranked)
		}
		return s + ". The lowest five are not among the top five."
	}
	s := fmt.Sprintf("本周受理%d件以上的单位参与办结率排名", min)
	if b.Unranked > 0 {
		s += fmt.Sprintf("，受理不足%d件的%d个单位不参与排名", min, b.Unranked)
	}
	return s + "；后五名不与前五名重复。"
}

func (b *Bulletin) change() *float64 { return b.Figures[2].Change } // closure_rate

func (b *Bulletin) summaryZH() string {
	var s strings.Builder
	w, p := b.week, b.prev
	fmt.Fprintf(&s, "%s，%s", weekText(b.From, b.To, "zh"), b.Unit.Name)
	switch {
	case w.Received == 0 && p.Received == 0:
		s.WriteString("未受理案件，上周亦无受理。")
		return s.String()
	case w.Received == 0:
		fmt.Fprintf(&s, "未受理案件（上周受理%d件）。", p.Received)
		return s.String()
	case w.Closed == 0:
		fmt.Fprintf(&s, "共受理案件%d件，尚无办结", w.Received)
	default:
		fmt.Fprintf(&s, "共受理案件%d件，办结%d件，办结率%s", w.Received, w.Closed, pctText(w.ClosureRate))
		if d := b.change(); d != nil {
			switch {
			case *d > 0:
				fmt.Fprintf(&s, "，较上周上升%s个百分点", pointsText(*d))
			case *d < 0:
				fmt.Fprintf(&s, "，较上周下降%s个百分点", pointsText(*d))
			default:
				s.WriteString("，与上周持平")
			}
		}
	}
	s.WriteString("。")
	s.WriteString(b.mergedSentence()) // bulletin_merged.go
	if b.level < grid.Grid {
		n := len(b.Best) + len(b.Worst)
		min := max(b.RankingMinCases, 1)
		among := fmt.Sprintf("在受理%d件以上的%d个单位中", min, b.Ranked)
		if min == 1 {
			among = fmt.Sprintf("在有受理的%d个单位中", b.Ranked)
		}
		switch {
		case n >= 2 && *b.Best[0].ClosureRate == *b.Worst[0].ClosureRate:
			fmt.Fprintf(&s, "%s，办结率均为%s。", among, pctText(b.Best[0].ClosureRate))
		case n >= 2:
			hi, lo := b.Best[0], b.Worst[0]
			fmt.Fprintf(&s, "%s，办结率最高的是%s（%s），最低的是%s（%s）。", among, hi.Name, pctText(hi.ClosureRate), lo.Name, pctText(lo.ClosureRate))
		case n == 1:
			fmt.Fprintf(&s, "参与排名的只有%s（办结率%s）。", b.Best[0].Name, pctText(b.Best[0].ClosureRate))
		default:
			fmt.Fprintf(&s, "各单位受理均不足%d件，本周不排名。", min)
		}
	}
	s.WriteString(b.callbackSentence()) // bulletin_callback.go
	if w.Overdue == 0 {
		s.WriteString("本周受理的案件无逾期。")
		return s.String()
	}
	fmt.Fprintf(&s, "本周受理的案件中有%d件逾期未办结", w.Overdue)
	if b.level < grid.Grid && len(b.MostOverdue) > 0 {
		top := b.MostOverdue[0]
		if b.overdueUnits == 1 {
			fmt.Fprintf(&s, "，均在%s", top.Name)
		} else {
			fmt.Fprintf(&s, "，%s最多（%d件）", top.Name, top.Overdue)
		}
	}
	s.WriteString("，请抓紧办理。")
	return s.String()
}

func (b *Bulletin) summaryEN() string {
	var s strings.Builder
	w, p := b.week, b.prev
	fmt.Fprintf(&s, "From %s, %s ", weekText(b.From, b.To, "en"), b.Unit.Name)
	switch {
	case w.Received == 0 && p.Received == 0:
		s.WriteString("received no cases, nor the week before.")
		return s.String()
	case w.Received == 0:
		fmt.Fprintf(&s, "received no cases (%s the week before).", cases(p.Received))
		return s.String()
	case w.Closed == 0:
		fmt.Fprintf(&s, "received %s and has closed none yet", cases(w.Received))
	default:
		fmt.Fprintf(&s, "received %s and closed %s, a closure rate of %s", cases(w.Received), numText(w.Closed, "en"), pctText(w.ClosureRate))
		if d := b.change(); d != nil {
			unit := " points"
			if math.Abs(*d) == 1 {
				unit = " point"
			}
			switch {
			case *d > 0:
				fmt.Fprintf(&s, ", up %s%s on the week before", pointsText(*d), unit)
			case *d < 0:
				fmt.Fprintf(&s, ", down %s%s on the week before", pointsText(*d), unit)
			default:
				s.WriteString(", the same as the week before")
			}
		}
	}
	s.WriteString(".")
	s.WriteString(b.mergedSentence()) // bulletin_merged.go
	if b.level < grid.Grid {
		n := len(b.Best) + len(b.Worst)
		min := max(b.RankingMinCases, 1)
		among := fmt.Sprintf("Among the %d units with at least %s", b.Ranked, cases(int64(min)))
		if min == 1 {
			among = fmt.Sprintf("Among the %d units with cases", b.Ranked)
		}
		switch {
		case n >= 2 && *b.Best[0].ClosureRate == *b.Worst[0].ClosureRate:
			fmt.Fprintf(&s, " %s, every closure rate was %s.", among, pctText(b.Best[0].ClosureRate))
		case n >= 2:
			hi, lo := b.Best[0], b.Worst[0]
			fmt.Fprintf(&s, " %s, the closure rate was highest in %s (%s) and lowest in %s (%s).", among, hi.Name, pctText(hi.ClosureRate), lo.Name, pctText(lo.ClosureRate))
		case n == 1:
			fmt.Fprintf(&s, " Only %s had enough cases to be ranked (closure rate %s).", b.Best[0].Name, pctText(b.Best[0].ClosureRate))
		default:
			fmt.Fprintf(&s, " No unit received %s or more, so none is ranked this week.", cases(int64(min)))
		}
	}
	s.WriteString(b.callbackSentence()) // bulletin_callback.go
	switch w.Overdue {
	case 0:
		s.WriteString(" None of the cases received this week is overdue.")
		return s.String()
	case 1:
		s.WriteString(" Of the cases received this week, 1 is overdue")
	default:
		fmt.Fprintf(&s, " Of the cases received this week, %s are overdue", numText(w.Overdue, "en"))
	}
	if b.level < grid.Grid && len(b.MostOverdue) > 0 {
		top := b.MostOverdue[0]
		switch {
		case b.overdueUnits == 1 && w.Overdue == 1:
			fmt.Fprintf(&s, ", in %s", top.Name)
		case b.overdueUnits == 1:
			fmt.Fprintf(&s, ", all in %s", top.Name)
		default:
			fmt.Fprintf(&s, ", the most in %s (%s)", top.Name, numText(top.Overdue, "en"))
		}
	}
	s.WriteString(".")
	return s.String()
}
