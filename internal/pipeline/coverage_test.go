//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
)

// unitColumn writes each dossier's unit by the prefix of its id.
func unitColumn(names map[string]string) map[string]*wcol {
	return map[string]*wcol{"Đơn vị tiếp nhận": {"Đơn vị tiếp nhận", func(d wdossier) string {
		prefix, _, _ := strings.Cut(d.id, "-")
		return names[prefix]
	}}}
}

// prefixed gives the dossiers ids of their own.
func prefixed(prefix string, ds []wdossier) []wdossier {
	for i := range ds {
		ds[i].id = prefix + "-" + ds[i].id
	}
	return ds
}

// day is t's calendar date as the warehouse keeps it.
func day(t time.Time) string { return t.Format("2006-01-02") }

// through is the latest receipt or completion date of the dossiers that
// count: data_through of a KPI row ("" when none counts).
func through(ds []wdossier, counts func(wdossier) bool) string {
	last := ""
	for _, d := range ds {
		if !counts(d) {
			continue
		}
		for _, t := range []time.Time{d.received, d.completed} {
			if !t.IsZero() && day(t) > last {
				last = day(t)
			}
		}
	}
	return last
}

// TestPeriodCoverage: every KPI row says through which date its data run —
// the latest receipt or completion date among the dossiers the row counts —
// and whether that reaches the period's last day: a year built from half a
// year of data is not complete. The district's row counts every unit's
// dossiers; a row that counts none says nothing (NULL); a unit report covers
// its period.
func TestPeriodCoverage(t *testing.T) {
	kimGiang := prefixed("KG", wdossiers(91))  // to early June 2024
	haDinh := prefixed("HD", wdossiers(20))    // to mid January, in the same export
	khuongMai := prefixed("KM", wdossiers(40)) // to late February, an export of its own
	names := map[string]string{"KG": "Phường Kim Giang", "HD": "Phường Hạ Đình", "KM": "Phường Khương Mai"}

	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.PII.HMACKey = "coverage"
	mod := time.Date(2024, 6, 20, 9, 0, 0, 0, time.Local)
	testwh.WriteFile(t, cfg.Inbox, "xuat-quan.csv", exportCSV(append(append([]wdossier{}, kimGiang...), haDinh...), variant(unitColumn(names))), mod)
	testwh.WriteFile(t, cfg.Inbox, "hoso_khuong-mai.csv", exportCSV(khuongMai, variant(unitColumn(names))), mod)
	testwh.WriteFile(t, cfg.Inbox, "BC_CCHC_Nam_2024_KimGiang.csv", testwh.ReportCSV("UBND PHƯỜNG KIM GIANG", "NĂM 2024"), mod)
	if _, err := pipeline.Run(context.Background(), testwh.Validate(t, cfg), pipeline.WithLogger(testwh.Log(t))); err != nil {
		t.Fatal(err)
	}
	wh := cfg.Warehouse

	units := map[string][]wdossier{"kim_giang": kimGiang, "ha_dinh": haDinh, "khuong_mai": khuongMai}
	periods := []struct{ code, start, lastDay string }{
		{"2024-Q1", "2023-12-05", "2024-03-04"}, {"2024-6M", "2023-12-05", "2024-06-04"},
		{"2024-9M", "2023-12-05", "2024-09-04"}, {"2024-Y", "2023-12-05", "2024-12-04"},
	}
	complete := map[string]int{}
	for _, p := range periods {
		in := func(t time.Time) bool { return !t.IsZero() && day(t) >= p.start && day(t) <= p.lastDay }
		resolvedIn := func(d wdossier) bool { return d.status == "resolved" && in(d.completed) }
		inProgressAtEnd := func(d wdossier) bool {
			return day(d.received) <= p.lastDay && d.status != "withdrawn" && d.status != "refused" &&
				(d.status != "resolved" || day(d.completed) > p.lastDay)
		}
		kpis := map[string]func(wdossier) bool{
			"tthc_on_time_rate":      resolvedIn,
			"tthc_full_online_rate":  func(d wdossier) bool { return in(d.received) },
			"tthc_progress_766_rate": func(d wdossier) bool { return resolvedIn(d) || inProgressAtEnd(d) },
		}
		for kpi, counts := range kpis {
			district := ""
			for unit, ds := range units {
				th := through(ds, counts)
				district = max(district, th)
				checkCoverage(t, wh, p.code, unit, kpi, th, p.lastDay)
				if th >= p.lastDay {
					complete[p.code+" "+unit+" "+kpi]++
				}
			}
			checkCoverage(t, wh, p.code, "thanh_xuan", kpi, district, p.lastDay)
		}
	}
	// The cases the data were made for: Kim Giang's dossiers run past Q1
	// and the half year (dossiers still in progress at the period's end, or
	// received on its last days), Hạ Đình's and Khương Mai's stop before Q1
	// ends; nothing reaches the 9-month or the year's last day.
	want := map[string]int{
		"2024-Q1 kim_giang tthc_full_online_rate": 1, "2024-Q1 kim_giang tthc_progress_766_rate": 1,
		"2024-6M kim_giang tthc_full_online_rate": 1, "2024-6M kim_giang tthc_progress_766_rate": 1,
	}
	if fmt.Sprint(complete) != fmt.Sprint(want) {
		t.Errorf("complete rows %v, want %v", complete, want)
	}
	// A row that counts no dossier (Hạ Đình resolves nothing after January):
	// no date, no verdict.
	if got := scalar(t, wh, `SELECT count(*) FROM marts.kpi_values WHERE source = 'dossier' AND denominator = 0 AND (data_through IS NOT NULL OR period_complete IS NOT NULL)`); got != "0" {
		t.Errorf("%s rows that count no dossier have a coverage", got)
	}
	if got := scalar(t, wh, `SELECT count(*) FROM marts.kpi_values WHERE source = 'dossier' AND denominator = 0`); got == "0" {
		t.Error("the test's data have no row that counts no dossier")
	}

	// The unit report covers its period: the year's last day, complete.
	if got := scalar(t, wh, `SELECT strftime(data_through, '%Y-%m-%d') || ' ' || period_complete FROM marts.kpi_values
		WHERE period_code = '2024-Y' AND unit_code = 'kim_giang' AND kpi_code = 'dialogue_count'`); got != "2024-12-04 true" {
		t.Errorf("the unit report's KPI: %q", got)
	}
}

func checkCoverage(t *testing.T, wh, period, unit, kpi, through, lastDay string) {
	t.Helper()
	want := "NULL NULL"
	if through != "" {
		want = fmt.Sprintf("%s %v", through, through >= lastDay)
	}
	got := scalar(t, wh, `SELECT coalesce(strftime(data_through, '%Y-%m-%d'), 'NULL') || ' ' || coalesce(period_complete::VARCHAR, 'NULL')
		FROM marts.kpi_values WHERE period_code = ? AND unit_code = ? AND kpi_code = ?`, period, unit, kpi)
	if got != want {
		t.Errorf("%s %s %s: data through, complete = %q, want %q", period, unit, kpi, got, want)
	}
}
