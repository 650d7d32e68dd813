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
	if s == "" {
		return s
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 {
			ascii = false
			break
		}
	}
	if ascii && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s) // ASCII text is never TCVN3 bytes
	}
	s = MaybeDecodeTCVN3(s)
	// Most text already is NFC with single spaces: keep it as it is (no
	// allocation; the rest of this function would return the same string).
	if tidy, latin := tidySpaces(s); tidy && (latin || norm.NFC.IsNormalString(s)) {
		return s
	}
	return strings.Join(strings.FieldsFunc(norm.NFC.String(s), isCleanSpace), " ")
}

func isCleanSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' }

// tidySpaces reports whether the only spaces of s are single ASCII spaces
// between other characters, and whether s is made of Latin letters only
// (below U+0300, or Latin Extended Additional U+1E00–U+1EFF: every
// Vietnamese letter). Those are all starters that are NFC on their own and
// never combine with a neighbour, so such a string is NFC without a lookup
// (TestLatinRangesAreNFC checks every one against x/text).
func tidySpaces(s string) (tidy, latin bool) {
	prev := true // a space at the start is not tidy
	latin = true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf { // the common case, without decoding
			i++
			switch {
			case c == ' ':
				if prev {
					return false, latin
				}
				prev = true
			case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
				return false, latin
			default:
				prev = false
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r >= 0x300 && (r < 0x1E00 || r > 0x1EFF) {
			latin = false
		}
		if isCleanSpace(r) {
			return false, latin // not an ASCII space
		}
		prev = false
	}
	return !prev || s == "", latin
}
