// Package gen writes seeded, realistic and deliberately messy input workbooks of
// the kind Quận Thanh Xuân's wards and departments send (CONTRACT.md section 3):
// one-stop-shop dossier exports (xlsx and csv), periodic CCHC unit reports,
// Biểu số 06 statistics, and junk that must fail on its own. Generate returns
// the ground truth the warehouse must end up holding, so `cchc demo`,
// end-to-end tests and benchmarks can compare against it.
//
// Dates: civil dates in the truth are time.Time values at midnight UTC (the
// zero Time when absent), the shape DuckDB's DATE scans into; file modification
// times carry Asia/Ho_Chi_Minh's offset (+07:00). Wall-clock times written into
// workbooks are local times without a zone, as the one-stop-shop systems write them.
//
// The same Options always produce byte-identical files and an identical Truth:
// the package draws from its own seeded generator, one stream per file.
package gen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options selects what Generate writes. The zero value of a field means its
// default, except the booleans: Default() turns them on.
type Options struct {
	Seed            int64
	Year            int      // default 2024
	Periods         []string // period codes like "2024-Q1", "2024-6M"; default Q1 and 6M of Year
	DossiersPerUnit int      // valid dossiers per unit, default 120 (planted bad rows come on top)
	Units           []string // unit codes; default DefaultUnits()
	Reports         bool     // also write unit reports and Biểu 06 summaries
	Messy           bool     // apply the tolerances of CONTRACT 3.4, plant bad rows, junk files and a byte copy
	TCVN3           bool     // with Messy: type a few unit names in the legacy TCVN3 fonts
}

// Default returns the options of `cchc demo`: every tolerance on, reports on,
// seed 1.
func Default() Options {
	return Options{Seed: 1, Year: 2024, DossiersPerUnit: 120, Units: DefaultUnits(),
		Reports: true, Messy: true, TCVN3: true,
		Periods: []string{"2024-Q1", "2024-6M"}}
}

// Truth is what the warehouse must hold after loading the generated inbox.
type Truth struct {
	Files          []FileTruth      // every file written, sorted by Path
	Dossiers       []Dossier        // current version of every valid dossier (latest file wins), sorted by DossierID
	Rejects        []RejectTruth    // planted bad rows, sorted by File, Row
	Indicators     []IndicatorTruth // values of the report in force per unit and period
	Summaries      []SummaryTruth   // Biểu 06 field rows that load (rejected rows excluded)
	PersonalValues []string         // every applicant name, id number, phone and address written (trimmed), sorted
	Periods        []Period         // the periods generated, in Options order
}

// FileTruth describes one file of the inbox.
type FileTruth struct {
	Path         string    // relative to the inbox, '/'-separated
	Kind         string    // dossiers, unit_report, tthc_summary or junk
	UnitCode     string    // unit of a single-unit file ("" for multi-unit exports and junk)
	PeriodCode   string    // reports and summaries
	ModTime      time.Time // the mtime Generate set (latest-file-wins and report deadlines depend on it)
	ExpectFailed bool      // the file must get status failed, alone
	DuplicateOf  string    // a byte copy: the path of the file it copies; one of the two ends up duplicate
	Replaces     string    // a re-sent unit report: the path of the report it replaces
	WithSummary  bool      // a unit report workbook that also carries a Biểu 06 sheet
	Rows         int       // data rows written: dossier rows (bad ones included), indicator rows, Biểu 06 field rows
	Quirks       []string  // tolerances the file exercises (the vocabulary of the samples' manifest, plus a few)
}

