package inspect

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/seeds"
	"github.com/thanhxuan/cchc/transform"
)

// Field is the values of one coded field of a sheet, as a load would map
// them.
type Field struct {
	Field  string  `json:"field"`  // channel, status …; indicator_text for a report's lines
	Domain string  `json:"domain"` // the domain of value_map.csv; unit, field_group or indicator
	Column string  `json:"column"` // the column's letter
	Label  string  `json:"label"`
	Values []Value `json:"values"` // most rows first
	// OtherRows are the rows whose value was not kept: the sheet has more
	// than Options.MaxValues distinct values in the column.
	OtherRows int64 `json:"other_rows,omitempty"`
	// Unmapped are the rows whose value maps to nothing.
	Unmapped int64 `json:"unmapped_rows"`
}

// Value is one distinct value of a coded field.
type Value struct {
	Raw        string   `json:"raw"`
	Rows       int64    `json:"rows"`
	Value      string   `json:"value,omitempty"`      // what it maps to
	Timeliness string   `json:"timeliness,omitempty"` // what a status cell states beside the status
	Rule       string   `json:"rule,omitempty"`       // how it matched (transform.ValueExact …)
	Alias      string   `json:"alias,omitempty"`      // the seed's alias that matched
	Seed       *Seed    `json:"seed,omitempty"`       // its row
	Candidates []string `json:"candidates,omitempty"` // the values of an ambiguous match
	// Unmapped says that the value maps to nothing: a load rejects its rows
	// (a report line is kept in raw.unmatched_lines instead); Suggest is the
	// seed line that would map it.
	Unmapped bool        `json:"unmapped,omitempty"`
	Missing  bool        `json:"missing,omitempty"` // empty where a value is required
	Suggest  *Suggestion `json:"suggest,omitempty"`
}

// Rules of the values that are not matched through value_map.csv.
const (
	RuleTitleUnit    = "title_or_file_name" // an empty unit cell: the sheet's unit
	RuleDefaultGroup = "default"            // a field of no group: other
	RuleIndicator    = "indicator"          // a report line of the catalogue
	RuleHeading      = "heading"            // a report line of no indicator and no value
)

// Suggestion is a line of a seed file for the person to add.
type Suggestion struct {
	File    string `json:"file"`               // the seed file: in seeds_dir when one is configured
	NewFile bool   `json:"new_file,omitempty"` // it does not exist yet: its first line is Header
	Header  string `json:"header"`
	// Line is the line; a part written <a|b> or <name> is the person's to
	// choose.
	Line string `json:"line"`
	key  string // the line's alias in the form its matcher reads: lines of one key are one line
}

// coded is a field whose values are mapped, and its domain.
type coded struct {
	field, domain string
	required      bool
}

// Domains that are not of value_map.csv.
const (
	domainUnit       = "unit"
	domainFieldGroup = "field_group"
	domainIndicator  = "indicator"
)

// codedFields are, per kind, the fields whose values a load maps, in the
// contract's order.
var codedFields = map[string][]coded{
	extract.KindDossiers: {
		{"unit", domainUnit, false}, {"field", domainFieldGroup, true}, {"channel", "channel", true},
		{"service_level", "service_level", false}, {"status", "status", true},
		{"result_digitized", "yes_no", false}, {"eid_verified", "yes_no", false},
	},
	extract.KindTTHCSummary: {{"field", domainFieldGroup, true}},
	extract.KindUnitReport:  {{"indicator_text", domainIndicator, false}},
}

