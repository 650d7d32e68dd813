package extract

import (
	"regexp"
	"sort"
	"strings"

	"github.com/thanhxuan/cchc/seeds"
)

// Kinds of input sheet (CONTRACT section 3).
const (
	KindDossiers    = "dossiers"
	KindUnitReport  = "unit_report"
	KindTTHCSummary = "tthc_summary"
)

// Vocab is the header vocabulary of every input kind (seeds/headers.csv),
// normalised once. It is safe for concurrent use.
type Vocab struct {
	kinds  []string
	byKind map[string]*kindVocab
}

// kindVocab is the vocabulary of one input kind.
type kindVocab struct {
	phrases  *Phrases            // phrase id → index into aliases
	aliases  []seeds.HeaderAlias // by phrase id
	numbers  map[string]int      // folded column number `(3)` → index into aliases
	required []string
}

// NewVocab builds the header vocabulary from the seed catalogue. An alias
// written as a column number (`(3)`) matches the row of column numbers under
// a header; every other alias is matched in its normalised form (Normalize).
func NewVocab(c *seeds.Catalog) *Vocab {
	v := &Vocab{byKind: map[string]*kindVocab{}}
	reqSeen := map[string]bool{}
	for _, h := range c.Headers {
		kv := v.byKind[h.Kind]
		if kv == nil {
			kv = &kindVocab{phrases: NewPhrases(), numbers: map[string]int{}}
			v.byKind[h.Kind] = kv
			v.kinds = append(v.kinds, h.Kind)
		}
		// Phrase ids are indexes into aliases: every alias gets one; a column
		// number or an alias that normalises to nothing gets one that no
		// header's normal form can equal.
		norm := "\x00"
		if k := HeaderKey(h.Alias); isColumnNumber(k) {
			if _, dup := kv.numbers[k]; !dup {
				kv.numbers[k] = len(kv.aliases)
			}
		} else if k != "" {
			norm = k
		}
		kv.phrases.Add(norm, h.Field)
		kv.aliases = append(kv.aliases, h)
		if h.Required && !reqSeen[h.Kind+"\x00"+h.Field] {
			reqSeen[h.Kind+"\x00"+h.Field] = true
			kv.required = append(kv.required, h.Field)
		}
	}
	return v
}

// HeaderKey returns the form in which a header alias of the seeds is
// matched: a column number folded (`(3)`), any other alias normalised
// (Normalize). Two aliases with one key are one alias.
func HeaderKey(alias string) string {
	if f := Fold(alias); isColumnNumber(f) {
		return f
	}
	return Normalize(alias)
}

// isColumnNumber reports whether folded text is a column number in
// parentheses, as Biểu 06 numbers its columns: `(3)`.
func isColumnNumber(f string) bool {
	return len(f) >= 3 && f[0] == '(' && f[len(f)-1] == ')' && strings.Trim(f[1:len(f)-1], "0123456789") == ""
}

// Rules by which a column's header named its field (ColumnMatch.Rule).
const (
	RuleExact         = "exact"          // the normalised header equals an alias
	RuleContains      = "contains"       // it holds an alias of three or more words
	RuleTCVN3         = "tcvn3"          // exact, once read as legacy TCVN3 text
	RuleTCVN3Contains = "tcvn3_contains" // contains, once read as TCVN3 text
	RuleColumnNumber  = "column_number"  // the row of column numbers under the header
)

// Statuses of a column (ColumnMatch.Status).
const (
	ColumnMatched   = "matched"   // the column is read as Field
	ColumnIgnored   = "ignored"   // no alias of any field
	ColumnAmbiguous = "ambiguous" // aliases of several fields tie: ignored, never guessed
	ColumnDuplicate = "duplicate" // names Field, which a better column of the file names too
)

// ColumnMatch is the evidence of how one column's header was read: what
// `cchc inspect` shows and raw.files.message summarises.
type ColumnMatch struct {
	Col        int          // 0-based column
	Label      string       // the header as read, parents first, joined by " › "
	Normal     string       // its normalised form (Normalize), the text that was matched
	Field      string       // the field it names ("" when ignored or ambiguous)
	Alias      string       // the seed's alias that matched, as the seed writes it
	Rule       string       // RuleExact, RuleContains …
	Status     string       // ColumnMatched, ColumnIgnored, ColumnAmbiguous, ColumnDuplicate
	Candidates []string     // the fields of an ambiguous column
	Source     seeds.Source // the seed row of Alias
	rank       int
}

