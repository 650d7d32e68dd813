package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The leadership report's figures: one period of marts.kpi_values,
// marts.report_submissions and marts.tthc_reconciliation with the ref seeds
// that name and order them. Turning them into a workbook or a page is the
// render package's business.

// ErrNoPeriod means the warehouse holds no KPI value and no report
// submission for the period asked; the error that wraps it lists the
// periods it has.
var ErrNoPeriod = errors.New("kỳ không có số liệu trong kho / no data for this period")

// Report is one period of the leadership report.
type Report struct {
	Period      ReportPeriod
	DataAsOf    time.Time    // the last published run; zero when unknown
	Units       []ReportUnit // the district, the wards, the departments, in the seed's order
	Families    []KPIFamily  // the KPIs by family (plan section II), in plan order
	Values      map[UnitKPI]KPIValue
	Submissions []Submission // not sent first, then the latest senders, then those on time
	Recon       []ReconRow   // in the units' order
	Quality     *Quality     // what the figures rest on: coverage, unknown fields, mostly rejected files
}

// ReportPeriod is a row of ref.periods.
type ReportPeriod struct {
	Code, Name               string
	Start, LastDay, Deadline time.Time
}

// ReportUnit is a row of ref.units; Level is district, ward or department.
type ReportUnit struct {
	Code, Name, Short, Level string
}

// KPIFamily is one heading of the plan's section II and its KPIs.
type KPIFamily struct {
	Chapter string // II.3
	Title   string // the plan's heading
	Sheet   string // the workbook sheet's name, ≤ 31 characters
	KPIs    []ReportKPI
}

// ReportKPI is a row of ref.kpis.
type ReportKPI struct {
	Code, Name, Section, Source string
	Count                       bool // a count with denominator 1, not a rate
}

// UnitKPI keys Report.Values.
type UnitKPI struct{ Unit, KPI string }

// KPIValue is a row of marts.kpi_values.
type KPIValue struct {
	Numerator, Denominator, Value, Target sql.NullFloat64
	Meets                                 sql.NullBool
}

// Submission is a row of marts.report_submissions.
type Submission struct {
	Unit            ReportUnit
	Received        bool
	FirstReceivedAt sql.NullTime
	Deadline        time.Time
	OnTime          sql.NullBool
	DaysLate        sql.NullInt64
	Reports         int64
	Source          string // where FirstReceivedAt comes from: file_time, pulled, recorded ("" when not received)
	Note            string // the note of a recorded arrival
}

// ReconRow is a row of marts.tthc_reconciliation.
type ReconRow struct {
	Unit                                       ReportUnit
	ReportedTotal, ComputedTotal, TotalDiff    int64
	ReportedOnTime, ComputedOnTime, OnTimeDiff int64
	ReportedRate, ComputedRate                 sql.NullFloat64
}

// Differs says whether the unit's Biểu 06 and its dossier records disagree.
func (r ReconRow) Differs() bool { return r.TotalDiff != 0 || r.OnTimeDiff != 0 }

// KPIStatus is one KPI value against its target.
type KPIStatus int

const (
	KPINoData   KPIStatus = iota // the unit has no row for the KPI
	KPINotRated                  // a value but no target in this period (or denominator 0)
	KPIMet
	KPIMissed
)

func (v KPIValue) status(ok bool) KPIStatus {
	switch {
	case !ok:
		return KPINoData
	case v.Meets.Valid && v.Meets.Bool:
		return KPIMet
	case v.Meets.Valid:
		return KPIMissed
	}
	return KPINotRated
}

// ReadReport reads one period from db. A period the warehouse has no data
// for is an error wrapping ErrNoPeriod.
func ReadReport(ctx context.Context, db *sql.DB, period string) (*Report, error) {
	d := &Report{Values: map[UnitKPI]KPIValue{}}
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
		return nil, fmt.Errorf("%q: %w; các kỳ có số liệu / available: %s", period, ErrNoPeriod, list)
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
	if d.Quality, err = ReadQuality(ctx, db, code); err != nil {
		return nil, err
	}
	// A warehouse without run history (ops.runs) has no date: the query
	// fails and the report says nothing about it.
	var at sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT max(ended_at) FROM ops.runs WHERE status = 'published'`).Scan(&at); err == nil && at.Valid {
		d.DataAsOf = at.Time
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

func (d *Report) readUnits(ctx context.Context, db *sql.DB) error {
	// rowid keeps the seed's order (wards, then departments as the district
	// lists them).
	rows, err := db.QueryContext(ctx, `SELECT unit_code, name_vi, coalesce(short_name, name_vi), level FROM ref.units
		ORDER BY CASE level WHEN 'district' THEN 0 WHEN 'ward' THEN 1 ELSE 2 END, rowid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u ReportUnit
		if err := rows.Scan(&u.Code, &u.Name, &u.Short, &u.Level); err != nil {
			return err
		}
		d.Units = append(d.Units, u)
	}
	return rows.Err()
}

