package extract

// Legacy TCVN3 text.
//
// Before Unicode, offices in the north of Vietnam typed with the ".Vn" fonts
// (.VnTime, .VnArial, ...) and a keyboard driver set to "TCVN3 (ABC)": every
// Vietnamese letter is one byte of TCVN 5712:1993, and the font draws that byte as
// the letter. Excel stores the bytes as the Windows-1252 characters of the same
// values, so a cell that shows "Phường" in .VnTime holds "Ph\u00adêng" (U+00AD
// soft hyphen is "ư"). Converted workbooks still carry such cells, and they must
// be turned into real Unicode before headers and names can be matched.
//
// TCVN 5712 has three levels. VN3 (what the .Vn fonts and the typing drivers use)
// has the 67 lower-case letters, the 7 upper-case letters without tone marks
// (Ă Â Ê Ô Ơ Ư Đ) and NBSP, all in 0xA0–0xFE. Upper case toned letters are written
// by switching to the all-capital font (.VnTimeH, .VnArialH, ...), which draws the
// lower-case code points as capitals. VN2 adds upper-case letters in the gaps of
// 0xA0–0xFF and combining tone marks at 0xB0–0xB4; VN1 (glibc's TCVN5712-1) also
// puts upper-case letters in C0 and C1 control positions. The decoding table below
// is the full VN1 table, so text from any level decodes.

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// tcvn3Table maps each TCVN 5712:1993 (VN1) byte to its Unicode code point. It was
// generated once from glibc with `iconv -f TCVN5712-1 -t UTF-8` for each byte on
// its own, and is checked against iconv by TestTCVN3TableMatchesIconv when iconv is
// present. 0xB0–0xB4 are combining tone marks; DecodeTCVN3 composes them with NFC.
var tcvn3Table = [256]rune{
	0x0000, 0x00DA, 0x1EE4, 0x0003, 0x1EEA, 0x1EEC, 0x1EEE, 0x0007, // 00: -- Ú Ụ -- Ừ Ử Ữ --
	0x0008, 0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x000E, 0x000F, // 08: -- -- -- -- -- -- -- --
	0x0010, 0x1EE8, 0x1EF0, 0x1EF2, 0x1EF6, 0x1EF8, 0x00DD, 0x1EF4, // 10: -- Ứ Ự Ỳ Ỷ Ỹ Ý Ỵ
	0x0018, 0x0019, 0x001A, 0x001B, 0x001C, 0x001D, 0x001E, 0x001F, // 18: -- -- -- -- -- -- -- --
	0x0020, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025, 0x0026, 0x0027, // 20: SP ! " # $ % & '
	0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F, // 28: ( ) * + , - . /
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, // 30: 0 1 2 3 4 5 6 7
	0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F, // 38: 8 9 : ; < = > ?
	0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, // 40: @ A B C D E F G
	0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, // 48: H I J K L M N O
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, // 50: P Q R S T U V W
	0x0058, 0x0059, 0x005A, 0x005B, 0x005C, 0x005D, 0x005E, 0x005F, // 58: X Y Z [ \ ] ^ _
	0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, // 60: ` a b c d e f g
	0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, // 68: h i j k l m n o
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, // 70: p q r s t u v w
	0x0078, 0x0079, 0x007A, 0x007B, 0x007C, 0x007D, 0x007E, 0x007F, // 78: x y z { | } ~ --
	0x00C0, 0x1EA2, 0x00C3, 0x00C1, 0x1EA0, 0x1EB6, 0x1EAC, 0x00C8, // 80: À Ả Ã Á Ạ Ặ Ậ È
	0x1EBA, 0x1EBC, 0x00C9, 0x1EB8, 0x1EC6, 0x00CC, 0x1EC8, 0x0128, // 88: Ẻ Ẽ É Ẹ Ệ Ì Ỉ Ĩ
	0x00CD, 0x1ECA, 0x00D2, 0x1ECE, 0x00D5, 0x00D3, 0x1ECC, 0x1ED8, // 90: Í Ị Ò Ỏ Õ Ó Ọ Ộ
	0x1EDC, 0x1EDE, 0x1EE0, 0x1EDA, 0x1EE2, 0x00D9, 0x1EE6, 0x0168, // 98: Ờ Ở Ỡ Ớ Ợ Ù Ủ Ũ
	0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110, // A0: NBSP Ă Â Ê Ô Ơ Ư Đ
	0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0, // A8: ă â ê ô ơ ư đ Ằ
	0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3, // B0: ◌̀ ◌̉ ◌̃ ◌́ ◌̣ à ả ã
	0x00E1, 0x1EA1, 0x1EB2, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4, // B8: á ạ Ẳ ằ ẳ ẵ ắ Ẵ
	0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7, // C0: Ắ Ầ Ẩ Ẫ Ấ Ề ặ ầ
	0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD, // C8: ẩ ẫ ấ ậ è Ể ẻ ẽ
	0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC, // D0: é ẹ ề ể ễ ế ệ ì
	0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2, // D8: ỉ Ễ Ế Ồ ĩ í ị ò
	0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7, // E0: Ổ ỏ õ ó ọ ồ ổ ỗ
	0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9, // E8: ố ộ ờ ở ỡ ớ ợ ù
	0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF, // F0: Ỗ ủ ũ ú ụ ừ ử ữ
	0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0, // F8: ứ ự ỳ ỷ ỹ ý ỵ Ố
}

