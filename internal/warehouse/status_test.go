package warehouse

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// statusWarehouse builds a warehouse as of 2024-03-10: Kim Giang sent its
// Q1 report on time, Hạ Đình three days late, Nội vụ its 6-month report early,
// everyone else nothing; a dossier export with two bad rows; an unreadable
// file; and a later run that failed a data test and so published nothing.
// Run ids and times are fixed afterwards so the output can be compared.
func statusWarehouse(t *testing.T) (dir string, stateDir string, warehouse string) {
	dir = t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg = testwh.Validate(t, cfg)
	at := func(s string) time.Time {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, load.Zone)
		return tm
	}
	in := cfg.Inbox
	testwh.WriteFile(t, in, "bao-cao/BC_CCHC_Q1_2024_KimGiang.csv", testwh.ReportCSV("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024"), at("2024-03-01 10:00"))
	testwh.WriteFile(t, in, "bao-cao/BC_CCHC_Q1_2024_HaDinh.csv", testwh.ReportCSV("UBND PHƯỜNG HẠ ĐÌNH", "QUÝ I NĂM 2024"), at("2024-03-08 09:30"))
	testwh.WriteFile(t, in, "bao-cao/BC_CCHC_6T_2024_NoiVu.csv", testwh.ReportCSV("PHÒNG NỘI VỤ", "6 THÁNG ĐẦU NĂM 2024"), at("2024-03-09 16:45"))
	hoso := testwh.DossierCSV("KG", 3) +
		"KG-4,Đăng ký khai tử,Hộ tịch,Phường Kim Giang,31/02/2024,05/03/2024,,Trực tiếp,Đang giải quyết\n" +
		"KG-5,Đăng ký kết hôn,Hộ tịch,Phường Kim Giang,03/01/2024,02/01/2024,,Trực tiếp,Đang giải quyết\n"
	testwh.WriteFile(t, in, "ho-so/hoso_kim-giang.csv", hoso, at("2024-03-02 08:00"))
	testwh.WriteFile(t, in, "ho-so/hoso_loi.xlsx", "this is not a workbook", at("2024-03-02 08:05"))
	if sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil || !sum.Published {
		t.Fatalf("first run: %v", err)
	}
	models := filepath.Join(dir, "models")
	testwh.WriteFile(t, models, "tests/reports_complete.sql", "-- every unit has reported\nSELECT unit_code FROM marts.report_submissions WHERE NOT received\n", time.Time{})
	cfg.ModelsDir = models
	if sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err == nil || sum.Published {
		t.Fatalf("second run published (%v); its data test should have failed", err)
	}
	fixRuns(t, cfg.Warehouse, map[int][3]string{1: {"run-1", "2024-03-10 02:00:00", "2024-03-10 02:00:07"}})
	fixRuns(t, filepath.Join(cfg.StateDir, "work.duckdb"), map[int][3]string{
		1: {"run-1", "2024-03-10 02:00:00", "2024-03-10 02:00:07"},
		2: {"run-2", "2024-03-10 08:00:00", "2024-03-10 08:00:05"},
	})
	return dir, cfg.StateDir, cfg.Warehouse
}

// fixRuns gives the n-th run (by start) of a database, and the files it
// loaded, a fixed id and times.
func fixRuns(t *testing.T, path string, runs map[int][3]string) {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT run_id FROM ops.runs ORDER BY started_at`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != len(runs) {
		t.Fatalf("%s: %d runs, want %d", path, len(ids), len(runs))
	}
	for n, r := range runs {
		if _, err := db.Exec(`UPDATE ops.runs SET run_id = ?, started_at = ?::TIMESTAMP, ended_at = ?::TIMESTAMP WHERE run_id = ?`, r[0], r[1], r[2], ids[n-1]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE raw.files SET run_id = ?, loaded_at = ?::TIMESTAMP WHERE run_id = ?`, r[0], r[1], ids[n-1]); err != nil {
			t.Fatal(err)
		}
	}
}

// goldenFile compares got with testdata/DIR/NAME, or writes it there with
// -update; it names the first line that differs.
func goldenFile(t *testing.T, dir, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", dir, name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from line %d on (run with -update to accept):\n got: %s\nwant: %s", file, i+1, g, w)
			return
		}
	}
}

