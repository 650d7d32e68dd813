//go:build duckdb_arrow

package inspect_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/fixture"
	"github.com/thanhxuan/cchc/internal/inspect"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// monthFirstCSV is an export saved by an English-locale Excel: its dates
// read month-first only (CONTRACT 3.5), one of them in neither order.
func monthFirstCSV() string {
	var b strings.Builder
	b.WriteString("Mã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Hình thức nộp,Trạng thái\n")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "MF-%d,Khai sinh,Hộ tịch,Phường Kim Giang,01/%d/2024,01/%d/2024,01/%d/2024,Trực tuyến,Đã trả kết quả\n", i, 12+i, 15+i, 14+i)
	}
	b.WriteString("MF-13,Khai sinh,Hộ tịch,Phường Kim Giang,13/25/2024,01/28/2024,,Trực tuyến,Đang xử lý\n")
	return b.String()
}

// inbox writes the files that the comparison with a run reads: the
// testdata exports, a month-first CSV, xlsx reports and Biểu 06 with bad
// values, and files a run records as failed.
func inbox(t *testing.T, dir string) {
	t.Helper()
	for _, name := range []string{"hoso_KimGiang.csv", "hoso_KhuongMai.csv", "bao-cao_Q1_2024.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata/files", name))
		if err != nil {
			t.Fatal(err)
		}
		testwh.WriteFile(t, dir, name, string(b), time.Time{})
	}
	testwh.WriteFile(t, dir, "month_first.csv", monthFirstCSV(), time.Time{})
	testwh.WriteFile(t, dir, "report_no_period.csv", "PHÒNG TƯ PHÁP\nSTT,Nội dung,Đơn vị tính,Kết quả\n1,Tổng số cuộc kiểm tra,cuộc,7\n", time.Time{})
	testwh.WriteFile(t, dir, "junk.csv", "a,b,c\n1,2,3\n", time.Time{})
	writeXLSX(t, dir, "bc_kim_giang.xlsx",
		fixture.UnitReport("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024", map[string]any{"pakn_received": "-2", "staff_total": "nhiều", "survey_satisfied": "120%"}),
		fixture.Bieu06("UBND phường Kim Giang", "Quý I năm 2024 (Từ ngày 05/12/2023 đến ngày 04/03/2024)", map[string][11]any{
			"Hộ tịch": {10, 5, 5, 0, 8, 2, 5, 1, 2, 2, 0},
			"Đất đai": {"-1", 1, 1, 0, "x", 0, 0, 0, 1, 1, 0},
		}))
}

