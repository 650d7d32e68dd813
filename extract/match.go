package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize returns the matching form of a header label (CONTRACT 3.5): folded
// as in section 1 (tabs, line breaks and non-breaking spaces are white space),
// a leading numbering (`1.`, `2.3)`, `a)`) dropped, every parenthesised part
// dropped (`Ngày tiếp nhận (dd/mm/yyyy)` → `ngay tiep nhan`) and trailing `:`
// `*` `.` dropped.
func Normalize(s string) string {
	return trimLabel(dropParens(Fold(s)))
}

// NormalizeValue is Normalize for a coded value: the parenthesised parts are
// kept (`Đã trả kết quả (trễ hạn)` states a timeliness); DropTrailingParens
// removes a trailing one when the whole value matches nothing.
func NormalizeValue(s string) string {
	return trimLabel(Fold(s))
}

// DropTrailingParens drops a parenthesised part at the end of a normalised
// value (`da tra(qua han 2 ngay)` → `da tra`); it returns ok=false when there
// is none.
func DropTrailingParens(norm string) (string, bool) {
	if !strings.HasSuffix(norm, ")") {
		return norm, false
	}
	depth := 0
	for i := len(norm) - 1; i >= 0; i-- {
		switch norm[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				if out := trimLabel(Fold(norm[:i])); out != "" {
					return out, true
				}
				return norm, false
			}
		}
	}
	return norm, false
}

// dropParens removes the parenthesised parts of folded text (an unclosed one
// runs to the end), leaving a space where one stood between two words.
func dropParens(f string) string {
	if strings.IndexByte(f, '(') < 0 {
		return f
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c == '(':
			if depth == 0 {
				b.WriteByte(' ')
			}
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return Fold(b.String())
}

// trimLabel drops a leading numbering and trailing `:` `*` `.` of folded text.
func trimLabel(f string) string {
	for i := 0; i < 3; i++ { // `II.1. a) Số …` carries more than one
		n := numberingLen(f)
		if n == 0 {
			break
		}
		f = strings.TrimLeft(f[n:], " ")
	}
	return strings.TrimRight(f, ":*. ")
}

// numberingLen returns the length of a leading numbering of folded text —
// `1.`, `1.2.`, `2.3)`, `a)` — when text follows it that does not start with a
// digit (so `2.0`, an Excel number, is no numbering), else 0.
func numberingLen(f string) int {
	i := 0
	switch {
	case i < len(f) && f[i] >= '0' && f[i] <= '9':
		for {
			j := i
			for j < len(f) && f[j] >= '0' && f[j] <= '9' && j-i < 3 {
				j++
			}
			if j == i || j >= len(f) || (f[j] != '.' && f[j] != ')') {
				return 0
			}
			i = j + 1
			if f[j] == ')' || i >= len(f) || f[i] < '0' || f[i] > '9' {
				break
			}
		}
	case len(f) >= 2 && f[0] >= 'a' && f[0] <= 'z' && f[1] == ')':
		i = 2
	default:
		return 0
	}
	rest := strings.TrimLeft(f[i:], " ")
	if rest == "" || rest[0] >= '0' && rest[0] <= '9' {
		return 0
	}
	return i
}

// Words returns the number of words of normalised text: runs of letters and
// digits.
func Words(norm string) int {
	n, in := 0, false
	for _, r := range norm {
		w := isWordRune(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// MinContainedWords is the contract's bound: an alias of fewer words names a
// field or value only as the whole text.
const MinContainedWords = 3

// Phrases matches normalised text against aliases, each naming a target (a
// field, a coded value): exactly, else by containment — the text holds an
// alias of at least MinContainedWords words as a run of whole words; the alias
// that starts earliest wins, then the longer one, and a tie between two
// targets is ambiguous (CONTRACT 3.5). Ids are the caller's: the index of
// the alias in its own list. Phrases is safe for concurrent use once built.
type Phrases struct {
	exact map[string][]int // normalised alias → ids (several only when the seeds contradict)
	long  map[string][]longAlias
	norm  []string // id → normalised alias
	targ  []string // id → target
}

type longAlias struct {
	text  string
	id    int
	words int
}

// NewPhrases returns an empty matcher.
func NewPhrases() *Phrases {
	return &Phrases{exact: map[string][]int{}, long: map[string][]longAlias{}}
}

// Add adds a normalised alias naming target and returns its id (ids count
// from 0 in the order of Add). An empty alias matches only empty text.
func (p *Phrases) Add(norm, target string) int {
	id := len(p.norm)
	p.norm, p.targ = append(p.norm, norm), append(p.targ, target)
	p.exact[norm] = append(p.exact[norm], id)
	if w := Words(norm); w >= MinContainedWords {
		first := firstWord(norm)
		p.long[first] = append(p.long[first], longAlias{norm, id, w})
	}
	return id
}

// Target returns the target of alias id.
func (p *Phrases) Target(id int) string { return p.targ[id] }

// Alias returns the normalised alias of id.
func (p *Phrases) Alias(id int) string { return p.norm[id] }

// Exact returns the ids of the aliases equal to norm, in the order added
// (aliases of several targets there are a contradiction of the seeds).
func (p *Phrases) Exact(norm string) []int { return p.exact[norm] }

// Contains finds the aliases of at least MinContainedWords words that norm
// holds as runs of whole words, and returns the ids of the winners — the
// aliases that start earliest, then are the longest — and where they start.
// More than one target among them is a tie.
func (p *Phrases) Contains(norm string) (ids []int, at int) {
	if len(p.long) == 0 {
		return nil, 0
	}
	for i := 0; i < len(norm); {
		// i is at the start of a word, or at a character between words.
		r, n := utf8.DecodeRuneInString(norm[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		j := i
		for j < len(norm) {
			r, n := utf8.DecodeRuneInString(norm[j:])
			if !isWordRune(r) {
				break
			}
			j += n
		}
		var best []int
		bestWords := 0
		for _, a := range p.long[norm[i:j]] {
			end := i + len(a.text)
			if end > len(norm) || norm[i:end] != a.text {
				continue
			}
			if end < len(norm) {
				if r, _ := utf8.DecodeRuneInString(norm[end:]); isWordRune(r) {
					continue
				}
			}
			switch {
			case a.words > bestWords:
				best, bestWords = append(best[:0], a.id), a.words
			case a.words == bestWords:
				best = append(best, a.id)
			}
		}
		if len(best) > 0 {
			return best, i
		}
		i = j
	}
	return nil, 0
}

// Targets returns the distinct targets of ids, in order.
func (p *Phrases) Targets(ids []int) []string {
	var out []string
	for _, id := range ids {
		t := p.targ[id]
		if !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstWord(norm string) string {
	for i, r := range norm {
		if !isWordRune(r) {
			return norm[:i]
		}
	}
	return norm
}
