package extract

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The golden input is regenerated from unicode.txt with `go test ./extract -run
// TCVN3 -update`. Another test file of the package may define -update too, so the
// flag is only registered when it is not there yet.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "regenerate golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const (
	tcvn3GoldenUnicode = "testdata/tcvn3/unicode.txt"
	// latin1.txt is unicode.txt encoded by glibc `iconv -t TCVN5712-1`, each byte
	// then written as the Latin-1 character of that value, as an xlsx cell holds it.
	tcvn3GoldenLatin1 = "testdata/tcvn3/latin1.txt"
)

// latin1 returns the Latin-1 reading of raw bytes.
func latin1(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// encodeVN3 encodes Unicode Vietnamese as a typist with a .Vn font and a TCVN3
// (ABC) keyboard driver would: VN3 only, so an upper-case toned letter becomes the
// lower-case one. The result is the Latin-1 reading of the bytes.
func encodeVN3(t *testing.T, s string) string {
	t.Helper()
	// The VN3 code points: NBSP, Ă Â Ê Ô Ơ Ư Đ, and the 67 lower-case letters.
	vn3 := [][2]int{{0xA0, 0xAE}, {0xB5, 0xB9}, {0xBB, 0xBE}, {0xC6, 0xCC}, {0xCE, 0xD8}, {0xDC, 0xDF}, {0xE1, 0xEF}, {0xF1, 0xFE}}
	rev := map[rune]rune{}
	for _, span := range vn3 {
		for b := span[0]; b <= span[1]; b++ {
			rev[tcvn3Table[b]] = rune(b)
		}
	}
	if len(rev) != 75 {
		t.Fatalf("VN3 has %d code points, want 75", len(rev))
	}
	var out strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case r < 0x80:
			out.WriteRune(r)
		case rev[r] != 0:
			out.WriteRune(rev[r])
		case rev[[]rune(strings.ToLower(string(r)))[0]] != 0:
			out.WriteRune(rev[[]rune(strings.ToLower(string(r)))[0]])
		default:
			t.Fatalf("encodeVN3: %q has no TCVN3 code", r)
		}
	}
	return out.String()
}

func readGoldenLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestTCVN3TableMatchesIconv(t *testing.T) {
	iconv, err := exec.LookPath("iconv")
	if err != nil {
		t.Skip("iconv not installed")
	}
	for b := 0; b < 256; b++ {
		cmd := exec.Command(iconv, "-f", "TCVN5712-1", "-t", "UTF-8")
		cmd.Stdin = bytes.NewReader([]byte{byte(b)})
		out, err := cmd.Output()
		if err != nil {
			t.Skipf("iconv has no TCVN5712-1: %v", err)
		}
		r, _ := utf8.DecodeRune(out)
		if r != tcvn3Table[b] || utf8.RuneCount(out) != 1 {
			t.Errorf("byte %#02x: table %U, iconv %q", b, tcvn3Table[b], out)
		}
	}
}

