package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the matching form of Vietnamese text (CONTRACT section 1): Unicode
// NFC, lower case, diacritics removed (đ→d), white space of any kind collapsed to
// one space, and no space beside punctuation. Two spellings of a header, a unit or
// an indicator match when their folded forms are equal.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending
	lastPunct := true
	// Invalid bytes become U+FFFD first, so normalisation sees the same text
	// on a second pass (Fold is idempotent).
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, "\ufffd")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case r == '\u00ad': // soft hyphen: invisible in Unicode text
			continue
		}
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			continue
		}
		punct := isFoldPunct(r)
		if space && !punct && !lastPunct {
			b.WriteByte(' ')
		}
		space = false
		lastPunct = punct
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func isFoldPunct(r rune) bool {
	switch r {
	case ',', ';', ':', '-', '/', '.', '(', ')', '&', '+', '–', '—':
		return true
	}
	return false
}

// Clean returns a cell's text as a person means it: legacy TCVN3 text converted to
// Unicode, NFC, non-breaking and repeated spaces collapsed, trimmed.
func Clean(s string) string {
	out, _ := clean(s)
	return out
}

// clean is Clean that also reports whether s was valid UTF-8, from the same
// pass over its bytes (a CSV cell's bytes are not checked twice).
func clean(s string) (string, bool) {
	if s == "" {
		return s, true
	}
	sh := shapeOf(s)
	if sh.plain && !sh.doubleSpace {
		return strings.TrimSpace(s), true // ASCII text is never TCVN3 bytes
	}
	if sh.tcvn3 && tcvn3Words(s) {
		s = DecodeTCVN3(s)
		sh = shapeOf(s)
	}
	// Most text already is NFC with single spaces: keep it as it is (no
	// allocation; the rest of this function would return the same string).
	if sh.tidy && (sh.latin || norm.NFC.IsNormalString(s)) {
		return s, sh.valid
	}
	return strings.Join(strings.FieldsFunc(norm.NFC.String(s), isCleanSpace), " "), sh.valid
}

func isCleanSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' }

// shape is what one pass over a text's bytes tells Clean.
type shape struct {
	plain       bool // printable ASCII only (no control characters)
	doubleSpace bool // two ASCII spaces in a row
	valid       bool // valid UTF-8
	// tidy: the only spaces are single ASCII spaces between other
	// characters. latin: every character is below U+0300 or in Latin
	// Extended Additional (U+1E00–U+1EFF, every Vietnamese letter); those are
	// starters that are NFC on their own and never combine with a neighbour,
	// so such a text is NFC without a lookup (TestLatinRangesAreNFC checks
	// every one against x/text).
	tidy, latin bool
	// tcvn3: the text could be TCVN3 read as Latin-1/Windows-1252 and is
	// worth LooksTCVN3's word search: it has a byte outside ASCII, no
	// character beyond Latin-1 other than Windows-1252's (Unicode Vietnamese
	// ư ơ ă đ ạ ..., an NFD mark or another script rule it out), and at least
	// one character that TCVN3 evidence needs.
	tcvn3 bool
}

// decodeRune is utf8.DecodeRuneInString(s[i:]) for a non-ASCII s[i], with
// the two- and three-byte sequences of Vietnamese text decoded in line
// (TestDecodeRune compares the two on every sequence of up to three bytes).
func decodeRune(s string, i int) (rune, int) {
	c := s[i]
	switch {
	case 0xC2 <= c && c <= 0xDF && i+1 < len(s):
		if c1 := s[i+1]; c1&0xC0 == 0x80 {
			return rune(c&0x1F)<<6 | rune(c1&0x3F), 2
		}
	case 0xE1 <= c && c <= 0xEC && i+2 < len(s): // not E0, ED: their second bytes are narrower
		if c1, c2 := s[i+1], s[i+2]; c1&0xC0 == 0x80 && c2&0xC0 == 0x80 {
			return rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F), 3
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

func shapeOf(s string) shape {
	sh := shape{plain: true, valid: true, tidy: true, latin: true}
	prevSpace := true // a space at the start is not tidy
	high, foreign, evidence := false, false, false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf { // the common case, without decoding
			i++
			switch {
			case c == ' ':
				sh.tidy = sh.tidy && !prevSpace
				sh.doubleSpace = sh.doubleSpace || i >= 2 && s[i-2] == ' '
				prevSpace = true
			case c < 0x20:
				sh.plain = false
				if c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' {
					sh.tidy = false
				}
				prevSpace = false
			default:
				prevSpace = false
			}
			continue
		}
		sh.plain, high = false, true
		r, n := decodeRune(s, i)
		if r == utf8.RuneError && n == 1 {
			sh.valid = false
		}
		i += n
		if r >= 0x300 && (r < 0x1E00 || r > 0x1EFF) {
			sh.latin = false
		}
		if !foreign { // once foreign, the text is not TCVN3 whatever follows
			if r > 0xFF {
				_, ok := cp1252High[r]
				foreign = !ok
			}
			evidence = evidence || r <= 0x9F || tcvn3Symbol(r) || tcvn3UpperLooking(r) || tcvn3Foreign(r)
		}
		// Spaces outside ASCII: U+0085, U+00A0, U+1680 and from U+2000 on
		// (isCleanSpace); Vietnamese letters lie between and skip the lookup.
		if (r <= 0xFF || r == 0x1680 || r >= 0x2000) && isCleanSpace(r) {
			sh.tidy = false // not an ASCII space
		}
		prevSpace = false
	}
	if prevSpace && s != "" {
		sh.tidy = false // a space at the end
	}
	sh.tcvn3 = high && !foreign && evidence
	return sh
}
