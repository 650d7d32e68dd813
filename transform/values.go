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
// timeliness, yes_no) and field names to their warehouse values, through the
// seeds. It is safe for concurrent use.
type Values struct {
	domains     map[string]*domainVocab
	fieldGroups map[string]seeds.Alias // folded field → its row of field_groups.csv
}

// domainVocab is the vocabulary of one coded domain.
type domainVocab struct {
	phrases *extract.Phrases   // phrase id → index into aliases
	aliases []seeds.ValueAlias // by phrase id
}

// DomainTimeliness is the domain of the timeliness a status cell may state
// beside the status (CONTRACT 3.5): early, on_time, late.
const DomainTimeliness = "timeliness"

// NewValues builds the value maps from the seed catalogue.
func NewValues(c *seeds.Catalog) *Values {
	v := &Values{domains: map[string]*domainVocab{}, fieldGroups: map[string]seeds.Alias{}}
	for _, a := range c.Values {
		d := v.domains[a.Domain]
		if d == nil {
			d = &domainVocab{phrases: extract.NewPhrases()}
			v.domains[a.Domain] = d
		}
		d.phrases.Add(extract.NormalizeValue(a.Alias), a.Value)
		d.aliases = append(d.aliases, a)
	}
	for _, g := range c.FieldGroups {
		v.fieldGroups[extract.Fold(g.Alias)] = g
	}
	return v
}

// Rules by which a value matched (ValueMatch.Rule).
const (
	ValueExact          = "exact"           // the normalised value equals an alias
	ValueTCVN3          = "tcvn3"           // … once read as legacy TCVN3 text
	ValueExcelNumber    = "excel_number"    // a code written as an Excel number (`2.0`)
	ValueWithTimeliness = "with_timeliness" // a status, then its timeliness (`Đã trả - Trễ hạn`)
	ValueParenDropped   = "paren_dropped"   // equal once a trailing parenthesised part is dropped
	ValueContains       = "contains"        // holds an alias of three or more words
	ValueAmbiguous      = "ambiguous"       // aliases of several values tie: no match
)

// ValueMatch is how one raw value of a domain was read: the evidence that
// `cchc inspect` shows beside the value.
type ValueMatch struct {
	Domain     string
	Raw        string
	Normal     string       // the normalised form that was matched
	Value      string       // the warehouse value ("" when none)
	Alias      string       // the seed alias that matched, as the seed writes it
	Rule       string       // ValueExact, ValueContains …
	Source     seeds.Source // the seed row of Alias
	Candidates []string     // the values of an ambiguous match
	// Timeliness is what a status cell says of the dossier's timeliness
	// besides its status (early, on_time, late), or "".
	Timeliness      string
	TimelinessAlias string
}

// Lookup maps raw to its value in domain (Match without the evidence).
func (v *Values) Lookup(domain, raw string) (string, bool) {
	m, ok := v.Match(domain, raw)
	return m.Value, ok
}

// Match maps raw to its value in domain (CONTRACT 3.5): normalised as headers
// are, matched exactly (also as legacy TCVN3 text, and a numeric code written
// as an Excel number, `2.0`, as its integer), then — for a status — as a
// status followed by its timeliness (`Đã trả - Trễ hạn`, `Đã trả kết quả
// (trễ hạn)`, `Đang xử lý, quá hạn 3 ngày`), then without a trailing
// parenthesised part, then by the containment of an alias of three or more
// words, earliest then longest. A tie between two values matches nothing.
func (v *Values) Match(domain, raw string) (ValueMatch, bool) {
	m := ValueMatch{Domain: domain, Raw: raw}
	d := v.domains[domain]
	if d == nil {
		return m, false
	}
	k := extract.NormalizeValue(raw)
	m.Normal = k
	if d.exact(&m, k, ValueExact) {
		return m, m.Value != ""
	}
	if decoded := extract.NormalizeValue(extract.DecodeTCVN3(raw)); decoded != k && d.exact(&m, decoded, ValueTCVN3) {
		return m, m.Value != ""
	}
	if i := strings.Index(k, ".0"); i > 0 && strings.Trim(k[i+1:], "0") == "" {
		if d.exact(&m, k[:i], ValueExcelNumber) {
			return m, m.Value != ""
		}
	}
	if domain == "status" && v.withTimeliness(d, &m, k) {
		return m, true
	}
	if short, ok := extract.DropTrailingParens(k); ok && d.exact(&m, short, ValueParenDropped) {
		return m, m.Value != ""
	}
	if end, ok := d.contains(&m, k); ok {
		if m.Value != "" && domain == "status" {
			// `Đã trả kết quả trước hạn`: what follows the status may
			// be its timeliness.
			if t, ok := v.timeliness(k[end:]); ok {
				m.Timeliness, m.TimelinessAlias = t.Value, t.Alias
			}
		}
		return m, m.Value != ""
	}
	return m, false
}

