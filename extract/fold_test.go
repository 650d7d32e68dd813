package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Phường Khương Đình", "phuong khuong dinh"},
		{"PHƯỜNG  KHƯƠNG\nĐÌNH", "phuong khuong dinh"},
		{"Phu\u031bo\u031b\u0300ng Khu\u031bo\u031bng \u0110i\u0300nh", "phuong khuong dinh"}, // NFD
		{"Phuong Khuong Dinh", "phuong khuong dinh"},
		{"\u00a0UBND Phường Kim Giang\u00a0", "ubnd phuong kim giang"},
		{"Phòng Tài chính - Kế hoạch", "phong tai chinh-ke hoach"},
		{"Phòng Tài chính-Kế hoạch", "phong tai chinh-ke hoach"},
		{"Phòng TC - KH", "phong tc-kh"},
		{"P. Thanh Xuân Nam", "p.thanh xuan nam"},
		{"Số phản ánh ,  kiến nghị", "so phan anh,kien nghi"},
		{"Số phản ánh, kiến nghị", "so phan anh,kien nghi"},
		{"  Hình  thức  nộp ", "hinh thuc nop"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{" H14.2024-C-001077\u00a0", "H14.2024-C-001077"},
		{"Số\ntài  liệu", "Số tài liệu"},
		{"plain", "plain"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Phường Khương Đình", "P. X", "a , b", "\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if again := Fold(got); again != got {
			t.Fatalf("Fold not idempotent: %q → %q → %q", s, got, again)
		}
	})
}

// FuzzCleanFastPath: Clean's no-allocation path returns what the full
// normalisation (NFC, spaces collapsed and trimmed) returns, and its pass over
// the bytes tells valid UTF-8 as utf8.ValidString does.
func FuzzCleanFastPath(f *testing.F) {
	for _, s := range []string{"Phường Kim Giang", " Phường  Kim\u00a0Giang ", "Cấp bản sao\u200b", "Hoà", "Hòa", "x\ty", "A B", "Đ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := MaybeDecodeTCVN3(s)
		want := strings.Join(strings.FieldsFunc(norm.NFC.String(d), isCleanSpace), " ")
		got, valid := clean(s)
		if got != want {
			t.Errorf("Clean(%q) = %q, want %q", s, got, want)
		}
		if valid != utf8.ValidString(s) {
			t.Errorf("clean(%q) reports valid UTF-8 %v", s, valid)
		}
	})
}

// TestLatinRangesAreNFC backs Clean's fast path: every character it takes as
// NFC without a lookup is NFC on its own, a starter, and cannot be the second
// character of a composition.
func TestLatinRangesAreNFC(t *testing.T) {
	check := func(r rune) {
		s := string(r)
		p := norm.NFC.PropertiesString(s)
		if !norm.NFC.IsNormalString(s) || p.CCC() != 0 || !p.BoundaryBefore() {
			t.Errorf("U+%04X: NFC %v, ccc %d, boundary before %v", r, norm.NFC.IsNormalString(s), p.CCC(), p.BoundaryBefore())
		}
		// Appended to any Latin letter, it leaves the pair as it is.
		for _, a := range []rune{'a', 'A', 'o', 'u', 'ơ', 'ư', 'â'} {
			if pair := string(a) + s; !norm.NFC.IsNormalString(pair) {
				t.Errorf("%q is not NFC", pair)
			}
		}
	}
	for r := rune(0); r < 0x300; r++ {
		check(r)
	}
	for r := rune(0x1E00); r <= 0x1EFF; r++ {
		check(r)
	}
}

// TestCleanSpacesOutsideASCII backs shapeOf's shortcut: no character from
// U+0100 to U+1FFF but U+1680 is a space to Clean.
func TestCleanSpacesOutsideASCII(t *testing.T) {
	for r := rune(0x100); r < 0x2000; r++ {
		if isCleanSpace(r) != (r == 0x1680) {
			t.Errorf("isCleanSpace(%U) = %v", r, isCleanSpace(r))
		}
	}
}

// TestDecodeRune: the in-line decoding agrees with utf8.DecodeRuneInString
// on every non-ASCII first byte followed by up to two bytes of any value.
func TestDecodeRune(t *testing.T) {
	var b [3]byte
	for c0 := 0x80; c0 <= 0xFF; c0++ {
		for c1 := 0; c1 <= 0xFF; c1++ {
			for _, c2 := range []int{-1, 0x00, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF} {
				b[0], b[1] = byte(c0), byte(c1)
				s := string(b[:2])
				if c2 >= 0 {
					b[2] = byte(c2)
					s = string(b[:3])
				}
				for _, c := range []struct {
					in string
					i  int
				}{{s, 0}, {s[:1], 0}, {"x" + s, 1}} {
					in, i := c.in, c.i
					r, n := decodeRune(in, i)
					wr, wn := utf8.DecodeRuneInString(in[i:])
					if r != wr || n != wn {
						t.Fatalf("decodeRune(%q, %d) = %U, %d; want %U, %d", in, i, r, n, wr, wn)
					}
				}
			}
		}
	}
}
