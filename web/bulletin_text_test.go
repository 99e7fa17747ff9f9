package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

func ratio(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

func figuresOf(received, closed, overdue int64) dispatch.Figures {
	return dispatch.Figures{Received: received, Closed: closed, ClosureRate: ratio(closed, received), Overdue: overdue,
		Open: received - closed}
}

func unitRow(code, name string, received, closed, overdue int64) bulletinRow {
	f := figuresOf(received, closed, overdue)
	return rowOf(code, name, f)
}

// testBulletin is the county's bulletin of the week of 2026-11-30, issued on 2026-12-07.
func testBulletin(lang string, minCases int, cur, prev dispatch.Figures, rows []bulletinRow) *Bulletin {
	from := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	b := newBulletin(grid.UnitRef{Code: "140802", Name: "盐湖区"}, from, from.AddDate(0, 0, 20), lang, minCases)
	b.setFigures(cur, prev)
	b.rank(rows)
	b.write()
	return b
}

func names(us []bulletinUnit) string {
	var s []string
	for _, u := range us {
		s = append(s, fmt.Sprintf("%d:%s", u.Rank, u.Name))
	}
	return strings.Join(s, " ")
}

// The best and worst five are of the units with at least the minimum received cases; the
// worst are never among the best; the units below the minimum are counted, not ranked.
func TestBulletinRanking(t *testing.T) {
	t.Parallel()
	rows := []bulletinRow{
		unitRow("140802001", "甲", 10, 10, 0), unitRow("140802002", "乙", 10, 9, 1), unitRow("140802003", "丙", 10, 8, 2),
		unitRow("140802004", "丁", 20, 16, 4), unitRow("140802005", "戊", 10, 7, 3), unitRow("140802006", "己", 10, 6, 0),
		unitRow("140802007", "庚", 10, 5, 0), unitRow("140802008", "辛", 4, 0, 4), // below 5: not ranked, but overdue
		unitRow("140802009", "壬", 0, 0, 0), // no cases: neither
	}
	for _, tc := range []struct {
		name        string
		min         int
		rows        []bulletinRow
		best, worst string
		ranked      int
		unranked    int
	}{
		{"seven ranked: four best, three worst; a tie goes to the most received", 5, rows, "1:甲 2:乙 3:丁 4:丙", "7:庚 6:己 5:戊", 7, 1},
		{"the minimum lowered to 1 ranks 辛 last", 1, rows, "1:甲 2:乙 3:丁 4:丙", "8:辛 7:庚 6:己 5:戊", 8, 0},
		{"a high minimum leaves one", 15, rows, "1:丁", "", 1, 7},
		{"none ranked", 50, rows, "", "", 0, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := testBulletin("zh", tc.min, figuresOf(84, 61, 14), figuresOf(80, 60, 10), tc.rows)
			if names(b.Best) != tc.best || names(b.Worst) != tc.worst || b.Ranked != tc.ranked || b.Unranked != tc.unranked {
				t.Fatalf("best %q worst %q ranked %d unranked %d; want %q %q %d %d", names(b.Best), names(b.Worst), b.Ranked, b.Unranked,
					tc.best, tc.worst, tc.ranked, tc.unranked)
			}
		})
	}
	b := testBulletin("zh", 5, figuresOf(84, 61, 14), figuresOf(80, 60, 10), rows)
	if got := names(b.MostOverdue); got != "3:丁 0:辛 5:戊 4:丙 2:乙" {
		t.Fatalf("most overdue: %s", got)
	}
	if b.RankingNote != "本周受理5件以上的单位参与办结率排名，受理不足5件的1个单位不参与排名；后五名不与前五名重复。" {
		t.Fatalf("ranking note: %s", b.RankingNote)
	}
	if en := testBulletin("en", 5, figuresOf(84, 61, 14), figuresOf(80, 60, 10), rows); en.RankingNote !=
		"Units are ranked by closure rate when they received at least 5 cases this week; 1 unit with fewer is not ranked. The lowest five are not among the top five." {
		t.Fatalf("ranking note: %s", en.RankingNote)
	}
}