// Dossier is a dossier's current version, normalised as CONTRACT 3.1 defines.
type Dossier struct {
	DossierID     string
	UnitCode      string
	Field         string
	FieldGroup    string // tnmt, khdt, other
	ProcedureCode string // "" when the winning file has no such column
	ProcedureName string
	ReceivedDate  time.Time
	DueDate       time.Time
	CompletedDate time.Time // zero when none
	Channel       string    // online, counter, postal
	ServiceLevel  string    // full, partial, none; "" (unknown, NULL) when the winning file has no such column
	Status        string    // resolved, processing, withdrawn, refused
	Timeliness    string    // early, on_time, late; "" unless resolved
	// ReportedTimeliness is what the status cell stated beside the status
	// (`Đã trả - Trễ hạn`): early, on_time, late, or "".
	ReportedTimeliness string
	ResultDigitized    string // "true", "false"; "" (unknown, NULL) when the winning file has no such column
	EIDVerified        string // "true", "false"; "" (unknown, NULL) when the winning file has no such column
	ApplicantID        string // clear text ("" when the winning file has no id column); must never reach the warehouse
	SourceFile         string // path of the file the current version comes from
}

// RejectTruth is a planted bad row.
type RejectTruth struct {
	File   string
	Sheet  string // "" for CSV
	Row    int    // 1-based sheet row as Excel shows it, or 1-based line of the CSV file (header line included)
	Reason string // impossible_date, not_day_first, completed_before_received, due_before_received, resolved_without_completion, unknown_channel, unknown_unit, unknown_status, negative_value, numerator_above_denominator
	Column string // the field whose cell holds the bad value (received_at, channel, value, carried_over …)
	Value  string // that cell's text as written ("" when the fault is an empty cell)
}

// IndicatorTruth is one indicator value of the unit report in force.
type IndicatorTruth struct {
	UnitCode, PeriodCode, IndicatorCode string
	Value                               float64
	File, Sheet                         string
	Row                                 int
}

// SummaryTruth is one Biểu 06 field row as reported, counts (3)..(13).
type SummaryTruth struct {
	UnitCode, PeriodCode, Field, FieldGroup string
	ReceivedTotal                           int // (3)
	ReceivedOnline                          int // (4)
	ReceivedCounterPostal                   int // (5)
	CarriedOver                             int // (6)
	ResolvedTotal                           int // (7)
	ResolvedEarly                           int // (8)
	ResolvedOnTime                          int // (9)
	ResolvedLate                            int // (10)
	InProgressTotal                         int // (11)
	InProgressWithinDeadline                int // (12)
	InProgressOverdue                       int // (13)
	Consistent                              bool
	File, Sheet                             string
	Row                                     int
}

// Period is a reporting period of CONTRACT 2: the half-open window [Start, End)
// and the report deadline, all civil dates.
type Period struct {
	Code           string
	Kind           string // Q1, 6M, 9M, Y
	Year           int
	Start, End     time.Time
	Deadline       time.Time
	closingMonth   time.Month
	titleUpper     string // QUÝ I NĂM 2024
	titleLower     string // Quý I năm 2024
	fileTokens     []string
	bieuFileSuffix string
}

// ict is Asia/Ho_Chi_Minh without tzdata: Vietnam has kept UTC+7 since 1975.
var ict = time.FixedZone("ICT", 7*3600)

// ParsePeriod reads a period code such as "2024-Q1", "2024-6M", "2024-9M" or
// "2024-Y".
func ParsePeriod(code string) (Period, error) {
	ys, kind, ok := strings.Cut(code, "-")
	year, err := strconv.Atoi(ys)
	if !ok || err != nil || len(ys) != 4 || year < 1990 || year > 2100 {
		return Period{}, fmt.Errorf("gen: period %q: want YYYY-Q1, YYYY-6M, YYYY-9M or YYYY-Y", code)
	}
	p := Period{Code: code, Kind: kind, Year: year, Start: civil(year-1, 12, 5)}
	y := fmt.Sprint(year)
	switch kind {
	case "Q1":
		p.closingMonth, p.titleUpper, p.titleLower = 3, "QUÝ I NĂM "+y, "Quý I năm "+y
		p.fileTokens, p.bieuFileSuffix = []string{"Q1_" + y, y + "-Q1"}, "Q1_"+y
	case "6M":
		p.closingMonth, p.titleUpper, p.titleLower = 6, "6 THÁNG ĐẦU NĂM "+y, "6 tháng đầu năm "+y
		p.fileTokens, p.bieuFileSuffix = []string{"6T_" + y, y + "-6M"}, "6T_"+y
	case "9M":
		p.closingMonth, p.titleUpper, p.titleLower = 9, "9 THÁNG NĂM "+y, "9 tháng năm "+y
		p.fileTokens, p.bieuFileSuffix = []string{"9T_" + y, y + "-9M"}, "9T_"+y
	case "Y":
		p.closingMonth, p.titleUpper, p.titleLower = 12, "NĂM "+y, "năm "+y
		p.fileTokens, p.bieuFileSuffix = []string{"Nam_" + y, y + "-Y"}, "Nam_"+y
	default:
		return Period{}, fmt.Errorf("gen: period %q: unknown kind %q", code, kind)
	}
	p.End = civil(year, p.closingMonth, 5)
	p.Deadline = p.End
	return p, nil
}

