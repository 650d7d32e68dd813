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

// Vocab is the header vocabulary of every input kind, folded once.
type Vocab struct {
	kinds    []string
	aliases  map[string]map[string]fieldRank // kind → folded alias → field
	required map[string][]string             // kind → required fields
}

type fieldRank struct {
	field string
	rank  int
}

// NewVocab builds the header vocabulary from the seed catalogue.
func NewVocab(c *seeds.Catalog) *Vocab {
	v := &Vocab{aliases: map[string]map[string]fieldRank{}, required: map[string][]string{}}
	reqSeen := map[string]bool{}
	for _, h := range c.Headers {
		m := v.aliases[h.Kind]
		if m == nil {
			m = map[string]fieldRank{}
			v.aliases[h.Kind] = m
			v.kinds = append(v.kinds, h.Kind)
		}
		k := Fold(h.Alias)
		if _, dup := m[k]; !dup {
			m[k] = fieldRank{h.Field, h.Rank}
		}
		if h.Required && !reqSeen[h.Kind+"\x00"+h.Field] {
			reqSeen[h.Kind+"\x00"+h.Field] = true
			v.required[h.Kind] = append(v.required[h.Kind], h.Field)
		}
	}
	return v
}

// Layout is what the header search found on a sheet.
type Layout struct {
	Kind        string
	HeaderFirst int            // 1-based row number of the first header row
	HeaderLast  int            // last header row (the column-number row excluded)
	DataFirst   int            // first row after the header and column-number row
	Columns     map[string]int // field → 0-based column
	Labels      []string       // the resolved label of each column
	Ignored     []string       // labels of columns that match no field
	Duplicates  []string       // labels of columns whose field was taken by an earlier-listed header
	Missing     []string       // required fields not found (only on a failed layout)
	Title       []string       // texts of the rows above the header, one string per row
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
			paths := headerPaths(rows[start : start+depth])
			var numbers []string
			numberRow := start+depth < len(rows) && isNumberRow(rows[start+depth])
			if numberRow {
				numbers = rows[start+depth].Cells
			}
			for _, kind := range v.kinds {
				c := v.match(kind, paths, numbers)
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
					}
				}
				if len(c.layout.Missing) == 0 {
					if !found || c.better(best) {
						best, found = c, true
					}
				} else if c.required*2 >= len(v.required[kind]) && c.required >= 2 {
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

// match maps the column label paths of one header candidate to the fields of kind.
func (v *Vocab) match(kind string, paths [][]string, numbers []string) candidate {
	aliases := v.aliases[kind]
	l := Layout{Kind: kind, Columns: map[string]int{}, Labels: make([]string, len(paths))}
	ranks := map[string]int{}
	numbered := map[string]bool{}
	for col, path := range paths {
		l.Labels[col] = strings.Join(path, " › ")
		if len(path) == 0 {
			continue
		}
		fr, ok := lookupPath(aliases, path)
		byNumber := false
		if !ok && col < len(numbers) {
			fr, ok = aliases[Fold(numbers[col])]
			if ok && !strings.HasPrefix(Fold(numbers[col]), "(") {
				ok = false
			}
			byNumber = ok
		}
		if !ok {
			l.Ignored = append(l.Ignored, l.Labels[col])
			continue
		}
		if prev, taken := l.Columns[fr.field]; taken {
			// The header listed first in the contract wins; the other column
			// is reported as ignored.
			if fr.rank < ranks[fr.field] {
				l.Duplicates = append(l.Duplicates, l.Labels[prev])
				l.Columns[fr.field], ranks[fr.field] = col, fr.rank
			} else {
				l.Duplicates = append(l.Duplicates, l.Labels[col])
			}
			continue
		}
		l.Columns[fr.field], ranks[fr.field] = col, fr.rank
		numbered[fr.field] = byNumber
	}
	c := candidate{matched: len(l.Columns)}
	for _, f := range v.required[kind] {
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

// lookupPath matches a column's header path, most specific first: the whole
// path, then without its outermost parents, so `Ngày › Tiếp nhận` matches
// "Ngày tiếp nhận" and `Kết quả giải quyết › Số hồ sơ đã giải quyết › Tổng số`
// matches "Số hồ sơ đã giải quyết Tổng số"; a bare `Tổng số` matches nothing.
func lookupPath(aliases map[string]fieldRank, path []string) (fieldRank, bool) {
	for i := range path {
		if fr, ok := aliases[Fold(strings.Join(path[i:], " "))]; ok {
			return fr, true
		}
	}
	for i := range path {
		if t := strings.Join(path[i:], " "); hasLatin1(t) {
			if fr, ok := aliases[Fold(DecodeTCVN3(t))]; ok {
				return fr, true
			}
		}
	}
	// A parent alone (a header merged down over empty child cells) — but only
	// when it is the sole text of the column.
	return fieldRank{}, false
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
