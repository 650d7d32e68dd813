// Package seeds holds the project's reference data as CSV files (units and their
// aliases, reporting period kinds, field groups, header and value vocabularies,
// indicators and KPI targets) and parses them into a Catalog.
//
// The CSV files are data, not code: a data team adds an alias with one line in
// a file of its own seeds folder (seeds_dir), which Merge adds to the embedded
// rows. Every row keeps its Source (file, line, folder), so that a mistake, a
// contradiction or `cchc inspect` can name it.
package seeds

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

//go:embed *.csv
var files embed.FS

// FS returns the embedded seed files.
func FS() fs.FS { return files }

// Sentinel errors of the package.
var (
	// ErrSeed reports a malformed seed file.
	ErrSeed = errors.New("seeds: malformed seed")
	// ErrContradiction reports a row of a data team's seeds that says the
	// opposite of another row (the same alias for another field or value).
	ErrContradiction = errors.New("seeds: contradicting rows")
)

// Source is where a seed row was written: its file and 1-based line, in the
// embedded seeds (Dir "") or in a data team's folder (Dir = seeds_dir).
type Source struct {
	File string
	Line int
	Dir  string
}

// Embedded reports whether the row is one of the project's own seeds.
func (s Source) Embedded() bool { return s.Dir == "" }

// String names the row for people: `seeds/headers.csv:12 (embedded)` or
// `/srv/cchc/seeds/headers.csv:3`.
func (s Source) String() string {
	if s.File == "" {
		return ""
	}
	if s.Dir == "" {
		return fmt.Sprintf("seeds/%s:%d (embedded)", s.File, s.Line)
	}
	return fmt.Sprintf("%s/%s:%d", strings.TrimRight(s.Dir, "/"), s.File, s.Line)
}

// Unit is an organisational unit of the district (CONTRACT section 1).
type Unit struct {
	Code      string
	NameVI    string
	ShortName string
	Level     string // district, ward or department
	Source    Source
}

// Alias is an alternative spelling of a coded value.
type Alias struct {
	Code   string
	Alias  string
	Source Source
}

// HeaderAlias is one header wording of a field of an input kind.
type HeaderAlias struct {
	Kind     string
	Field    string
	Required bool
	Rank     int
	Alias    string
	Source   Source
}

// ValueAlias maps an input wording of a domain (channel, status …) to its value.
type ValueAlias struct {
	Domain string
	Value  string
	Alias  string
	Source Source
}

// Indicator is a line of the unit report catalogue.
type Indicator struct {
	Code          string
	CanonicalText string
	UnitOfMeasure string
	Source        Source
}

// PeriodKind is one kind of reporting period of plan section III.
type PeriodKind struct {
	Suffix       string
	ClosingMonth int
	NameVI       string
	Months       int
}

// KPI is one KPI of the catalogue (CONTRACT section 5).
type KPI struct {
	Code                 string
	Source               string // dossier, bieu06 or report
	NameVI, NameEN       string
	NumeratorIndicator   string
	DenominatorIndicator string // empty: the denominator is 1 (a count KPI)
}

// Catalog is the parsed reference data.
type Catalog struct {
	Units            []Unit
	UnitAliases      []Alias
	Headers          []HeaderAlias
	Values           []ValueAlias
	FieldGroups      []Alias // Code = field group, Alias = field name
	Indicators       []Indicator
	IndicatorAliases []Alias
	PeriodKinds      []PeriodKind
	KPIs             []KPI
}

// Tables lists the seed files that are loaded as tables into the warehouse, with
// the comment each table carries.
var Tables = []struct{ File, Comment string }{
	{"units.csv", "Đơn vị (phường, phòng ban, quận) — organisational units: wards, departments, the district"},
	{"unit_aliases.csv", "Tên gọi khác của đơn vị — spellings that match a unit after folding"},
	{"period_kinds.csv", "Loại kỳ báo cáo — kinds of reporting period (plan section III)"},
	{"field_groups.csv", "Nhóm lĩnh vực — field groups used by the on-time KPIs (tnmt, khdt; the rest is other)"},
	{"headers.csv", "Tên cột đầu vào — header wordings recognised for each input kind and field"},
	{"value_map.csv", "Giá trị mã hóa — input wordings of channel, service level, status, timeliness and yes/no"},
	{"indicators.csv", "Danh mục chỉ tiêu báo cáo — indicator catalogue of unit reports"},
	{"indicator_aliases.csv", "Tên gọi khác của chỉ tiêu — extra wordings of indicators"},
	{"kpis.csv", "Danh mục KPI và chỉ tiêu kế hoạch — KPI catalogue with the plan's targets"},
	{"kpi_families.csv", "Nhóm KPI theo mục II của Kế hoạch CCHC 2024 — KPI families, the plan's section II headings"},
	{"arrivals.csv", "Thời điểm nhận báo cáo do nhóm dữ liệu ghi (bản giấy, thư điện tử) — report arrivals a person recorded (on paper, by email)"},
}

