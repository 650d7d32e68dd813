package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/xuri/excelize/v2"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/load"
)

// The leadership report: one period of the published warehouse as a
// Vietnamese workbook (and, with --html, a static page with the same tables
// and charts). Everything it shows is read from marts.kpi_values,
// marts.report_submissions, marts.tthc_reconciliation and the ref seeds.
//
// Text from inputs (unit and KPI names are seed data a data team edits) is
// written with SetCellStr, which stores a string cell: Excel never evaluates
// it, whatever it starts with ("=HYPERLINK(…)" stays those characters). The
// text cells also carry the Text number format (@), so that a person who
// edits such a cell later does not turn it into a formula either. Prefixing
// an apostrophe, the CSV-injection remedy, is not needed in a real string
// cell and would change the text people read. The report writes no formula
// at all.

type reportOptions struct {
	Warehouse string
	Period    string
	Out       string // workbook, .xlsx
	HTML      string // static page
	Now       time.Time
}

func newReportCmd(g *globalFlags) *cobra.Command {
	o := reportOptions{}
	c := &cobra.Command{
		Use:   "report --period 2024-6M --out FILE.xlsx [--html FILE.html] [--warehouse FILE]",
		Short: "write the leadership report of one period: a Vietnamese workbook with charts (and a static HTML page) — báo cáo lãnh đạo",
		Long: `Report reads the published warehouse (read-only) and writes, for one period
(2024-Q1, 2024-6M, 2024-9M, 2024-Y …), a workbook for the district's
leadership, in Vietnamese:

  Tổng quan             the district's KPIs against the plan's targets, met or
                        missed, with a chart, and who sent the period's report
  II.1 … II.7           one sheet per KPI family (section II of the plan):
                        every ward and department as a row, green = met,
                        red = missed, and one chart per KPI
  Gửi báo cáo           who reported on time, late, or not at all
  Đối chiếu Biểu 06     the on-time rates the units reported against those
                        computed from their dossier records
  Số liệu biểu đồ       the figures the charts are drawn from

With --html it also writes one self-contained page (no script, no outside
file) with the same tables and charts drawn as inline SVG. Files are
written under a temporary name and renamed into place.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			o.Warehouse = cfg.Warehouse
			o.Now = time.Now().In(load.Zone)
			if err := o.validate(); err != nil {
				return err
			}
			d, err := buildReport(c.Context(), o)
			if err != nil {
				return err
			}
			if !g.quiet {
				out := c.OutOrStdout()
				for _, f := range []string{o.Out, o.HTML} {
					if f != "" {
						fmt.Fprintf(out, "đã ghi / wrote %s\n", f)
					}
				}
				met, judged := d.districtScore()
				fmt.Fprintf(out, "kỳ / period %s (%s): toàn quận đạt %d/%d chỉ tiêu / the district meets %d of %d assessed KPIs\n",
					d.Period.Code, d.Period.Name, met, judged, met, judged)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Period, "period", "", "reporting period, e.g. 2024-Q1, 2024-6M, 2024-9M, 2024-Y (required)")
	f.StringVar(&o.Out, "out", "", "workbook to write (.xlsx)")
	f.StringVar(&o.HTML, "html", "", "also write a static HTML page with the same tables and charts")
	f.String("warehouse", "", "the published DuckDB file [warehouse, CCHC_WAREHOUSE]")
	return c
}

func (o *reportOptions) validate() error {
	switch {
	case o.Warehouse == "":
		return usageError{errors.New("warehouse: required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")}
	case o.Period == "":
		return usageError{errors.New("--period is required (e.g. 2024-6M)")}
	case o.Out == "" && o.HTML == "":
		return usageError{errors.New("--out FILE.xlsx or --html FILE.html is required")}
	case o.Out != "" && !strings.EqualFold(filepath.Ext(o.Out), ".xlsx"):
		return usageError{fmt.Errorf("--out %q: the workbook's name must end in .xlsx", o.Out)}
	}
	return nil
}

// buildReport reads the period from the warehouse and writes the files.
func buildReport(ctx context.Context, o reportOptions) (*reportData, error) {
	db, closeDB, err := openPublished(o.Warehouse)
	if err != nil {
		return nil, err
	}
	d, err := readReport(ctx, db, o.Period)
	closeDB()
	if err != nil {
		return nil, err
	}
	d.GeneratedAt = o.Now
	if o.Out != "" {
		if err := writeAtomically(o.Out, func(f *os.File) error { return writeWorkbook(d, f) }); err != nil {
			return nil, fmt.Errorf("workbook %s: %w", o.Out, err)
		}
	}
	if o.HTML != "" {
		if err := writeAtomically(o.HTML, func(f *os.File) error { return writeReportHTML(d, f) }); err != nil {
			return nil, fmt.Errorf("HTML %s: %w", o.HTML, err)
		}
	}
	return d, nil
}

// writeAtomically writes a temporary file beside path and renames it over
// path once write has succeeded: a reader never opens half a workbook.
func writeAtomically(path string, write func(*os.File) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".cchc-report-*"+filepath.Ext(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ---------------------------------------------------------------------------
// What the report shows, read once and rendered twice (workbook and HTML).

type reportData struct {
	Period      reportPeriod
	GeneratedAt time.Time
	DataAsOf    time.Time // last published run; zero when unknown
	Units       []reportUnit
	Families    []kpiFamily
	Values      map[unitKPI]kpiValue
	Submissions []submission
	Recon       []reconRow
}

type reportPeriod struct {
	Code, Name               string
	Start, LastDay, Deadline time.Time
}

type reportUnit struct {
	Code, Name, Short, Level string
}

type kpiFamily struct {
	Chapter string // II.3
	Title   string // the plan's heading
	Sheet   string // ≤ 31 characters
	KPIs    []reportKPI
}

type reportKPI struct {
	Code, Name, Section, Source string
	Count                       bool // a count with denominator 1, not a rate
}

type unitKPI struct{ Unit, KPI string }

type kpiValue struct {
	Numerator, Denominator, Value, Target sql.NullFloat64
	Meets                                 sql.NullBool
}

type submission struct {
	Unit            reportUnit
	Received        bool
	FirstReceivedAt sql.NullTime
	Deadline        time.Time
	OnTime          sql.NullBool
	DaysLate        sql.NullInt64
	Reports         int64
}

type reconRow struct {
	Unit                                       reportUnit
	ReportedTotal, ComputedTotal, TotalDiff    int64
	ReportedOnTime, ComputedOnTime, OnTimeDiff int64
	ReportedRate, ComputedRate                 sql.NullFloat64
}

// status of one KPI value against its target.
type kpiStatus int

const (
	statusNoData   kpiStatus = iota // the unit has no row for the KPI
	statusNotRated                  // a value but no target in this period (or denominator 0)
	statusMet
	statusMissed
)

func (v kpiValue) status(ok bool) kpiStatus {
	switch {
	case !ok:
		return statusNoData
	case v.Meets.Valid && v.Meets.Bool:
		return statusMet
	case v.Meets.Valid:
		return statusMissed
	}
	return statusNotRated
}

func (s kpiStatus) label() string {
	return [...]string{"Không có số liệu", "Chưa đánh giá", "Đạt", "Không đạt"}[s]
}

// Fixed sheet names.
const (
	sheetCover       = "Tổng quan"
	sheetSubmissions = "Gửi báo cáo"
	sheetRecon       = "Đối chiếu Biểu 06"
	sheetChartData   = "Số liệu biểu đồ"
)

func chapterOf(section string) string {
	parts := strings.Split(section, ".")
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	if section == "" {
		return "Khác"
	}
	return section
}

// otherFamily is the family of a KPI whose plan section has no row in
// ref.kpi_families: it still gets a sheet, named after its section.
func otherFamily(chapter string) kpiFamily {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '-'
		}
		return r
	}, "Mục "+chapter)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	return kpiFamily{Chapter: chapter, Title: "Mục " + chapter, Sheet: name}
}

// readReport reads one period. An unknown period, or one without data, is a
// usage error that lists the periods the warehouse has.
func readReport(ctx context.Context, db *sql.DB, period string) (*reportData, error) {
	d := &reportData{Values: map[unitKPI]kpiValue{}}
	available, err := reportPeriods(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("periods: %w", err)
	}
	code := ""
	for _, p := range available {
		if strings.EqualFold(p, strings.TrimSpace(period)) {
			code = p
		}
	}
	if code == "" {
		list := strings.Join(available, ", ")
		if list == "" {
			list = "(none: the warehouse holds no KPI or report yet)"
		}
		return nil, usageError{fmt.Errorf("--period %q: kỳ không có số liệu trong kho / no data for this period; các kỳ có số liệu / available: %s", period, list)}
	}
	err = db.QueryRowContext(ctx, `SELECT period_code, name_vi, start_date, last_day, deadline FROM ref.periods WHERE period_code = ?`, code).
		Scan(&d.Period.Code, &d.Period.Name, &d.Period.Start, &d.Period.LastDay, &d.Period.Deadline)
	if err != nil {
		return nil, fmt.Errorf("ref.periods: %w", err)
	}
	if err := d.readUnits(ctx, db); err != nil {
		return nil, fmt.Errorf("ref.units: %w", err)
	}
	if err := d.readKPIs(ctx, db); err != nil {
		return nil, fmt.Errorf("ref.kpis: %w", err)
	}
	if err := d.readValues(ctx, db); err != nil {
		return nil, fmt.Errorf("marts.kpi_values: %w", err)
	}
	if err := d.readSubmissions(ctx, db); err != nil {
		return nil, fmt.Errorf("marts.report_submissions: %w", err)
	}
	if err := d.readRecon(ctx, db); err != nil {
		return nil, fmt.Errorf("marts.tthc_reconciliation: %w", err)
	}
	if tableExists(ctx, db, "ops", "runs") {
		var at sql.NullTime
		if err := db.QueryRowContext(ctx, `SELECT max(ended_at) FROM ops.runs WHERE status = 'published'`).Scan(&at); err == nil && at.Valid {
			d.DataAsOf = at.Time
		}
	}
	return d, nil
}

// reportPeriods lists, by deadline, the periods with KPI values or report
// submissions.
func reportPeriods(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT p.period_code FROM ref.periods p
		WHERE p.period_code IN (SELECT period_code FROM marts.kpi_values UNION SELECT period_code FROM marts.report_submissions)
		ORDER BY p.deadline, p.period_code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (d *reportData) readUnits(ctx context.Context, db *sql.DB) error {
	// rowid keeps the seed's order (wards, then departments as the district
	// lists them).
	rows, err := db.QueryContext(ctx, `SELECT unit_code, name_vi, coalesce(short_name, name_vi), level FROM ref.units
		ORDER BY CASE level WHEN 'district' THEN 0 WHEN 'ward' THEN 1 ELSE 2 END, rowid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u reportUnit
		if err := rows.Scan(&u.Code, &u.Name, &u.Short, &u.Level); err != nil {
			return err
		}
		d.Units = append(d.Units, u)
	}
	return rows.Err()
}