// cp1252High maps the Windows-1252 characters of bytes 0x80–0x9F back to the
// byte. Excel turns a typed byte into the code page character, so a cell may hold
// these instead of the C1 controls U+0080–U+009F. (0x81, 0x8D, 0x8F, 0x90 and 0x9D
// are undefined in Windows-1252 and arrive as the C1 control itself.)
var cp1252High = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// cp1252Punct reports whether r is a Windows-1252 punctuation character of
// 0x80–0x9F. Only VN1 has letters at those bytes; VN3, which the .Vn fonts and the
// typing drivers use, leaves them to the code page, so in real TCVN3 cells they are
// quotes, dashes and ellipses (Word's autocorrect, "Quý I – 2024") and are kept.
// The letter-shaped ones (ƒ ˆ Š Œ Ž ˜ š œ ž Ÿ) never occur in Vietnamese text and
// are decoded as the VN1 capitals.
func cp1252Punct(r rune) bool {
	switch r {
	case '€', '‚', '„', '…', '†', '‡', '‰', '‹', '‘', '’', '“', '”', '•', '–', '—', '™', '›':
		return true
	}
	return false
}

// tcvn3Rune decodes one character of the Latin-1/Windows-1252 reading of a TCVN3
// cell.
func tcvn3Rune(r rune) rune {
	switch {
	case r < 0x80:
		// The VN1 capitals in C0 control positions are decoded (a control character
		// is never text); tab, line feed and the rest of ASCII map to themselves.
		return tcvn3Table[r]
	case r <= 0xFF:
		return tcvn3Table[r]
	case cp1252Punct(r):
		return r
	}
	if b, ok := cp1252High[r]; ok {
		return tcvn3Table[b]
	}
	return r
}

// DecodeTCVN3 converts the Latin-1/Windows-1252 reading of TCVN3 text, as Excel
// shows a cell typed in a .Vn font, to Unicode NFC. It does not check that s is
// TCVN3; see MaybeDecodeTCVN3. Printable ASCII, tab and line breaks are unchanged.
//
// VN3 has no upper-case toned letters, so a word typed in capitals in a normal .Vn
// font comes out as "QUËN" ("QUậN"). So a word with two or more capitals and no
// ASCII lower-case letter is upper-cased ("QUẬN"), and so is the whole string when
// it has such a word, no ASCII lower-case letter and three or more capitals ("Bé
// T¦ PH¸P" is "BỘ TƯ PHÁP"). Text typed in lower case in an all-capital
// font (.VnTimeH) cannot be told from ordinary lower case by its characters; use
// DecodeTCVN3Upper when the cell's font is one of those (see TCVN3Font).
func DecodeTCVN3(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, tcvn3Rune(r))
	}
	fixCapitals(out)
	return norm.NFC.String(string(out))
}

// DecodeTCVN3Upper is DecodeTCVN3 for text set in an all-capital .Vn font
// (.VnTimeH, .VnArialH, ...), where every letter is drawn as a capital whatever
// its code: the result is upper case.
func DecodeTCVN3Upper(s string) string {
	return norm.NFC.String(strings.ToUpper(DecodeTCVN3(s)))
}

// MaybeDecodeTCVN3 returns DecodeTCVN3(s) when LooksTCVN3(s), else s unchanged.
func MaybeDecodeTCVN3(s string) string {
	if LooksTCVN3(s) {
		return DecodeTCVN3(s)
	}
	return s
}

