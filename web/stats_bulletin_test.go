package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/web"
)

// rankFrom configures a server that ranks units from minCases received cases.
func rankFrom(minCases int) func(*web.Config) {
	return func(c *web.Config) {
		opts := web.DefaultFiguresOptions()
		opts.RankingMinCases = minCases
		c.Figures = &opts
	}
}

// newBulletinAPI is newCaseAPI on a server that ranks units from minCases received cases.
func newBulletinAPI(t *testing.T, minCases int, opts ...fixtureOption) *caseAPI {
	t.Helper()
	return newCaseAPI(t, append(opts, withConfig(rankFrom(minCases)))...)
}

// reportAt files a neighbour dispute at a place.
func (fx *caseAPI) reportAt(t *testing.T, lon, lat float64) {
	t.Helper()
	if _, err := fx.intake.Submit(context.Background(), dispatch.Report{ClientID: newClientID(), ReporterID: fx.memberID(t, "13900000001"),
		Category: "neighbour", Severity: "normal", Description: "邻里纠纷", Lon: lon, Lat: lat,
		HappenedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

// pdfText is the text of a PDF as pdftotext (poppler-utils) reads it, all whitespace removed
// (it spaces Chinese as it sees fit).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is needed to read the PDFs back")
		}
		t.Skip("no pdftotext: apt-get install poppler-utils")
	}
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

// The weekly bulletin: the same figures as the stats routes for the week and the week before,
// the best and worst of the units with the county's minimum of cases, the summary written from
// them, and the PDF with its letterhead; refused outside the member's jurisdiction.
func TestStatsBulletinRoute(t *testing.T) {
	t.Parallel()
	fx := newBulletinAPI(t, 2)
	fx.reportAt(t, 111.02, 35.02) // 东阜村: three cases
	fx.reportAt(t, 111.03, 35.03)
	fx.reportAt(t, 111.02, 35.12) // 槐树凹村: two
	fx.reportAt(t, 111.03, 35.13)
	for _, step := range []struct{ token, action, extra string }{
		{fx.village, "accept", ""}, {fx.village, "mediate", ""},
		{fx.village, "settle", `, "outcome": "mediated"`}, {fx.token, "verify", ""},
	} {
		if r := fx.act(t, step.token, step.action, "处理", step.extra); r.status != 200 {
			t.Fatalf("%s: %d %v", step.action, r.status, r.body)
		}
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	from, to := monday.Format(time.DateOnly), monday.AddDate(0, 0, 6).Format(time.DateOnly)
	week := fmt.Sprintf("from=%s&to=%s", from, to)
	before := fmt.Sprintf("from=%s&to=%s", monday.AddDate(0, 0, -7).Format(time.DateOnly), monday.AddDate(0, 0, -1).Format(time.DateOnly))
	get := func(route, token, query string) response {
		t.Helper()
		return call(t, "GET", fx.base+"/api/stats/"+route+"?"+query, token, "")
	}
	gridtest.Eventually(t, "the cases counted", func() bool {
		s := get("summary", fx.supervisor, "unit=140802001&"+week).body
		return s["received"] == 5.0 && s["closed"] == 1.0
	})

	r := get("bulletin", fx.supervisor, "unit=140802001&week="+today.Format(time.DateOnly))
	if r.status != 200 {
		t.Fatalf("bulletin: %d %v", r.status, r.body)
	}
	b := r.body
	if b["from"] != from || b["to"] != to || b["office"] != "安邑街道网格化服务管理中心" || b["date"] != today.Format(time.DateOnly) {
		t.Fatalf("heading: %v", b)
	}
	_, isoWeek := monday.ISOWeek()
	if b["number"] != fmt.Sprintf("%d年第%d期", monday.Year(), isoWeek) && !strings.HasSuffix(b["number"].(string), fmt.Sprintf("第%d期", isoWeek)) {
		t.Fatalf("number %v", b["number"])
	}
	// Every headline figure is the summary route's, for the week and for the week before.
	cur, prev := get("summary", fx.supervisor, "unit=140802001&"+week).body, get("summary", fx.supervisor, "unit=140802001&"+before).body
	for _, f := range b["figures"].([]any) {
		f := f.(map[string]any)
		if k := f["key"].(string); f["value"] != cur[k] && !(f["value"] == nil && cur[k] == nil) || f["before"] != prev[k] {
			t.Errorf("%s: %v before %v; the summary route says %v before %v", k, f["value"], f["before"], cur[k], prev[k])
		}
	}
	// The ranking: both villages have the two cases needed; rows as the units route has them.
	units := map[string]map[string]any{}
	for _, u := range get("units", fx.supervisor, "unit=140802001&"+week).body["units"].([]any) {
		units[u.(map[string]any)["code"].(string)] = u.(map[string]any)
	}
	best, worst := b["best"].([]any), b["worst"].([]any)
	if len(best) != 1 || len(worst) != 1 || b["ranked"] != 2.0 || b["ranking_min_cases"] != 2.0 {
		t.Fatalf("best %v worst %v ranked %v", best, worst, b["ranked"])
	}
	for _, row := range []map[string]any{best[0].(map[string]any), worst[0].(map[string]any)} {
		u := units[row["code"].(string)]
		if row["received"] != u["received"] || row["closed"] != u["closed"] || row["closure_rate"] != u["closure_rate"] || row["name"] != u["name"] {
			t.Errorf("ranked %v; units route %v", row, u)
		}
	}
	if best[0].(map[string]any)["name"] != "东阜村" || worst[0].(map[string]any)["name"] != "槐树凹村" || worst[0].(map[string]any)["rank"] != 2.0 {
		t.Fatalf("best %v worst %v", best, worst)
	}
	wantSummary := "安邑街道共受理案件5件，办结1件，办结率20.0%。在受理2件以上的2个单位中，办结率最高的是东阜村（33.3%），最低的是槐树凹村（0.0%）。本周受理的案件无逾期。"
	if s := b["summary"].(string); !strings.HasSuffix(s, wantSummary) {
		t.Fatalf("summary:\n got %s\nwant …%s", s, wantSummary)
	}
	if !strings.Contains(b["ranking_note"].(string), "本周受理2件以上的单位参与办结率排名") {
		t.Fatalf("ranking note: %v", b["ranking_note"])
	}
	cats := b["categories"].([]any)
	if len(cats) != 1 || cats[0].(map[string]any)["name"] != "邻里纠纷" || cats[0].(map[string]any)["received"] != 5.0 {
		t.Fatalf("categories: %v", cats)
	}
	if en := get("bulletin", fx.supervisor, "unit=140802001&lang=en&week="+from).body; !strings.Contains(en["summary"].(string), "received 5 cases and closed 1, a closure rate of 20.0%") {
		t.Fatalf("en summary: %v", en["summary"])
	}

	// A grid's bulletin: no units below it to rank.
	g := get("bulletin", fx.supervisor, "unit=140802001001001&week="+from).body
	if g["office"] != "东阜村第1网格服务站" || len(g["best"].([]any)) != 0 || len(g["worst"].([]any)) != 0 ||
		strings.Contains(g["summary"].(string), "单位") || !strings.Contains(g["summary"].(string), "东阜村第1网格共受理案件") {
		t.Fatalf("grid bulletin: %v", g)
	}

	// The PDF: the same bulletin, its Chinese read back.
	status, header, pdf := do(t, "GET", fx.base+"/api/stats/bulletin?unit=140802001&format=pdf&week="+from, fx.supervisor, nil)
	if status != 200 || header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) ||
		!strings.Contains(header.Get("Content-Disposition"), "bulletin-140802001-") {
		t.Fatalf("pdf: %d %v %.40q", status, header, pdf)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"安邑街道网格化服务管理中心", b["number"].(string), b["date_text"].(string), "矛盾纠纷和事件办理一周通报",
		wantSummary, "东阜村", "槐树凹村", "33.3%", "邻里纠纷", "办结率后五名", "受理2件以上"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF has no %q:\n%s", want, text)
		}
	}

	for _, tc := range []struct {
		name, token, query string
		status             int
	}{
		{"no session", "", "unit=140802001", 401},
		{"no session, pdf", "", "unit=140802001&format=pdf", 401},
		{"another township", fx.supervisor, "unit=140802002", 403},
		{"another township, pdf", fx.supervisor, "unit=140802002&format=pdf", 403},
		{"above", fx.supervisor, "unit=140802", 403},
		{"the other supervisor", fx.otherSupervisor, "unit=140802001", 403},
		{"a mediator", fx.village, "unit=140802001001", 403},
		{"a grid worker", fx.token, "unit=140802001001001", 403},
		{"no such village", fx.supervisor, "unit=140802001099", 404},
		{"not a code", fx.supervisor, "unit=14080x", 400},
		{"bad week", fx.supervisor, "unit=140802001&week=2026-13-01", 400},
		{"week of words", fx.supervisor, "unit=140802001&week=last", 400},
		{"far past", fx.supervisor, "unit=140802001&week=1999-12-27", 400},
		{"bad format", fx.supervisor, "unit=140802001&format=xlsx", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get("bulletin", tc.token, tc.query)
			if r.status != tc.status || r.body["error"] == nil || r.body["message"] == "" {
				t.Fatalf("%s: %d %v, want %d with a JSON error", tc.query, r.status, r.body, tc.status)
			}
		})
	}
}

