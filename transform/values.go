package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/seeds"
)

// Values maps input wordings of coded domains (channel, service_level, status,
// yes_no) and field names to their warehouse values, through the seeds.
type Values struct {
	domains     map[string]map[string]string // domain → folded alias → value
	fieldGroups map[string]string            // folded field → group
}

// NewValues builds the value maps from the seed catalogue.
func NewValues(c *seeds.Catalog) *Values {
	v := &Values{domains: map[string]map[string]string{}, fieldGroups: map[string]string{}}
	for _, a := range c.Values {
		m := v.domains[a.Domain]
		if m == nil {
			m = map[string]string{}
			v.domains[a.Domain] = m
		}
		m[extract.Fold(a.Alias)] = a.Value
	}
	for _, g := range c.FieldGroups {
		v.fieldGroups[extract.Fold(g.Alias)] = g.Code
	}
	return v
}

// Lookup maps raw to its value in domain. Numeric codes written as Excel numbers
// ("2.0") match their integer code.
func (v *Values) Lookup(domain, raw string) (string, bool) {
	m := v.domains[domain]
	k := extract.Fold(raw)
	if val, ok := m[k]; ok {
		return val, true
	}
	if decoded := extract.Fold(extract.DecodeTCVN3(raw)); decoded != k {
		if val, ok := m[decoded]; ok {
			return val, true
		}
	}
	if i := strings.Index(k, ".0"); i > 0 && strings.Trim(k[i+1:], "0") == "" {
		val, ok := m[k[:i]]
		return val, ok
	}
	return "", false
}

// FieldGroup returns the group of a field name (tnmt, khdt, other).
func (v *Values) FieldGroup(field string) string {
	if g, ok := v.fieldGroups[extract.Fold(field)]; ok {
		return g
	}
	if g, ok := v.fieldGroups[extract.Fold(extract.DecodeTCVN3(field))]; ok {
		return g
	}
	return "other"
}

// Pseudonymizer turns an applicant's ID number into a keyed hash, so repeat
// applicants can be counted without identifying anyone (Nghị định 13/2023).
// It is safe for concurrent use.
type Pseudonymizer struct {
	key  []byte
	macs sync.Pool // of *keyedMAC, reset after use
}

// keyedMAC is an HMAC with the buffers one Key call needs.
type keyedMAC struct {
	mac hash.Hash
	in  []byte
	sum [sha256.Size]byte
	hex [2 * sha256.Size]byte
}

// NewPseudonymizer returns a pseudonymizer keyed with key; the key is never
// written anywhere by this package.
func NewPseudonymizer(key []byte) *Pseudonymizer {
	p := &Pseudonymizer{key: append([]byte(nil), key...)}
	p.macs.New = func() any { return &keyedMAC{mac: hmac.New(sha256.New, p.key)} }
	return p
}

// Key returns the HMAC-SHA256 of the normalised ID (letters and digits, upper
// case), hex encoded, or "" for an empty ID.
func (p *Pseudonymizer) Key(id string) string {
	k := p.macs.Get().(*keyedMAC)
	defer p.macs.Put(k)
	k.in = normalID(k.in, id)
	if len(k.in) == 0 {
		return ""
	}
	k.mac.Reset()
	k.mac.Write(k.in)
	hex.Encode(k.hex[:], k.mac.Sum(k.sum[:0]))
	return string(k.hex[:])
}

// normalID returns the letters and digits of id, upper case, in buf's storage: ID numbers
// are written with spaces, dots or dashes, and in either case.
func normalID(buf []byte, id string) []byte {
	dst := buf[:0]
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= utf8.RuneSelf:
			// Letters outside ASCII: the general rule, for the whole ID.
			return append(buf[:0], strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					return unicode.ToUpper(r)
				}
				return -1
			}, id)...)
		case '0' <= c && c <= '9' || 'A' <= c && c <= 'Z':
			dst = append(dst, c)
		case 'a' <= c && c <= 'z':
			dst = append(dst, c-'a'+'A')
		}
	}
	return dst
}