// The summary paragraph says what the figures say, in plain words: no "0 件", singular and
// plural right, the change in points as the rates are shown.
func TestBulletinSummary(t *testing.T) {
	t.Parallel()
	two := []bulletinRow{unitRow("140802001", "北城街道", 100, 97, 0), unitRow("140802002", "龙居镇", 28, 18, 6)}
	oneOverdue := []bulletinRow{unitRow("140802001", "北城街道", 100, 97, 0), unitRow("140802002", "龙居镇", 28, 18, 1)}
	spread := []bulletinRow{unitRow("140802001", "北城街道", 100, 97, 4), unitRow("140802002", "龙居镇", 28, 18, 2)}
	for _, tc := range []struct {
		name      string
		cur, prev dispatch.Figures
		rows      []bulletinRow
		zh, en    string
	}{
		{"overdue in one unit", figuresOf(128, 115, 6), figuresOf(120, 106, 2), two,
			"2026年11月30日至12月6日，盐湖区共受理案件128件，办结115件，办结率89.8%，较上周上升1.5个百分点。" +
				"在受理5件以上的2个单位中，办结率最高的是北城街道（97.0%），最低的是龙居镇（64.3%）。本周受理的案件中有6件逾期未办结，均在龙居镇，请抓紧办理。",
			"From 30 November to 6 December 2026, 盐湖区 received 128 cases and closed 115, a closure rate of 89.8%, up 1.5 points on the week before. " +
				"Among the 2 units with at least 5 cases, the closure rate was highest in 北城街道 (97.0%) and lowest in 龙居镇 (64.3%). " +
				"Of the cases received this week, 6 are overdue, all in 龙居镇."},
		{"overdue in several units, rate down", figuresOf(128, 115, 6), figuresOf(100, 92, 0), spread,
			"2026年11月30日至12月6日，盐湖区共受理案件128件，办结115件，办结率89.8%，较上周下降2.2个百分点。" +
				"在受理5件以上的2个单位中，办结率最高的是北城街道（97.0%），最低的是龙居镇（64.3%）。本周受理的案件中有6件逾期未办结，北城街道最多（4件），请抓紧办理。",
			"From 30 November to 6 December 2026, 盐湖区 received 128 cases and closed 115, a closure rate of 89.8%, down 2.2 points on the week before. " +
				"Among the 2 units with at least 5 cases, the closure rate was highest in 北城街道 (97.0%) and lowest in 龙居镇 (64.3%). " +
				"Of the cases received this week, 6 are overdue, the most in 北城街道 (4)."},
		{"one overdue, the same rate", figuresOf(128, 115, 1), figuresOf(128, 115, 0), oneOverdue,
			"2026年11月30日至12月6日，盐湖区共受理案件128件，办结115件，办结率89.8%，与上周持平。" +
				"在受理5件以上的2个单位中，办结率最高的是北城街道（97.0%），最低的是龙居镇（64.3%）。本周受理的案件中有1件逾期未办结，均在龙居镇，请抓紧办理。",
			"From 30 November to 6 December 2026, 盐湖区 received 128 cases and closed 115, a closure rate of 89.8%, the same as the week before. " +
				"Among the 2 units with at least 5 cases, the closure rate was highest in 北城街道 (97.0%) and lowest in 龙居镇 (64.3%). " +
				"Of the cases received this week, 1 is overdue, in 龙居镇."},
		{"no overdue, a whole point", figuresOf(100, 97, 0), figuresOf(100, 96, 0), []bulletinRow{unitRow("140802001", "北城街道", 100, 97, 0)},
			"2026年11月30日至12月6日，盐湖区共受理案件100件，办结97件，办结率97.0%，较上周上升1个百分点。参与排名的只有北城街道（办结率97.0%）。本周受理的案件无逾期。",
			"From 30 November to 6 December 2026, 盐湖区 received 100 cases and closed 97, a closure rate of 97.0%, up 1 point on the week before. " +
				"Only 北城街道 had enough cases to be ranked (closure rate 97.0%). None of the cases received this week is overdue."},
		{"one case, none closed, none ranked, no week before", figuresOf(1, 0, 0), figuresOf(0, 0, 0), []bulletinRow{unitRow("140802001", "北城街道", 1, 0, 0)},
			"2026年11月30日至12月6日，盐湖区共受理案件1件，尚无办结。各单位受理均不足5件，本周不排名。本周受理的案件无逾期。",
			"From 30 November to 6 December 2026, 盐湖区 received 1 case and has closed none yet. No unit received 5 cases or more, so none is ranked this week. " +
				"None of the cases received this week is overdue."},
		{"no cases", figuresOf(0, 0, 0), figuresOf(12, 10, 0), nil,
			"2026年11月30日至12月6日，盐湖区未受理案件（上周受理12件）。",
			"From 30 November to 6 December 2026, 盐湖区 received no cases (12 cases the week before)."},
		{"no cases either week", figuresOf(0, 0, 0), figuresOf(0, 0, 0), nil,
			"2026年11月30日至12月6日，盐湖区未受理案件，上周亦无受理。",
			"From 30 November to 6 December 2026, 盐湖区 received no cases, nor the week before."},
		{"thousands", figuresOf(1234, 1234, 0), figuresOf(0, 0, 0), []bulletinRow{unitRow("140802001", "北城街道", 1234, 1234, 0), unitRow("140802002", "龙居镇", 5, 5, 0)},
			"2026年11月30日至12月6日，盐湖区共受理案件1234件，办结1234件，办结率100.0%。在受理5件以上的2个单位中，办结率均为100.0%。本周受理的案件无逾期。",
			"From 30 November to 6 December 2026, 盐湖区 received 1,234 cases and closed 1,234, a closure rate of 100.0%. " +
				"Among the 2 units with at least 5 cases, every closure rate was 100.0%. None of the cases received this week is overdue."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := testBulletin("zh", 5, tc.cur, tc.prev, tc.rows).Summary; got != tc.zh {
				t.Errorf("zh:\n got %s\nwant %s", got, tc.zh)
			}
			if got := testBulletin("en", 5, tc.cur, tc.prev, tc.rows).Summary; got != tc.en {
				t.Errorf("en:\n got %s\nwant %s", got, tc.en)
			}
			s := testBulletin("zh", 5, tc.cur, tc.prev, tc.rows).Summary + testBulletin("en", 5, tc.cur, tc.prev, tc.rows).Summary
			if m := awkward.FindString(s); m != "" {
				t.Errorf("%q in %s", m, s)
			}
		})
	}
}

