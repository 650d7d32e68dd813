package extract

import (
	"strings"
	"unicode"

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
	s = MaybeDecodeTCVN3(s)
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c == '\n' || c == '\r' || c == '\t' {
			ascii = false
			break
		}
	}
	if ascii && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
	}), " ")
}