// The rejects that inspect says a load would make are those that a real run
// puts in raw.rejects — per file and reason, with the rows loaded and
// rejected of raw.files, and the message of a failed file.
func TestRejectsAsARunRecords(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	inbox(t, cfg.Inbox)
	cfg = testwh.Validate(t, cfg)
	st := stages(t, cfg)
	r, err := inspect.Run(context.Background(), []string{cfg.Inbox}, st, inspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 7 || r.Unopened() != 0 {
		t.Fatalf("%d files inspected, %d not opened", len(r.Files), r.Unopened())
	}
	reasons := 0
	for _, f := range r.Files {
		path := strings.TrimPrefix(f.Path, filepath.ToSlash(cfg.Inbox)+"/")
		status := testwh.Query(t, cfg.Warehouse, `SELECT status FROM raw.files WHERE path = ?`, path)
		if !f.WouldLoad {
			msg := testwh.Query(t, cfg.Warehouse, `SELECT message FROM raw.files WHERE path = ?`, path)
			if status != "failed" || msg != f.Failure {
				t.Errorf("%s: run %s %q, inspect says it would fail with %q", path, status, msg, f.Failure)
			}
			continue
		}
		got := f.RejectsByReason()
		var keys []string
		for k, n := range got {
			keys = append(keys, fmt.Sprintf("%s=%d", k, n))
		}
		sort.Strings(keys)
		want := testwh.Query(t, cfg.Warehouse, `SELECT reason_code || '=' || count(*) FROM raw.rejects WHERE file_path = ? GROUP BY reason_code ORDER BY 1`, path)
		if strings.Join(keys, "\n") != want {
			t.Errorf("%s: inspect says rejects\n%s\nthe run recorded\n%s", path, strings.Join(keys, "\n"), want)
		}
		reasons += len(keys)
		rows := testwh.Query(t, cfg.Warehouse, `SELECT status || ' ' || rows_loaded || '/' || rows_rejected FROM raw.files WHERE path = ?`, path)
		if w := fmt.Sprintf("loaded %d/%d", f.RowsLoaded, f.RowsRejected); rows != w {
			t.Errorf("%s: run %q, inspect %q", path, rows, w)
		}
		for _, s := range f.Sheets {
			// Every data row of a dossier list or a Biểu 06 is loaded or
			// rejected, and its values counted once per coded field.
			for _, fv := range s.Values {
				n := fv.OtherRows
				for _, v := range fv.Values {
					n += v.Rows
				}
				if s.Kind != "unit_report" && n != s.RowsLoaded+s.RowsRejected {
					t.Errorf("%s %s: %d values of %s, %d rows loaded and %d rejected", path, s.Name, n, fv.Field, s.RowsLoaded, s.RowsRejected)
				}
			}
			for _, rc := range s.Rejects {
				ex := rc.Example
				n := testwh.Query(t, cfg.Warehouse, `SELECT count(*) FROM raw.rejects WHERE file_path = ? AND coalesce(sheet, '') = ? AND reason_code = ?
					AND row_number = ? AND column_name = ? AND coalesce(raw_value, '') = ? AND reason = ?`, path, s.Name, rc.Code, ex.Row, ex.Column, ex.RawValue, ex.Reason)
				if n == "0" {
					t.Errorf("%s: example %+v of %s is no reject of the run", path, ex, rc.Code)
				}
			}
		}
	}
	if reasons < 12 {
		t.Errorf("only %d reasons compared: the inbox should make more", reasons)
	}
}

// A column of month-first dates: inspect reads the file again as a run
// does, says which columns, and counts the rejects of the second reading.
func TestMonthFirst(t *testing.T) {
	st := stages(t, config.Defaults())
	p := filepath.Join(t.TempDir(), "month_first.csv")
	if err := os.WriteFile(p, []byte(monthFirstCSV()), 0o644); err != nil {
		t.Fatal(err)
	}
	s := inspectFile(t, st, p, inspect.Options{}).Sheets[0]
	for _, label := range []string{"Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả"} {
		if !column(t, s, label).MonthFirst {
			t.Errorf("%s not read month-first", label)
		}
	}
	if column(t, s, "Mã hồ sơ").MonthFirst {
		t.Error("the id column read month-first")
	}
	if s.RowsLoaded != 12 || s.RowsRejected != 1 || len(s.Rejects) != 1 || s.Rejects[0].Example.RawValue != "13/25/2024" {
		t.Errorf("rows %d/%d, rejects %+v", s.RowsLoaded, s.RowsRejected, s.Rejects)
	}
	if !strings.Contains(strings.Join(s.Notes, "\n"), "read month-first") {
		t.Errorf("notes %q", s.Notes)
	}
}

// The workflow of docs/inspect.md: the suggested line, with its value
// chosen, added to the seeds folder, maps the value on the next inspection.
func TestSuggestedLineMaps(t *testing.T) {
	seedsDir := t.TempDir()
	cfg := config.Defaults()
	cfg.SeedsDir = seedsDir
	opt := inspect.Options{SeedsDir: seedsDir}
	s := inspectFile(t, stages(t, cfg), "testdata/files/hoso_KimGiang.csv", opt).Sheets[0]
	sg := value(t, values(t, s, "status"), "Hoàn tất").Suggest
	if sg == nil || sg.File != filepath.Join(seedsDir, "value_map.csv") || !sg.NewFile {
		t.Fatalf("suggestion %+v", sg)
	}
	chosen := strings.Replace(sg.Line, "<resolved|processing|withdrawn|refused>", "resolved", 1)
	zalo := value(t, values(t, s, "channel"), "Zalo").Suggest
	if err := os.WriteFile(sg.File, []byte(sg.Header+"\n"+chosen+"\n"+strings.Replace(zalo.Line, "<online|counter|postal>", "online", 1)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	f := inspectFile(t, stages(t, cfg), "testdata/files/hoso_KimGiang.csv", opt)
	s = f.Sheets[0]
	v := value(t, values(t, s, "status"), "Hoàn tất")
	if v.Unmapped || v.Value != "resolved" || v.Seed == nil || *v.Seed != (inspect.Seed{File: "value_map.csv", Line: 2, Folder: seedsDir}) {
		t.Errorf("Hoàn tất after the line: %+v (seed %+v)", v, v.Seed)
	}
	got := f.RejectsByReason()
	if got["unknown_status"] != 0 || got["unknown_channel"] != 0 || got["missing_value"] != 1 {
		t.Errorf("rejects after the lines %v", got)
	}
	if c := column(t, s, "Ghi chú"); c.Suggest == nil || !c.Suggest.NewFile || c.Suggest.File != filepath.Join(seedsDir, "headers.csv") {
		t.Errorf("headers.csv suggestion %+v", c.Suggest)
	}
}

// Inspecting writes nothing: no warehouse, no state folder, nothing in the
// temporary folder, nothing beside the inputs.
func TestWritesNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	inbox(t, cfg.Inbox)
	cfg = testwh.Validate(t, cfg)
	before := listing(t, dir)
	r, err := inspect.Run(context.Background(), []string{cfg.Inbox}, stages(t, cfg), inspect.Options{})
	if err != nil || len(r.Files) != 7 {
		t.Fatalf("%v, %d files", err, len(r.Files))
	}
	if after := listing(t, dir); !reflect.DeepEqual(after, before) {
		t.Errorf("the folder changed:\n%q\nwas\n%q", after, before)
	}
	for _, p := range []string{cfg.Warehouse, cfg.StateDir} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: %v, want none", p, err)
		}
	}
	if left := listing(t, tmp); len(left) != 0 {
		t.Errorf("the temporary folder holds %q", left)
	}
}