// A week without cases: no ranking, no tables of rows, and words instead of zeros.
func TestStatsBulletinEmptyWeek(t *testing.T) {
	t.Parallel()
	fx := newBulletinAPI(t, 5)
	r := call(t, "GET", fx.base+"/api/stats/bulletin?unit=140802001&week=2026-01-07", fx.supervisor, "")
	if r.status != 200 || r.body["summary"] != "2026年1月5日至1月11日，安邑街道未受理案件，上周亦无受理。" ||
		len(r.body["best"].([]any)) != 0 || len(r.body["worst"].([]any)) != 0 || len(r.body["categories"].([]any)) != 0 ||
		r.body["number"] != "2026年第2期" || r.body["date"] != "2026-01-12" {
		t.Fatalf("%d %v", r.status, r.body)
	}
	status, _, pdf := do(t, "GET", fx.base+"/api/stats/bulletin?unit=140802001&format=pdf&lang=en&week=2026-01-07", fx.supervisor, nil)
	text := pdfText(t, pdf)
	for _, want := range []string{"GridServiceManagementCentre,安邑街道", "No.2,2026", "12January2026", "receivednocases",
		"Nocasesthisweek"} {
		if status != 200 || !strings.Contains(text, want) {
			t.Errorf("%d: the PDF has no %q:\n%s", status, want, text)
		}
	}
}
