package seeds

import (
	"errors"
	"fmt"
	"strings"
)

// A KeyFunc returns the matching form of a seed value in a key column (an
// alias folded the way its matcher folds it), so that two spellings of the
// same alias are found to be one. Merge uses strings.TrimSpace when nil.
type KeyFunc func(file, column, value string) string

// keys are, per seed file, the columns that identify a row and the columns a
// row with the same identity must repeat. Files not listed here (such as a
// seed a newer version adds) are merged row by row, exact repeats dropped.
var keys = map[string]struct{ key, same []string }{
	"units.csv":             {[]string{"unit_code"}, []string{"name_vi", "short_name", "level"}},
	"unit_aliases.csv":      {[]string{"alias"}, []string{"unit_code"}},
	"period_kinds.csv":      {[]string{"suffix"}, []string{"closing_month", "name_vi", "months"}},
	"field_groups.csv":      {[]string{"field"}, []string{"field_group"}},
	"headers.csv":           {[]string{"kind", "alias"}, []string{"field"}},
	"value_map.csv":         {[]string{"domain", "alias"}, []string{"value"}},
	"indicators.csv":        {[]string{"indicator_code"}, []string{"canonical_text", "unit_of_measure"}},
	"indicator_aliases.csv": {[]string{"alias"}, []string{"indicator_code"}},
	"kpis.csv": {[]string{"kpi_code"}, []string{"source", "name_vi", "name_en", "numerator_indicator",
		"denominator_indicator", "target_ward", "target_district_level", "year_only", "district_row", "plan_section"}},
	"kpi_families.csv": {[]string{"plan_section"}, []string{"family_code", "name_vi", "sheet_name", "family_order"}},
	"columns.csv":      {[]string{"table", "column"}, []string{"comment"}},
}

// crossKeys are aliases of one file that must not name, in another file,
// something else: a unit alias that is another unit's name, an indicator
// alias that is another indicator's canonical text.
var crossKeys = []struct{ file, column, code, other, otherColumn, otherCode string }{
	{"unit_aliases.csv", "alias", "unit_code", "units.csv", "name_vi", "unit_code"},
	{"unit_aliases.csv", "alias", "unit_code", "units.csv", "short_name", "unit_code"},
	{"indicator_aliases.csv", "alias", "indicator_code", "indicators.csv", "canonical_text", "indicator_code"},
}

// crossContradictions checks crossKeys; only rows that pass include (a row of
// the data team's folder, when merging) can be at fault.
func (s *Set) crossContradictions(key KeyFunc, include func(Row) bool) []error {
	var errs []error
	for _, ck := range crossKeys {
		f, o := s.files[ck.file], s.files[ck.other]
		if f == nil || o == nil {
			continue
		}
		named := map[string]Row{}
		for _, r := range o.Rows {
			if k := key(ck.file, ck.column, o.field(r, ck.otherColumn)); k != "" {
				if _, dup := named[k]; !dup {
					named[k] = r
				}
			}
		}
		for _, r := range f.Rows {
			prev, ok := named[key(ck.file, ck.column, f.field(r, ck.column))]
			if ok && o.field(prev, ck.otherCode) != f.field(r, ck.code) && (include(r) || include(prev)) {
				errs = append(errs, fmt.Errorf("%w: %s says %s, %s says %s", ErrContradiction,
					r.Source, f.describe(r), prev.Source, o.describe(prev)))
			}
		}
	}
	return errs
}

// Merge returns base with the rows of overlay added: a data team's folder
// adds an alias, a value or a unit with one line, without copying the rest.
// A row that repeats one already there (the same identity, the same meaning)
// is dropped; a row that contradicts one — the same alias for another field
// or value, the same unit code with another name — is an error wrapping
// ErrContradiction that names both rows. A file of the overlay that base does
// not have joins the set whole. Neither input is changed.
func Merge(base, overlay *Set, key KeyFunc) (*Set, error) {
	if key == nil {
		key = func(_, _, v string) string { return v }
	}
	out := &Set{files: map[string]*File{}}
	for name, f := range base.files {
		out.files[name] = &File{Name: name, Header: f.Header, Rows: append([]Row(nil), f.Rows...)}
	}
	var errs []error
	for _, name := range overlay.Names() {
		of := overlay.files[name]
		f := out.files[name]
		if f == nil {
			out.files[name] = &File{Name: name, Header: of.Header, Rows: append([]Row(nil), of.Rows...)}
			continue
		}
		if strings.Join(f.Header, ",") != strings.Join(of.Header, ",") {
			errs = append(errs, fmt.Errorf("%w: %s: columns %q, want %q as in %s", ErrSeed,
				Source{File: name, Line: 1, Dir: overlay.dir}, strings.Join(of.Header, ","), strings.Join(f.Header, ","), Source{File: name, Line: 1}))
			continue
		}
		seen := map[string]Row{}
		for _, r := range f.Rows {
			k, _ := f.identity(r, key)
			if _, dup := seen[k]; !dup {
				seen[k] = r
			}
		}
		for _, r := range of.Rows {
			k, same := f.identity(r, key)
			prev, ok := seen[k]
			if !ok {
				seen[k] = r
				f.Rows = append(f.Rows, r)
				continue
			}
			if _, prevSame := f.identity(prev, key); prevSame != same {
				errs = append(errs, fmt.Errorf("%w: %s says %s, %s says %s", ErrContradiction,
					r.Source, f.describe(r), prev.Source, f.describe(prev)))
			}
		}
	}
	errs = append(errs, out.crossContradictions(key, func(r Row) bool { return !r.Source.Embedded() })...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Contradictions returns the rows of the set that contradict an earlier row
// of the same file (nil when there are none): Merge never lets one in, and the
// embedded seeds are tested to have none.
func (s *Set) Contradictions(key KeyFunc) []error {
	if key == nil {
		key = func(_, _, v string) string { return v }
	}
	var errs []error
	for _, name := range s.Names() {
		f := s.files[name]
		seen := map[string]Row{}
		for _, r := range f.Rows {
			k, same := f.identity(r, key)
			prev, ok := seen[k]
			if !ok {
				seen[k] = r
				continue
			}
			if _, prevSame := f.identity(prev, key); prevSame != same {
				errs = append(errs, fmt.Errorf("%w: %s says %s, %s says %s", ErrContradiction,
					r.Source, f.describe(r), prev.Source, f.describe(prev)))
			}
		}
	}
	return append(errs, s.crossContradictions(key, func(Row) bool { return true })...)
}

// identity returns a row's identity (its key columns in matching form) and
// what a row of the same identity must repeat. A file without a key spec is
// identified by its whole row.
func (f *File) identity(r Row, key KeyFunc) (id, same string) {
	spec, ok := keys[f.Name]
	if !ok {
		return strings.Join(r.Fields, "\x00"), ""
	}
	var a, b []string
	for _, c := range spec.key {
		a = append(a, key(f.Name, c, f.field(r, c)))
	}
	for _, c := range spec.same {
		b = append(b, f.field(r, c))
	}
	return strings.Join(a, "\x00"), strings.Join(b, "\x00")
}

func (f *File) field(r Row, column string) string {
	for i, h := range f.Header {
		if h == column && i < len(r.Fields) {
			return r.Fields[i]
		}
	}
	return ""
}

// describe renders a row for an error: its columns and values.
func (f *File) describe(r Row) string {
	parts := make([]string, len(f.Header))
	for i, h := range f.Header {
		parts[i] = fmt.Sprintf("%s=%q", h, f.field(r, h))
	}
	return strings.Join(parts, " ")
}