func (d *reportData) readKPIs(ctx context.Context, db *sql.DB) error {
	// The families (plan section II headings, and their sheet names) are
	// the seed ref.kpi_families, as in marts.kpi_catalog.
	rows, err := db.QueryContext(ctx, `SELECT k.kpi_code, k.name_vi, k.source, coalesce(k.plan_section, ''),
			k.source = 'report' AND coalesce(k.denominator_indicator, '') = '',
			coalesce(f.name_vi, ''), coalesce(f.sheet_name, '')
		FROM ref.kpis k
		LEFT JOIN ref.kpi_families f ON f.plan_section = regexp_extract(k.plan_section, '^(II\.[0-9]+)', 1)
		ORDER BY k.plan_section, k.rowid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	index := map[string]int{}
	for rows.Next() {
		var k reportKPI
		var title, sheet string
		if err := rows.Scan(&k.Code, &k.Name, &k.Source, &k.Section, &k.Count, &title, &sheet); err != nil {
			return err
		}
		ch := chapterOf(k.Section)
		i, ok := index[ch]
		if !ok {
			i = len(d.Families)
			index[ch] = i
			f := kpiFamily{Chapter: ch, Title: title, Sheet: sheet}
			if sheet == "" {
				f = otherFamily(ch)
			}
			d.Families = append(d.Families, f)
		}
		d.Families[i].KPIs = append(d.Families[i].KPIs, k)
	}
	return rows.Err()
}

func (d *reportData) readValues(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT unit_code, kpi_code, numerator, denominator, value, target, meets_target
		FROM marts.kpi_values WHERE period_code = ?`, d.Period.Code)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k unitKPI
		var v kpiValue
		if err := rows.Scan(&k.Unit, &k.KPI, &v.Numerator, &v.Denominator, &v.Value, &v.Target, &v.Meets); err != nil {
			return err
		}
		d.Values[k] = v
	}
	return rows.Err()
}

