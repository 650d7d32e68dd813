package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
	"unicode"

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
	macs sync.Pool // of hash.Hash: keyed HMACs, reset after use
}

// NewPseudonymizer returns a pseudonymizer keyed with key; the key is never
// written anywhere by this package.
func NewPseudonymizer(key []byte) *Pseudonymizer {
	p := &Pseudonymizer{key: append([]byte(nil), key...)}
	p.macs.New = func() any { return hmac.New(sha256.New, p.key) }
	return p
}

// Key returns the HMAC-SHA256 of the normalised ID (letters and digits, upper
// case), hex encoded, or "" for an empty ID.
func (p *Pseudonymizer) Key(id string) string {
	n := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, id)
	if n == "" {
		return ""
	}
	m := p.macs.Get().(hash.Hash)
	m.Write([]byte(n))
	var sum [sha256.Size]byte
	key := hex.EncodeToString(m.Sum(sum[:0]))
	m.Reset()
	p.macs.Put(m)
	return key
}
