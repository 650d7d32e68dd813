package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

// formatsDir holds workbooks of the sample inbox (originals/) and the same
// workbooks saved by other software: LibreOffice, gnumeric and web-system
// style HTML (see its README.md).
const formatsDir = "../../extract/testdata/formats"

// formatPairs are the files of formatsDir and the original each must load
// as.
var formatPairs = []struct{ file, original string }{
	// ../shared/samples-formats, as the project received them.
	{"samples/hoso_nhan-chinh_dot1.xls", "hoso_nhan-chinh_dot1.xlsx"},
	{"samples/Bieu06_ha_dinh_Q1_2024.xls", "Bieu06_ha_dinh_Q1_2024.xlsx"},
	{"samples/ha-dinh_2024-Q1.xls", "ha-dinh_2024-Q1.xlsx"},
	{"samples/hoso_nhan-chinh_dot1_web.htm", "hoso_nhan-chinh_dot1.xlsx"},
	// HTML: a web system's export (Windows-1258, a two-row header of
	// rowspan and colspan, <br>, entities, a table per sheet, dates as text)
	// and gnumeric's (a three-row merged Biểu 06 header, sheets as tables).
	{"web/hoso_nhan-chinh_dot1_cp1258.xls", "hoso_nhan-chinh_dot1.xlsx"},
	{"gnumeric/BC_CCHC_6T_2024_thuongdinh.html", "BC_CCHC_6T_2024_thuongdinh.xlsx"},
	// BIFF8 as gnumeric writes it (its own string table layout, a report
	// and its Biểu 06 as two sheets).
	{"gnumeric/hoso_nhan-chinh_dot1.xls", "hoso_nhan-chinh_dot1.xlsx"},
	{"gnumeric/BC_CCHC_6T_2024_thuongdinh.xls", "BC_CCHC_6T_2024_thuongdinh.xlsx"},
	// Excel 2003 XML: LibreOffice's (ss: prefixes, MergeDown over a Biểu 06
	// header, DateTime cells) and Excel 2003's own style named .xls (a
	// two-row header merged down, ss:Index gaps).
	{"libreoffice/hoso_nhan-chinh_dot1.xml", "hoso_nhan-chinh_dot1.xlsx"},
	{"libreoffice/BC_CCHC_6T_2024_thuongdinh.xml", "BC_CCHC_6T_2024_thuongdinh.xlsx"},
	{"web/hoso_nhan-chinh_dot1_excel2003.xls", "hoso_nhan-chinh_dot1.xlsx"},
}

// dump is what a load of one file gives, as ../shared/tools/formats.sh
// compares it: the core rows without lineage, and the rejects by row,
// column and reason.
const dump = `
  select 'dossier' t, dossier_id k, concat_ws('|', unit_code, field, field_group, procedure_code, procedure_name,
    received_date, due_date, completed_date, channel, service_level, status, result_digitized, eid_verified, timeliness) v from core.dossiers
  union all select 'indicator', concat_ws('|', unit_code, period_code, indicator_code), cast(value as varchar) from core.indicator_values
  union all select 'summary', concat_ws('|', unit_code, period_code, field), concat_ws('|', received_total, received_online, resolved_total, resolved_early, resolved_on_time, resolved_late, in_progress_total) from core.tthc_summary
  union all select 'reject', concat_ws('|', row_number, column_name), reason_code from raw.rejects
  union all select 'file', status, concat_ws('|', kind, unit_code, period_code, rows_loaded, rows_rejected) from raw.files
  order by 1, 2, 3`

// TestFormatsLoadAsTheirOriginals: every workbook saved in another format
// loads alone into exactly the rows (and rejects, at the same row numbers)
// that its original gives loaded alone.
func TestFormatsLoadAsTheirOriginals(t *testing.T) {
	if testing.Short() {
		t.Skip("two runs of the pipeline per file")
	}
	originals := map[string]string{}
	for _, p := range formatPairs {
		t.Run(p.file, func(t *testing.T) {
			want, ok := originals[p.original]
			if !ok {
				want = loadFormatAlone(t, filepath.Join(formatsDir, "originals", p.original))
				originals[p.original] = want
			}
			got := loadFormatAlone(t, filepath.Join(formatsDir, p.file))
			if got != want {
				t.Errorf("%s loads otherwise than %s:\n%s", p.file, p.original, dumpDiff(want, got))
			}
		})
	}
}

// loadFormatAlone runs the pipeline on an inbox of the one file and dumps the
// published warehouse.
func loadFormatAlone(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := testwh.Validate(t, testwh.Config(t, dir))
	testwh.WriteFile(t, cfg.Inbox, filepath.Base(path), string(data), time.Date(2024, 6, 7, 9, 0, 0, 0, load.Zone))
	sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t)))
	if err != nil || !sum.Published {
		t.Fatalf("run on %s: %v", path, err)
	}
	db, closeDB, err := load.OpenReadOnly(cfg.Warehouse)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	return dumpQuery(t, db, dump)
}

