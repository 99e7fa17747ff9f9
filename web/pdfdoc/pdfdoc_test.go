package pdfdoc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// width as a monospace font would measure: Chinese characters 2, the rest 1.
func mono(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r > 0x2e80 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func TestWrap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text string
		width      float64
		want       []string
	}{
		{"fits", "盐湖区", 10, []string{"盐湖区"}},
		{"between ideographs", "盐湖区网格化服务", 6, []string{"盐湖区", "网格化", "服务"}},
		{"punctuation stays with what precedes", "受理，办结。", 4, []string{"受", "理，", "办", "结。"}},
		{"opening bracket stays with what follows", "甲乙（丙）", 6, []string{"甲乙", "（丙）"}},
		{"words whole", "closed 115 cases", 10, []string{"closed 115", "cases"}},
		{"a word too long is cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"number with its unit", "共128件", 5, []string{"共", "128件"}},
		{"newline", "甲\n乙", 10, []string{"甲", "乙"}},
		{"empty", "", 10, []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.text, tc.width, mono)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("wrap(%q, %v) = %q, want %q", tc.text, tc.width, got, tc.want)
			}
			for _, l := range got {
				if mono(l) > tc.width && utf8.RuneCountInString(l) > 1 && !strings.ContainsAny(l, "，。）") {
					t.Fatalf("line %q wider than %v", l, tc.width)
				}
			}
		})
	}
}

// testFont is the font the tests write with; without one they cannot run (CI installs it).
func testFont(t *testing.T) *Font {
	t.Helper()
	f, err := LoadFont("")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return f
}

// PDFText is the text of a PDF by pages, as pdftotext (poppler-utils) reads it.
func PDFText(t testing.TB, pdf []byte) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is needed to read the PDFs back")
		}
		t.Skip("no pdftotext: apt-get install poppler-utils")
	}
	cmd := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f"), "\f")
}

// A long table breaks across pages with its header on each, Chinese text is read back, and
// the font is a subset: the file stays small.
func TestDocumentTableBreaksAcrossPages(t *testing.T) {
	t.Parallel()
	font := testFont(t)
	doc, err := New(font, Meta{Title: "测试", Lang: "zh-CN", Created: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC),
		Footer: func(n, total int) string { return fmt.Sprintf("第 %d 页 / 共 %d 页", n, total) }})
	if err != nil {
		t.Fatal(err)
	}
	doc.Letterhead("盐湖区网格化服务管理中心", "2026年第49期", "2026年12月7日")
	doc.Title("矛盾纠纷化解工作一周通报")
	doc.Paragraph(strings.Repeat("本周共受理矛盾纠纷一百二十八件，办结一百一十五件。", 6), true)
	rows := make([][]string, 80)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("第%02d村（社区）一个名字很长很长很长很长的村民委员会", i+1), fmt.Sprint(100 + i), "89.8%"}
	}
	doc.Heading("一、各单位办结情况")
	doc.Table(Table{Columns: []Column{{Label: "单位", Weight: 3}, {Label: "受理", Num: true}, {Label: "办结率", Num: true}}, Rows: rows})
	doc.Table(Table{Columns: []Column{{Label: "单位"}, {Label: "逾期", Num: true}}, Empty: "无逾期案件"})
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 200<<10 {
		t.Errorf("the PDF is %d bytes: is the font subset?", buf.Len())
	}
	if font.LatinPath != "" && !bytes.Contains(buf.Bytes(), []byte("utf8"+latinName)) {
		t.Errorf("%s is not in the PDF", font.LatinPath)
	}
	pages := PDFText(t, buf.Bytes())
	if len(pages) < 3 || doc.Pages() != len(pages) {
		t.Fatalf("%d pages (doc says %d), want 3 or more", len(pages), doc.Pages())
	}
	all := strings.Join(pages, "\n")
	flat := strings.Join(strings.Fields(all), "") // pdftotext spaces words as it sees fit
	for _, want := range []string{"盐湖区网格化服务管理中心", "2026年第49期", "2026年12月7日", "矛盾纠纷化解工作一周通报",
		"第01村", "第80村", "无逾期案件", fmt.Sprintf("第 1 页 / 共 %d 页", len(pages))} {
		if !strings.Contains(flat, strings.ReplaceAll(want, " ", "")) {
			t.Errorf("no %q in the text:\n%s", want, all)
		}
	}
	for i, p := range pages[1:] {
		if !strings.Contains(p, "办结率") || !strings.Contains(p, "单位") {
			t.Errorf("page %d has no table header:\n%s", i+2, p)
		}
	}
}

// A font without digits would print them as empty boxes: Droid Sans Fallback is one.
func TestLoadFontRefusesAFontWithoutDigits(t *testing.T) {
	t.Parallel()
	const droid = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
	if _, err := os.Stat(droid); err != nil {
		t.Skip("fonts-droid-fallback is not installed")
	}
	if _, err := LoadFont(droid); err == nil || !strings.Contains(err.Error(), "has no glyphs for") {
		t.Fatalf("LoadFont(%s): %v", droid, err)
	}
}

func TestLoadFontRefusesWhatIsNotAFont(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/x.ttf"
	if err := os.WriteFile(path, []byte("<html>not a font</html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, t.TempDir() + "/missing.ttf"} {
		if _, err := LoadFont(p); err == nil || !strings.Contains(err.Error(), "no TrueType font") {
			t.Errorf("LoadFont(%s): %v", p, err)
		}
	}
}

// Names come from administrators and grid imports: text the font lacks (an emoji, a rare
// character, controls, right-to-left marks) or too long for a cell still makes a document.
func TestDocumentTakesHostileText(t *testing.T) {
	t.Parallel()
	font := testFont(t)
	doc, err := New(font, Meta{Created: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	hostile := []string{"😀村\U0002A6A5镇", "a\x00b\x1bc\u202ed", strings.Repeat("很", 3000), strings.Repeat("x", 3000),
		"<script>alert(1)</script>", "(\\) %PDF-1.4 endobj", "\uFFFD\uFEFF"}
	for _, s := range hostile {
		doc.Paragraph(s, true)
	}
	rows := [][]string{}
	for _, s := range hostile {
		rows = append(rows, []string{s, s})
	}
	doc.Table(Table{Columns: []Column{{Label: "单位"}, {Label: "x", Num: true}}, Rows: rows})
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	pages := PDFText(t, buf.Bytes())
	if text := strings.Join(pages, ""); !strings.Contains(text, "alert(1)") || !strings.Contains(text, "endobj") ||
		!strings.Contains(text, "〓村〓镇") {
		t.Fatalf("text: %.300s", text)
	}
	// The rows of 3,000 characters go on over pages, each under the header, within the page.
	for i, p := range pages[len(pages)-3:] {
		if !strings.Contains(p, "单位") {
			t.Errorf("page %d of the table has no header", i)
		}
	}
	// Nothing is written below the bottom margin, where the text would run off the page.
	cmd := exec.Command("pdftotext", "-bbox", "-", "-")
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`yMax="([0-9.]+)">([^<]*)<`).FindAllStringSubmatch(string(out), -1) {
		if y, _ := strconv.ParseFloat(m[1], 64); y > (bottom+1)/ptMM && !strings.Contains(m[2], "页") {
			t.Fatalf("%q ends %.0f pt down the page, below the bottom margin (%.0f pt)", m[2], y, bottom/ptMM)
		}
	}
}
