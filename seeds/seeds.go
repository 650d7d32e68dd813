// Package seeds holds the project's reference data as CSV files (units and their
// aliases, reporting period kinds, field groups, header and value vocabularies,
// indicators and KPI targets) and parses them into a Catalog.
//
// The CSV files are data, not code: the data team can extend an alias list by
// editing a file (or by pointing the configuration at its own copy of the folder)
// without a new build.
package seeds

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

//go:embed *.csv
var files embed.FS

// FS returns the embedded seed files.
func FS() fs.FS { return files }

// ErrSeed reports a malformed seed file.
var ErrSeed = errors.New("seeds: malformed seed")

// Unit is an organisational unit of the district (CONTRACT section 1).
type Unit struct {
	Code      string
	NameVI    string
	ShortName string
	Level     string // district, ward or department
}

// Alias is an alternative spelling of a coded value.
type Alias struct {
	Code  string
	Alias string
}

// HeaderAlias is one header wording of a field of an input kind.
type HeaderAlias struct {
	Kind     string
	Field    string
	Required bool
	Rank     int
	Alias    string
}

// ValueAlias maps an input wording of a domain (channel, status …) to its value.
type ValueAlias struct {
	Domain string
	Value  string
	Alias  string
}

// Indicator is a line of the unit report catalogue.
type Indicator struct {
	Code          string
	CanonicalText string
	UnitOfMeasure string
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
	{"units.csv", "Đơn vị (phường, phòng ban, quận) — organisational units of CONTRACT section 1"},
	{"unit_aliases.csv", "Tên gọi khác của đơn vị — spellings that match a unit after folding"},
	{"period_kinds.csv", "Loại kỳ báo cáo — kinds of reporting period (plan section III)"},
	{"field_groups.csv", "Nhóm lĩnh vực — field groups used by the on-time KPIs (tnmt, khdt; the rest is other)"},
	{"headers.csv", "Tên cột đầu vào — header wordings recognised for each input kind and field"},
	{"value_map.csv", "Giá trị mã hóa — input wordings of channel, service level, status and yes/no"},
	{"indicators.csv", "Danh mục chỉ tiêu báo cáo — indicator catalogue of unit reports (CONTRACT section 5)"},
	{"indicator_aliases.csv", "Tên gọi khác của chỉ tiêu — extra wordings of indicators"},
	{"kpis.csv", "Danh mục KPI và chỉ tiêu kế hoạch — KPI catalogue with the plan's targets"},
	{"kpi_families.csv", "Nhóm KPI theo mục II của Kế hoạch CCHC 2024 — KPI families, the plan's section II headings"},
}

// Load parses the seed files of fsys (the embedded set when fsys is nil).
func Load(fsys fs.FS) (*Catalog, error) {
	if fsys == nil {
		fsys = files
	}
	c := &Catalog{}
	steps := []struct {
		file string
		cols int
		add  func(r []string) error
	}{
		{"units.csv", 4, func(r []string) error {
			c.Units = append(c.Units, Unit{r[0], r[1], r[2], r[3]})
			return nil
		}},
		{"unit_aliases.csv", 2, func(r []string) error {
			c.UnitAliases = append(c.UnitAliases, Alias{r[0], r[1]})
			return nil
		}},
		{"headers.csv", 5, func(r []string) error {
			rank, err := strconv.Atoi(r[3])
			if err != nil {
				return fmt.Errorf("rank %q: %w", r[3], err)
			}
			c.Headers = append(c.Headers, HeaderAlias{r[0], r[1], r[2] == "true", rank, r[4]})
			return nil
		}},
		{"value_map.csv", 3, func(r []string) error {
			c.Values = append(c.Values, ValueAlias{r[0], r[1], r[2]})
			return nil
		}},
		{"field_groups.csv", 2, func(r []string) error {
			c.FieldGroups = append(c.FieldGroups, Alias{Code: r[1], Alias: r[0]})
			return nil
		}},
		{"indicators.csv", 3, func(r []string) error {
			c.Indicators = append(c.Indicators, Indicator{r[0], r[1], r[2]})
			return nil
		}},
		{"indicator_aliases.csv", 2, func(r []string) error {
			c.IndicatorAliases = append(c.IndicatorAliases, Alias{r[0], r[1]})
			return nil
		}},
		{"kpis.csv", 11, func(r []string) error {
			c.KPIs = append(c.KPIs, KPI{r[0], r[1], r[2], r[3], r[4], r[5]})
			return nil
		}},
		{"period_kinds.csv", 4, func(r []string) error {
			m, err1 := strconv.Atoi(r[1])
			n, err2 := strconv.Atoi(r[3])
			if err := errors.Join(err1, err2); err != nil {
				return err
			}
			c.PeriodKinds = append(c.PeriodKinds, PeriodKind{r[0], m, r[2], n})
			return nil
		}},
	}
	for _, s := range steps {
		if err := readCSV(fsys, s.file, s.cols, s.add); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func readCSV(fsys fs.FS, name string, cols int, add func([]string) error) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSeed, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = cols
	if _, err := r.Read(); err != nil { // header
		return fmt.Errorf("%w: %s: %w", ErrSeed, name, err)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrSeed, name, err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if err := add(rec); err != nil {
			line, _ := r.FieldPos(0)
			return fmt.Errorf("%w: %s:%d: %w", ErrSeed, name, line, err)
		}
	}
}