// TCVN3Font reports whether a font name is a TCVN3 font (".VnTime", ".VnArial
// Narrow", ...) and whether it is an all-capital one (".VnTimeH", ".VnArialH"),
// whose text should be decoded with DecodeTCVN3Upper.
func TCVN3Font(name string) (tcvn3, upper bool) {
	name = strings.TrimSpace(name)
	if len(name) < 4 || !strings.EqualFold(name[:3], ".vn") {
		return false, false
	}
	return true, strings.HasSuffix(name, "H")
}

// fixCapitals upper-cases the words that were typed in capitals (see DecodeTCVN3).
func fixCapitals(rs []rune) {
	lowerASCII, upper, capsWords := 0, 0, 0
	forWords(rs, func(w []rune) {
		up, low, lowOther := 0, false, false
		for _, r := range w {
			switch {
			case 'a' <= r && r <= 'z':
				low = true
			case unicode.IsUpper(r):
				up++
			case unicode.IsLower(r):
				lowOther = true
			}
		}
		if low {
			lowerASCII++
		}
		upper += up
		if up >= 2 && !low {
			if lowOther {
				capsWords++
			}
			upperRunes(w)
		}
	})
	if capsWords > 0 && lowerASCII == 0 && upper >= 3 {
		// The whole cell was typed in capitals ("Bé T¦ PH¸P" is "BỘ TƯ PHÁP"):
		// also upper-case its one-capital words such as "Bé". A cell without such
		// a word ("Sè TT", "Số TT") keeps its title case.
		upperRunes(rs)
	}
}