// Layout is what the header search found on a sheet.
type Layout struct {
	Kind string
	// Key is the field that every data row of the kind has: the first
	// required field of the kind in seeds/headers.csv (dossier_id,
	// indicator_text, field). A row without it is a section, total or note.
	Key         string
	HeaderFirst int            // 1-based row number of the first header row
	HeaderLast  int            // last header row (the column-number row excluded)
	DataFirst   int            // first row after the header and column-number row
	Columns     map[string]int // field → 0-based column
	Labels      []string       // the resolved label of each column
	Ignored     []string       // labels of columns that name no field (ambiguous ones included)
	Ambiguous   []string       // labels of columns whose aliases of several fields tie
	Duplicates  []string       // labels of columns whose field was taken by an earlier-listed header
	Missing     []string       // required fields not found (only on a failed layout)
	Title       []string       // texts of the rows above the header, one string per row
	TitleRows   []int          // the row number of each line of Title
	Matches     []ColumnMatch  // how each column with a header was read, in column order
}

// Col returns the column of field, or -1.
func (l *Layout) Col(field string) int {
	if c, ok := l.Columns[field]; ok {
		return c
	}
	return -1
}

// maxTitleRows is the contract's bound on title rows above a header (3.4), plus
// the header rows themselves.
const (
	maxTitleRows  = 15
	maxHeaderRows = 3
	searchRows    = maxTitleRows + maxHeaderRows + 2
)

type candidate struct {
	layout   Layout
	required int
	byLabel  int // required fields matched by their header text, not the column-number row
	matched  int
	depth    int
}

func (c candidate) better(o candidate) bool {
	if c.byLabel != o.byLabel {
		return c.byLabel > o.byLabel
	}
	if c.required != o.required {
		return c.required > o.required
	}
	if c.matched != o.matched {
		return c.matched > o.matched
	}
	if c.depth != o.depth {
		return c.depth < o.depth
	}
	return c.layout.HeaderFirst < o.layout.HeaderFirst
}

// FindHeader searches the first rows of a sheet for the header of any kind.
// rows are the sheet's first rows (at least searchRows of them when the sheet
// has them). It returns the best complete layout, or, when no kind has all its
// required columns, ok=false and the closest partial layout (with Missing set)
// so the caller can say what is missing.
func (v *Vocab) FindHeader(rows []Row) (Layout, bool) {
	var best, partial candidate
	found, anyPartial := false, false
	for start := 0; start < len(rows) && start <= maxTitleRows; start++ {
		if rows[start].Blank() {
			continue
		}
		for depth := 1; depth <= maxHeaderRows && start+depth <= len(rows); depth++ {
			if rows[start+depth-1].Blank() {
				break
			}
			var numbers []string
			numberRow := start+depth < len(rows) && isNumberRow(rows[start+depth])
			if numberRow {
				numbers = rows[start+depth].Cells
			}
			cols := headerColumns(headerPaths(rows[start:start+depth]), numbers)
			for _, kind := range v.kinds {
				c := v.match(kind, cols)
				c.depth = depth
				c.layout.HeaderFirst = rows[start].Num
				c.layout.HeaderLast = rows[start+depth-1].Num
				c.layout.DataFirst = c.layout.HeaderLast + 1
				if numberRow {
					c.layout.DataFirst = rows[start+depth].Num + 1
				}
				for _, r := range rows[:start] {
					if t := strings.TrimSpace(strings.Join(r.Cells, " ")); t != "" {
						c.layout.Title = append(c.layout.Title, t)
						c.layout.TitleRows = append(c.layout.TitleRows, r.Num)
					}
				}
				if len(c.layout.Missing) == 0 {
					if !found || c.better(best) {
						best, found = c, true
					}
				} else if c.required*2 >= len(v.byKind[kind].required) && c.required >= 2 {
					if !anyPartial || c.better(partial) {
						partial, anyPartial = c, true
					}
				}
			}
		}
	}
	if found {
		return best.layout, true
	}
	if anyPartial {
		return partial.layout, false
	}
	return Layout{}, false
}

