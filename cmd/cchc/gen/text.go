package gen

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// quirks collects the tags of the tolerances a file exercises (the vocabulary of
// the public samples' manifest, plus a few of this package), so tests can assert
// that a generated set covers all of CONTRACT 3.4.
type quirks map[string]bool

func (q quirks) add(tags ...string) {
	for _, t := range tags {
		q[t] = true
	}
}

func (q quirks) list() []string {
	out := make([]string, 0, len(q))
	for t := range q {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// stripDia removes Vietnamese diacritics the way people type without an IME:
// tone and vowel marks go, đ becomes d.
func stripDia(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasDia(s string) bool { return stripDia(s) != s }

// messText applies the header/label tolerances of CONTRACT 3.4 to s and tags
// what it did with prefix ("header" or "label"). newline=false keeps s on one
// line, which CSV needs so that a record stays a line.
func messText(r *rng, s, prefix string, newline bool, q quirks) string {
	switch r.weighted(55, 25, 8) {
	case 1:
		s = strings.ToUpper(s)
		q.add(prefix + "_upper")
	case 2:
		s = strings.ToLower(s)
		q.add(prefix + "_lower")
	}
	if r.chance(0.2) && hasDia(s) {
		s = stripDia(s)
		q.add(prefix + "_nodia")
	}
	if strings.Contains(s, " ") {
		switch r.weighted(70, 15, 15) {
		case 1:
			if newline {
				words := strings.Fields(s)
				i := 1 + r.intn(len(words)-1)
				s = strings.Join(words[:i], " ") + "\n" + strings.Join(words[i:], " ")
				q.add(prefix + "_linebreak")
			}
		case 2:
			s = "  " + strings.Join(strings.Fields(s), "  ") + " "
			q.add(prefix + "_spaces")
		}
	}
	if r.chance(0.08) && hasDia(s) {
		s = norm.NFD.String(s)
		q.add(prefix + "_nfd")
	}
	return s
}

// pad wraps a value in the spaces and non-breaking spaces that copy-paste
// from web portals leaves behind.
func pad(r *rng, s string) string {
	switch r.intn(4) {
	case 0:
		return " " + s + "\u00a0"
	case 1:
		return "\u00a0" + s + " "
	case 2:
		return "  " + s
	default:
		return s + "\u00a0"
	}
}

// tcvn3Map maps Unicode letters to the bytes of the TCVN3 (ABC) fonts
// .VnTime/.VnArial, which Excel shows as their Latin-1 look-alikes.
var tcvn3Map = map[rune]byte{
	'Ă': 0xA1, 'Â': 0xA2, 'Ê': 0xA3, 'Ô': 0xA4, 'Ơ': 0xA5, 'Ư': 0xA6, 'Đ': 0xA7,
	'ă': 0xA8, 'â': 0xA9, 'ê': 0xAA, 'ô': 0xAB, 'ơ': 0xAC, 'ư': 0xAD, 'đ': 0xAE,
	'à': 0xB5, 'ả': 0xB6, 'ã': 0xB7, 'á': 0xB8, 'ạ': 0xB9,
	'ằ': 0xBB, 'ẳ': 0xBC, 'ẵ': 0xBD, 'ắ': 0xBE, 'ặ': 0xC6,
	'ầ': 0xC7, 'ẩ': 0xC8, 'ẫ': 0xC9, 'ấ': 0xCA, 'ậ': 0xCB,
	'è': 0xCC, 'ẻ': 0xCE, 'ẽ': 0xCF, 'é': 0xD0, 'ẹ': 0xD1,
	'ề': 0xD2, 'ể': 0xD3, 'ễ': 0xD4, 'ế': 0xD5, 'ệ': 0xD6,
	'ì': 0xD7, 'ỉ': 0xD8, 'ĩ': 0xDC, 'í': 0xDD, 'ị': 0xDE,
	'ò': 0xDF, 'ỏ': 0xE1, 'õ': 0xE2, 'ó': 0xE3, 'ọ': 0xE4,
	'ồ': 0xE5, 'ổ': 0xE6, 'ỗ': 0xE7, 'ố': 0xE8, 'ộ': 0xE9,
	'ờ': 0xEA, 'ở': 0xEB, 'ỡ': 0xEC, 'ớ': 0xED, 'ợ': 0xEE,
	'ù': 0xEF, 'ủ': 0xF1, 'ũ': 0xF2, 'ú': 0xF3, 'ụ': 0xF4,
	'ừ': 0xF5, 'ử': 0xF6, 'ữ': 0xF7, 'ứ': 0xF8, 'ự': 0xF9,
	'ỳ': 0xFA, 'ỷ': 0xFB, 'ỹ': 0xFC, 'ý': 0xFD, 'ỵ': 0xFE,
}

// tcvn3 encodes s as a cell typed in a TCVN3 font holds it (`Khương Đình` →
// `Kh­¬ng §×nh`). ok is false when s has a letter the lower-case fonts cannot
// show (an upper-case toned vowel), so callers only ever plant text a real
// legacy workbook could contain.
func tcvn3(s string) (string, bool) {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		c, ok := tcvn3Map[r]
		if !ok {
			return s, false
		}
		b.WriteRune(rune(c))
	}
	return b.String(), true
}