func TestStatusGolden(t *testing.T) {
	t.Parallel()
	dir, stateDir, wh := statusWarehouse(t)
	clean := func(s string) string { return strings.ReplaceAll(s, dir, "$DIR") }
	o := StatusOptions{Warehouse: wh, StateDir: stateDir, Today: time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), Runs: 5}

	st, err := ReadStatus(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	out := statusJSON(t, st)
	goldenFile(t, "status", "missing_late.json", clean(out))

	// The facts the golden file holds, said once more in code: the period
	// told is the latest with data (Nội vụ's 6-month report), each unit
	// once; the one before it is counted.
	if p := st.Period; p == nil || p.Period != "2024-6M" || p.Chosen != PeriodLatest || p.DaysLeft != 87 || p.Received != 1 || p.Missing != 19 || p.Late != 0 || len(p.Unit) != 20 ||
		p.Unit[19].Unit != "noi_vu" || p.Unit[19].State != SentOnTime || p.Unit[19].ReceivedAt.Format(time.RFC3339) != "2024-03-09T16:45:00+07:00" {
		t.Errorf("period: %+v", p)
	}
	if p := st.Previous; p == nil || p.Period != "2024-Q1" || p.DaysLeft != -5 || p.Received != 2 || p.Missing != 18 || p.Late != 1 || p.Unit != nil {
		t.Errorf("previous period: %+v", p)
	}
	if !strings.Contains(out, `"started_at": "2024-03-10T08:00:00+07:00"`) || !strings.Contains(out, `"at": "2024-03-10T02:00:00+07:00"`) {
		t.Errorf("times in JSON are not RFC 3339 with +07:00:\n%s", out)
	}

	// --period: the period asked, whatever its case, each unit once.
	asked := o
	asked.Period = "2024-q1"
	q1, err := ReadStatus(context.Background(), asked)
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "status", "period_q1.json", clean(statusJSON(t, q1)))
	seen := map[string]bool{}
	states := map[string]string{}
	for _, u := range q1.Period.Unit {
		if seen[u.Unit] {
			t.Errorf("%s listed twice", u.Unit)
		}
		seen[u.Unit], states[u.Unit] = true, u.State
	}
	if p := q1.Period; p.Period != "2024-Q1" || p.Chosen != PeriodAsked || len(seen) != 20 || states["ha_dinh"] != SentLate || states["kim_giang"] != SentOnTime ||
		states["noi_vu"] != NotSent || p.Unit[18].Unit != "ha_dinh" || p.Unit[18].DaysLate != 3 || q1.Previous != nil {
		t.Errorf("--period 2024-Q1: %+v (previous %+v)", p, q1.Previous)
	}
	asked.Period = "2024-Q7"
	if _, err := ReadStatus(context.Background(), asked); !errors.Is(err, ErrNoPeriod) {
		t.Errorf("--period 2024-Q7: %v, want ErrNoPeriod", err)
	}
	if len(st.Runs) != 2 || st.Runs[0].RunID != "run-2" || st.Runs[0].Published || !strings.Contains(st.Runs[0].Error, "reports_complete") || st.Runs[1].Status != "published" {
		t.Errorf("runs: %+v", st.Runs)
	}
	if len(st.FailedFiles) != 1 || st.FailedFiles[0].Path != "ho-so/hoso_loi.xlsx" {
		t.Errorf("failed files: %+v", st.FailedFiles)
	}
	rejects := map[string]int64{}
	for _, r := range st.Rejects {
		rejects[r.Reason] = r.Rows
	}
	if len(rejects) != 2 || rejects["impossible_date"] != 1 {
		t.Errorf("rejects: %+v", st.Rejects)
	}

	// While a run holds the state folder, status says so and still reads
	// the published warehouse.
	lock, err := load.TryLock(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	st, err = ReadStatus(context.Background(), o)
	lock.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if out := statusJSON(t, st); !st.RunInProgress || strings.Contains(out, "run-2") || len(st.Runs) != 1 {
		t.Errorf("status during a run:\n%s", out)
	}
}

// statusJSON is the status as `cchc status --json` prints it.
func statusJSON(t *testing.T, st *Status) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestStatusNoWarehouse(t *testing.T) {
	wh := filepath.Join(t.TempDir(), "none.duckdb")
	if _, err := ReadStatus(context.Background(), StatusOptions{Warehouse: wh, StateDir: wh + ".state", Runs: 5}); err == nil || !strings.Contains(err.Error(), "no warehouse") {
		t.Errorf("missing warehouse: %v", err)
	}
}

// TestStatusPeriod: without --period, status tells the latest period with
// data — a unit report or Biểu 06 of it, or the period in progress on the
// last day a dossier was received or completed; in an empty warehouse, the
// period whose deadline is next.
func TestStatusPeriod(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`CREATE SCHEMA ref; CREATE SCHEMA core;
		CREATE TABLE ref.periods AS SELECT * FROM (VALUES
			('2024-Q1', DATE '2023-12-05', DATE '2024-03-05', DATE '2024-03-05'),
			('2024-6M', DATE '2023-12-05', DATE '2024-06-05', DATE '2024-06-05'),
			('2024-9M', DATE '2023-12-05', DATE '2024-09-05', DATE '2024-09-05'),
			('2024-Y', DATE '2023-12-05', DATE '2024-12-05', DATE '2024-12-05'),
			('2025-Q1', DATE '2024-12-05', DATE '2025-03-05', DATE '2025-03-05')) t(period_code, start_date, end_date, deadline);
		CREATE TABLE core.dossiers (received_date DATE, completed_date DATE);
		CREATE TABLE core.report_files (period_code VARCHAR)`)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		sql, asked, want, chosen string
	}{
		{``, "", "", ""}, // nothing, and the calendar ends before today
		{``, "2024-6m", "2024-6M", PeriodAsked},
		{`INSERT INTO core.dossiers VALUES (DATE '2024-01-10', NULL), (DATE '2024-05-20', DATE '2024-06-07')`, "", "2024-9M", PeriodLatest},
		{`INSERT INTO core.report_files VALUES ('2024-Q1'), ('2024-6M')`, "", "2024-9M", PeriodLatest},
		{`INSERT INTO core.report_files VALUES ('2024-Y')`, "", "2024-Y", PeriodLatest},
		{`INSERT INTO core.dossiers VALUES (DATE '2024-12-05', NULL)`, "", "2025-Q1", PeriodLatest},
	} {
		if c.sql != "" {
			if _, err := db.Exec(c.sql); err != nil {
				t.Fatal(err)
			}
		}
		code, chosen, err := statusPeriod(context.Background(), db, StatusOptions{Today: today, Period: c.asked})
		if err != nil || code != c.want || chosen != c.chosen {
			t.Errorf("after %q (asked %q): %q %q %v, want %q %q", c.sql, c.asked, code, chosen, err, c.want, c.chosen)
		}
	}
	db.Exec(`DELETE FROM core.dossiers; DELETE FROM core.report_files`)
	code, chosen, err := statusPeriod(context.Background(), db, StatusOptions{Today: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || code != "2024-9M" || chosen != PeriodCalendar {
		t.Errorf("empty warehouse on 2024-07-01: %q %q %v, want the calendar's 2024-9M", code, chosen, err)
	}
}