// listing is every path under dir with its size and modification time.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			out = append(out, fmt.Sprintf("%s %d %s", p, fi.Size(), fi.ModTime().Format(time.RFC3339Nano)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The text for people, as a golden file (go test -update rewrites it).
func TestTextGolden(t *testing.T) {
	st := stages(t, config.Defaults())
	r, err := inspect.Run(context.Background(), []string{"testdata/files", "testdata/none.xlsx"}, st, inspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := inspect.WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "inspect.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("text differs from %s (go test -update to accept):\n%s", golden, b.String())
	}
}

// The JSON document's shape: the keys a script reads are stable.
func TestJSONShape(t *testing.T) {
	st := stages(t, config.Defaults())
	r, err := inspect.Run(context.Background(), []string{"testdata/files/hoso_KimGiang.csv", "testdata/none.xlsx"}, st, inspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	get := func(path string) any {
		var v any = doc
		for _, k := range strings.Split(path, ".") {
			switch x := v.(type) {
			case map[string]any:
				v = x[k]
			case []any:
				var i int
				fmt.Sscan(k, &i)
				if i >= len(x) {
					return nil
				}
				v = x[i]
			default:
				return nil
			}
		}
		return v
	}
	want := map[string]any{
		"files.0.path":                                  "testdata/files/hoso_KimGiang.csv",
		"files.0.format":                                "csv",
		"files.0.would_load":                            true,
		"files.0.rows_loaded":                           2.0,
		"files.0.rows_rejected":                         5.0,
		"files.0.sheets.0.kind":                         "dossiers",
		"files.0.sheets.0.unit":                         "kim_giang",
		"files.0.sheets.0.unit_from.from":               "title",
		"files.0.sheets.0.unit_from.row":                2.0,
		"files.0.sheets.0.header_first_row":             4.0,
		"files.0.sheets.0.data_first_row":               5.0,
		"files.0.sheets.0.columns.4.column":             "E",
		"files.0.sheets.0.columns.4.label":              "Ngày tiếp nhận (dd/mm/yyyy)",
		"files.0.sheets.0.columns.4.normalised":         "ngay tiep nhan",
		"files.0.sheets.0.columns.4.status":             "matched",
		"files.0.sheets.0.columns.4.field":              "received_at",
		"files.0.sheets.0.columns.4.rule":               "exact",
		"files.0.sheets.0.columns.4.seed.file":          "headers.csv",
		"files.0.sheets.0.columns.11.status":            "ignored",
		"files.0.sheets.0.columns.11.suggest.file":      "headers.csv",
		"files.0.sheets.0.values.3.field":               "status",
		"files.0.sheets.0.values.3.unmapped_rows":       1.0,
		"files.0.sheets.0.values.3.values.0.raw":        "Đã giải quyết",
		"files.0.sheets.0.values.3.values.0.rows":       2.0,
		"files.0.sheets.0.values.3.values.0.value":      "resolved",
		"files.0.sheets.0.rejects.0.code":               "unknown_channel",
		"files.0.sheets.0.rejects.0.count":              2.0,
		"files.0.sheets.0.rejects.0.example.row_number": 7.0,
		"files.1.path":                                  "testdata/none.xlsx",
	}
	for k, w := range want {
		if g := get(k); g != w {
			t.Errorf("%s = %#v, want %#v", k, g, w)
		}
	}
	if e, _ := get("files.1.error").(string); e == "" {
		t.Error("files.1.error is empty")
	}
	if l, _ := get("files.0.sheets.0.values.3.values.2.suggest.line").(string); !strings.HasPrefix(l, "status,<") {
		t.Errorf("suggest.line %q", l)
	}
}