func (d *reportData) unit(code string) reportUnit {
	for _, u := range d.Units {
		if u.Code == code {
			return u
		}
	}
	return reportUnit{Code: code, Name: code, Short: code}
}

func (d *reportData) readSubmissions(ctx context.Context, db *sql.DB) error {
	// Not sent first, then the latest senders, then those on time.
	rows, err := db.QueryContext(ctx, `SELECT unit_code, received, first_received_at, deadline, on_time, days_late, reports_received
		FROM marts.report_submissions WHERE period_code = ?
		ORDER BY CASE WHEN NOT received THEN 0 WHEN NOT on_time THEN 1 ELSE 2 END, days_late DESC NULLS LAST, unit_code`, d.Period.Code)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s submission
		var unit string
		if err := rows.Scan(&unit, &s.Received, &s.FirstReceivedAt, &s.Deadline, &s.OnTime, &s.DaysLate, &s.Reports); err != nil {
			return err
		}
		s.Unit = d.unit(unit)
		d.Submissions = append(d.Submissions, s)
	}
	return rows.Err()
}

func (d *reportData) readRecon(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT unit_code, reported_resolved_total, computed_resolved_total, resolved_total_diff,
			reported_resolved_on_time_or_early, computed_resolved_on_time_or_early, resolved_on_time_or_early_diff,
			reported_on_time_rate, computed_on_time_rate
		FROM marts.tthc_reconciliation WHERE period_code = ?`, d.Period.Code)
	if err != nil {
		return err
	}
	defer rows.Close()
	byUnit := map[string]reconRow{}
	for rows.Next() {
		var r reconRow
		var unit string
		if err := rows.Scan(&unit, &r.ReportedTotal, &r.ComputedTotal, &r.TotalDiff, &r.ReportedOnTime, &r.ComputedOnTime, &r.OnTimeDiff,
			&r.ReportedRate, &r.ComputedRate); err != nil {
			return err
		}
		r.Unit = d.unit(unit)
		byUnit[unit] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range d.Units { // the units' order
		if r, ok := byUnit[u.Code]; ok {
			d.Recon = append(d.Recon, r)
		}
	}
	return nil
}

// districtUnit is the row of the district as a whole.
func (d *reportData) districtUnit() reportUnit {
	for _, u := range d.Units {
		if u.Level == "district" {
			return u
		}
	}
	return reportUnit{Code: "thanh_xuan", Name: "UBND quận Thanh Xuân", Short: "Thanh Xuân", Level: "district"}
}

// memberUnits are the wards and departments, in order.
func (d *reportData) memberUnits() []reportUnit {
	var out []reportUnit
	for _, u := range d.Units {
		if u.Level != "district" {
			out = append(out, u)
		}
	}
	return out
}

func (d *reportData) value(unit, kpi string) (kpiValue, kpiStatus) {
	v, ok := d.Values[unitKPI{unit, kpi}]
	return v, v.status(ok)
}

// districtScore counts the district KPIs met and those assessed.
func (d *reportData) districtScore() (met, judged int) {
	dist := d.districtUnit().Code
	for _, f := range d.Families {
		for _, k := range f.KPIs {
			switch _, s := d.value(dist, k.Code); s {
			case statusMet:
				met++
				judged++
			case statusMissed:
				judged++
			}
		}
	}
	return met, judged
}

// unitsBelow counts the wards and departments that miss a KPI, of those
// assessed.
func (d *reportData) unitsBelow(kpi string) (missed, judged int) {
	for _, u := range d.memberUnits() {
		switch _, s := d.value(u.Code, kpi); s {
		case statusMissed:
			missed++
			judged++
		case statusMet:
			judged++
		}
	}
	return missed, judged
}

// chartPoint is one bar of a chart: a unit (or a KPI, on the cover).
type chartPoint struct {
	Label  string
	Value  float64
	Target sql.NullFloat64
	Status kpiStatus
}

// reportChart is one chart, drawn by both the workbook and the page.
type reportChart struct {
	Title  string
	Count  bool // a count axis, not percentages
	Points []chartPoint
}

// coverChart is the district's rate KPIs with a value; counts have another
// scale and no district row.
func (d *reportData) coverChart() reportChart {
	c := reportChart{Title: "Toàn quận so với chỉ tiêu kế hoạch / district KPIs against targets"}
	dist := d.districtUnit().Code
	for _, f := range d.Families {
		for _, k := range f.KPIs {
			v, s := d.value(dist, k.Code)
			if k.Count || !v.Value.Valid {
				continue
			}
			label := k.Name
			if v.Target.Valid {
				label += " (≥ " + fmtKPI(v.Target.Float64, false) + ")"
			}
			c.Points = append(c.Points, chartPoint{Label: label, Value: v.Value.Float64, Target: v.Target, Status: s})
		}
	}
	return c
}

// familyCharts is one chart per KPI of the family that some ward or
// department has a value for: its units' values, coloured by status, and
// their targets.
func (d *reportData) familyCharts(f kpiFamily) []reportChart {
	var out []reportChart
	for _, k := range f.KPIs {
		c := reportChart{Title: k.Name, Count: k.Count}
		for _, u := range d.memberUnits() {
			v, s := d.value(u.Code, k.Code)
			if v.Value.Valid {
				c.Points = append(c.Points, chartPoint{Label: u.Short, Value: v.Value.Float64, Target: v.Target, Status: s})
			}
		}
		if len(c.Points) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// targetText says the plan's target of a KPI in this period, by level when
// the levels differ: "≥ 50% (phường); ≥ 60% (phòng ban, toàn quận)".
func (d *reportData) targetText(k reportKPI) string {
	byTarget := map[float64][]string{}
	var order []float64
	for _, u := range d.Units {
		v, ok := d.Values[unitKPI{u.Code, k.Code}]
		if !ok || !v.Target.Valid {
			continue
		}
		t := v.Target.Float64
		if _, seen := byTarget[t]; !seen {
			order = append(order, t)
		}
		lv := levelLabel(u.Level)
		if !slices.Contains(byTarget[t], lv) {
			byTarget[t] = append(byTarget[t], lv)
		}
	}
	switch len(order) {
	case 0:
		return "—"
	case 1:
		return "≥ " + fmtKPI(order[0], k.Count)
	}
	var parts []string
	for _, t := range order {
		parts = append(parts, "≥ "+fmtKPI(t, k.Count)+" ("+strings.ToLower(strings.Join(byTarget[t], ", "))+")")
	}
	return strings.Join(parts, "; ")
}

func levelLabel(level string) string {
	switch level {
	case "district":
		return "Toàn quận"
	case "ward":
		return "Phường"
	case "department":
		return "Phòng ban"
	}
	return level
}

// fmtKPI writes a value the Vietnamese way: 96,7% or 3.
func fmtKPI(v float64, count bool) string {
	if count {
		return strings.Replace(fmt.Sprintf("%.4g", v), ".", ",", 1)
	}
	return strings.Replace(fmt.Sprintf("%.1f%%", 100*v), ".", ",", 1)
}

func fmtDate(t time.Time) string { return t.Format("02/01/2006") }

// periodLine describes the period on the cover of both renderings.
func (d *reportData) periodLine() string {
	return fmt.Sprintf("Kỳ báo cáo: %s (%s) — số liệu lũy kế từ %s đến %s; hạn gửi báo cáo %s",
		d.Period.Name, d.Period.Code, fmtDate(d.Period.Start), fmtDate(d.Period.LastDay), fmtDate(d.Period.Deadline))
}

func (d *reportData) stampLine() string {
	s := "Lập lúc / generated " + d.GeneratedAt.Format("02/01/2006 15:04")
	if !d.DataAsOf.IsZero() {
		s += "; kho dữ liệu cập nhật / warehouse published " + d.DataAsOf.Format("02/01/2006 15:04")
	}
	return s
}

// submissionLine summarises who sent the period's report.
func (d *reportData) submissionLine() string {
	if len(d.Submissions) == 0 {
		return "Báo cáo định kỳ: chưa có đơn vị nào gửi báo cáo của kỳ này / no unit report for this period"
	}
	var sent, late int
	for _, s := range d.Submissions {
		if s.Received {
			sent++
			if s.OnTime.Valid && !s.OnTime.Bool {
				late++
			}
		}
	}
	return fmt.Sprintf("Báo cáo định kỳ: %d/%d đơn vị đã gửi (đúng hạn %d, trễ hạn %d); chưa gửi %d — xem trang «%s»",
		sent, len(d.Submissions), sent-late, late, len(d.Submissions)-sent, sheetSubmissions)
}

func (d *reportData) reconLine() string {
	if len(d.Recon) == 0 {
		return "Đối chiếu Biểu 06: không có đơn vị nào có cả Biểu 06 và dữ liệu hồ sơ trong kỳ"
	}
	diff := 0
	for _, r := range d.Recon {
		if r.TotalDiff != 0 || r.OnTimeDiff != 0 {
			diff++
		}
	}
	return fmt.Sprintf("Đối chiếu Biểu 06: %d/%d đơn vị có chênh lệch giữa số liệu báo cáo và dữ liệu hồ sơ — xem trang «%s»", diff, len(d.Recon), sheetRecon)
}

func (d *reportData) scoreLine() string {
	met, judged := d.districtScore()
	return fmt.Sprintf("Toàn quận đạt %d/%d chỉ tiêu được đánh giá trong kỳ (chưa đạt %d)", met, judged, judged-met)
}

// ---------------------------------------------------------------------------
// The workbook.

// Colours of met, missed and not rated: Excel's own "good" and "bad" cell
// styles, so the sheet reads as people are used to.
const (
	fillMet      = "C6EFCE"
	fontMet      = "006100"
	fillMissed   = "FFC7CE"
	fontMissed   = "9C0006"
	fillNotRated = "EDEDED"
	fontNotRated = "595959"
	fillWarn     = "FFEB9C"
	fontWarn     = "9C5700"
	fillHeader   = "1F4E78"
	barMet       = "2E7D32"
	barMissed    = "C62828"
	barNotRated  = "9E9E9E"
	lineTarget   = "1F3864"
)

type cellStyle struct {
	Fill, Color string
	Bold        bool
	Size        float64
	NumFmt      string // "@" = text; "" = General
	Wrap        bool
	Align       string
	Border      bool
}

var (
	stText   = cellStyle{NumFmt: "@", Border: true}
	stTextW  = cellStyle{NumFmt: "@", Border: true, Wrap: true}
	stBold   = cellStyle{NumFmt: "@", Border: true, Bold: true}
	stHeader = cellStyle{NumFmt: "@", Border: true, Bold: true, Fill: fillHeader, Color: "FFFFFF", Wrap: true, Align: "center"}
	stCode   = cellStyle{NumFmt: "@", Border: true, Color: "7F7F7F", Size: 8, Align: "center", Wrap: true}
	stTitle  = cellStyle{NumFmt: "@", Bold: true, Size: 14, Color: fillHeader}
	stLine   = cellStyle{NumFmt: "@"}
	stInt    = cellStyle{NumFmt: "#,##0", Border: true}
	stDate   = cellStyle{NumFmt: "dd/mm/yyyy", Border: true, Align: "center"}
	stStamp  = cellStyle{NumFmt: "dd/mm/yyyy hh:mm", Border: true, Align: "center"}
)

func numFmt(count bool) string {
	if count {
		return "#,##0.##"
	}
	return "0.0%"
}

// statusStyle is the style of a KPI value cell: the fill says met or missed.
func statusStyle(s kpiStatus, count bool) cellStyle {
	st := cellStyle{NumFmt: numFmt(count), Border: true, Align: "center"}
	switch s {
	case statusMet:
		st.Fill, st.Color = fillMet, fontMet
	case statusMissed:
		st.Fill, st.Color = fillMissed, fontMissed
	case statusNotRated:
		st.Fill, st.Color = fillNotRated, fontNotRated
	default:
		st.NumFmt, st.Color = "@", "A6A6A6"
	}
	return st
}

type xlsxWriter struct {
	f      *excelize.File
	styles map[cellStyle]int
	err    error
	nextCD int // next free row of the chart-data sheet
}

func (w *xlsxWriter) style(s cellStyle) int {
	if id, ok := w.styles[s]; ok {
		return id
	}
	st := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "center", WrapText: s.Wrap, Horizontal: s.Align}}
	font := &excelize.Font{Family: "Times New Roman", Size: 11, Bold: s.Bold, Color: s.Color}
	if s.Size > 0 {
		font.Size = s.Size
	}
	st.Font = font
	if s.Fill != "" {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{s.Fill}}
	}
	switch s.NumFmt {
	case "":
	case "@":
		st.NumFmt = 49 // Text: what a person types into the cell later stays text too
	default:
		f := s.NumFmt
		st.CustomNumFmt = &f
	}
	if s.Border {
		for _, side := range []string{"left", "right", "top", "bottom"} {
			st.Border = append(st.Border, excelize.Border{Type: side, Color: "BFBFBF", Style: 1})
		}
	}
	id, err := w.f.NewStyle(st)
	w.keep(err)
	w.styles[s] = id
	return id
}

func (w *xlsxWriter) keep(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// str writes text as a string cell: never a formula, whatever it starts with.
func (w *xlsxWriter) str(sheet string, col, row int, v string, s cellStyle) {
	w.keep(w.f.SetCellStr(sheet, cell(col, row), v))
	w.keep(w.f.SetCellStyle(sheet, cell(col, row), cell(col, row), w.style(s)))
}

func (w *xlsxWriter) num(sheet string, col, row int, v float64, s cellStyle) {
	w.keep(w.f.SetCellFloat(sheet, cell(col, row), v, -1, 64))
	w.keep(w.f.SetCellStyle(sheet, cell(col, row), cell(col, row), w.style(s)))
}

// optNum writes v, or a dash when it is NULL.
func (w *xlsxWriter) optNum(sheet string, col, row int, v sql.NullFloat64, s cellStyle) {
	if v.Valid {
		w.num(sheet, col, row, v.Float64, s)
		return
	}
	s.NumFmt = "@"
	w.str(sheet, col, row, "—", s)
}

func (w *xlsxWriter) time(sheet string, col, row int, v time.Time, s cellStyle) {
	// A naive timestamp: the warehouse's times are local (Asia/Ho_Chi_Minh).
	w.keep(w.f.SetCellValue(sheet, cell(col, row), time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), 0, time.UTC)))
	w.keep(w.f.SetCellStyle(sheet, cell(col, row), cell(col, row), w.style(s)))
}

func (w *xlsxWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		w.keep(w.f.SetColWidth(sheet, col, col, wd))
	}
}

func (w *xlsxWriter) header(sheet string, row int, labels ...string) {
	for i, l := range labels {
		w.str(sheet, i+1, row, l, stHeader)
	}
	w.keep(w.f.SetRowHeight(sheet, row, 45))
}

func (w *xlsxWriter) landscape(sheet string) {
	o, a4, fit := "landscape", 9, 1
	w.keep(w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &o, Size: &a4, FitToWidth: &fit}))
}

// writeWorkbook renders the report as a workbook.
func writeWorkbook(d *reportData, out *os.File) error {
	f := excelize.NewFile()
	defer f.Close()
	w := &xlsxWriter{f: f, styles: map[cellStyle]int{}, nextCD: 1}
	w.keep(f.SetSheetName("Sheet1", sheetCover))
	for _, fam := range d.Families {
		_, err := f.NewSheet(fam.Sheet)
		w.keep(err)
	}
	for _, s := range []string{sheetSubmissions, sheetRecon, sheetChartData} {
		_, err := f.NewSheet(s)
		w.keep(err)
	}
	w.keep(f.SetDocProps(&excelize.DocProperties{
		Title:       "Báo cáo kết quả CCHC quận Thanh Xuân — " + d.Period.Name,
		Subject:     "Chỉ tiêu Kế hoạch cải cách hành chính, kỳ " + d.Period.Code,
		Creator:     "cchc",
		Language:    "vi-VN",
		Description: "Leadership report of the CCHC warehouse, period " + d.Period.Code,
	}))
	w.str(sheetChartData, 1, 1, "Số liệu vẽ biểu đồ của báo cáo (không sửa) / the figures behind the report's charts", stTitle)
	w.nextCD = 3
	w.widths(sheetChartData, 60, 14, 14, 14, 14)

	w.cover(d)
	for _, fam := range d.Families {
		w.family(d, fam)
	}
	w.submissions(d)
	w.recon(d)
	if w.err != nil {
		return w.err
	}
	return f.Write(out)
}

func (w *xlsxWriter) cover(d *reportData) {
	s := sheetCover
	w.widths(s, 6, 24, 28, 58, 14, 14, 15, 12, 12, 16)
	w.str(s, 1, 1, "ỦY BAN NHÂN DÂN QUẬN THANH XUÂN", cellStyle{NumFmt: "@", Bold: true})
	w.str(s, 1, 2, "BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH", stTitle)
	w.str(s, 1, 3, d.periodLine(), stLine)
	w.str(s, 1, 4, d.stampLine(), cellStyle{NumFmt: "@", Color: "7F7F7F", Size: 9})
	w.str(s, 1, 6, d.scoreLine(), cellStyle{NumFmt: "@", Bold: true})
	w.str(s, 1, 7, d.submissionLine(), stLine)
	w.str(s, 1, 8, d.reconLine(), stLine)
	const head = 10
	w.header(s, head, "STT", "Nhóm (mục II kế hoạch)", "Mã KPI", "Chỉ tiêu / KPI", "Giá trị toàn quận", "Chỉ tiêu kế hoạch", "Kết quả", "Tử số", "Mẫu số", "Đơn vị chưa đạt / đã đánh giá")
	row := head + 1
	dist := d.districtUnit().Code
	n := 0
	for _, fam := range d.Families {
		for _, k := range fam.KPIs {
			n++
			v, st := d.value(dist, k.Code)
			w.num(s, 1, row, float64(n), stInt)
			w.str(s, 2, row, fam.Chapter+" "+fam.Title, stTextW)
			w.str(s, 3, row, k.Code, stText)
			w.str(s, 4, row, k.Name, stTextW)
			if st == statusNoData {
				note := cellStyle{NumFmt: "@", Border: true, Color: "7F7F7F", Wrap: true}
				w.str(s, 5, row, "—", note)
				w.str(s, 6, row, d.targetText(k), note)
				w.str(s, 7, row, "Theo từng đơn vị", note)
				w.str(s, 8, row, "—", note)
				w.str(s, 9, row, "—", note)
			} else {
				w.optNum(s, 5, row, v.Value, statusStyle(st, k.Count))
				w.optNum(s, 6, row, v.Target, cellStyle{NumFmt: numFmt(k.Count), Border: true, Align: "center"})
				ls := statusStyle(st, false)
				ls.NumFmt = "@"
				w.str(s, 7, row, st.label(), ls)
				w.optNum(s, 8, row, v.Numerator, cellStyle{NumFmt: "#,##0.##", Border: true})
				w.optNum(s, 9, row, v.Denominator, cellStyle{NumFmt: "#,##0.##", Border: true})
			}
			missed, judged := d.unitsBelow(k.Code)
			w.str(s, 10, row, fmt.Sprintf("%d/%d", missed, judged), cellStyle{NumFmt: "@", Border: true, Align: "center"})
			row++
		}
	}
	w.keep(w.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: head, TopLeftCell: cell(1, head+1), ActivePane: "bottomLeft"}))
	w.landscape(s)
	if c := d.coverChart(); len(c.Points) > 0 {
		w.chart(s, cell(2, row+2), c, true)
	}
}

func (w *xlsxWriter) family(d *reportData, fam kpiFamily) {
	s := fam.Sheet
	widths := []float64{6, 34, 12}
	for range fam.KPIs {
		widths = append(widths, 17)
	}
	w.widths(s, widths...)
	w.str(s, 1, 1, fam.Chapter+". "+fam.Title, stTitle)
	w.str(s, 1, 2, d.periodLine(), stLine)
	w.str(s, 1, 3, "Xanh: đạt chỉ tiêu · Đỏ: chưa đạt · Xám: chưa đánh giá (kỳ này chưa có chỉ tiêu hoặc mẫu số bằng 0) · —: không có số liệu", cellStyle{NumFmt: "@", Color: "7F7F7F", Size: 9})
	const head = 5
	labels := []string{"STT", "Đơn vị", "Cấp"}
	for _, k := range fam.KPIs {
		labels = append(labels, k.Name)
	}
	w.header(s, head, labels...)
	w.keep(w.f.SetRowHeight(s, head, 90))
	w.str(s, 1, head+1, "", stCode)
	w.str(s, 2, head+1, "Mã KPI", stCode)
	w.str(s, 3, head+1, "", stCode)
	w.str(s, 1, head+2, "", stBold)
	w.str(s, 2, head+2, "Chỉ tiêu kế hoạch", stBold)
	w.str(s, 3, head+2, "", stBold)
	for i, k := range fam.KPIs {
		w.str(s, 4+i, head+1, k.Code, stCode)
		w.str(s, 4+i, head+2, d.targetText(k), cellStyle{NumFmt: "@", Border: true, Bold: true, Wrap: true, Align: "center"})
	}
	row := head + 3
	for n, u := range append([]reportUnit{d.districtUnit()}, d.memberUnits()...) {
		name := stText
		if u.Level == "district" {
			name = stBold
			w.str(s, 1, row, "", stText)
		} else {
			w.num(s, 1, row, float64(n), stInt)
		}
		w.str(s, 2, row, u.Name, name)
		w.str(s, 3, row, levelLabel(u.Level), stText)
		for i, k := range fam.KPIs {
			v, st := d.value(u.Code, k.Code)
			if st == statusNoData {
				w.str(s, 4+i, row, "—", statusStyle(st, k.Count))
				continue
			}
			w.optNum(s, 4+i, row, v.Value, statusStyle(st, k.Count))
		}
		row++
	}
	w.str(s, 2, row, "Số đơn vị chưa đạt / đã đánh giá", stBold)
	w.str(s, 3, row, "", stBold)
	for i, k := range fam.KPIs {
		missed, judged := d.unitsBelow(k.Code)
		w.str(s, 4+i, row, fmt.Sprintf("%d/%d", missed, judged), cellStyle{NumFmt: "@", Border: true, Bold: true, Align: "center"})
	}
	w.keep(w.f.SetPanes(s, &excelize.Panes{Freeze: true, XSplit: 3, YSplit: head + 2, TopLeftCell: cell(4, head+3), ActivePane: "bottomRight"}))
	w.landscape(s)

	charts := d.familyCharts(fam)
	if len(charts) == 0 {
		w.str(s, 2, row+2, "Chưa có đơn vị nào có số liệu cho nhóm chỉ tiêu này trong kỳ.", stLine)
		return
	}
	top := row + 3
	for i, c := range charts {
		// two charts a row, each about 20 rows of 20 px tall
		at := cell(2, top+(i/2)*20)
		w.chartAt(s, at, c, false, (i%2)*600)
	}
}

func (w *xlsxWriter) submissions(d *reportData) {
	s := sheetSubmissions
	w.widths(s, 6, 40, 12, 16, 20, 14, 12, 12)
	w.str(s, 1, 1, "TÌNH HÌNH GỬI BÁO CÁO ĐỊNH KỲ", stTitle)
	w.str(s, 1, 2, d.periodLine(), stLine)
	w.str(s, 1, 3, d.submissionLine(), stLine)
	const head = 5
	w.header(s, head, "STT", "Đơn vị", "Cấp", "Tình trạng", "Nhận lần đầu (giờ Việt Nam)", "Hạn gửi", "Số ngày trễ", "Số lần gửi")
	row := head + 1
	for i, sub := range d.Submissions {
		w.num(s, 1, row, float64(i+1), stInt)
		w.str(s, 2, row, sub.Unit.Name, stText)
		w.str(s, 3, row, levelLabel(sub.Unit.Level), stText)
		label, st := "Đúng hạn", cellStyle{NumFmt: "@", Border: true, Bold: true, Fill: fillMet, Color: fontMet, Align: "center"}
		switch {
		case !sub.Received:
			label, st.Fill, st.Color = "Chưa gửi", fillMissed, fontMissed
		case sub.OnTime.Valid && !sub.OnTime.Bool:
			label, st.Fill, st.Color = "Gửi trễ", fillWarn, fontWarn
		}
		w.str(s, 4, row, label, st)
		if sub.FirstReceivedAt.Valid {
			w.time(s, 5, row, sub.FirstReceivedAt.Time, stStamp)
		} else {
			w.str(s, 5, row, "—", cellStyle{NumFmt: "@", Border: true, Align: "center"})
		}
		w.time(s, 6, row, sub.Deadline, stDate)
		if sub.DaysLate.Valid {
			w.num(s, 7, row, float64(sub.DaysLate.Int64), stInt)
		} else {
			w.str(s, 7, row, "—", cellStyle{NumFmt: "@", Border: true, Align: "center"})
		}
		w.num(s, 8, row, float64(sub.Reports), stInt)
		row++
	}
	if len(d.Submissions) == 0 {
		w.str(s, 2, row, "Chưa có đơn vị nào gửi báo cáo của kỳ này.", stLine)
	}
	w.keep(w.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: head, TopLeftCell: cell(1, head+1), ActivePane: "bottomLeft"}))
	w.landscape(s)
}

func (w *xlsxWriter) recon(d *reportData) {
	s := sheetRecon
	w.widths(s, 6, 36, 14, 14, 12, 14, 14, 12, 14, 14, 14)
	w.str(s, 1, 1, "ĐỐI CHIẾU BIỂU 06 VỚI DỮ LIỆU HỒ SƠ", stTitle)
	w.str(s, 1, 2, d.periodLine(), stLine)
	w.str(s, 1, 3, "Báo cáo = số liệu đơn vị tự báo cáo trong Biểu 06; Hồ sơ = tính từ dữ liệu hồ sơ của hệ thống một cửa. Dòng tô vàng: có chênh lệch.", cellStyle{NumFmt: "@", Color: "7F7F7F", Size: 9})
	const head = 5
	w.header(s, head, "STT", "Đơn vị", "Đã giải quyết (báo cáo)", "Đã giải quyết (hồ sơ)", "Chênh lệch",
		"Đúng hạn, trước hạn (báo cáo)", "Đúng hạn, trước hạn (hồ sơ)", "Chênh lệch",
		"Tỷ lệ đúng hạn (báo cáo)", "Tỷ lệ đúng hạn (hồ sơ)", "Chênh lệch (điểm %)")
	row := head + 1
	for i, r := range d.Recon {
		fill, color := "", ""
		if r.TotalDiff != 0 || r.OnTimeDiff != 0 {
			fill, color = fillWarn, fontWarn
		}
		num := cellStyle{NumFmt: "#,##0", Border: true, Fill: fill, Color: color}
		pct := cellStyle{NumFmt: "0.0%", Border: true, Fill: fill, Color: color}
		w.num(s, 1, row, float64(i+1), num)
		w.str(s, 2, row, r.Unit.Name, cellStyle{NumFmt: "@", Border: true, Fill: fill, Color: color})
		for j, v := range []int64{r.ReportedTotal, r.ComputedTotal, r.TotalDiff, r.ReportedOnTime, r.ComputedOnTime, r.OnTimeDiff} {
			w.num(s, 3+j, row, float64(v), num)
		}
		w.optNum(s, 9, row, r.ReportedRate, pct)
		w.optNum(s, 10, row, r.ComputedRate, pct)
		diff := sql.NullFloat64{}
		if r.ReportedRate.Valid && r.ComputedRate.Valid {
			diff = sql.NullFloat64{Float64: r.ReportedRate.Float64 - r.ComputedRate.Float64, Valid: true}
		}
		w.optNum(s, 11, row, diff, pct)
		row++
	}
	if len(d.Recon) == 0 {
		w.str(s, 2, row, "Không có đơn vị nào có cả Biểu 06 và dữ liệu hồ sơ trong kỳ.", stLine)
		return
	}
	w.keep(w.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: head, TopLeftCell: cell(1, head+1), ActivePane: "bottomLeft"}))
	w.landscape(s)
	w.reconChart(d, cell(2, row+2))
}

// chart draws c on sheet at cell: its figures go to the chart-data sheet.
func (w *xlsxWriter) chart(sheet, at string, c reportChart, horizontal bool) {
	w.chartAt(sheet, at, c, horizontal, 0)
}

// chartAt draws c as stacked bars, one series per status so that every bar
// has its status's colour, and (vertical charts) the targets as a line.
func (w *xlsxWriter) chartAt(sheet, at string, c reportChart, horizontal bool, offsetX int) {
	cd := sheetChartData
	top := w.nextCD
	w.str(cd, 1, top, "Biểu đồ «"+sheet+"»: "+c.Title, cellStyle{NumFmt: "@", Bold: true})
	labels := []string{"Đơn vị", "Đạt", "Chưa đạt", "Chưa đánh giá", "Chỉ tiêu"}
	if horizontal {
		labels[0] = "Chỉ tiêu (KPI)"
	}
	for i, l := range labels {
		w.str(cd, i+1, top+1, l, stHeader)
	}
	first := top + 2
	for i, p := range c.Points {
		r := first + i
		w.str(cd, 1, r, p.Label, stText)
		col := map[kpiStatus]int{statusMet: 2, statusMissed: 3, statusNotRated: 4}[p.Status]
		w.num(cd, col, r, p.Value, cellStyle{NumFmt: numFmt(c.Count), Border: true})
		if p.Target.Valid {
			w.num(cd, 5, r, p.Target.Float64, cellStyle{NumFmt: numFmt(c.Count), Border: true})
		}
	}
	last := first + len(c.Points) - 1
	w.nextCD = last + 3
	ref := func(col, from, to int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", cd, colName(col), from, colName(col), to)
	}
	name := func(col int) string { return fmt.Sprintf("'%s'!$%s$%d", cd, colName(col), top+1) }
	cats := ref(1, first, last)
	solid := func(rgb string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{rgb}}
	}
	series := []excelize.ChartSeries{
		{Name: name(2), Categories: cats, Values: ref(2, first, last), Fill: solid(barMet)},
		{Name: name(3), Categories: cats, Values: ref(3, first, last), Fill: solid(barMissed)},
		{Name: name(4), Categories: cats, Values: ref(4, first, last), Fill: solid(barNotRated)},
	}
	zero, gap, vary := 0.0, uint(50), false
	axisFmt := excelize.ChartNumFmt{CustomNumFmt: "0%"}
	if c.Count {
		axisFmt.CustomNumFmt = "0"
	}
	ch := &excelize.Chart{
		Type:       excelize.ColStacked,
		Series:     series,
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.Title, Font: &excelize.Font{Size: 11, Bold: true}}}},
		Legend:     excelize.ChartLegend{Position: "bottom"},
		Dimension:  excelize.ChartDimension{Width: 580, Height: 380},
		Format:     excelize.GraphicOptions{OffsetX: offsetX, AltText: c.Title},
		YAxis:      excelize.ChartAxis{Minimum: &zero, NumFmt: axisFmt, MajorGridLines: true},
		XAxis:      excelize.ChartAxis{Font: excelize.Font{Size: 8}},
		GapWidth:   &gap,
		VaryColors: &vary, // one colour per status series, not per bar
	}
	var combo []*excelize.Chart
	if horizontal {
		ch.Type = excelize.BarStacked
		ch.Dimension = excelize.ChartDimension{Width: 1000, Height: uint(120 + 28*len(c.Points))}
		ch.XAxis.ReverseOrder = true // first KPI on top, as in the table
	} else {
		combo = append(combo, &excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{{
			Name: name(5), Categories: cats, Values: ref(5, first, last),
			Line:   excelize.LineOptions{Width: 1.5, Dash: excelize.LineDashDash, Fill: solid(lineTarget)},
			Marker: excelize.ChartMarker{Symbol: "dash", Size: 8, Fill: solid(lineTarget)},
		}}})
	}
	w.keep(w.f.AddChart(sheet, at, ch, combo...))
}

// reconChart compares the reported and computed on-time rates per unit.
func (w *xlsxWriter) reconChart(d *reportData, at string) {
	cd := sheetChartData
	top := w.nextCD
	w.str(cd, 1, top, "Biểu đồ «"+sheetRecon+"»: tỷ lệ đúng hạn theo báo cáo và theo hồ sơ", cellStyle{NumFmt: "@", Bold: true})
	for i, l := range []string{"Đơn vị", "Theo Biểu 06", "Theo hồ sơ"} {
		w.str(cd, i+1, top+1, l, stHeader)
	}
	first := top + 2
	for i, r := range d.Recon {
		w.str(cd, 1, first+i, r.Unit.Short, stText)
		if r.ReportedRate.Valid {
			w.num(cd, 2, first+i, r.ReportedRate.Float64, cellStyle{NumFmt: "0.0%", Border: true})
		}
		if r.ComputedRate.Valid {
			w.num(cd, 3, first+i, r.ComputedRate.Float64, cellStyle{NumFmt: "0.0%", Border: true})
		}
	}
	last := first + len(d.Recon) - 1
	w.nextCD = last + 3
	ref := func(col int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", cd, colName(col), first, colName(col), last)
	}
	cats := ref(1)
	zero, vary := 0.0, false
	w.keep(w.f.AddChart(sheetRecon, at, &excelize.Chart{
		Type:       excelize.Col,
		VaryColors: &vary,
		Series: []excelize.ChartSeries{
			{Name: fmt.Sprintf("'%s'!$B$%d", cd, top+1), Categories: cats, Values: ref(2), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"5B9BD5"}}},
			{Name: fmt.Sprintf("'%s'!$C$%d", cd, top+1), Categories: cats, Values: ref(3), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"ED7D31"}}},
		},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Tỷ lệ giải quyết đúng hạn: Biểu 06 và dữ liệu hồ sơ", Font: &excelize.Font{Size: 11, Bold: true}}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 900, Height: 380},
		YAxis:     excelize.ChartAxis{Minimum: &zero, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, MajorGridLines: true},
	}))
}

func colName(col int) string {
	n, _ := excelize.ColumnNumberToName(col)
	return n
}