// Types are the column types of the seed tables whose columns must not be
// guessed from their rows: a seed that may hold no row (arrivals.csv ships
// with its header only) still loads with its proper types.
var Types = map[string]map[string]string{
	"arrivals.csv": {"unit": "VARCHAR", "period": "VARCHAR", "received_at": "TIMESTAMP", "note": "VARCHAR"},
}

// Load parses the seed files of fsys: the embedded set when fsys is nil, a
// merged *Set as it is, any other fs.FS as a folder of seed files.
func Load(fsys fs.FS) (*Catalog, error) {
	set, ok := fsys.(*Set)
	if !ok {
		var err error
		if fsys == nil {
			fsys = files
		}
		if set, err = Read(fsys, ""); err != nil {
			return nil, err
		}
	}
	return set.Catalog()
}

// Catalog parses the files of the set.
func (s *Set) Catalog() (*Catalog, error) {
	c := &Catalog{}
	steps := []struct {
		file string
		cols int
		add  func(r []string, src Source) error
	}{
		{"units.csv", 4, func(r []string, src Source) error {
			c.Units = append(c.Units, Unit{r[0], r[1], r[2], r[3], src})
			return nil
		}},
		{"unit_aliases.csv", 2, func(r []string, src Source) error {
			c.UnitAliases = append(c.UnitAliases, Alias{r[0], r[1], src})
			return nil
		}},
		{"headers.csv", 5, func(r []string, src Source) error {
			rank, err := strconv.Atoi(r[3])
			if err != nil {
				return fmt.Errorf("rank %q: %w", r[3], err)
			}
			c.Headers = append(c.Headers, HeaderAlias{r[0], r[1], r[2] == "true", rank, r[4], src})
			return nil
		}},
		{"value_map.csv", 3, func(r []string, src Source) error {
			c.Values = append(c.Values, ValueAlias{r[0], r[1], r[2], src})
			return nil
		}},
		{"field_groups.csv", 2, func(r []string, src Source) error {
			c.FieldGroups = append(c.FieldGroups, Alias{Code: r[1], Alias: r[0], Source: src})
			return nil
		}},
		{"indicators.csv", 3, func(r []string, src Source) error {
			c.Indicators = append(c.Indicators, Indicator{r[0], r[1], r[2], src})
			return nil
		}},
		{"indicator_aliases.csv", 2, func(r []string, src Source) error {
			c.IndicatorAliases = append(c.IndicatorAliases, Alias{r[0], r[1], src})
			return nil
		}},
		{"kpis.csv", 11, func(r []string, _ Source) error {
			c.KPIs = append(c.KPIs, KPI{r[0], r[1], r[2], r[3], r[4], r[5]})
			return nil
		}},
		{"period_kinds.csv", 4, func(r []string, _ Source) error {
			m, err1 := strconv.Atoi(r[1])
			n, err2 := strconv.Atoi(r[3])
			if err := errors.Join(err1, err2); err != nil {
				return err
			}
			c.PeriodKinds = append(c.PeriodKinds, PeriodKind{r[0], m, r[2], n})
			return nil
		}},
	}
	for _, st := range steps {
		f := s.files[st.file]
		if f == nil {
			return nil, fmt.Errorf("%w: %s: missing", ErrSeed, st.file)
		}
		if len(f.Header) != st.cols {
			return nil, fmt.Errorf("%w: %s: %d columns, want %d", ErrSeed, st.file, len(f.Header), st.cols)
		}
		for _, r := range f.Rows {
			if err := st.add(r.Fields, r.Source); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrSeed, r.Source, err)
			}
		}
	}
	return c, nil
}
