package web

import (
	"strings"
	"testing"
)

// TestBulletinMergedSentence: the summary says how many duplicate reports were merged (并单),
// after the received sentence, in both languages; nothing when none was merged or nothing was
// received.
func TestBulletinMergedSentence(t *testing.T) {
	t.Parallel()
	rows := []bulletinRow{unitRow("140802001", "北城街道", 100, 97, 0)}
	cur := figuresOf(100, 97, 0)
	cur.Merged = 6
	zh := testBulletin("zh", 5, cur, figuresOf(100, 96, 0), rows).Summary
	if want := "个百分点。另有重复上报6件并入其他案件（并单），不计入受理。"; !strings.Contains(zh, want) {
		t.Errorf("zh summary %s\nwant %s", zh, want)
	}
	en := testBulletin("en", 5, cur, figuresOf(100, 96, 0), rows).Summary
	if want := " on the week before. Another 6 reports were duplicates, merged into other cases (not counted as received)."; !strings.Contains(en, want) {
		t.Errorf("en summary %s\nwant %s", en, want)
	}
	cur.Merged = 1
	if en := testBulletin("en", 5, cur, figuresOf(100, 96, 0), rows).Summary; !strings.Contains(en, " Another report was a duplicate, merged into a case") {
		t.Errorf("one merged: %s", en)
	}
	for _, f := range []struct {
		name             string
		received, merged int64
	}{{"none merged", 100, 0}, {"nothing received", 0, 3}} {
		cur := figuresOf(f.received, 0, 0)
		cur.Merged = f.merged
		if s := testBulletin("zh", 5, cur, figuresOf(100, 96, 0), rows).Summary; strings.Contains(s, "并单") {
			t.Errorf("%s: %s", f.name, s)
		}
	}
}