// The office, number and date of the letterhead.
func TestBulletinHeading(t *testing.T) {
	t.Parallel()
	b := testBulletin("zh", 5, figuresOf(0, 0, 0), figuresOf(0, 0, 0), nil)
	if b.Office != "盐湖区网格化服务管理中心" || b.Number != "2026年第49期" || b.Date != "2026-12-07" || b.DateText != "2026年12月7日" ||
		b.From != "2026-11-30" || b.To != "2026-12-06" || b.Before.From != "2026-11-23" {
		t.Fatalf("%s %s %s %s %s–%s %v", b.Office, b.Number, b.Date, b.DateText, b.From, b.To, b.Before)
	}
	en := testBulletin("en", 5, figuresOf(0, 0, 0), figuresOf(0, 0, 0), nil)
	if en.Office != "Grid Service Management Centre, 盐湖区" || en.Number != "No. 49, 2026" || en.DateText != "7 December 2026" {
		t.Fatalf("%s %s %s", en.Office, en.Number, en.DateText)
	}
	// This week's bulletin, before the week is out, is dated today; a year's first ISO week
	// can begin in December.
	from := time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC)
	now := newBulletin(grid.UnitRef{Code: "140802001", Name: "北城街道"}, from, from.AddDate(0, 0, 2), "zh", 5)
	now.setFigures(figuresOf(0, 0, 0), figuresOf(0, 0, 0))
	now.write()
	if now.Date != "2026-12-30" || now.Number != "2026年第53期" || now.Office != "北城街道网格化服务管理中心" {
		t.Fatalf("%s %s %s", now.Date, now.Number, now.Office)
	}
	if got := officeOf("东阜村第1网格", grid.Grid, "zh"); got != "东阜村第1网格服务站" {
		t.Fatal(got)
	}
	if got := officeOf("东阜村", grid.Village, "zh"); got != "东阜村网格化服务站" {
		t.Fatal(got)
	}
	if got := weekText("2026-12-28", "2027-01-03", "zh"); got != "2026年12月28日至2027年1月3日" {
		t.Fatal(got)
	}
	if got := weekText("2026-12-28", "2027-01-03", "en"); got != "28 December 2026 to 3 January 2027" {
		t.Fatal(got)
	}
}

// awkward is what a summary never says: nothing counted as a number, one case as many.
var awkward = regexp.MustCompile(`(^|[^0-9.,])0 ?(件|cases?|个百分点|points?)|\b1 cases|上升0|下降0`)

func TestPointsChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cur, prev float64
		want      float64
	}{{0.951, 0.939, 1.2}, {0.95149, 0.93951, 1.1}, {0.5, 0.5, 0}, {0.1, 0.2, -10}} {
		if got := *pointsChange(&tc.cur, &tc.prev); got != tc.want {
			t.Errorf("%v after %v: %v, want %v", tc.cur, tc.prev, got, tc.want)
		}
	}
	if pointsChange(nil, new(float64)) != nil {
		t.Error("a change from nothing")
	}
}