// exact matches normalised text exactly; it reports whether any alias was
// equal (m.Value stays "" when they tie).
func (d *domainVocab) exact(m *ValueMatch, norm, rule string) bool {
	return d.found(m, norm, d.phrases.Exact(norm), rule)
}

// contains matches by containment; end is where the winning alias ends.
func (d *domainVocab) contains(m *ValueMatch, norm string) (end int, ok bool) {
	ids, at := d.phrases.Contains(norm)
	if !d.found(m, norm, ids, ValueContains) {
		return 0, false
	}
	return at + len(d.phrases.Alias(ids[0])), true
}

func (d *domainVocab) found(m *ValueMatch, norm string, ids []int, rule string) bool {
	if len(ids) == 0 {
		return false
	}
	m.Normal = norm
	if vals := d.phrases.Targets(ids); len(vals) > 1 {
		m.Rule, m.Candidates = ValueAmbiguous, vals
		return true
	}
	a := d.aliases[ids[0]]
	m.Value, m.Alias, m.Rule, m.Source = a.Value, a.Alias, rule, a.Source
	return true
}

// withTimeliness reads `<status> - <timeliness>`, `<status> (<timeliness>)`
// and `<status>, <timeliness>`: the status matched as any status is, the
// timeliness as a value of DomainTimeliness, possibly followed by a count
// (`Quá hạn 3 ngày`). Normalised text has no space beside punctuation.
func (v *Values) withTimeliness(d *domainVocab, m *ValueMatch, k string) bool {
	for i := len(k) - 1; i > 0; i-- {
		var status, rest string
		switch k[i] {
		case '-', ',':
			status, rest = k[:i], k[i+1:]
		case '(':
			if !strings.HasSuffix(k, ")") {
				continue
			}
			status, rest = k[:i], k[i+1:len(k)-1]
		default:
			continue
		}
		t, ok := v.timeliness(rest)
		if !ok {
			continue
		}
		sm := ValueMatch{Domain: m.Domain, Raw: m.Raw}
		if !d.exact(&sm, status, ValueExact) {
			if _, ok := d.contains(&sm, status); !ok {
				continue
			}
		}
		if sm.Value == "" {
			continue
		}
		*m = sm
		m.Normal, m.Rule = k, ValueWithTimeliness
		m.Timeliness, m.TimelinessAlias = t.Value, t.Alias
		return true
	}
	return false
}

// timeliness matches the timeliness part of a status cell: an alias of
// DomainTimeliness, alone or followed by a count (`quá hạn 3 ngày`).
func (v *Values) timeliness(norm string) (seeds.ValueAlias, bool) {
	d := v.domains[DomainTimeliness]
	if d == nil {
		return seeds.ValueAlias{}, false
	}
	norm = strings.TrimSpace(norm)
	if ids := d.phrases.Exact(norm); len(ids) > 0 && len(d.phrases.Targets(ids)) == 1 {
		return d.aliases[ids[0]], true
	}
	if short, ok := extract.DropTrailingParens(norm); ok { // `quá hạn (3 ngày)`
		norm = short
		if ids := d.phrases.Exact(norm); len(ids) > 0 && len(d.phrases.Targets(ids)) == 1 {
			return d.aliases[ids[0]], true
		}
	}
	// A count after the timeliness: digits, then words (ngày, giờ, ngày làm việc).
	for i := 0; i < len(norm); i++ {
		if norm[i] == ' ' && i+1 < len(norm) && norm[i+1] >= '0' && norm[i+1] <= '9' {
			if ids := d.phrases.Exact(norm[:i]); len(ids) > 0 && len(d.phrases.Targets(ids)) == 1 && isCount(norm[i+1:]) {
				return d.aliases[ids[0]], true
			}
			break
		}
	}
	return seeds.ValueAlias{}, false
}

// isCount reports whether s is a count: digits, then optionally words.
func isCount(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	for _, r := range s[i:] {
		if !(r == ' ' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// FieldGroup returns the group of a field name (tnmt, khdt, other).
func (v *Values) FieldGroup(field string) string {
	g, _, _ := v.FieldGroupMatch(field)
	return g
}

// FieldGroupMatch returns the group of a field name and the row of
// field_groups.csv that names it; a field that no row names is "other"
// (ok=false).
func (v *Values) FieldGroupMatch(field string) (group string, src seeds.Source, ok bool) {
	if g, ok := v.fieldGroups[extract.Fold(field)]; ok {
		return g.Code, g.Source, true
	}
	if g, ok := v.fieldGroups[extract.Fold(extract.DecodeTCVN3(field))]; ok {
		return g.Code, g.Source, true
	}
	return "other", seeds.Source{}, false
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
