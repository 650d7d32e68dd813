package transform

import (
	"regexp"
	"strings"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/seeds"
)

// Indicators matches unit report lines to the indicator catalogue (CONTRACT 5):
// by code when the report has a code column, else by folded text with the
// numbering and trailing punctuation dropped, against canonical texts and aliases.
type Indicators struct {
	byCode map[string]string // lower-case code → code
	byText map[string]string // matching form → code
	pairs  [][2]string       // numerator, denominator indicator of each ratio KPI
}

// NewIndicators builds the matcher from the seed catalogue.
func NewIndicators(c *seeds.Catalog) *Indicators {
	ind := &Indicators{byCode: map[string]string{}, byText: map[string]string{}}
	for _, i := range c.Indicators {
		ind.byCode[strings.ToLower(i.Code)] = i.Code
		ind.byText[IndicatorKey(i.CanonicalText)] = i.Code
	}
	for _, a := range c.IndicatorAliases {
		if k := IndicatorKey(a.Alias); k != "" {
			if _, taken := ind.byText[k]; !taken {
				ind.byText[k] = a.Code
			}
		}
	}
	for _, k := range c.KPIs {
		if k.Source == "report" && k.NumeratorIndicator != "" && k.DenominatorIndicator != "" {
			ind.pairs = append(ind.pairs, [2]string{k.NumeratorIndicator, k.DenominatorIndicator})
		}
	}
	return ind
}

var (
	reNumbering = regexp.MustCompile(`^(?:(?:\d+|[ivxl]+)(?:\.\d+)*[.)]?|[a-zđ][.)]|[-+*•·–])\s*`)
	reTrailing  = regexp.MustCompile(`[\s:;.,]+$`)
)

// IndicatorKey returns the matching form of an indicator line: folded, without a
// leading numbering (`1.`, `1.1.`, `2.3)`, `a)`, `-`, `+`, `*`) or trailing
// punctuation.
func IndicatorKey(text string) string {
	k := extract.Fold(text)
	for i := 0; i < 3; i++ { // "II.7 - Số …" carries two numberings
		n := reNumbering.ReplaceAllString(k, "")
		if n == k {
			break
		}
		k = n
	}
	return reTrailing.ReplaceAllString(k, "")
}

// Match returns the indicator code of a line, by its code cell first.
func (ind *Indicators) Match(code, text string) (string, bool) {
	if code != "" {
		if c, ok := ind.byCode[strings.ToLower(strings.TrimSpace(code))]; ok {
			return c, true
		}
	}
	c, ok := ind.byText[IndicatorKey(text)]
	if !ok {
		c, ok = ind.byText[IndicatorKey(extract.DecodeTCVN3(text))]
	}
	return c, ok
}
