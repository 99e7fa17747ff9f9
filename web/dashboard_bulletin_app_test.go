package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid/gridtest"
)

// TestDashboardBulletinApp is the weekly bulletin as a document in real Chromium: a township
// supervisor opens it and sees the server's letterhead (office, number, date) and summary,
// downloads the server's PDF, and prints it on A4 with no table wider than the page; at
// 360 px and 1366 px, in Chinese and English.
func TestDashboardBulletinApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newBulletinAPI(t, 2, withBrowser("dashboard")) // one case in 东阜村, as newCaseAPI files
	fx.reportAt(t, 111.03, 35.03)
	fx.reportAt(t, 111.04, 35.04) // 东阜村: three
	fx.reportAt(t, 111.02, 35.12)
	fx.reportAt(t, 111.03, 35.13) // 槐树凹村: two
	for _, step := range []struct{ token, action, extra string }{
		{fx.village, "accept", ""}, {fx.village, "mediate", ""},
		{fx.village, "settle", `, "outcome": "mediated"`}, {fx.token, "verify", ""},
	} {
		if r := fx.act(t, step.token, step.action, "处理", step.extra); r.status != 200 {
			t.Fatalf("%s: %d %v", step.action, r.status, r.body)
		}
	}
	// One case in 槐树凹村 passes its deadline: flagged overdue, not escalated.
	if _, err := fx.pool.Exec(ctx, `UPDATE categories SET auto_escalate = false WHERE code = 'neighbour'`); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.pool.Exec(ctx, `UPDATE cases SET deadline_at = now() - interval '1 second'
		WHERE id = (SELECT max(id) FROM cases WHERE unit_code LIKE '140802001002%')`); err != nil {
		t.Fatal(err)
	}
	if n, err := dispatch.EscalateDue(ctx, fx.pool, 10); err != nil || n != 1 {
		t.Fatalf("the timer handled %d cases (%v), want 1", n, err)
	}
	// A long name, as villages merged into one have, which must wrap when printed.
	if _, err := fx.pool.Exec(ctx, `UPDATE units SET name = '槐树凹村（含原西王庄村、东王庄村、南王庄村、北王庄村）' WHERE code = '140802001002'`); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	var zh, en response
	gridtest.Eventually(t, "the bulletin counts every case", func() bool {
		zh = call(t, "GET", fx.base+"/api/stats/bulletin?unit=140802001&week="+today, fx.supervisor, "")
		figs, _ := zh.body["figures"].([]any)
		return len(figs) == 10 && figs[0].(map[string]any)["value"] == 5.0 && figs[1].(map[string]any)["value"] == 1.0 &&
			figs[6].(map[string]any)["value"] == 1.0
	})
	en = call(t, "GET", fx.base+"/api/stats/bulletin?unit=140802001&lang=en&week="+today, fx.supervisor, "")
	if s := zh.body["summary"].(string); !strings.Contains(s, "有1件逾期未办结，均在槐树凹村") {
		t.Fatalf("summary: %s", s)
	}

	dir := t.TempDir()
	shots := shotsDir(t) // GRIDDISPATCH_SHOTS=dir keeps the screenshots and PDFs, to look at
	if shots == "" {
		shots = dir
	}
	steps := map[string]map[string]any{}
	browserScript(t, "dashboard_bulletin.mjs", func(line string) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			s, _ := m["step"].(string)
			steps[s] = m
		}
	}, "BASE_URL="+fx.base, "PASSWORD="+password, "PHONE_S=13900000014", "SHOTS="+shots,
		"OFFICE="+zh.body["office"].(string), "NUMBER="+zh.body["number"].(string), "SUMMARY="+zh.body["summary"].(string),
		"EN_OFFICE="+en.body["office"].(string), "EN_SUMMARY="+url.QueryEscape(en.body["summary"].(string)))
	for _, s := range []string{"document", "pdf", "print", "narrow"} {
		if steps[s] == nil {
			t.Fatalf("the script never reported step %q (got %v)", s, steps)
		}
	}
	t.Logf("steps: %v", steps)

	// The downloaded PDF is the server's bulletin; the printed page is the app's.
	pdf, err := os.ReadFile(filepath.Join(shots, "bulletin-download.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{zh.body["office"].(string), zh.body["number"].(string), zh.body["date_text"].(string),
		strings.Join(strings.Fields(zh.body["summary"].(string)), ""), "东阜村", "槐树凹村", "办结率后五名"} {
		if !strings.Contains(text, want) {
			t.Errorf("the downloaded PDF has no %q:\n%s", want, text)
		}
	}
	printed, err := os.ReadFile(filepath.Join(shots, "bulletin-print.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	ptext := pdfText(t, printed)
	for _, want := range []string{zh.body["office"].(string), "东阜村", "槐树凹村", "逾期最多", "按类别", "邻里纠纷"} {
		if !strings.Contains(ptext, want) {
			t.Errorf("the printed bulletin has no %q:\n%s", want, ptext)
		}
	}
	if strings.Contains(ptext, "下载PDF") || strings.Contains(ptext, "上一周") {
		t.Errorf("the printed bulletin shows its controls:\n%s", ptext)
	}
}