// match maps the columns of one header candidate to the fields of kind.
// Every column is matched on its own (matchColumn); when several name the same
// field, the one whose alias the seed ranks first wins, then an exact match
// over a contained one, then the leftmost, and the others are duplicates.
func (v *Vocab) match(kind string, cols []headerColumn) candidate {
	kv := v.byKind[kind]
	l := Layout{Kind: kind, Columns: map[string]int{}, Labels: make([]string, len(cols))}
	best := map[string]int{} // field → index into l.Matches
	for col := range cols {
		hc := &cols[col]
		l.Labels[col] = hc.label
		if hc.label == "" {
			continue
		}
		m := kv.matchColumn(hc)
		m.Col = col
		if m.Status == ColumnMatched {
			if i, taken := best[m.Field]; !taken {
				best[m.Field] = len(l.Matches)
			} else if m.beats(l.Matches[i]) {
				l.Matches[i].Status = ColumnDuplicate
				best[m.Field] = len(l.Matches)
			} else {
				m.Status = ColumnDuplicate
			}
		}
		l.Matches = append(l.Matches, m)
	}
	numbered := map[string]bool{}
	for _, m := range l.Matches {
		switch m.Status {
		case ColumnMatched:
			l.Columns[m.Field] = m.Col
			numbered[m.Field] = m.Rule == RuleColumnNumber
		case ColumnDuplicate:
			l.Duplicates = append(l.Duplicates, m.Label)
		case ColumnAmbiguous:
			l.Ambiguous = append(l.Ambiguous, m.Label)
			l.Ignored = append(l.Ignored, m.Label)
		default:
			l.Ignored = append(l.Ignored, m.Label)
		}
	}
	if len(kv.required) > 0 {
		l.Key = kv.required[0]
	}
	c := candidate{matched: len(l.Columns)}
	for _, f := range kv.required {
		if _, ok := l.Columns[f]; ok {
			c.required++
			if !numbered[f] {
				c.byLabel++
			}
		} else {
			l.Missing = append(l.Missing, f)
		}
	}
	c.layout = l
	return c
}

// beats reports whether m should be read as its field rather than o: the
// header listed first in the seeds wins (CONTRACT 3.1), then a header that is
// an alias over one that contains it, then the leftmost column.
func (m ColumnMatch) beats(o ColumnMatch) bool {
	if m.rank != o.rank {
		return m.rank < o.rank
	}
	if me, oe := m.exact(), o.exact(); me != oe {
		return me
	}
	return m.Col < o.Col
}

func (m ColumnMatch) exact() bool { return m.Rule == RuleExact || m.Rule == RuleTCVN3 }

// matchColumn reads one column's header: exactly, trying the whole path of
// parent and child labels before the child alone (`Ngày › Tiếp nhận` is
// "Ngày tiếp nhận"; `Kết quả giải quyết › Số hồ sơ đã giải quyết › Tổng số`
// is "Số hồ sơ đã giải quyết Tổng số"), then as legacy TCVN3 text, then by
// the row of column numbers under the header, then by containment in the
// whole path (CONTRACT 3.5: an alias of three or more words as a run of
// whole words; the earliest, then the longest, wins).
func (kv *kindVocab) matchColumn(hc *headerColumn) ColumnMatch {
	m := ColumnMatch{Label: hc.label, Status: ColumnIgnored}
	if len(hc.norms) > 0 {
		m.Normal = hc.norms[0]
	}
	try := func(norms []string, rule string, contains bool) bool {
		for _, n := range norms {
			var ids []int
			if contains {
				ids, _ = kv.phrases.Contains(n)
			} else {
				ids = kv.phrases.Exact(n)
			}
			if len(ids) == 0 {
				continue
			}
			m.Normal, m.Rule = n, rule
			if fields := kv.phrases.Targets(ids); len(fields) > 1 {
				m.Status, m.Candidates = ColumnAmbiguous, fields
				return true
			}
			a := kv.aliases[ids[0]]
			m.Status, m.Field, m.Alias, m.Source, m.rank = ColumnMatched, a.Field, a.Alias, a.Source, a.Rank
			return true
		}
		return false
	}
	if try(hc.norms, RuleExact, false) || try(hc.decoded, RuleTCVN3, false) {
		return m
	}
	if i, ok := kv.numbers[hc.number]; ok && hc.number != "" {
		a := kv.aliases[i]
		m.Rule, m.Status, m.Field, m.Alias, m.Source, m.rank = RuleColumnNumber, ColumnMatched, a.Field, a.Alias, a.Source, a.Rank
		return m
	}
	if try(hc.norms[:min(1, len(hc.norms))], RuleContains, true) {
		return m
	}
	try(hc.decoded[:min(1, len(hc.decoded))], RuleTCVN3Contains, true)
	return m
}