// forWords calls f with each maximal run of letters and marks of rs.
func forWords(rs []rune, f func(w []rune)) {
	for i := 0; i < len(rs); {
		if !isWordLetter(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isWordLetter(rs[j]) {
			j++
		}
		f(rs[i:j])
		i = j
	}
}

func upperRunes(rs []rune) {
	for i, r := range rs {
		rs[i] = unicode.ToUpper(r)
	}
}

func isWordLetter(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// maxSyllable is the longest Vietnamese syllable in letters ("nghiêng"). TCVN3 is
// one byte per letter, so a longer word is not taken as evidence; this keeps a
// soft hyphen inside a long European word ("Kommuni\u00adkation") from counting.
const maxSyllable = 7

// LooksTCVN3 reports whether s looks like Vietnamese typed in TCVN3 and read as
// Latin-1/Windows-1252 ("Kh\u00ad¬ng §×nh" for "Khương Đình"). It is conservative:
// ASCII, Unicode Vietnamese (NFC or NFD), text with other characters outside
// Latin-1 and UTF-8 read as Latin-1 are not TCVN3, and Latin-1 letters that
// Unicode Vietnamese or Western European text uses in the same places ("Café",
// "Nhân Chính") are no evidence. A short word of TCVN3-only characters is needed.
func LooksTCVN3(s string) bool {
	// The cheap part (shapeOf, shared with Clean): a byte outside ASCII, no
	// character that Windows-1252 bytes cannot be (Unicode Vietnamese ư ơ ă
	// đ ạ ..., a combining mark of NFD, any other script: the common exit for
	// real cells, before any allocation), and a character that TCVN3
	// evidence needs (without any, as in "Có" or "Không", there is nothing
	// to look at word by word).
	return shapeOf(s).tcvn3 && tcvn3Words(s)
}

// tcvn3Words is LooksTCVN3's word search, for a text whose shape allows TCVN3.
func tcvn3Words(s string) bool {
	rs := []rune(s)
	return !utf8Mojibake(rs) && tcvn3Word(rs)
}

// tcvn3Word reports whether a word of rs (2..maxSyllable word characters)
// holds evidence of TCVN3 bytes (tcvn3Evidence).
func tcvn3Word(rs []rune) bool {
	for i := 0; i < len(rs); {
		if !isTCVN3WordRune(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isTCVN3WordRune(rs[j]) {
			j++
		}
		if n := j - i; n >= 2 && n <= maxSyllable && tcvn3Evidence(rs[i:j]) {
			return true
		}
		i = j
	}
	return false
}

// utf8Mojibake reports whether the bytes behind rs are valid UTF-8, that is
// whether s is UTF-8 text read as Latin-1 ("PhÆ°á»\u009dng") rather than TCVN3: in
// TCVN3 the letters 0xA1–0xBE stand after ASCII consonants, which UTF-8 forbids.
func utf8Mojibake(rs []rune) bool {
	b := make([]byte, 0, len(rs))
	for _, r := range rs {
		if r > 0xFF {
			r = rune(cp1252High[r])
		}
		b = append(b, byte(r))
	}
	return utf8.Valid(b)
}

// isTCVN3WordRune reports whether r can be part of a TCVN3 word: an ASCII letter
// or any character that stands for a TCVN 5712 letter.
func isTCVN3WordRune(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		return true
	case r < 0x80:
		return r < 0x20 && tcvn3Table[r] != r // VN1 capitals in C0
	case r <= 0x9F, 0xA1 <= r && r <= 0xFF:
		return true
	}
	return r > 0xFF && !cp1252Punct(r) // cp1252 letters of 0x80–0x9F
}

// tcvn3Evidence reports whether a word (2..maxSyllable characters) holds a
// character that marks TCVN3.
func tcvn3Evidence(w []rune) bool {
	for k, r := range w {
		switch {
		case tcvn3Symbol(r):
			// A TCVN3 letter that is a symbol in Latin-1 (­ ¬ § © ª ¸ µ × ...)
			// inside a word: ordinary text puts these between words, not in them.
			return true
		case 0x80 <= r && r <= 0x9F:
			// A C1 control comes only from a raw byte; UTF-8 was ruled out, so it
			// is a VN1 capital.
			return true
		case tcvn3UpperLooking(r) && k > 0 && (isASCIILower(w[k-1]) || k+1 < len(w) && isASCIILower(w[k+1])):
			// A lower-case TCVN3 letter that Latin-1 shows as a capital, inside a
			// lower-case word ("ChÝnh", "LiÖt", "LÜnh"); Latin-1 text has capitals
			// only at the start of words or in all-capital words.
			if vietnameseSyllable(w) {
				return true
			}
		case tcvn3Foreign(r):
			// A lower-case TCVN3 letter that Latin-1 shows as a non-Vietnamese
			// letter ("Tæng" for "Tổng", "Cöa" for "Cửa"); German, French or Nordic
			// words with the same letters do not decode to a Vietnamese syllable.
			if vietnameseSyllable(w) {
				return true
			}
		}
	}
	return false
}

// tcvn3Symbol: VN3 letters shown as Latin-1 symbols (¡–®, µ–¹, »–¾, ×, ÷).
func tcvn3Symbol(r rune) bool {
	return 0xA1 <= r && r <= 0xAE || 0xB5 <= r && r <= 0xB9 || 0xBB <= r && r <= 0xBE || r == 0xD7 || r == 0xF7
}

// tcvn3UpperLooking: VN3 lower-case letters shown as Latin-1 capitals (Æ–Ì, Î–Ö,
// Ø, Ü–Þ).
func tcvn3UpperLooking(r rune) bool {
	return 0xC6 <= r && r <= 0xCC || 0xCE <= r && r <= 0xD6 || r == 0xD8 || 0xDC <= r && r <= 0xDE
}

// tcvn3Foreign: VN3 lower-case letters shown as Latin-1 letters that Unicode
// Vietnamese never uses (ß ä å æ ç ë î ï ñ ö ø û ü þ). The shared ones (à á â ã è
// é ê ì í ò ó ô õ ù ú ý) prove nothing: "Nhân" may be Unicode or TCVN3 "Nhõn".
func tcvn3Foreign(r rune) bool {
	switch r {
	case 'ß', 'ä', 'å', 'æ', 'ç', 'ë', 'î', 'ï', 'ñ', 'ö', 'ø', 'û', 'ü', 'þ':
		return true
	}
	return false
}

func isASCIILower(r rune) bool { return 'a' <= r && r <= 'z' }

// Vietnamese syllable structure, used to confirm weak evidence: an initial
// consonant, a vowel group and a final consonant, after the tone mark is removed.
var (
	vnInitials = []string{"", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n",
		"ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"}
	vnFinals = []string{"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}
	vnVowels = map[string]bool{}
)

func init() {
	for _, v := range strings.Fields(`a ă â e ê i o ô ơ u ư y
		ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê
		iêu yêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu`) {
		vnVowels[v] = true
	}
}

// vietnameseSyllable reports whether the TCVN3 word w decodes to a well-formed
// Vietnamese syllable.
func vietnameseSyllable(w []rune) bool {
	dec := make([]rune, len(w))
	for i, r := range w {
		dec[i] = unicode.ToLower(tcvn3Rune(r))
	}
	return unicodeSyllable(string(dec))
}