func (d *Report) readKPIs(ctx context.Context, db *sql.DB) error {
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
		var k ReportKPI
		var title, sheet string
		if err := rows.Scan(&k.Code, &k.Name, &k.Source, &k.Section, &k.Count, &title, &sheet); err != nil {
			return err
		}
		ch := chapterOf(k.Section)
		i, ok := index[ch]
		if !ok {
			i = len(d.Families)
			index[ch] = i
			f := KPIFamily{Chapter: ch, Title: title, Sheet: sheet}
			if sheet == "" {
				f = otherFamily(ch)
			}
			d.Families = append(d.Families, f)
		}
		d.Families[i].KPIs = append(d.Families[i].KPIs, k)
	}
	return rows.Err()
}

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
func otherFamily(chapter string) KPIFamily {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '-'
		}
		return r
	}, "Mục "+chapter)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	return KPIFamily{Chapter: chapter, Title: "Mục " + chapter, Sheet: name}
}

func (d *Report) readValues(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT unit_code, kpi_code, numerator, denominator, value, target, meets_target
		FROM marts.kpi_values WHERE period_code = ?`, d.Period.Code)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k UnitKPI
		var v KPIValue
		if err := rows.Scan(&k.Unit, &k.KPI, &v.Numerator, &v.Denominator, &v.Value, &v.Target, &v.Meets); err != nil {
			return err
		}
		d.Values[k] = v
	}
	return rows.Err()
}

func (d *Report) readSubmissions(ctx context.Context, db *sql.DB) error {
	// Not sent first, then the latest senders, then those on time.
	note := "''"
	if columnExists(ctx, db, "marts", "report_submissions", "received_note") {
		note = "coalesce(s.received_note, '')"
	}
	rows, err := db.QueryContext(ctx, `SELECT s.unit_code, s.received, s.first_received_at, s.deadline, s.on_time, s.days_late, s.reports_received,
			`+receivedSource(ctx, db)+`, `+note+`
		FROM marts.report_submissions s WHERE s.period_code = ?
		ORDER BY CASE WHEN NOT s.received THEN 0 WHEN NOT s.on_time THEN 1 ELSE 2 END, s.days_late DESC NULLS LAST, s.unit_code`, d.Period.Code)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s Submission
		var unit string
		if err := rows.Scan(&unit, &s.Received, &s.FirstReceivedAt, &s.Deadline, &s.OnTime, &s.DaysLate, &s.Reports, &s.Source, &s.Note); err != nil {
			return err
		}
		s.Unit = d.Unit(unit)
		d.Submissions = append(d.Submissions, s)
	}
	return rows.Err()
}

func (d *Report) readRecon(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT unit_code, reported_resolved_total, computed_resolved_total, resolved_total_diff,
			reported_resolved_on_time_or_early, computed_resolved_on_time_or_early, resolved_on_time_or_early_diff,
			reported_on_time_rate, computed_on_time_rate
		FROM marts.tthc_reconciliation WHERE period_code = ?`, d.Period.Code)
	if err != nil {
		return err
	}
	defer rows.Close()
	byUnit := map[string]ReconRow{}
	for rows.Next() {
		var r ReconRow
		var unit string
		if err := rows.Scan(&unit, &r.ReportedTotal, &r.ComputedTotal, &r.TotalDiff, &r.ReportedOnTime, &r.ComputedOnTime, &r.OnTimeDiff,
			&r.ReportedRate, &r.ComputedRate); err != nil {
			return err
		}
		r.Unit = d.Unit(unit)
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

// Unit is the unit of a code; a code the seeds do not name is its own name.
func (d *Report) Unit(code string) ReportUnit {
	for _, u := range d.Units {
		if u.Code == code {
			return u
		}
	}
	return ReportUnit{Code: code, Name: code, Short: code}
}

// District is the row of the district as a whole.
func (d *Report) District() ReportUnit {
	for _, u := range d.Units {
		if u.Level == "district" {
			return u
		}
	}
	return ReportUnit{Code: "thanh_xuan", Name: "UBND quận Thanh Xuân", Short: "Thanh Xuân", Level: "district"}
}

// Members are the wards and departments, in order.
func (d *Report) Members() []ReportUnit {
	var out []ReportUnit
	for _, u := range d.Units {
		if u.Level != "district" {
			out = append(out, u)
		}
	}
	return out
}

// Value is a unit's value of a KPI and its status.
func (d *Report) Value(unit, kpi string) (KPIValue, KPIStatus) {
	v, ok := d.Values[UnitKPI{unit, kpi}]
	return v, v.status(ok)
}

// DistrictScore counts the district KPIs met and those assessed.
func (d *Report) DistrictScore() (met, judged int) {
	dist := d.District().Code
	for _, f := range d.Families {
		for _, k := range f.KPIs {
			switch _, s := d.Value(dist, k.Code); s {
			case KPIMet:
				met++
				judged++
			case KPIMissed:
				judged++
			}
		}
	}
	return met, judged
}

// UnitsBelow counts the wards and departments that miss a KPI, of those
// assessed.
func (d *Report) UnitsBelow(kpi string) (missed, judged int) {
	for _, u := range d.Members() {
		switch _, s := d.Value(u.Code, kpi); s {
		case KPIMissed:
			missed++
			judged++
		case KPIMet:
			judged++
		}
	}
	return missed, judged
}
