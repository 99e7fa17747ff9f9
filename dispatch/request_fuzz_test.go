package dispatch

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzTransitionCheck checks what Transition.check decides before the database is asked (the
// body of POST /api/cases/{id}/transitions, docs/cases-api.md): it never panics, refuses with
// ErrBadTransition and a message, and whatever it accepts is a person's action with trimmed
// UTF-8 text within bounds, the text the action needs, a known outcome for settle, and at
// most 9 distinct photo hashes.
func FuzzTransitionCheck(f *testing.F) {
	for _, s := range [][5]string{
		{"accept", "", "", "", ""},
		{"mediate", "约双方到村委会调解", "", "张三、李四", fuzzPhoto},
		{"settle", "双方签署调解协议", "mediated", "", fuzzPhoto + "," + strings.ToUpper(fuzzPhoto)},
		{"settle", "x", "Mediated", "", ""},
		{"verify", "  ", "", "", ""},
		{"transfer", "misrouted", "", "", ""},
		{"overdue", "timer", "", "", ""},
		{"urge", strings.Repeat("催", MaxReasonChars+1), "", strings.Repeat("x", MaxPartiesChars+1), ""},
		{"escalate", "\xff\xfe", "", "\x00", strings.Repeat(fuzzPhoto+",", 10)},
		{"rework", "<script>alert(1)</script>'; DROP TABLE cases;--", "unsettled", "", "," + fuzzPhoto},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, action, reason, outcome, parties, photos string) {
		tr := Transition{CaseID: 1, Version: 1, Action: Action(action), ActorID: 7, Reason: reason,
			Outcome: Outcome(outcome), Parties: parties}
		if photos != "" {
			tr.Photos = strings.Split(photos, ",")
		}
		r, err := tr.check()
		if err != nil {
			if !errors.Is(err, ErrBadTransition) || err.Error() == ErrBadTransition.Error() {
				t.Fatalf("refused with %v; want ErrBadTransition saying what is wrong", err)
			}
			return
		}
		switch {
		case r.by == bySystem || machine[tr.Action].to != r.to:
			t.Fatalf("action %q accepted from a person", tr.Action)
		case !utf8.ValidString(tr.Reason) || strings.TrimSpace(tr.Reason) != tr.Reason ||
			utf8.RuneCountInString(tr.Reason) > MaxReasonChars:
			t.Fatalf("reason %q", tr.Reason)
		case !utf8.ValidString(tr.Parties) || strings.TrimSpace(tr.Parties) != tr.Parties ||
			utf8.RuneCountInString(tr.Parties) > MaxPartiesChars:
			t.Fatalf("parties %q", tr.Parties)
		case r.needsText && tr.Reason == "":
			t.Fatalf("%s without a reason", tr.Action)
		case tr.Action == ActSettle && tr.Outcome != OutcomeMediated && tr.Outcome != OutcomeHandled && tr.Outcome != OutcomeUnsettled:
			t.Fatalf("settle with outcome %q", tr.Outcome)
		case len(tr.Photos) > MaxReportPhotos:
			t.Fatalf("%d photos", len(tr.Photos))
		}
		seen := map[string]bool{}
		for _, h := range tr.Photos {
			if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" || seen[h] {
				t.Fatalf("photo %q not a distinct SHA-256", h)
			}
			seen[h] = true
		}
	})
}

// FuzzCategoryCheck checks Category.check, the validation of PUT /api/admin/categories/{code}
// (docs/routing.md): it never panics, refuses with ErrInvalidCategory and a message, and what
// it accepts has a code and group of 2-41 lower-case letters or underscores, names of 1-40
// characters of UTF-8, a starting tier of 1-3 and deadlines of whole seconds from 1 s to 365
// days.
func FuzzCategoryCheck(f *testing.F) {
	day := int64(24 * 3600)
	f.Add("neighbour", "dispute", "邻里纠纷", "Neighbour dispute", 3, 3*day, 7*day, 15*day, day)
	f.Add("streetlight_out", "infrastructure", "路灯", "Streetlight", 1, int64(1), int64(1), 365*day, 365*day)
	f.Add("Neighbour", "dispute-x", "", strings.Repeat("n", 41), 0, int64(0), int64(-1), 365*day+1, int64(1<<40))
	f.Add("a", "zz", "\xff", "<script>", 4, int64(-1<<63), int64(1<<63-1), int64(1), int64(1))
	f.Add("x'; DROP TABLE categories;--", "dispute\n", "邻\x00里", "NaN", -1, day, day, day, day)
	f.Fuzz(func(t *testing.T, code, group, nameZH, nameEN string, startLevel int, village, township, county, urgent int64) {
		// The web layer clamps deadlines to [0, 2^31] seconds before converting; so does this.
		s := func(n int64) time.Duration { return time.Duration(min(max(n, 0), 1<<31)) * time.Second }
		// Out of int16's range clamped, not wrapped, as the web layer does (admin_categories.go).
		c := Category{Code: code, Group: group, NameZH: nameZH, NameEN: nameEN, StartLevel: Tier(min(max(startLevel, -1), 5)),
			Deadlines: Deadlines{Village: s(village), Township: s(township), County: s(county), Urgent: s(urgent)}}
		err := c.check()
		if err != nil {
			if !errors.Is(err, ErrInvalidCategory) || err.Error() == ErrInvalidCategory.Error() {
				t.Fatalf("refused with %v; want ErrInvalidCategory saying what is wrong", err)
			}
			return
		}
		for _, code := range []string{c.Code, c.Group} {
			if len(code) < 2 || len(code) > 41 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz_") != "" ||
				code[0] == '_' {
				t.Fatalf("code or group %q", code)
			}
		}
		for _, name := range []string{c.NameZH, c.NameEN} {
			if n := utf8.RuneCountInString(name); !utf8.ValidString(name) || n < 1 || n > MaxCategoryNameChars {
				t.Fatalf("name %q", name)
			}
		}
		if c.StartLevel < TierCounty || c.StartLevel > TierVillage {
			t.Fatalf("start level %d", c.StartLevel)
		}
		for _, d := range []time.Duration{c.Deadlines.Village, c.Deadlines.Township, c.Deadlines.County, c.Deadlines.Urgent} {
			if d < time.Second || d > MaxDeadline || d%time.Second != 0 {
				t.Fatalf("deadline %v", d)
			}
		}
	})
}