func TestTCVN3Golden(t *testing.T) {
	if updateGolden() {
		iconv, err := exec.LookPath("iconv")
		if err != nil {
			t.Logf("iconv not installed: %s not regenerated", tcvn3GoldenLatin1)
		} else {
			out, err := exec.Command(iconv, "-f", "UTF-8", "-t", "TCVN5712-1", tcvn3GoldenUnicode).Output()
			if err != nil {
				t.Fatalf("iconv: %v", err)
			}
			if err := os.WriteFile(tcvn3GoldenLatin1, []byte(latin1(out)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := readGoldenLines(t, tcvn3GoldenUnicode)
	in := readGoldenLines(t, filepath.FromSlash(tcvn3GoldenLatin1))
	if len(in) != len(want) {
		t.Fatalf("%s has %d lines, %s has %d", tcvn3GoldenLatin1, len(in), tcvn3GoldenUnicode, len(want))
	}
	// Lines whose TCVN3 form has only letters that Latin-1 text shares with
	// Unicode Vietnamese ("Ghi chó" may be Unicode "chó"): decoded, never detected.
	undetectable := map[string]bool{"Ghi chú": true}
	for i := range want {
		w := norm.NFC.String(want[i])
		if got := DecodeTCVN3(in[i]); got != w {
			t.Errorf("line %d: DecodeTCVN3(%q) = %q, want %q", i+1, in[i], got, w)
		}
		if LooksTCVN3(want[i]) || LooksTCVN3(norm.NFD.String(want[i])) {
			t.Errorf("line %d: LooksTCVN3 true for Unicode %q", i+1, want[i])
		}
		if undetectable[w] {
			continue
		}
		if !LooksTCVN3(in[i]) {
			t.Errorf("line %d: LooksTCVN3(%q) = false (%s)", i+1, in[i], w)
		}
		if got := MaybeDecodeTCVN3(in[i]); got != w {
			t.Errorf("line %d: MaybeDecodeTCVN3(%q) = %q, want %q", i+1, in[i], got, w)
		}
		if got := MaybeDecodeTCVN3(w); got != w {
			t.Errorf("line %d: MaybeDecodeTCVN3 changed Unicode %q to %q", i+1, w, got)
		}
	}
}

// TestTCVN3TypedVN3 re-encodes the golden lines the way .Vn fonts are really
// typed (VN3: no upper-case toned letters) and checks detection and decoding up
// to the case VN3 cannot express.
func TestTCVN3TypedVN3(t *testing.T) {
	undetectable := map[string]bool{"Ghi chú": true}
	for _, line := range readGoldenLines(t, tcvn3GoldenUnicode) {
		in := encodeVN3(t, line)
		got := DecodeTCVN3(in)
		if strings.ToLower(got) != strings.ToLower(line) {
			t.Errorf("DecodeTCVN3(%q) = %q, want %q", in, got, line)
		}
		if up := DecodeTCVN3Upper(in); up != strings.ToUpper(line) {
			t.Errorf("DecodeTCVN3Upper(%q) = %q, want %q", in, up, strings.ToUpper(line))
		}
		if !undetectable[line] && !LooksTCVN3(in) {
			t.Errorf("LooksTCVN3(%q) = false (%s)", in, line)
		}
	}
}

func TestTCVN3Decode(t *testing.T) {
	tests := []struct{ in, want string }{
		// As typed with .VnTime and a TCVN3 (ABC) driver.
		{"Ph\u00adêng Kh\u00ad¬ng §×nh", "Phường Khương Đình"},
		{"Th\u00adîng §×nh", "Thượng Đình"},
		{"Nh©n ChÝnh", "Nhân Chính"},
		{"Ph\u00ad¬ng LiÖt", "Phương Liệt"},
		{"Thanh Xu©n B¾c", "Thanh Xuân Bắc"},
		{"UBND ph\u00adêng Kim Giang", "UBND phường Kim Giang"},
		{"LÜnh vùc", "Lĩnh vực"},
		{"Ngµy tiÕp nhËn", "Ngày tiếp nhận"},
		{"Tr¹ng th¸i", "Trạng thái"},
		{"§· sè hãa", "Đã số hóa"},
		{"Sè hå s¬ ®· gi¶i quyÕt", "Số hồ sơ đã giải quyết"},
		{"Tr\u00adíc h¹n", "Trước hạn"},
		{"§óng h¹n", "Đúng hạn"},
		{"Qu¸ h¹n", "Quá hạn"},
		{"Tæng sè", "Tổng số"},
		{"Sè TT", "Số TT"},
		// Capitals typed in a normal .Vn font: VN3 has no toned capitals.
		{"UBND QUËN THANH XU¢N", "UBND QUẬN THANH XUÂN"},
		{"QUý I N¡M 2024", "QUÝ I NĂM 2024"},
		{"Bé T¦ PH¸P", "BỘ TƯ PHÁP"},
		{"Ph\u00adêng THANH XU¢N B¾C", "Phường THANH XUÂN BẮC"},
		{"Hå Chí Minh", "Hồ Chớ Minh"}, // title case is left alone ("í" is TCVN3 "ớ")
		// VN1 capitals as C1 controls, and their Windows-1252 look-alikes.
		{"UBND QU\u0086N", "UBND QUẬN"},
		{"B\u008cNH VI\u008cN", "BỆNH VIỆN"},
		{"BŒNH VIŒN", "BỆNH VIỆN"},
		{"HUš", "HUỠ"},
		{"TŸ", "TŨ"},
		// Windows-1252 punctuation is punctuation in VN3 text, not a VN1 capital.
		{"“Ph\u00adêng” – Kim Giang…", "“Phường” – Kim Giang…"},
		{"Quý I — 2024 • §· xong", "Quý I — 2024 • Đã xong"},
		// VN2/VN1: combining tone marks after the base letter, NBSP kept.
		{"a\u00b3", "á"},
		{"\u00a7i\u00b0nh", "Đình"},
		{"Ph\u00adêng\u00a0Kim Giang", "Phường\u00a0Kim Giang"},
		// VN1 capitals in C0 positions; other control characters pass.
		{"QU\x16", "QUÝ"},
		{"a\tb\nc\r", "a\tb\nc\r"},
		// ASCII and other text pass.
		{"H14.2024-C-001077", "H14.2024-C-001077"},
		{"", ""},
		{"Phường", "Phường"},
	}
	for _, tt := range tests {
		if got := DecodeTCVN3(tt.in); got != tt.want {
			t.Errorf("DecodeTCVN3(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTCVN3DecodeUpper(t *testing.T) {
	tests := []struct{ in, want string }{
		// Header cells typed in lower case in .VnTimeH show as capitals.
		{"ubnd quËn thanh xu©n", "UBND QUẬN THANH XUÂN"},
		{"quý i n¨m 2024", "QUÝ I NĂM 2024"},
		{"sè hå s¬ ®· gi¶i quyÕt", "SỐ HỒ SƠ ĐÃ GIẢI QUYẾT"},
		{"B¸o c¸o", "BÁO CÁO"},
	}
	for _, tt := range tests {
		if got := DecodeTCVN3Upper(tt.in); got != tt.want {
			t.Errorf("DecodeTCVN3Upper(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTCVN3Looks(t *testing.T) {
	yes := []string{
		"Kh\u00ad¬ng §×nh",
		"Ph\u00adêng",
		"UBND ph\u00adêng Kim Giang",
		"Nh©n ChÝnh",
		"Ph\u00ad¬ng LiÖt",
		"Thanh Xu©n B¾c",
		"LÜnh vùc",
		"Ngµy tiÕp nhËn",
		"Tr¹ng th¸i",
		"§· sè hãa",
		"Sè hå s¬ ®· gi¶i quyÕt",
		"Tr\u00adíc h¹n",
		"§óng h¹n",
		"Qu¸ h¹n",
		"UBND QUËN THANH XU¢N",
		"QUý I N¡M 2024",
		"Tæng sè",
		"Cöa",
		"ChÝnh",
		"“Ph\u00adêng” – Kim Giang",
		"UBND QU\u0086N",
	}
	for _, s := range yes {
		if !LooksTCVN3(s) {
			t.Errorf("LooksTCVN3(%q) = false, want true", s)
		}
	}
	no := []string{
		"",
		"Phuong Khuong Dinh",
		"H14.2024-C-001077",
		"12345", "3.14", "1.234.567,89", "2024-03-31",
		"Phường Khương Đình",
		norm.NFD.String("Phường Khương Đình"),
		"Thượng Đình", "Đã số hóa", "Số hồ sơ đã giải quyết", "UBND QUẬN THANH XUÂN", "QUÝ I NĂM 2024",
		norm.NFD.String("Nhân Chính"),
		// Unicode Vietnamese that happens to be all Latin-1.
		"Nhân Chính", "Tân Bình", "Cà Mau", "Chí Linh", "TÊN", "CHÍNH", "Ý", "Tây Hồ",
		// Ordinary Latin-1 accents.
		"Café", "Cafe\u0301", "Crème brûlée", "naïve", "François", "Müller", "Straße",
		"Gärtner", "Köln", "Ñandú", "São Paulo", "Ærø", "ÉCOLE",
		// Latin-1 symbols between words, and a soft hyphen in a long word.
		"© 2024 UBND", "25°C", "½ kg", "3 × 4", "§ 5", "£100", "«Bonjour»",
		"Kommuni\u00adkation",
		// UTF-8 read as Latin-1 is mojibake, not TCVN3.
		latin1([]byte("Phường Khương Đình")),
		latin1([]byte("Thanh Xuân Bắc")),
		// Control characters alone are not evidence.
		"QU\x16", "a\x01b",
		// Windows-1252 punctuation in ASCII text.
		"“Kim Giang” – 2024…",
	}
	for _, s := range no {
		if LooksTCVN3(s) {
			t.Errorf("LooksTCVN3(%q) = true, want false", s)
		}
		if got := MaybeDecodeTCVN3(s); got != s {
			t.Errorf("MaybeDecodeTCVN3(%q) = %q, want unchanged", s, got)
		}
	}
}

func TestTCVN3Font(t *testing.T) {
	tests := []struct {
		name         string
		tcvn3, upper bool
	}{
		{".VnTime", true, false},
		{".VnTimeH", true, true},
		{".VnArial", true, false},
		{".VnArialH", true, true},
		{".VnArial NarrowH", true, true},
		{" .vnTime ", true, false},
		{"Times New Roman", false, false},
		{"VNI-Times", false, false},
		{"Arial", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		tcvn3, upper := TCVN3Font(tt.name)
		if tcvn3 != tt.tcvn3 || upper != tt.upper {
			t.Errorf("TCVN3Font(%q) = %v, %v, want %v, %v", tt.name, tcvn3, upper, tt.tcvn3, tt.upper)
		}
	}
}

func FuzzDecodeTCVN3(f *testing.F) {
	for _, s := range []string{
		"Ph\u00adêng Kh\u00ad¬ng §×nh", "UBND QUËN THANH XU¢N", "QUý I N¡M 2024", "Phường",
		"Café", "abc", "a\u00b3\u00b4", "BŒNH", "“x” – y", "\x16\x01", "\xff\xfe", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := DecodeTCVN3(s)
		if !utf8.ValidString(got) {
			t.Fatalf("DecodeTCVN3(%q) = %q: invalid UTF-8", s, got)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("DecodeTCVN3(%q) = %q: not NFC", s, got)
		}
		_ = DecodeTCVN3Upper(s)
		maybe := MaybeDecodeTCVN3(s)
		if utf8.ValidString(s) && !utf8.ValidString(maybe) {
			t.Fatalf("MaybeDecodeTCVN3(%q) = %q: invalid UTF-8", s, maybe)
		}
		ascii, printable := true, true
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 0x80 {
				ascii = false
			}
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F {
				printable = false
			}
		}
		if ascii {
			if LooksTCVN3(s) {
				t.Fatalf("LooksTCVN3(%q) = true for ASCII", s)
			}
			if maybe != s {
				t.Fatalf("MaybeDecodeTCVN3(%q) = %q for ASCII", s, maybe)
			}
			if printable && got != s {
				t.Fatalf("DecodeTCVN3(%q) = %q for printable ASCII", s, got)
			}
		}
		// Text with a Vietnamese letter outside Latin-1 is Unicode, never TCVN3.
		for _, r := range s {
			if _, ok := cp1252High[r]; r > 0xFF && !ok && LooksTCVN3(s) {
				t.Fatalf("LooksTCVN3(%q) = true with %U", s, r)
			}
		}
	})
}

// looksTCVN3Reference is LooksTCVN3 without its pre-check of evidence
// characters: the word-by-word search alone.
func looksTCVN3Reference(s string) bool {
	for _, r := range s {
		if r > 0xFF {
			if _, ok := cp1252High[r]; !ok {
				return false
			}
		}
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return false
	}
	rs := []rune(s)
	return !utf8Mojibake(rs) && tcvn3Word(rs)
}

// FuzzLooksTCVN3PreCheck: the pre-check never changes LooksTCVN3's answer.
func FuzzLooksTCVN3PreCheck(f *testing.F) {
	for _, s := range []string{"Có", "Không", "Tæng sè", "Ph\u00adêng Kh\u00ad¬ng §×nh", "ChÝnh", "Müller Straße", "PhÆ°á»\u009dng", "Café", "Đã trả"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := LooksTCVN3(s), looksTCVN3Reference(s); got != want {
			t.Fatalf("LooksTCVN3(%q) = %v, want %v", s, got, want)
		}
	})
}
