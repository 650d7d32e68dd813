package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// relGridXML writes a grid of strings as raw sheet rows from row 1.
func relGridXML(w io.Writer, grid [][]any) error {
	return fixture.GridRows(grid)(w)
}

func relRawXLSX(sheet string, data func(io.Writer) error) func(string) error {
	return func(p string) error {
		return fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: sheet, Data: data})
	}
}

func relBytes(b []byte) func(string) error {
	return func(p string) error { return os.WriteFile(p, b, 0o644) }
}

// relBadInbox is every kind of bad input of issue 4, beside good files.
func relBadInbox(t *testing.T) []relInFile {
	good, err := os.MkdirTemp("", "cchc-good-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(good)
	goodXLSX := filepath.Join(good, "g.xlsx")
	if err := relXlsxOf(fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(nil, fixture.Dossiers("XX", "Phường Kim Giang", 5))})(goodXLSX); err != nil {
		t.Fatal(err)
	}
	goodBytes, _ := os.ReadFile(goodXLSX)

	// Ten dossiers, a million formatted empty rows, one more dossier.
	tx := fixture.Dossiers("TXB", "Phường Thanh Xuân Bắc", 11)
	millionRows := func(w io.Writer) error {
		grid := fixture.DossierGrid(nil, tx[:10])
		if err := relGridXML(w, grid); err != nil {
			return err
		}
		for i := len(grid) + 1; i <= len(grid)+1_000_000; i++ {
			if _, err := fmt.Fprintf(w, `<row r="%d" spans="1:17" s="1" customFormat="1" ht="15"><c r="A%d" s="1"/><c r="Q%d" s="1"/></row>`, i, i, i); err != nil {
				return err
			}
		}
		cells := tx[10].Cells(11)
		row := make([]any, len(cells))
		for i, c := range cells {
			row[i] = c
		}
		return fixture.RowXML(w, len(grid)+1_000_001, row...)
	}

	// A 1 MB procedure name.
	km := fixture.Dossiers("KM", "Phường Khương Mai", 5)
	km[2].Procedure = strings.Repeat("Cấp bản sao trích lục hộ tịch ", 1<<20/len("Cấp bản sao trích lục hộ tịch ")+1)

	// Windows-1258 CSV.
	pl := fixture.Dossiers("PL", "Phường Phương Liệt", 20)
	cp1258 := func(p string) error {
		return fixture.WriteCSV(p, ',', false, fixture.EncodeCP1258, fixture.DossierRows(pl))
	}
	// UTF-8 with one byte that is not.
	td := fixture.Dossiers("TD", "Phường Thượng Đình", 10)
	td[3].Unit = "Phường Thượng \xFFĐình"

	// A header twice: two "Trạng thái" columns (the first wins, the other
	// is ignored and reported) …
	twice := fixture.DossierGrid(nil, fixture.Dossiers("KD", "Phường Khương Đình", 6))
	twice[0] = append(twice[0], "Trạng thái")
	for i := 1; i < len(twice); i++ {
		twice[i] = append(twice[i], "Hủy")
	}
	// … and the header row again in the data (a printed export's page break).
	again := fixture.DossierGrid(nil, fixture.Dossiers("KDL", "Phường Khương Đình", 6))
	again = append(again[:4], append([][]any{again[0]}, again[4:]...)...)

	// Dates that cannot be: out of range, month-first, impossible.
	nc := fixture.Dossiers("NCD", "Phường Nhân Chính", 7)
	nc[0].Received = "01/01/1800"
	nc[1].Due = "31/12/9999"
	nc[2].Received = "2958466"
	nc[3].Completed = "13/25/2024"
	nc[4].Received = "31/02/2024"

	// A unit report with numbers that are not, and a formula never computed.
	report := fixture.UnitReport("UBND PHƯỜNG NHÂN CHÍNH", "QUÝ I NĂM 2024", map[string]any{
		"pakn_received": "1e309", "survey_responses": "NaN", "staff_total": "--5",
	})
	for _, r := range report.Rows {
		if len(r) > 1 && r[1] == "Số cuộc đối thoại với người dân, doanh nghiệp về TTHC" {
			r[3] = fixture.Formula{Text: "SUM(D9:D10)"}
		}
	}
	bieu := relBieu06Fields()
	f := bieu["Hộ tịch"]
	f[4] = "1e309"
	bieu["Hộ tịch"] = f

	return []relInFile{
		{"hong/cat-cut.xlsx", relBytes(goodBytes[:len(goodBytes)/2]), 10},
		{"mat-khau.xlsx", func(p string) error {
			return fixture.WriteXLSX(p, fixture.XLSXOptions{Password: "Thanh Xuân 2024"}, fixture.Sheet{Name: "DS",
				Rows: fixture.DossierGrid(nil, fixture.Dossiers("MK", "Phường Hạ Đình", 4))})
		}, 11},
		{"bom/zip-bomb.xlsx", func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{Level: 9}, fixture.RawSheet{Name: "S", Data: func(w io.Writer) error {
				blank := bytes.Repeat([]byte(" "), 1<<20)
				for i := 0; i < 160; i++ {
					if _, err := w.Write(blank); err != nil {
						return err
					}
				}
				return nil
			}})
		}, 12},
		{"hoso_thanh-xuan-bac_trieu-dong.xlsx", relRawXLSX("DS", millionRows), 13},
		{"hoso_khuong-mai_o-1MB.xlsx", relXlsxOf(fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(nil, km)}), 14},
		{"hoso_phuong-liet_cp1258.csv", cp1258, 15},
		{"hoso_thuong-dinh_utf8-hong.csv", relCsvOf(',', false, fixture.DossierRows(td)), 16},
		{"hoso_khuong-dinh_hai-tieu-de.xlsx", relXlsxOf(fixture.Sheet{Name: "DS", Rows: twice}), 17},
		{"hoso_khuong-dinh_lap-tieu-de.xlsx", relXlsxOf(fixture.Sheet{Name: "DS", Rows: again}), 17},
		{"hoso_nhan-chinh_ngay-sai.csv", relCsvOf(',', false, fixture.DossierRows(nc)), 18},
		{"nhan-chinh_2024-Q1.xlsx", relRawXLSX(report.Name, fixture.GridRows(report.Rows)), 19},
		{"Bieu06_khuong_dinh_Q1_2024.xlsx", relXlsxOf(fixture.Bieu06("UBND phường Khương Đình", "Quý I năm 2024", bieu)), 20},
		{"cu.xls", relBytes(fixture.OLE2("Workbook")), 21},
		{"trong.csv", relBytes(nil), 22},
		{"khong-doc-duoc.csv", relCsvOf(',', false, fixture.DossierRows(fixture.Dossiers("KDD", "Phường Hạ Đình", 2))), 23},
	}
}

