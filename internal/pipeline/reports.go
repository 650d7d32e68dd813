package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// ReportStatus is what a run tells of the periodic reports (issue: who has not
// reported, who was late, where reported and computed figures disagree).
type ReportStatus struct {
	Periods []PeriodReports
	Gaps    []ReconciliationGap
}

// PeriodReports counts the unit reports of one period.
type PeriodReports struct {
	Period         string
	Received, Late int
	Missing        []string
}

// ReconciliationGap is a unit whose Biểu 06 disagrees with its dossiers.
type ReconciliationGap struct {
	Period, Unit         string
	ResolvedDiff, OnTime int64
}

// readReportStatus reads the report marts of the work database.
func readReportStatus(ctx context.Context, db *sql.DB) (*ReportStatus, error) {
	rs := &ReportStatus{}
	rows, err := db.QueryContext(ctx, `
		SELECT period_code, count(*) FILTER (received), count(*) FILTER (received AND NOT on_time),
		       coalesce(list(unit_code ORDER BY unit_code) FILTER (NOT received), [])
		FROM marts.report_submissions GROUP BY period_code ORDER BY period_code`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p PeriodReports
		var missing []any
		if err := rows.Scan(&p.Period, &p.Received, &p.Late, &missing); err != nil {
			rows.Close()
			return nil, err
		}
		for _, m := range missing {
			p.Missing = append(p.Missing, fmt.Sprint(m))
		}
		rs.Periods = append(rs.Periods, p)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `
		SELECT period_code, unit_code, resolved_total_diff, resolved_on_time_or_early_diff
		FROM marts.tthc_reconciliation
		WHERE resolved_total_diff <> 0 OR resolved_on_time_or_early_diff <> 0
		ORDER BY period_code, unit_code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g ReconciliationGap
		if err := rows.Scan(&g.Period, &g.Unit, &g.ResolvedDiff, &g.OnTime); err != nil {
			return nil, err
		}
		rs.Gaps = append(rs.Gaps, g)
	}
	return rs, rows.Err()
}

// readMostlyRejected reads the files of run runID that more than a fifth of
// their rows were rejected from, with the units and periods whose KPIs they
// feed.
func readMostlyRejected(ctx context.Context, db *sql.DB, runID string) ([]RejectedFile, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT path, rows_loaded, rows_rejected, reject_share, coalesce(unit_codes, ''), coalesce(period_codes, '')
		FROM marts.mostly_rejected_files WHERE run_id = ? ORDER BY reject_share DESC, path`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RejectedFile
	for rows.Next() {
		var f RejectedFile
		var units, periods string
		if err := rows.Scan(&f.Path, &f.Loaded, &f.Rejected, &f.Share, &units, &periods); err != nil {
			return nil, err
		}
		f.Units, f.Periods = splitList(units), splitList(periods)
		out = append(out, f)
	}
	return out, rows.Err()
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ", ")
}
