//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/pull"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

// TestReportArrivals: a report arrived at the earliest of its file's time
// and the time `cchc pull` first fetched its content — this run's pull
// included, so the pulls are recorded before the models — unless the data
// team recorded its arrival in the arrivals seed, which wins, also when it
// is later and also for a report that came on paper only; every time is
// local, a recorded time with a zone moved into Asia/Ho_Chi_Minh.
func TestReportArrivals(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	local := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, load.Zone)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	q1 := "QUÝ I NĂM 2024"
	// Kim Giang's report comes through a pulled folder whose clock is wrong:
	// its file time is a year ahead, the pull is now.
	share := filepath.Join(dir, "share")
	testwh.WriteFile(t, share, "BC_CCHC_Q1_2024_KimGiang.csv", testwh.ReportCSV("UBND PHƯỜNG KIM GIANG", q1), time.Now().AddDate(1, 0, 0))
	cfg.Sources = []config.Source{{Name: "kim-giang", Path: share}}
	// Hạ Đình's file time is its arrival; Khương Mai's is a copy's, and the
	// data team recorded when it really came; Thượng Đình's record is later
	// than its file and still wins; Nhân Chính sent paper only.
	testwh.WriteFile(t, cfg.Inbox, "BC_CCHC_Q1_2024_HaDinh.csv", testwh.ReportCSV("UBND PHƯỜNG HẠ ĐÌNH", q1), local("2024-03-01 10:00"))
	testwh.WriteFile(t, cfg.Inbox, "usb/BC_CCHC_Q1_2024_KhuongMai.csv", testwh.ReportCSV("UBND PHƯỜNG KHƯƠNG MAI", q1), local("2026-09-01 08:00"))
	testwh.WriteFile(t, cfg.Inbox, "BC_CCHC_Q1_2024_ThuongDinh.csv", testwh.ReportCSV("UBND PHƯỜNG THƯỢNG ĐÌNH", q1), local("2024-03-03 09:00"))
	cfg.SeedsDir = filepath.Join(dir, "seeds")
	testwh.WriteFile(t, cfg.SeedsDir, "arrivals.csv", "unit,period,received_at,note\n"+
		"khuong_mai,2024-Q1,04/03/2024 16:30,bản giấy nộp tại bộ phận một cửa\n"+
		"nhan_chinh,2024-q1,2024-03-07T09:00:00Z,thư điện tử\n"+
		"thuong_dinh,2024-Q1,2024-03-06 10:00,\n", time.Time{})
	cfg = testwh.Validate(t, cfg)

	if _, err := pull.Run(context.Background(), cfg, pull.RunOptions{Log: testwh.Log(t)}); err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t)))
	if err != nil {
		t.Fatal(err)
	}
	wh := cfg.Warehouse
	pulledAt := scalar(t, wh, `SELECT strftime(min(p.pulled_at), '%Y-%m-%d %H:%M:%S') FROM ops.source_pulls p
		JOIN raw.files f ON f.sha256 = p.sha256 WHERE f.path LIKE '%KimGiang%' AND p.recorded_by_run = ?`, sum.RunID)
	if pulledAt == "" {
		t.Fatal("this run recorded no pull of Kim Giang's report")
	}
	want := map[string]string{
		"kim_giang":   pulledAt + " pulled - false 1",
		"ha_dinh":     "2024-03-01 10:00:00 file_time - true 1",
		"khuong_mai":  "2024-03-04 16:30:00 recorded bản giấy nộp tại bộ phận một cửa true 1",
		"nhan_chinh":  "2024-03-07 16:00:00 recorded thư điện tử false 0",
		"thuong_dinh": "2024-03-06 10:00:00 recorded - false 1",
		"kinh_te":     "- - - - 0",
	}
	for unit, w := range want {
		got := scalar(t, wh, `SELECT coalesce(strftime(first_received_at, '%Y-%m-%d %H:%M:%S'), '-') || ' ' || coalesce(received_source, '-') || ' ' ||
				coalesce(nullif(received_note, ''), '-') || ' ' || coalesce(on_time::VARCHAR, '-') || ' ' || reports_received
			FROM marts.report_submissions WHERE period_code = '2024-Q1' AND unit_code = ?`, unit)
		if got != w {
			t.Errorf("%s: %q, want %q", unit, got, w)
		}
	}
	if got := scalar(t, wh, `SELECT days_late FROM marts.report_submissions WHERE period_code = '2024-Q1' AND unit_code = 'nhan_chinh'`); got != "2" {
		t.Errorf("Nhân Chính, recorded 07/03 with a deadline of 05/03: %s days late", got)
	}
	// The file times stay what they are: only the arrival changed.
	if got := scalar(t, wh, `SELECT strftime(modified_at, '%Y-%m-%d') FROM raw.files WHERE path LIKE '%KimGiang%'`); got <= time.Now().Format("2006-01-02") {
		t.Errorf("Kim Giang's file time %s", got)
	}
	// The journal was emptied once recorded: a second run records nothing
	// again and reads the same arrivals.
	if b, err := os.ReadFile(filepath.Join(cfg.StateDir, "pull", "journal.jsonl")); err != nil || len(b) != 0 {
		t.Errorf("journal after the run: %q, %v", b, err)
	}
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil {
		t.Fatal(err)
	}
	if got := scalar(t, wh, `SELECT count(*) || ' ' || count(DISTINCT pull_id) FROM ops.source_pulls`); got != "1 1" {
		t.Errorf("ops.source_pulls after two runs: %s", got)
	}
	if got := scalar(t, wh, `SELECT received_source FROM marts.report_submissions WHERE period_code = '2024-Q1' AND unit_code = 'kim_giang'`); got != "pulled" {
		t.Errorf("Kim Giang after a second run: %s", got)
	}
}

