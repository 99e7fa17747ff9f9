package pdfdoc

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// FontPaths are where Debian's packages put TrueType fonts with Chinese glyphs in glyf outlines,
// which a PDF can embed as a subset: AR PL SungtiL GB (fonts-arphic-gbsn00lp), a Song face as
// official documents use, with Latin letters and digits of its own. Noto CJK (fonts-noto-cjk)
// is not among them: its CFF outlines in an OpenType collection are not what the PDF writer
// embeds. Droid Sans Fallback (fonts-droid-fallback) is not either: it has no digits, which
// print as empty boxes (LoadFont refuses such a font).
var FontPaths = []string{
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
}

// ErrNoFont: no font to write Chinese with.
var ErrNoFont = errors.New("no TrueType font with Chinese glyphs")

// LatinPaths are where Debian puts TrueType fonts for Latin letters and digits (DejaVu Serif,
// else Sans, fonts-dejavu-core): the Chinese font's own are typewriter-like, and a serif goes
// with a Song face as Times does with 宋体. Optional: without one, the Chinese font sets them.
var LatinPaths = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
}

// Font is a TrueType font read once and embedded, as a subset, in every document, with the
// Latin font that sets Latin letters and digits, if there is one.
type Font struct {
	Path      string
	LatinPath string // "": none
	data      []byte
	latin     []byte
}

// maxFontBytes bounds what a font file may hold: the largest CJK TrueType fonts are some 20 MB.
const maxFontBytes = 64 << 20

// LoadFont reads the font at path; with path "", the first of FontPaths that exists.
func LoadFont(path string) (*Font, error) {
	paths := FontPaths
	if path != "" {
		paths = []string{path}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) && path == "" {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoFont, err)
		}
		if st.Size() > maxFontBytes {
			return nil, fmt.Errorf("%w: %s is %d bytes, more than a font has", ErrNoFont, p, st.Size())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoFont, err)
		}
		if len(data) < 12 || string(data[:4]) != "\x00\x01\x00\x00" && string(data[:4]) != "true" {
			return nil, fmt.Errorf("%w: %s is not a TrueType font (.ttf)", ErrNoFont, p)
		}
		if err := covers(p, mustHave); err != nil {
			return nil, err
		}
		f := &Font{Path: p, data: data}
		f.LatinPath, f.latin = loadLatin()
		return f, nil
	}
	return nil, fmt.Errorf("%w: none of %v (Debian: apt-get install fonts-droid-fallback)", ErrNoFont, FontPaths)
}

// mustHave are characters every document needs: a PDF viewer shows a character missing from
// the font as an empty box, while the text still reads right when extracted.
const mustHave = "0123456789%.,:;()-+/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz↑↓—" +
	"年月日第期页共件网格化服务管理中心受理办结率逾期在办调解成功矛盾纠纷不上交按单位类别名次，。、（）：；" + string(missing)

// loadLatin reads the first of LatinPaths that is there and has every ASCII character.
func loadLatin() (string, []byte) {
	for _, p := range LatinPaths {
		if covers(p, latinMustHave) != nil {
			continue
		}
		if data, err := os.ReadFile(p); err == nil && len(data) < maxFontBytes {
			return p, data
		}
	}
	return "", nil
}

// latinMustHave is what the Latin font sets: every character below U+0250 that text has.
var latinMustHave = func() string {
	var b strings.Builder
	for r := rune(0x20); r < 0x7f; r++ {
		b.WriteRune(r)
	}
	return b.String()
}()

// covers checks that the font at path maps every character of mustHave to a glyph.
func covers(path, mustHave string) error {
	ttf, err := fpdf.TtfParse(path)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrNoFont, path, err)
	}
	var missing strings.Builder
	for _, r := range mustHave {
		if g, ok := ttf.Chars[uint16(r)]; !ok || g == 0 {
			missing.WriteRune(r)
		}
	}
	if missing.Len() > 0 {
		return fmt.Errorf("%w: %s has no glyphs for %q", ErrNoFont, path, missing.String())
	}
	return nil
}
