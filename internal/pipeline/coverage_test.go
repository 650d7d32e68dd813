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

// reach is the latest receipt or completion date of the dossiers.
func reach(ds []wdossier) string {
	last := ""
	for _, d := range ds {
		for _, t := range []time.Time{d.received, d.completed} {
			if day := t.Format("2006-01-02"); !t.IsZero() && day > last {
				last = day
			}
		}
	}
	return last
}

// TestPeriodCoverage: every KPI row says through which date its data runs
// and whether that reaches the period's last day. A district-wide export
// runs through its latest date for every unit in it, also a unit whose own
// dossiers stop earlier; a unit exported alone runs as far as its own file;
// the district's dossier rows run only as far as every unit's (the earliest)
// and are complete only when every unit's are; a unit report covers its
// period.
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

	shared := reach(append(append([]wdossier{}, kimGiang...), haDinh...))
	unitReach := map[string]string{"kim_giang": shared, "ha_dinh": shared, "khuong_mai": reach(khuongMai)}
	if reach(haDinh) >= shared || unitReach["khuong_mai"] >= "2024-03-04" || shared < "2024-06-04" || shared >= "2024-09-04" {
		t.Fatalf("the test's data do not make its cases: %v, Hạ Đình's own %s", unitReach, reach(haDinh))
	}
	periods := []struct{ code, lastDay string }{
		{"2024-Q1", "2024-03-04"}, {"2024-6M", "2024-06-04"}, {"2024-9M", "2024-09-04"}, {"2024-Y", "2024-12-04"},
	}
	complete := map[string]int{}
	for _, p := range periods {
		want := map[string]string{}
		district, districtComplete := p.lastDay, true
		for unit, r := range unitReach {
			through := min(r, p.lastDay)
			want[unit] = fmt.Sprintf("%s %v", through, r >= p.lastDay)
			district = min(district, through)
			districtComplete = districtComplete && r >= p.lastDay
		}
		want["thanh_xuan"] = fmt.Sprintf("%s %v", district, districtComplete)
		for unit, w := range want {
			// Every dossier KPI of a unit and period says the same.
			got := scalar(t, wh, `SELECT DISTINCT strftime(data_through, '%Y-%m-%d') || ' ' || period_complete FROM marts.kpi_values
				WHERE period_code = ? AND unit_code = ? AND source = 'dossier'`, p.code, unit)
			if got != w {
				t.Errorf("%s %s: data through, complete = %q, want %q", p.code, unit, got, w)
			}
			if strings.HasSuffix(w, "true") {
				complete[p.code]++
			}
		}
	}
	// The cases the data were made for: the shared export covers Hạ Đình's
	// half year although its dossiers stop in January; Khương Mai's file
	// stops before Q1 ends, and so the district is complete in no period.
	if complete["2024-Q1"] != 2 || complete["2024-6M"] != 2 || complete["2024-9M"] != 0 || complete["2024-Y"] != 0 {
		t.Errorf("complete rows by period: %v", complete)
	}

	// The unit report covers its period: the year's last day, complete.
	if got := scalar(t, wh, `SELECT strftime(data_through, '%Y-%m-%d') || ' ' || period_complete FROM marts.kpi_values
		WHERE period_code = '2024-Y' AND unit_code = 'kim_giang' AND kpi_code = 'dialogue_count'`); got != "2024-12-04 true" {
		t.Errorf("the unit report's KPI: %q", got)
	}
	if got := scalar(t, wh, `SELECT count(*) FROM marts.kpi_values WHERE data_through IS NULL OR period_complete IS NULL`); got != "0" {
		t.Errorf("%s rows without coverage", got)
	}
}
