package transform

// Fuzz targets for the value readers of outside text beside dates and numbers
// (parse_test.go): coded values, indicator lines, applicant pseudonyms. Seed
// corpora are committed under testdata/fuzz.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/seeds"
)

var fuzzSeeds = sync.OnceValues(func() (*Values, *Indicators) {
	c, err := seeds.Load(seeds.FS())
	if err != nil {
		panic(err)
	}
	return NewValues(c), NewIndicators(c)
})

func FuzzValueLookup(f *testing.F) {
	for _, s := range []string{"Trực tuyến", "2.0", "Đã trả kết quả", "TRUE", "x", "Mức độ 4", "  Hủy ", "Tr\u00adùc tuyÕn", "10.00",
		"Đã trả - Trễ hạn", "Đã trả kết quả (trước hạn)", "Đang xử lý, quá hạn 3 ngày", "1. Trực tuyến", "Đã số hóa (x)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		values, _ := fuzzSeeds()
		for _, domain := range []string{"channel", "service_level", "status", "yes_no"} {
			v, ok := values.Lookup(domain, s)
			if ok && v == "" || !ok && v != "" {
				t.Fatalf("Lookup(%s, %q) = %q, %v", domain, s, v, ok)
			}
			m, _ := values.Match(domain, s)
			switch m.Timeliness {
			case "", "early", "on_time", "late":
			default:
				t.Fatalf("Match(%s, %q): timeliness %q", domain, s, m.Timeliness)
			}
			if m.Timeliness != "" && (domain != "status" || !ok) {
				t.Fatalf("Match(%s, %q): timeliness %q of a value that is no status", domain, s, m.Timeliness)
			}
			// A wording that matches as written (not as legacy TCVN3) matches
			// in either Unicode normal form.
			if nfc := norm.NFC.String(s); utf8.ValidString(s) {
				if ids := values.domains[domain].phrases.Exact(extract.NormalizeValue(nfc)); len(ids) > 0 {
					direct := values.domains[domain].aliases[ids[0]].Value
					if v2, _ := values.Lookup(domain, norm.NFD.String(s)); v2 != direct {
						t.Fatalf("Lookup(%s, %q): NFC %q, NFD %q", domain, s, direct, v2)
					}
				}
			}
		}
		switch g := values.FieldGroup(s); g {
		case "tnmt", "khdt", "other":
		default:
			t.Fatalf("FieldGroup(%q) = %q", s, g)
		}
	})
}

func FuzzIndicatorMatch(f *testing.F) {
	for _, s := range []string{"1. Số phiếu khảo sát sự hài lòng thu về:", "II.7 - Tổng số cuộc kiểm tra", "a) Số cuộc đối thoại với người dân, doanh nghiệp về TTHC",
		"I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "So phan anh, kien nghi da xu ly, thong bao ket qua", "+", ""} {
		f.Add("", s)
	}
	f.Add("pakn_received", "")
	f.Fuzz(func(t *testing.T, code, text string) {
		_, ind := fuzzSeeds()
		c, ok := ind.Match(code, text)
		if ok != (c != "") {
			t.Fatalf("Match(%q, %q) = %q, %v", code, text, c, ok)
		}
		k := IndicatorKey(text)
		if strings.HasSuffix(k, ":") || strings.HasSuffix(k, " ") || strings.HasSuffix(k, ".") {
			t.Fatalf("IndicatorKey(%q) = %q", text, k)
		}
	})
}

func FuzzPseudonym(f *testing.F) {
	f.Add("001089012345", "khoa")
	f.Add(" 001 089 012 345 ", "khoa")
	f.Add("", "khoa")
	f.Add("B1234567", "")
	f.Fuzz(func(t *testing.T, id, key string) {
		p := NewPseudonymizer([]byte(key))
		k := p.Key(id)
		// The reference: the HMAC of the ID's letters and digits, upper case.
		n := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToUpper(r)
			}
			return -1
		}, id)
		if n == "" {
			if k != "" {
				t.Fatalf("Key(%q) = %q, want empty", id, k)
			}
			return
		}
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(n))
		if want := hex.EncodeToString(m.Sum(nil)); k != want {
			t.Fatalf("Key(%q) = %s, want %s", id, k, want)
		}
		if len(k) != 64 || strings.Trim(k, "0123456789abcdef") != "" {
			t.Fatalf("Key(%q) = %q: not a hex HMAC-SHA256", id, k)
		}
		if strings.Contains(k, strings.TrimSpace(id)) && len(strings.TrimSpace(id)) >= 6 {
			t.Fatalf("Key(%q) = %q holds the ID", id, k)
		}
		if NewPseudonymizer([]byte(key+"x")).Key(id) == k {
			t.Fatalf("another key gives the same pseudonym for %q", id)
		}
		if p.Key(id) != k {
			t.Fatal("not deterministic")
		}
	})
}