// TestArrivalsInvalid: a recorded arrival that names no ward or department,
// no period of the calendar or no time is a configuration error naming the
// file and line of each, before any file is read; the calendar's last year
// is accepted, the one after it is not.
func TestArrivalsInvalid(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.SeedsDir = filepath.Join(dir, "seeds")
	testwh.WriteFile(t, cfg.SeedsDir, "arrivals.csv", "unit,period,received_at,note\n"+
		"kim_giang,2045-Y,2045-12-01 08:00,\n"+ // good
		"Phường Kim Giang,2024-Q1,2024-03-04 08:00,\n"+
		"xyz,2024-Q1,2024-03-04 08:00,\n"+
		"thanh_xuan,2024-Q1,2024-03-04 08:00,\n"+
		"ha_dinh,2024-Q2,2024-03-04 08:00,\n"+
		"ha_dinh,2046-Y,2024-03-04 08:00,\n"+
		"ha_dinh,2024-6M,hôm qua,\n", time.Time{})
	testwh.WriteFile(t, cfg.Inbox, "BC_CCHC_Q1_2024_HaDinh.csv", testwh.ReportCSV("UBND PHƯỜNG HẠ ĐÌNH", "QUÝ I NĂM 2024"), time.Time{})
	cfg = testwh.Validate(t, cfg)
	_, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t)))
	if !errors.Is(err, config.ErrInvalid) || !errors.Is(err, pipeline.ErrArrival) {
		t.Fatalf("bad arrivals: %v", err)
	}
	file := filepath.Join(cfg.SeedsDir, "arrivals.csv")
	for _, w := range []string{
		file + `:3: unit "Phường Kim Giang"`, "write the unit code: kim_giang",
		file + `:4: unit "xyz"`, file + `:5: unit "thanh_xuan"`,
		file + `:6: period "2024-Q2"`, file + `:7: period "2046-Y"`, file + `:8: received_at "hôm qua"`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the error does not say %s:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), ":2:") {
		t.Errorf("the good row is named: %v", err)
	}
	if _, statErr := os.Stat(cfg.Warehouse); !os.IsNotExist(statErr) {
		t.Errorf("a warehouse was published: %v", statErr)
	}

	// The calendar the check follows is the one ref.periods holds.
	testwh.WriteFile(t, cfg.SeedsDir, "arrivals.csv", "unit,period,received_at,note\nkim_giang,2045-Y,2045-12-01 08:00,\n", time.Time{})
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil {
		t.Fatal(err)
	}
	if got := scalar(t, cfg.Warehouse, `SELECT min(year) || '-' || max(year) FROM ref.periods`); got != "2015-2045" {
		t.Errorf("ref.periods covers %s; the arrivals check accepts 2015-2045", got)
	}
	if got := scalar(t, cfg.Warehouse, `SELECT received_source || ' ' || on_time FROM marts.report_submissions WHERE period_code = '2045-Y' AND unit_code = 'kim_giang'`); got != "recorded true" {
		t.Errorf("the 2045 arrival: %q", got)
	}
}