// TestReliabilityBadInput: each bad input of issue 4 ends as a raw.files
// failure or raw.rejects rows with a reason a person can act on — exactly
// those — and every other file still loads.
func TestReliabilityBadInput(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("writes a sheet of a million rows and a zip bomb")
	}
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	relStage(t, inbox, relInboxA()...)
	relStage(t, inbox, relBadInbox(t)...)
	// Names that are no file (issue 17): links — to a folder, to itself, to
	// nothing, to a sound export outside the inbox —, a pipe; and a name
	// that is not UTF-8.
	outside := filepath.Join(dir, "ngoai")
	relStage(t, outside, relInFile{"hoso.csv", relCsvOf(',', false, fixture.DossierRows(fixture.Dossiers("NGOAI", "Phường Hạ Đình", 3))), 0})
	for _, l := range [][2]string{{".", "vong-lap"}, {"tu-tro.csv", "tu-tro.csv"}, {"khong-co.xlsx", "mat-tich.xlsx"}, {filepath.Join(outside, "hoso.csv"), "ngoai.csv"}} {
		if err := os.Symlink(l[0], filepath.Join(inbox, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(inbox, "ong-dan.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	relStage(t, inbox, relInFile{"hoso_h\xe0-\xf0inh.csv", relCsvOf(',', false, fixture.DossierRows(fixture.Dossiers("TEN", "Phường Hạ Đình", 3))), 24})
	if err := os.Chmod(filepath.Join(inbox, "khong-doc-duoc.csv"), 0); err != nil {
		t.Fatal(err)
	}
	cmd := relCchcCmd(t, []string{"CCHC_EXTRACT_MAX_UNZIP_BYTES=134217728", "HOME=" + dir},
		"run", "--inbox", inbox, "--warehouse", wh)
	if os.Geteuid() == 0 {
		// Root reads every file: run as nobody, so the unreadable one is.
		relRunAsNobody(t, dir, cmd)
	}
	r := relFinish(t, cmd)
	if r.code != ExitOK {
		t.Fatalf("cchc run: %s", r)
	}
	db := relOpenWH(t, wh)

	files := map[string]string{}
	for _, row := range relQuery(t, db, `SELECT path, status, rows_loaded, rows_rejected, coalesce(message, '') FROM raw.files`) {
		p, rest, _ := strings.Cut(row, "|")
		files[p] = rest
	}
	// status|rows_loaded|rows_rejected|a part of the message
	want := map[string]string{
		"hoso_kim-giang_dot1.xlsx":      "loaded|40|0|",
		"phuong/hoso_ha-dinh.csv":       "loaded|30|0|",
		"kim-giang_2024-Q1.xlsx":        "loaded|",
		"Bieu06_kim_giang_Q1_2024.xlsx": "loaded|3|0|",
		"hong/cat-cut.xlsx":             "failed|0|0|file cannot be read: tệp xlsx hỏng hoặc bị cắt cụt — hãy gửi lại / corrupt or truncated xlsx",
		"mat-khau.xlsx":                 "failed|0|0|workbook is password protected: tệp Excel được đặt mật khẩu — khai báo mật khẩu ở extract.xlsx_password (CCHC_EXTRACT_XLSX_PASSWORD) / the workbook is encrypted: set its password in extract.xlsx_password",
		"bom/zip-bomb.xlsx":             "failed|0|0|file exceeds the size limit: giải nén ra hơn 160.0 MiB, vượt giới hạn extract.max_unzip_bytes (128.0 MiB) / decompresses to more than the limit extract.max_unzip_bytes (128.0 MiB)",
		// The sheet ends after 10,000 blank rows (extract.max_blank_rows):
		// the dossier below the million rows is not read (and the note says so).
		"hoso_thanh-xuan-bac_trieu-dong.xlsx": "loaded|10|0|",
		"hoso_khuong-mai_o-1MB.xlsx":          "loaded|5|0|",
		"hoso_phuong-liet_cp1258.csv":         "loaded|20|0|",
		"hoso_thuong-dinh_utf8-hong.csv":      "loaded|9|1|",
		"hoso_khuong-dinh_hai-tieu-de.xlsx":   "loaded|6|0|cột bị bỏ qua / ignored columns: STT; Trạng thái",
		"hoso_khuong-dinh_lap-tieu-de.xlsx":   "loaded|6|", // rows_rejected: see "repeated header row"
		"hoso_nhan-chinh_ngay-sai.csv":        "loaded|2|5|",
		"nhan-chinh_2024-Q1.xlsx":             "loaded|",
		"Bieu06_khuong_dinh_Q1_2024.xlsx":     "loaded|2|1|",
		"cu.xls":                              "failed|0|0|unsupported file format: tệp .xls không phải bảng tính Excel 97-2003 (BIFF8) đọc được — hãy mở bằng Excel và lưu lại dưới dạng .xlsx / an .xls file that is no readable Excel 97-2003 (BIFF8) workbook: open it in Excel and save it as .xlsx",
		"trong.csv":                           "failed|0|0|no recognisable header",
		"khong-doc-duoc.csv":                  "failed|0|0|file cannot be read: open " + filepath.Join(inbox, "khong-doc-duoc.csv") + ": permission denied",
		"tu-tro.csv":                          "failed|0|0|" + relLinkReason("tu-tro.csv"),
		"mat-tich.xlsx":                       "failed|0|0|" + relLinkReason("khong-co.xlsx"),
		"vong-lap":                            "failed|0|0|" + relLinkReason("."),
		"ngoai.csv":                           "failed|0|0|" + relLinkReason(filepath.Join(outside, "hoso.csv")),
		"ong-dan.csv":                         "failed|0|0|not a regular file: ống dẫn có tên (FIFO), không mở / a named pipe (FIFO), not opened",
		`hoso_h\xe0-\xf0inh.csv`:              "loaded|3|0|",
	}
	for p, w := range want {
		got, ok := files[p]
		if !ok {
			t.Errorf("%s: no raw.files row", p)
			continue
		}
		if !strings.HasPrefix(got, w) {
			t.Errorf("%s:\n got %s\nwant %s…", p, got, w)
		}
	}
	if len(files) != len(want) {
		t.Errorf("raw.files has %d rows, want %d: %v", len(files), len(want), files)
	}

	// Every reject: file, row, column, raw value, reason code.
	got := relQuery(t, db, `SELECT file_path, coalesce(sheet, ''), row_number, column_name, coalesce(raw_value, ''), reason_code
		FROM raw.rejects WHERE file_path <> 'hoso_khuong-dinh_lap-tieu-de.xlsx' ORDER BY file_path, row_number, column_name`)
	wantRejects := []string{
		"Bieu06_khuong_dinh_Q1_2024.xlsx|TTHC|12|resolved_total|1e309|bad_number",
		"hoso_nhan-chinh_ngay-sai.csv||2|received_at|01/01/1800|date_out_of_range",
		"hoso_nhan-chinh_ngay-sai.csv||3|due_at|31/12/9999|date_out_of_range",
		"hoso_nhan-chinh_ngay-sai.csv||4|received_at|2958466|date_out_of_range",
		"hoso_nhan-chinh_ngay-sai.csv||5|completed_at|13/25/2024|not_day_first",
		"hoso_nhan-chinh_ngay-sai.csv||6|received_at|31/02/2024|impossible_date",
		"hoso_thuong-dinh_utf8-hong.csv||5|unit|Phường Thượng \uFFFDĐình|unknown_unit",
		"nhan-chinh_2024-Q1.xlsx|Bieu so lieu|8|value|1e309|bad_number",
		"nhan-chinh_2024-Q1.xlsx|Bieu so lieu|10|value|NaN|bad_number",
		"nhan-chinh_2024-Q1.xlsx|Bieu so lieu|12|value|--5|bad_number",
		"nhan-chinh_2024-Q1.xlsx|Bieu so lieu|14|value|=SUM(D9:D10)|bad_number",
	}
	if strings.Join(got, "\n") != strings.Join(wantRejects, "\n") {
		t.Errorf("raw.rejects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRejects, "\n"))
	}
	for _, reason := range relQuery(t, db, `SELECT DISTINCT reason FROM raw.rejects WHERE reason_code <> 'bad_number' OR raw_value LIKE '=%'`) {
		if !strings.Contains(reason, " / ") {
			t.Errorf("reason %q is not in Vietnamese / English", reason)
		}
	}

	// What loaded is right: the converted text matches its unit, the cut cell
	// is marked, the first "Trạng thái" column won.
	if got := relQuery(t, db, `SELECT r.unit_code, count(*) FROM raw.dossier_rows r JOIN raw.files f ON f.sha256 = r.file_sha256
		WHERE f.path = 'hoso_phuong-liet_cp1258.csv' GROUP BY 1`); strings.Join(got, " ") != "phuong_liet|20" {
		t.Errorf("Windows-1258 CSV: units %q, want phuong_liet|20", got)
	}
	if got := relQuery1(t, db, `SELECT strlen(procedure_name) BETWEEN 32000 AND 32800 AND ends_with(procedure_name, '…')
		FROM raw.dossier_rows WHERE dossier_id = 'KM-00003'`); got != "true" {
		t.Errorf("the 1 MB cell is stored whole or unmarked (%s)", got)
	}
	if got := relQuery(t, db, `SELECT DISTINCT status FROM raw.dossier_rows WHERE dossier_id LIKE 'KD-%'`); strings.Join(got, ",") == "withdrawn" {
		t.Errorf("the second \"Trạng thái\" column won: %q", got)
	}
	if n := relQuery1(t, db, `SELECT count(*) FROM core.dossiers`); n != "131" {
		t.Errorf("core.dossiers has %s rows, want 131 (70 of inbox A + 10+5+20+9+6+6+2 + 3 under a name that is not UTF-8; none behind the link)", n)
	}

	t.Run("repeated header row", func(t *testing.T) {
		got := relQuery(t, db, `SELECT row_number, count(*) FROM raw.rejects WHERE file_path = 'hoso_khuong-dinh_lap-tieu-de.xlsx' GROUP BY 1`)
		if len(got) > 0 {
			t.Errorf("the row that repeats the header is rejected cell by cell instead of skipped: %q", got)
		}
		if n := relQuery1(t, db, `SELECT rows_skipped FROM raw.files WHERE path = 'hoso_khuong-dinh_lap-tieu-de.xlsx'`); n == "0" {
			t.Errorf("the repeated header row is neither rejected nor counted as skipped")
		}
	})

	t.Run("notes in raw.files.message", func(t *testing.T) {
		notes := map[string]string{
			"hoso_thanh-xuan-bac_trieu-dong.xlsx": `reading stopped after 10000 consecutive blank rows (rows 12–10011)`,
			"hoso_khuong-mai_o-1MB.xlsx":          `1 cells longer than 32768 bytes were cut`,
			"hoso_phuong-liet_cp1258.csv":         `read as Windows-1258`,
			"hoso_thuong-dinh_utf8-hong.csv":      `1 cells held bytes that are not UTF-8 (first on line 5), replaced by U+FFFD`,
			"nhan-chinh_2024-Q1.xlsx":             `has 1 formula cells without a computed value (such as D14 =SUM(D9:D10))`,
		}
		for p, n := range notes {
			if !strings.Contains(files[p], n) {
				t.Errorf("%s: message %q lacks %q", p, files[p], n)
			}
		}
	})
}

// relLinkReason is raw.files.message of a symbolic link to target.
func relLinkReason(target string) string {
	return "not a regular file: liên kết tượng trưng (→ " + target + "), không đọc theo: không đọc gì ngoài inbox — hãy chép chính tệp vào / a symbolic link (→ " + target + "), not followed: nothing outside the inbox is read; copy the file itself in"
}

// relRunAsNobody makes cmd run as the unprivileged user nobody, with dir
// (the test's folder: inbox and warehouse) its own.
func relRunAsNobody(t *testing.T, dir string, cmd *exec.Cmd) {
	t.Helper()
	const nobody = 65534
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, nobody, nobody)
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
}

// TestReliabilityEncryptedWithPassword: the password of extract.xlsx_password
// opens an encrypted workbook; a wrong one fails it with that reason.
func TestReliabilityEncryptedWithPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	relStage(t, inbox, relInFile{"mat-khau.xlsx", func(p string) error {
		return fixture.WriteXLSX(p, fixture.XLSXOptions{Password: "Thanh Xuân 2024"}, fixture.Sheet{Name: "DS",
			Rows: fixture.DossierGrid(nil, fixture.Dossiers("MK", "Phường Hạ Đình", 4))})
	}, 0})
	for _, c := range []struct{ password, want string }{
		{"Thanh Xuân 2024", "loaded|4|"},
		{"sai mật khẩu", "failed|0|workbook is password protected: mật khẩu ở extract.xlsx_password không mở được tệp / the password in extract.xlsx_password does not open it"},
	} {
		wh := filepath.Join(dir, fmt.Sprintf("wh-%d.duckdb", len(c.want)))
		relMustRun(t, inbox, wh, []string{"CCHC_EXTRACT_XLSX_PASSWORD=" + c.password})
		got := relQuery1(t, relOpenWH(t, wh), `SELECT status, rows_loaded, coalesce(message, '') FROM raw.files`)
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("password %q: %s, want %s…", c.password, got, c.want)
		}
	}
}