// countValues reads the data rows of h once more and counts the values of
// its coded fields, mapping each distinct value once.
func countValues(ctx context.Context, wb extract.Workbook, h *extract.SheetHead, s *Sheet, st *pipeline.Stages, sug *suggester, maxValues int) error {
	type col struct {
		coded
		col  int
		f    *Field
		seen map[string]*Value
	}
	var cols []*col
	for _, c := range codedFields[h.Layout.Kind] {
		i := h.Layout.Col(c.field)
		if i < 0 {
			continue
		}
		label := ""
		if i < len(h.Layout.Labels) {
			label = h.Layout.Labels[i]
		}
		s.Values = append(s.Values, Field{Field: c.field, Domain: c.domain, Column: columnLetter(i), Label: label})
		cols = append(cols, &col{coded: c, col: i, seen: map[string]*Value{}})
	}
	if len(cols) == 0 {
		return nil
	}
	for i, c := range cols {
		c.f = &s.Values[i]
	}
	codeCol, valueCol := h.Layout.Col("indicator_code"), h.Layout.Col("value")
	var countCols []int // a Biểu 06's count columns: its group rows are no field rows
	if h.Layout.Kind == extract.KindTTHCSummary {
		for _, f := range transform.SummaryCounts {
			if c := h.Layout.Col(f); c >= 0 {
				countCols = append(countCols, c)
			}
		}
	}
	rows, err := extract.Data(wb, h)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 0; rows.Next(); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r := rows.Row()
		if countCols != nil && summaryGroupRow(r, h, countCols) {
			continue
		}
		for _, c := range cols {
			raw := r.Cell(c.col)
			code := ""
			if c.domain == domainIndicator {
				// The transform keeps a line of neither text nor value
				// nowhere; a code column names the indicator first.
				code = r.Cell(codeCol)
				if raw == "" && r.Cell(valueCol) == "" && code == "" {
					continue
				}
				if code != "" {
					raw = code + " · " + raw
				}
			}
			v, ok := c.seen[raw]
			if !ok {
				if len(c.seen) >= maxValues {
					c.f.OtherRows++
					continue
				}
				raw = strings.Clone(raw) // a row's cells are only valid until Next
				v = mapValue(c.coded, raw, code, r.Cell(valueCol) != "", h, st, sug)
				c.seen[raw] = v
			}
			v.Rows++
			if v.Unmapped {
				c.f.Unmapped++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cols {
		for _, v := range c.seen {
			c.f.Values = append(c.f.Values, *v)
		}
		sort.Slice(c.f.Values, func(i, j int) bool {
			a, b := c.f.Values[i], c.f.Values[j]
			if a.Rows != b.Rows {
				return a.Rows > b.Rows
			}
			return a.Raw < b.Raw
		})
	}
	return nil
}

// summaryGroupRow reports whether a Biểu 06 row is one that its transform
// skips (transform.SummaryGroupRow).
func summaryGroupRow(r extract.Row, h *extract.SheetHead, countCols []int) bool {
	counted := false
	for _, c := range countCols {
		counted = counted || r.Cell(c) != ""
	}
	return transform.SummaryGroupRow(r.Cell(h.Layout.Col("field")), r.Cell(h.Layout.Col("stt")), counted)
}

// mapValue maps one raw value of a coded field as the transform does.
// A report line that matches no indicator is a heading when it has no
// value; hasValue says whether it has one.
func mapValue(c coded, raw, code string, hasValue bool, h *extract.SheetHead, st *pipeline.Stages, sug *suggester) *Value {
	v := &Value{Raw: raw}
	switch c.domain {
	case domainUnit:
		if raw == "" {
			if v.Value = h.Unit; v.Value != "" {
				v.Rule = RuleTitleUnit
			} else {
				v.Missing = true
			}
			return v
		}
		code, src, ok := st.Env.Units.MatchSource(raw)
		if !ok {
			v.Unmapped, v.Suggest = true, sug.line(extract.Fold(raw), "unit_aliases.csv", "<unit_code>", oneLine(raw))
			return v
		}
		v.Value, v.Rule, v.Seed = code, "exact", seedOf(src)
	case domainFieldGroup:
		if raw == "" {
			v.Missing = true
			return v
		}
		g, src, ok := st.Env.Values.FieldGroupMatch(raw)
		v.Value, v.Rule, v.Seed = g, "exact", seedOf(src)
		if !ok {
			v.Rule = RuleDefaultGroup
		}
	case domainIndicator:
		text := raw
		if code != "" {
			text = strings.TrimPrefix(raw, code+" · ")
		}
		ind, ok := st.Env.Indicators.Match(code, text)
		switch {
		case !ok && !hasValue:
			v.Rule = RuleHeading
			return v
		case !ok:
			v.Unmapped = true
			if text != "" {
				v.Suggest = sug.line(transform.IndicatorKey(text), "indicator_aliases.csv", "<indicator_code>", oneLine(text))
			}
			return v
		}
		v.Value, v.Rule = ind, RuleIndicator
	default:
		if raw == "" && c.required {
			v.Missing = true
			return v
		}
		m, ok := st.Env.Values.Match(c.domain, raw)
		v.Value, v.Timeliness, v.Rule, v.Alias, v.Seed, v.Candidates = m.Value, m.Timeliness, m.Rule, m.Alias, seedOf(m.Source), m.Candidates
		if !ok {
			v.Value, v.Unmapped = "", true
			v.Suggest = sug.line(c.domain+"\x00"+extract.NormalizeValue(raw), "value_map.csv", c.domain, "<"+strings.Join(sug.values[c.domain], "|")+">", oneLine(raw))
		}
	}
	return v
}

// suggester writes the seed lines that would map what maps to nothing.
type suggester struct {
	dir    string
	cat    *seeds.Catalog
	heads  map[string]string   // seed file → its header line
	values map[string][]string // domain → its values, in the seeds' order
}

func newSuggester(st *pipeline.Stages, dir string) *suggester {
	s := &suggester{dir: dir, heads: map[string]string{}, values: map[string][]string{}}
	set, ok := st.SeedFS.(*seeds.Set)
	if !ok {
		return s
	}
	for _, name := range set.Names() {
		s.heads[name] = strings.Join(set.File(name).Header, ",")
	}
	if cat, err := set.Catalog(); err == nil {
		s.cat = cat
		for _, a := range cat.Values {
			if !slices.Contains(s.values[a.Domain], a.Value) {
				s.values[a.Domain] = append(s.values[a.Domain], a.Value)
			}
		}
	}
	return s
}

// line is a line of the seed file name holding fields; key is its alias in
// the form its matcher reads.
func (s *suggester) line(key, name string, fields ...string) *Suggestion {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(fields)
	w.Flush()
	sg := &Suggestion{File: name, Header: s.heads[name], Line: strings.TrimRight(b.String(), "\r\n"), key: key}
	if s.dir != "" {
		sg.File = filepath.Join(s.dir, name)
		_, err := os.Stat(sg.File)
		sg.NewFile = errors.Is(err, os.ErrNotExist)
	}
	return sg
}

// header is the headers.csv line that would make an ignored or ambiguous
// column name a field (the field, its flag and rank the person's choice:
// Sheet.Unfilled lists them).
func (s *suggester) header(kind string, c *Column) *Suggestion {
	if c.Status != extract.ColumnIgnored && c.Status != extract.ColumnAmbiguous || c.Label == "" || rowNumberLabels[c.Normal] {
		return nil
	}
	label := oneLine(strings.ReplaceAll(c.Label, " › ", " "))
	return s.line(kind+"\x00"+extract.HeaderKey(label), "headers.csv", kind, "<field>", "<required>", "<rank>", label)
}

// rowNumberLabels are the headers of a row-number column, which names no
// field of any kind but the reports' stt: no line is suggested for them.
var rowNumberLabels = map[string]bool{"stt": true, "tt": true, "so tt": true, "so thu tu": true}

// unfilled returns the fields of the layout's kind that no column names,
// with the required flag and the rank that a new wording of each takes.
func (s *suggester) unfilled(l *extract.Layout) []HeaderSeed {
	if s.cat == nil {
		return nil
	}
	var out []HeaderSeed
	idx := map[string]int{}
	for _, h := range s.cat.Headers {
		if h.Kind != l.Kind || l.Col(h.Field) >= 0 {
			continue
		}
		i, seen := idx[h.Field]
		if !seen {
			i = len(out)
			idx[h.Field] = i
			out = append(out, HeaderSeed{Field: h.Field, Required: h.Required})
		}
		out[i].Rank = max(out[i].Rank, h.Rank+1)
	}
	return out
}