func dumpQuery(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var a, k, v sql.NullString
		if err := rows.Scan(&a, &k, &v); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", a.String, k.String, v.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// dumpDiff lists the lines of want missing from got (-) and of got missing
// from want (+), at most 20.
func dumpDiff(want, got string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	var out []string
	for l, n := range w {
		for i := g[l]; i < n; i++ {
			out = append(out, "- "+l)
		}
	}
	for l, n := range g {
		for i := w[l]; i < n; i++ {
			out = append(out, "+ "+l)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(a[2:], b[2:]) })
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("… %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

// TestFormatsWhatAPersonSees: a reject of an HTML export of one table has no
// sheet and the <tr> ordinal for its row; one of a tab-separated text named
// .xls the line; an OpenDocument spreadsheet fails with a message that
// names it and asks for .xlsx; the other files of the inbox still load.
func TestFormatsWhatAPersonSees(t *testing.T) {
	if testing.Short() {
		t.Skip("a run of the pipeline")
	}
	dir := t.TempDir()
	cfg := testwh.Validate(t, testwh.Config(t, dir))
	at := time.Date(2024, 6, 7, 9, 0, 0, 0, load.Zone)
	var web strings.Builder
	web.WriteString(`<html><head><meta charset="utf-8"></head><body><table border=1>
<tr><td colspan=9><b>UBND PHƯỜNG KIM GIANG</b></td></tr>
<tr></tr>
<tr><th>Mã hồ sơ</th><th>Tên thủ tục</th><th>Lĩnh vực</th><th>Đơn vị tiếp nhận</th><th>Ngày tiếp nhận</th><th>Ngày hẹn trả</th><th>Ngày trả kết quả</th><th>Hình thức nộp</th><th>Trạng thái</th></tr>
`)
	for i, received := range []string{"02/01/2024", "03/01/2024", "31/02/2024", "05/01/2024"} {
		fmt.Fprintf(&web, "<tr><td>KG-%d</td><td>Đăng ký khai sinh</td><td>Hộ tịch</td><td>Phường Kim Giang</td><td>%s 08:00</td><td>10/01/2024</td><td>09/01/2024</td><td>Trực tuyến</td><td>Đã trả kết quả</td></tr>\n", i+1, received)
	}
	web.WriteString("</table></body></html>\n")
	testwh.WriteFile(t, cfg.Inbox, "hoso_kim-giang_web.xls", web.String(), at)
	tsv := strings.ReplaceAll(testwh.DossierCSV("TX", 3), ",", "\t")
	tsv = strings.Replace(tsv, "03/01/2024", "32/01/2024", 1) // TX-2, on line 3
	testwh.WriteFile(t, cfg.Inbox, "hoso_tab.xls", tsv, at)
	ods, err := os.ReadFile(filepath.Join(formatsDir, "gnumeric", "Bieu06_ha_dinh_Q1_2024.ods"))
	if err != nil {
		t.Fatal(err)
	}
	testwh.WriteFile(t, cfg.Inbox, "Bieu06_ha_dinh_Q1_2024.ods", string(ods), at)
	sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t)))
	if err != nil || !sum.Published {
		t.Fatalf("run: %v", err)
	}
	got := testwh.Query(t, cfg.Warehouse, `SELECT concat_ws('|', file_path, coalesce(sheet, 'NULL'), row_number, column_name, raw_value)
		FROM raw.rejects ORDER BY file_path, row_number`)
	want := "hoso_kim-giang_web.xls|NULL|6|received_at|31/02/2024 08:00\nhoso_tab.xls|NULL|3|received_at|32/01/2024"
	if got != want {
		t.Errorf("rejects:\n%s\nwant:\n%s", got, want)
	}
	got = testwh.Query(t, cfg.Warehouse, `SELECT concat_ws('|', path, status, rows_loaded) FROM raw.files ORDER BY path`)
	want = "Bieu06_ha_dinh_Q1_2024.ods|failed|0\nhoso_kim-giang_web.xls|loaded|3\nhoso_tab.xls|loaded|2"
	if msg := testwh.Query(t, cfg.Warehouse, `SELECT message FROM raw.files WHERE path = 'Bieu06_ha_dinh_Q1_2024.ods'`); msg != "unsupported file format: bảng tính OpenDocument (.ods, LibreOffice/OpenOffice) — hãy lưu lại dưới dạng .xlsx / an OpenDocument spreadsheet (.ods): save it as .xlsx" {
		t.Errorf("the .ods message: %q", msg)
	}
	if got != want {
		t.Errorf("raw.files:\n%s\nwant:\n%s", got, want)
	}
}
