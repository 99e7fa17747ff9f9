package pdfdoc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line breaking for Chinese mixed with Latin: a line may break between any two Chinese
// characters and at spaces, never inside a Latin word or number (unless the word alone is
// wider than the line), never before closing punctuation nor after opening punctuation.

const (
	noLineStart = "，。、；：？！）》」』】〕…—％%,.;:?!)]}·”’"
	noLineEnd   = "（《「『【〔([{“‘"
)

func breakable(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) || r == '“' || r == '”' || r == '‘' || r == '’'
}

// tokens splits text into pieces that stay on one line: a word, a space, or a Chinese
// character with the punctuation that may not be parted from it.
func tokens(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == ' ' || r == '\t':
			flush()
			out = append(out, " ")
		case strings.ContainsRune(noLineStart, r):
			cur.WriteRune(r) // stays with what precedes it
		case breakable(r):
			if cur.Len() > 0 && !endsWithOpening(cur.String()) && !endsWithDigit(cur.String()) {
				flush()
			}
			cur.WriteRune(r)
		default: // Latin letters and digits make words
			if cur.Len() > 0 && i > 0 && breakable(rs[i-1]) && !strings.ContainsRune(noLineEnd, rs[i-1]) {
				flush()
			}
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// endsWithDigit: a number keeps the measure word after it ("128件").
func endsWithDigit(s string) bool {
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

func endsWithOpening(s string) bool {
	for _, r := range noLineEnd {
		if strings.HasSuffix(s, string(r)) {
			return true
		}
	}
	return false
}

// missing stands for a character the PDF cannot hold: 〓, as Chinese typesetting marks a
// character it has no type for.
const missing = '〓'

// clean makes text safe to write: characters beyond the Basic Multilingual Plane (emoji, CJK
// extension B), which the PDF writer's font tables cannot index (it panics), become 〓; control
// characters go, tabs become spaces; a newline stays.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xfeff || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return -1
		case r > 0xffff || r == utf8.RuneError:
			return missing
		}
		return r
	}, s)
}

// wrap breaks text into lines no wider than width, as measured by w. A newline always breaks.
func wrap(text string, width float64, w func(string) float64) []string {
	text = clean(text)
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line, lw := "", 0.0
		for _, tok := range tokens(para) {
			tw := w(tok)
			if tok == " " && line == "" {
				continue // no space opens a line
			}
			if lw+tw <= width || line == "" && tw <= width {
				line += tok
				lw += tw
				continue
			}
			if line != "" {
				lines = append(lines, strings.TrimRight(line, " "))
				line, lw = "", 0
			}
			if tok == " " {
				continue
			}
			for tw > width { // a word wider than the line is cut where it must be
				cut := fit(tok, width, w)
				lines = append(lines, tok[:cut])
				tok = tok[cut:]
				tw = w(tok)
			}
			line, lw = tok, tw
		}
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines
}

// fit is the longest prefix of s (in bytes, whole runes, at least one rune) no wider than width.
func fit(s string, width float64, w func(string) float64) int {
	end := 0
	for i, r := range s {
		next := i + len(string(r))
		if end > 0 && w(s[:next]) > width {
			break
		}
		end = next
	}
	return end
}