// headerColumn is one column of a header candidate, in the forms matching
// needs (they do not depend on the kind, so they are made once).
type headerColumn struct {
	label   string
	norms   []string // normalised path, whole first, then without its outermost parents
	decoded []string // the same, read as TCVN3 text (only when the label could be)
	number  string   // the folded cell of the column-number row under the header
}

// headerColumns prepares the columns of a header candidate.
func headerColumns(paths [][]string, numbers []string) []headerColumn {
	cols := make([]headerColumn, len(paths))
	for col, path := range paths {
		hc := &cols[col]
		hc.label = strings.Join(path, " › ")
		if col < len(numbers) {
			if f := Fold(numbers[col]); isColumnNumber(f) {
				hc.number = f
			}
		}
		if len(path) == 0 {
			continue
		}
		parts := make([]string, len(path))
		latin1 := false
		for i, p := range path {
			parts[i] = Normalize(p)
			latin1 = latin1 || hasLatin1(p)
		}
		hc.norms = suffixes(parts)
		if latin1 {
			for i, p := range path {
				parts[i] = Normalize(DecodeTCVN3(p))
			}
			hc.decoded = suffixes(parts)
		}
	}
	return cols
}

// suffixes joins the normalised parts of a path, whole first, then without
// its outermost parents; empty and repeated forms are left out.
func suffixes(parts []string) []string {
	var out []string
	for i := range parts {
		var nonEmpty []string
		for _, p := range parts[i:] {
			if p != "" {
				nonEmpty = append(nonEmpty, p)
			}
		}
		if len(nonEmpty) == 0 {
			continue
		}
		n := Fold(strings.Join(nonEmpty, " "))
		if !contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// headerPaths resolves a one-to-three-row header into one label path per column.
// Merged parent cells hold their text in the first column only; the text is
// carried right over the empty cells whose column has child text below, as long
// as the column to the left also has children (so the parent spans them).
func headerPaths(rows []Row) [][]string {
	width := 0
	for _, r := range rows {
		if len(r.Cells) > width {
			width = len(r.Cells)
		}
	}
	grid := make([][]string, len(rows))
	for i, r := range rows {
		grid[i] = make([]string, width)
		copy(grid[i], r.Cells)
	}
	below := func(i, j int) bool {
		for k := i + 1; k < len(grid); k++ {
			if grid[k][j] != "" {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(grid)-1; i++ {
		for j := 1; j < width; j++ {
			if grid[i][j] == "" && grid[i][j-1] != "" && below(i, j) && below(i, j-1) {
				grid[i][j] = grid[i][j-1]
			}
		}
	}
	paths := make([][]string, width)
	for j := 0; j < width; j++ {
		for i := range grid {
			t := grid[i][j]
			if t == "" || (len(paths[j]) > 0 && paths[j][len(paths[j])-1] == t) {
				continue
			}
			paths[j] = append(paths[j], t)
		}
	}
	return paths
}

var numberCell = regexp.MustCompile(`^\(?\s*\d{1,2}\s*\)?$`)

// isNumberRow reports whether r is a row of column numbers under a header:
// `(1) (2) (3)` or `1 2 3`, increasing.
func isNumberRow(r Row) bool {
	n, prev := 0, -1
	for _, c := range r.Cells {
		if c == "" {
			continue
		}
		if !numberCell.MatchString(c) {
			return false
		}
		v := atoiDigits(c)
		if v <= prev {
			return false
		}
		prev = v
		n++
	}
	return n >= 3
}

func atoiDigits(s string) int {
	v := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			v = v*10 + int(r-'0')
		}
	}
	return v
}

// SortedFields returns the fields of a layout in column order (for reports).
func (l *Layout) SortedFields() []string {
	f := make([]string, 0, len(l.Columns))
	for k := range l.Columns {
		f = append(f, k)
	}
	sort.Slice(f, func(i, j int) bool { return l.Columns[f[i]] < l.Columns[f[j]] })
	return f
}