func civil(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return civil(t.Year(), t.Month(), t.Day())
}

// local turns a wall-clock time (kept in UTC) into the same clock reading in
// Asia/Ho_Chi_Minh, for file modification times.
func local(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, ict)
}

// generator holds the state of one Generate call.
type generator struct {
	opt     Options
	dir     string
	t       *Truth
	units   []*unit
	periods []Period
	from    time.Time // first day dossiers are received
	to      time.Time // day after the last
	export  time.Time // wall clock of the main exports
	snap    time.Time // cut-off of the early (superseded) exports
	dossier map[string][]*dossier
	seq     map[string]int
	pii     map[string]bool
	best    map[string]*Dossier
	bestAt  map[string]time.Time
	files   map[string]int // path → index in t.Files
	turns   map[string]int
}

// turn rotates through n choices across files, from a seeded start, so that a
// set of a dozen files is sure to use every variant (every CSV delimiter,
// every date layout) instead of merely being likely to.
func (g *generator) turn(key string, n int) int {
	c, ok := g.turns[key]
	if !ok {
		c = newRNG(g.opt.Seed, "turn", key).intn(n)
	}
	g.turns[key] = c + 1
	return c % n
}

// Generate writes an inbox of workbooks into dir (created if needed) and
// returns its ground truth. The files and the Truth belong to the caller; file
// modification times are set with os.Chtimes, because the warehouse's
// latest-file-wins rule and the report deadlines depend on them.
func Generate(dir string, opt Options) (*Truth, error) {
	g, err := newGenerator(dir, opt)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	g.makeDossiers()
	if err := g.writeDossierFiles(); err != nil {
		return nil, err
	}
	g.finishDossiers()
	if g.opt.Reports {
		if err := g.writeReports(); err != nil {
			return nil, err
		}
	}
	if g.opt.Messy {
		if err := g.writeJunk(); err != nil {
			return nil, err
		}
	}
	return g.finish(), nil
}

func newGenerator(dir string, opt Options) (*generator, error) {
	if opt.Year == 0 {
		opt.Year = 2024
	}
	if len(opt.Periods) == 0 {
		opt.Periods = []string{fmt.Sprintf("%d-Q1", opt.Year), fmt.Sprintf("%d-6M", opt.Year)}
	}
	if opt.DossiersPerUnit <= 0 {
		opt.DossiersPerUnit = 120
	}
	if len(opt.Units) == 0 {
		opt.Units = DefaultUnits()
	}
	g := &generator{opt: opt, dir: dir, t: &Truth{},
		dossier: map[string][]*dossier{}, seq: map[string]int{}, pii: map[string]bool{},
		best: map[string]*Dossier{}, bestAt: map[string]time.Time{}, files: map[string]int{}, turns: map[string]int{}}
	seen := map[string]bool{}
	for _, c := range opt.Units {
		u := unitByCode(c)
		if u == nil {
			return nil, fmt.Errorf("gen: unknown unit code %q", c)
		}
		if !seen[c] {
			seen[c] = true
			g.units = append(g.units, u)
		}
	}
	for _, c := range opt.Periods {
		p, err := ParsePeriod(c)
		if err != nil {
			return nil, err
		}
		g.periods = append(g.periods, p)
	}
	first, last := g.periods[0], g.periods[0]
	for _, p := range g.periods {
		if p.End.Before(first.End) {
			first = p
		}
		if p.End.After(last.End) {
			last = p
		}
	}
	// A month before the window opens, so Biểu 06 has dossiers carried over.
	g.from = first.Start.AddDate(0, -1, 0)
	g.to = last.End
	g.export = last.End.AddDate(0, 0, 2).Add(8*time.Hour + 31*time.Minute)
	g.snap = first.End.AddDate(0, 0, 6).Add(9 * time.Hour)
	if !g.snap.Before(g.to) {
		g.snap = g.from.Add(g.to.Sub(g.from) / 2).Truncate(24 * time.Hour).Add(9 * time.Hour)
	}
	g.t.Periods = g.periods
	return g, nil
}

