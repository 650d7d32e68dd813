package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Quality is what a period's figures rest on, for the people who read them
// (`cchc status`, the leadership report's quality notes): whether the
// period's data reach its last day, the KPIs that left rows out because a
// field was unknown, the files that were mostly rejected, and the resolved
// dossiers whose stated timeliness disagrees with their dates. Dates are
// YYYY-MM-DD.
type Quality struct {
	Period string `json:"period_code"`
	// Coverage is nil when the period has no KPI row (or the warehouse was
	// built before marts.kpi_values said how far its rows run).
	Coverage *Coverage `json:"coverage,omitempty"`
	// Disagreements counts the resolved dossiers whose source stated another
	// timeliness than their dates show (marts.timeliness_disagreements, the
	// warning of tests.reported_timeliness), all periods.
	Disagreements  int64          `json:"timeliness_disagreements"`
	Unknown        []UnknownRows  `json:"rows_unknown"`          // the period's KPI rows with rows_unknown > 0
	MostlyRejected []RejectedFile `json:"mostly_rejected_files"` // the content each path holds now
}

// Coverage is how far the dossier data of a period run (the reports cover
// their period by themselves).
type Coverage struct {
	LastDay     string `json:"last_day"`
	DataThrough string `json:"data_through"` // the latest data_through of the period's dossier KPI rows
	Complete    bool   `json:"period_complete"`
	// Units are the wards and departments whose dossier data stop before
	// the period's last day, by the date their data run through (the latest
	// data_through of their dossier KPI rows).
	Units []UnitCoverage `json:"incomplete_units,omitempty"`
}

// UnitCoverage is one unit whose data stop before the period's last day.
type UnitCoverage struct {
	Unit        string `json:"unit_code"`
	Name        string `json:"unit_name"`
	DataThrough string `json:"data_through"`
}

// UnknownRows is a KPI of a unit that left rows out: a field it reads was
// unknown (the source had no such column, CONTRACT 3.5).
type UnknownRows struct {
	KPI      string `json:"kpi_code"`
	KPIName  string `json:"kpi_name"`
	Unit     string `json:"unit_code"`
	UnitName string `json:"unit_name"`
	Unknown  int64  `json:"rows_unknown"`
	Counted  int64  `json:"rows_counted"` // the denominator: the rows the KPI did count
}

// RejectedFile is a loaded file more than a fifth of whose data rows were
// rejected, with the units and periods whose KPIs it feeds.
type RejectedFile struct {
	Path     string   `json:"path"`
	Share    float64  `json:"reject_share"`
	Loaded   int64    `json:"rows_loaded"`
	Rejected int64    `json:"rows_rejected"`
	Units    []string `json:"unit_codes"`
	Periods  []string `json:"period_codes"`
}

// Feeds says whether the file feeds KPIs of period; a file that feeds no
// KPI at all (every row rejected) may have been meant for any.
func (f RejectedFile) Feeds(period string) bool {
	return len(f.Periods) == 0 || slices.Contains(f.Periods, period)
}

