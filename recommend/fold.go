package recommend

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and removes diacritics ("Côte" → "cote"), so that the
// index and the queries of both stores see the same letters. Letters that
// do not decompose (ø, ł, ß) are mapped by hand.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'ø', 'Ø':
			b.WriteByte('o')
		case 'ł', 'Ł':
			b.WriteByte('l')
		case 'ß':
			b.WriteString("ss")
		case 'æ', 'Æ':
			b.WriteString("ae")
		case 'œ', 'Œ':
			b.WriteString("oe")
		case '\u2019', '\u2018':
			b.WriteByte('\'')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
