package warehouse

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
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
	dir, stateDir, wh := statusWarehouse(t)
	clean := func(s string) string { return strings.ReplaceAll(s, dir, "$DIR") }
	o := StatusOptions{Warehouse: wh, StateDir: stateDir, Today: time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), Runs: 5}

	st, err := ReadStatus(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	out := statusJSON(t, st)
	goldenFile(t, "status", "missing_late.json", clean(out))

	// The facts the golden file holds, said once more in code.
	if p := st.Previous; p == nil || p.Period != "2024-Q1" || p.DaysLeft != -5 || p.Received != 2 || len(p.Missing) != 18 ||
		len(p.Late) != 1 || p.Late[0].Unit != "ha_dinh" || p.Late[0].DaysLate != 3 {
		t.Errorf("previous period: %+v", p)
	}
	if p := st.Current; p == nil || p.Period != "2024-6M" || p.DaysLeft != 87 || p.Received != 1 || len(p.Missing) != 19 || len(p.Late) != 0 {
		t.Errorf("current period: %+v", p)
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
