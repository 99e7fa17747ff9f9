package web

import (
	"strings"
	"testing"
)

// TestBulletinCallbackSentence: the summary says how many cases were called back, how many
// reached and the satisfaction rate, in both languages; the headline table has both rates.
func TestBulletinCallbackSentence(t *testing.T) {
	t.Parallel()
	cur := figuresOf(100, 97, 0)
	cur.Callbacks, cur.CallbacksReached, cur.Satisfied = 40, 32, 30
	cur.CallbackRate, cur.SatisfactionRate = ratio(32, 40), ratio(30, 32)
	rows := []bulletinRow{unitRow("140802001", "北城街道", 100, 97, 0)}
	zh := testBulletin("zh", 5, cur, figuresOf(100, 96, 0), rows)
	if want := "回访40件，联系上当事人32件（回访率80.0%），其中满意或基本满意30件（满意率93.8%）。本周受理的案件无逾期。"; !strings.HasSuffix(zh.Summary, want) {
		t.Errorf("zh summary %s\nwant it to end %s", zh.Summary, want)
	}
	en := testBulletin("en", 5, cur, figuresOf(100, 96, 0), rows)
	if want := " Of 40 cases called back, 32 reached the party (callback rate 80.0%); 30 satisfied or basically satisfied (satisfaction rate 93.8%). None of"; !strings.Contains(en.Summary, want) {
		t.Errorf("en summary %s\nwant %s", en.Summary, want)
	}
	var keys []string
	for _, f := range zh.Figures {
		keys = append(keys, f.Key)
		if f.Key == "satisfaction_rate" && (f.Value == nil || *f.Value != 30.0/32) {
			t.Errorf("satisfaction headline %v", f.Value)
		}
	}
	if got := strings.Join(keys, " "); !strings.HasSuffix(got, "callback_rate satisfaction_rate") {
		t.Errorf("headlines %s", got)
	}
	none := figuresOf(100, 97, 0)
	none.Callbacks = 3
	if s := testBulletin("zh", 5, none, figuresOf(100, 96, 0), rows).Summary; !strings.Contains(s, "回访3件，均未联系上当事人。") {
		t.Errorf("none reached: %s", s)
	}
	if s := testBulletin("zh", 5, figuresOf(100, 97, 0), figuresOf(100, 96, 0), rows).Summary; strings.Contains(s, "回访") {
		t.Errorf("no callbacks, yet: %s", s)
	}
}
