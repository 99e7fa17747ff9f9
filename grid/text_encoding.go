package grid

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TextEncoding is how a Shapefile's attribute table (.dbf) stores its text. Chinese GIS files
// are UTF-8 (QGIS, recent ArcGIS) or GBK (older ArcGIS, most county offices), said by the .cpg
// file beside them when there is one.
type TextEncoding string

// The encodings a Shapefile's names may be in.
const (
	UTF8    TextEncoding = "utf-8"
	GBK     TextEncoding = "gbk"     // code page 936, a superset of GB2312
	GB18030 TextEncoding = "gb18030" // GBK extended to all of Unicode
)

// ParseTextEncoding reads an encoding's name as --encoding or a .cpg file gives it: "UTF-8",
// "GBK", "936", "CP936", "GB2312", "GB18030", "54936".
func ParseTextEncoding(s string) (TextEncoding, error) {
	switch n := strings.ToLower(strings.TrimSpace(s)); n {
	case "utf-8", "utf8", "65001", "cp65001":
		return UTF8, nil
	case "gbk", "936", "cp936", "ansi 936", "windows-936", "gb2312", "gb_2312-80", "euc-cn":
		return GBK, nil
	case "gb18030", "54936":
		return GB18030, nil
	}
	return "", fmt.Errorf("%w: %q; want utf-8, gbk or gb18030", ErrBadEncoding, s)
}

// decode reads raw text in the encoding. Bytes that are not text in it are an error: a name
// is never stored as mojibake or with replacement characters.
func (e TextEncoding) decode(raw []byte) (string, error) {
	var dec *encoding.Decoder
	switch e {
	case UTF8:
		if !utf8.Valid(raw) {
			return "", fmt.Errorf("%w: %q is not valid %s", ErrBadEncoding, raw, e)
		}
		return string(raw), nil
	case GBK:
		dec = simplifiedchinese.GBK.NewDecoder()
	case GB18030:
		dec = simplifiedchinese.GB18030.NewDecoder()
	default:
		return "", fmt.Errorf("%w: %q", ErrBadEncoding, e)
	}
	s, err := dec.Bytes(raw)
	// The decoders put U+FFFD where bytes are not text in the encoding, and neither encoding
	// has a character that decodes to it but GB18030's own code for U+FFFD, itself a sign of
	// damage in a name.
	if err != nil || bytesContainRuneError(s) {
		return "", fmt.Errorf("%w: %q is not valid %s", ErrBadEncoding, raw, e)
	}
	return string(s), nil
}

func bytesContainRuneError(b []byte) bool { return strings.ContainsRune(string(b), utf8.RuneError) }

// latin1Bytes turns text read as ISO-8859-1 (each byte one rune) back into its bytes, so that
// it can be decoded in the encoding it really is in.
func latin1Bytes(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}