// Date is a warehouse date as Quality writes it (YYYY-MM-DD); zero when s is
// not one.
func Date(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

// ReadQuality reads the quality of period's figures from db. What a warehouse
// built by an older version lacks is left out, not an error.
func ReadQuality(ctx context.Context, db *sql.DB, period string) (*Quality, error) {
	q := &Quality{Period: period, Unknown: []UnknownRows{}, MostlyRejected: []RejectedFile{}}
	var err error
	if q.Coverage, err = readCoverage(ctx, db, period); err != nil {
		return nil, fmt.Errorf("period coverage: %w", err)
	}
	if tableExists(ctx, db, "marts", "timeliness_disagreements") {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM marts.timeliness_disagreements`).Scan(&q.Disagreements); err != nil {
			return nil, fmt.Errorf("marts.timeliness_disagreements: %w", err)
		}
	}
	if q.Unknown, err = readUnknown(ctx, db, period); err != nil {
		return nil, fmt.Errorf("rows_unknown: %w", err)
	}
	if q.MostlyRejected, err = readMostlyRejected(ctx, db); err != nil {
		return nil, fmt.Errorf("marts.mostly_rejected_files: %w", err)
	}
	return q, nil
}

func columnExists(ctx context.Context, db *sql.DB, schema, table, column string) bool {
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database()
		AND schema_name = ? AND table_name = ? AND column_name = ?`, schema, table, column).Scan(&n)
	return n > 0
}

func readCoverage(ctx context.Context, db *sql.DB, period string) (*Coverage, error) {
	if !columnExists(ctx, db, "marts", "kpi_values", "period_complete") {
		return nil, nil
	}
	var lastDay, through sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT p.last_day, max(k.data_through)
		FROM ref.periods p JOIN marts.kpi_values k USING (period_code)
		WHERE p.period_code = ? AND k.source = 'dossier' GROUP BY p.last_day`, period).Scan(&lastDay, &through)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !through.Valid {
		return nil, nil // no dossier counted in the period: the reports speak for themselves
	}
	if err != nil {
		return nil, err
	}
	c := &Coverage{LastDay: dateText(lastDay), DataThrough: dateText(through), Complete: !through.Time.Before(lastDay.Time), Units: []UnitCoverage{}}
	rows, err := db.QueryContext(ctx, `SELECT k.unit_code, coalesce(u.name_vi, k.unit_code), max(k.data_through) AS through
		FROM marts.kpi_values k LEFT JOIN ref.units u USING (unit_code) JOIN ref.periods p USING (period_code)
		WHERE k.period_code = ? AND k.unit_code <> 'thanh_xuan' AND k.source = 'dossier'
		GROUP BY ALL HAVING max(k.data_through) < any_value(p.last_day)
		ORDER BY through, k.unit_code`, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u UnitCoverage
		var at sql.NullTime
		if err := rows.Scan(&u.Unit, &u.Name, &at); err != nil {
			return nil, err
		}
		u.DataThrough = dateText(at)
		c.Units = append(c.Units, u)
	}
	return c, rows.Err()
}

func dateText(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.Format("2006-01-02")
}

func readUnknown(ctx context.Context, db *sql.DB, period string) ([]UnknownRows, error) {
	out := []UnknownRows{}
	if !columnExists(ctx, db, "marts", "kpi_values", "rows_unknown") {
		return out, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT k.kpi_code, coalesce(r.name_vi, k.kpi_code), k.unit_code, coalesce(u.name_vi, k.unit_code),
			k.rows_unknown, coalesce(k.denominator, 0)::BIGINT
		FROM marts.kpi_values k
		LEFT JOIN ref.kpis r USING (kpi_code)
		LEFT JOIN ref.units u USING (unit_code)
		WHERE k.period_code = ? AND k.rows_unknown > 0
		ORDER BY r.plan_section, k.kpi_code, k.unit_code = 'thanh_xuan' DESC, k.rows_unknown DESC, k.unit_code`, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u UnknownRows
		if err := rows.Scan(&u.KPI, &u.KPIName, &u.Unit, &u.UnitName, &u.Unknown, &u.Counted); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// readMostlyRejected reads the mostly rejected files among the contents the
// paths hold now: a file re-sent with corrections leaves its old verdict
// behind.
func readMostlyRejected(ctx context.Context, db *sql.DB) ([]RejectedFile, error) {
	out := []RejectedFile{}
	if !tableExists(ctx, db, "marts", "mostly_rejected_files") {
		return out, nil
	}
	rows, err := db.QueryContext(ctx, `
		WITH latest AS (
			SELECT path, arg_max(sha256, loaded_at) AS sha256 FROM raw.files
			WHERE status = 'loaded' AND sha256 IS NOT NULL GROUP BY path
		)
		SELECT m.path, m.reject_share, m.rows_loaded, m.rows_rejected, coalesce(m.unit_codes, ''), coalesce(m.period_codes, '')
		FROM marts.mostly_rejected_files m JOIN latest l ON l.path = m.path AND l.sha256 = m.sha256
		ORDER BY m.reject_share DESC, m.path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f RejectedFile
		var units, periods string
		if err := rows.Scan(&f.Path, &f.Share, &f.Loaded, &f.Rejected, &units, &periods); err != nil {
			return nil, err
		}
		f.Units, f.Periods = splitList(units), splitList(periods)
		out = append(out, f)
	}
	return out, rows.Err()
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ", ")
}