// addFile registers a written file and sets its modification time.
func (g *generator) addFile(ft FileTruth) error {
	abs := filepath.Join(g.dir, filepath.FromSlash(ft.Path))
	if err := os.Chtimes(abs, ft.ModTime, ft.ModTime); err != nil {
		return err
	}
	if _, dup := g.files[ft.Path]; dup {
		return fmt.Errorf("gen: internal error: %s written twice", ft.Path)
	}
	g.files[ft.Path] = len(g.t.Files)
	g.t.Files = append(g.t.Files, ft)
	return nil
}

// create makes the folders of a relative path and returns the absolute path.
func (g *generator) create(rel string) (string, error) {
	abs := filepath.Join(g.dir, filepath.FromSlash(rel))
	return abs, os.MkdirAll(filepath.Dir(abs), 0o755)
}

func (g *generator) addPII(vals ...string) {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			g.pii[v] = true
		}
	}
}

// offer records a valid dossier row; the version from the file with the latest
// mtime (ties: the later path) becomes the truth, as CONTRACT 3.1 says.
func (g *generator) offer(d Dossier, mtime time.Time) {
	cur, ok := g.best[d.DossierID]
	if ok {
		at := g.bestAt[d.DossierID]
		if mtime.Before(at) || (mtime.Equal(at) && d.SourceFile < cur.SourceFile) {
			return
		}
	}
	dd := d
	g.best[d.DossierID] = &dd
	g.bestAt[d.DossierID] = mtime
}

func (g *generator) finishDossiers() {
	g.t.Dossiers = g.t.Dossiers[:0]
	for _, d := range g.best {
		g.t.Dossiers = append(g.t.Dossiers, *d)
	}
	sort.Slice(g.t.Dossiers, func(i, j int) bool { return g.t.Dossiers[i].DossierID < g.t.Dossiers[j].DossierID })
}

func (g *generator) finish() *Truth {
	t := g.t
	sort.Slice(t.Files, func(i, j int) bool { return t.Files[i].Path < t.Files[j].Path })
	sort.Slice(t.Rejects, func(i, j int) bool {
		a, b := t.Rejects[i], t.Rejects[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Sheet != b.Sheet {
			return a.Sheet < b.Sheet
		}
		return a.Row < b.Row
	})
	sort.Slice(t.Indicators, func(i, j int) bool {
		a, b := t.Indicators[i], t.Indicators[j]
		if a.UnitCode != b.UnitCode {
			return a.UnitCode < b.UnitCode
		}
		if a.PeriodCode != b.PeriodCode {
			return a.PeriodCode < b.PeriodCode
		}
		return a.IndicatorCode < b.IndicatorCode
	})
	sort.Slice(t.Summaries, func(i, j int) bool {
		a, b := t.Summaries[i], t.Summaries[j]
		if a.UnitCode != b.UnitCode {
			return a.UnitCode < b.UnitCode
		}
		if a.PeriodCode != b.PeriodCode {
			return a.PeriodCode < b.PeriodCode
		}
		return a.Field < b.Field
	})
	t.PersonalValues = t.PersonalValues[:0]
	for v := range g.pii {
		t.PersonalValues = append(t.PersonalValues, v)
	}
	sort.Strings(t.PersonalValues)
	return t
}

// ErrNoRows is returned by the benchmark writers for a non-positive row count.
var ErrNoRows = errors.New("gen: rows must be positive")
