package extract

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// xlsFile writes an .xls of fixture.XLS and returns its path.
func xlsFile(t *testing.T, opt fixture.XLSOptions, sheets ...fixture.XLSSheet) string {
	t.Helper()
	return writeFile(t, filepath.Join(t.TempDir(), "t.xls"), fixture.XLS(opt, sheets...))
}

// TestXLSCells: every kind of BIFF8 cell comes out as the xlsx reader
// returns the same cell (its raw value).
func TestXLSCells(t *testing.T) {
	long := strings.Repeat("Đăng ký khai sinh, ", 30)
	strs := []string{
		"Phường Khương Đình", // needs 16 bits
		"Tên thủ tục",        // 8 bits (Latin-1) but for ủ and ụ
		"Hà Nội",
		"Thông tin chung", // 8-bit, with ô
		long,
		"1.234,5", // a number stored as text stays text
		"",
	}
	const (
		general = 0
		date    = fixture.XLSCellXF     // built-in 22: m/d/yy h:mm
		custom  = fixture.XLSCellXF + 1 // dd/mm/yyyy hh:mm
		percent = fixture.XLSCellXF + 2 // 0.0%
	)
	opt := fixture.XLSOptions{
		SST:      strs,
		SSTSplit: 40, // every string of the table crosses a CONTINUE record
		Formats:  map[uint16]string{164: "dd/mm/yyyy hh:mm", 165: "0.0%"},
		XFs:      []uint16{22, 164, 165},
	}
	recs := []fixture.BIFF{
		fixture.XLSLabelSST(0, 0, general, 0), fixture.XLSLabelSST(0, 1, general, 1), fixture.XLSLabelSST(0, 2, general, 2), fixture.XLSLabelSST(0, 3, general, 3),
		fixture.XLSLabelSST(1, 0, general, 4), fixture.XLSLabelSST(1, 1, general, 5), fixture.XLSLabelSST(1, 3, general, 6), fixture.XLSLabel(1, 4, general, "Ngày tiếp nhận"),
		fixture.XLSNumber(2, 0, date, 45294.586805555555), fixture.XLSNumber(2, 1, custom, 45294), fixture.XLSNumber(2, 2, percent, 0.955), fixture.XLSNumber(2, 3, general, 1e-7), fixture.XLSNumber(2, 4, general, 1234567890123),
		fixture.XLSRK(3, 0, general, fixture.RKInt(42, false)), fixture.XLSRK(3, 1, general, fixture.RKInt(12345, true)), fixture.XLSRK(3, 2, general, fixture.RKFloat(1.5, false)), fixture.XLSRK(3, 3, general, fixture.RKInt(-7, false)),
		fixture.XLSMulRK(4, 1, general, fixture.RKInt(1, false), fixture.RKInt(2, false), fixture.RKInt(3, false)),
		fixture.XLSBool(5, 0, true), fixture.XLSBool(5, 1, false), fixture.XLSError(5, 2, 0x2A), fixture.XLSError(5, 3, 0x07),
		fixture.XLSFormulaNumber(6, 0, date, 45295.5),
	}
	recs = append(recs, fixture.XLSFormulaText(6, 1, "Đã trả kết quả")...)
	recs = append(recs, fixture.XLSMerge(0, 0, 0, 3))
	rows, _, err := readAll(t, xlsFile(t, opt, fixture.XLSSheet{Name: "Danh sách", Records: recs}), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Danh sách!1: Phường Khương Đình|Tên thủ tục|Hà Nội|Thông tin chung",
		"Danh sách!2: " + strings.TrimSpace(long) + "|1.234,5|||Ngày tiếp nhận",
		"Danh sách!3: 45294.586805555555|45294|0.955|0.0000001|1234567890123",
		"Danh sách!4: 42|123.45|1.5|-7",
		"Danh sách!5: |1|2|3",
		"Danh sách!6: 1|0|#N/A|#DIV/0!",
		"Danh sách!7: 45295.5|Đã trả kết quả",
	}
	if got := strings.Join(rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// TestXLSDate1904: a workbook in the 1904 date system has its date cells
// (built-in and custom date formats, formulas too) moved to the 1900
// system; other numbers stay as they are.
func TestXLSDate1904(t *testing.T) {
	const (
		general = 0
		builtin = fixture.XLSCellXF     // 14: m/d/yyyy
		custom  = fixture.XLSCellXF + 1 // dd/mm/yyyy hh:mm
		quoted  = fixture.XLSCellXF + 2 // "Ngày" dd
		money   = fixture.XLSCellXF + 3 // [Red]#,##0.00 "đ"
		elapsed = fixture.XLSCellXF + 4 // [h]:mm
	)
	opt := fixture.XLSOptions{
		Date1904: true,
		Formats:  map[uint16]string{164: "dd/mm/yyyy hh:mm", 165: `"Ngày" dd`, 166: `[Red]#,##0.00 "đ"`, 167: "[h]:mm"},
		XFs:      []uint16{14, 164, 165, 166, 167},
	}
	// 2024-01-03 14:05 is 45294.586805… in the 1900 system, 43832.586805… in
	// the 1904 one.
	v1904 := 45294.586805555555 - 1462
	recs := []fixture.BIFF{
		fixture.XLSNumber(0, 0, builtin, 43832), fixture.XLSNumber(0, 1, custom, v1904), fixture.XLSNumber(0, 2, quoted, 43832),
		fixture.XLSNumber(0, 3, general, 43832), fixture.XLSNumber(0, 4, money, 43832), fixture.XLSRK(0, 5, builtin, fixture.RKInt(43832, false)),
		fixture.XLSFormulaNumber(0, 6, custom, v1904), fixture.XLSNumber(0, 7, elapsed, 1.5),
	}
	rows, _, err := readAll(t, xlsFile(t, opt, fixture.XLSSheet{Name: "S", Records: recs}), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("S!1: 45294|%s|45294|43832|43832|45294|%s|1463.5", formatNumber(v1904+1462), formatNumber(v1904+1462))
	if len(rows) != 1 || rows[0] != want {
		t.Errorf("rows = %q, want %q", rows, want)
	}
}

// TestXLSSheets: worksheets in order, hidden or not; chart sheets and a
// chart embedded in a sheet are no rows; empty rows keep the numbers of the
// rows after them; a sheet whose cells are not row after row is sorted.
func TestXLSSheets(t *testing.T) {
	embedded := []fixture.BIFF{
		{Type: 0x0809, Data: make([]byte, 16)}, // a chart's BOF
		fixture.XLSNumber(0, 0, 0, 99),         // its records are no cells of the sheet
		{Type: 0x000A},
	}
	first := append([]fixture.BIFF{fixture.XLSLabel(0, 0, 0, "Hướng dẫn")}, embedded...)
	first = append(first, fixture.XLSLabel(3, 1, 0, "sau ba dòng"))
	unordered := []fixture.BIFF{
		fixture.XLSLabel(2, 0, 0, "c"), fixture.XLSLabel(0, 1, 0, "b"), fixture.XLSLabel(0, 0, 0, "a"),
		fixture.XLSMulRK(2, 1, 0, fixture.RKInt(1, false), fixture.RKInt(2, false)), fixture.XLSLabel(1, 0, 0, "x"),
	}
	sheets := []fixture.XLSSheet{
		{Name: "Hướng dẫn", Records: first},
		{Name: "Biểu đồ", Chart: true, Records: []fixture.BIFF{fixture.XLSNumber(0, 0, 0, 1)}},
		{Name: "Trống"},
		{Name: "Lộn xộn", Records: unordered},
	}
	for i := 0; i < 4; i++ {
		sheets = append(sheets, fixture.XLSSheet{Name: "Trang " + strconv.Itoa(i+5), Records: []fixture.BIFF{fixture.XLSNumber(i, i, 0, float64(i))}})
	}
	wb, err := OpenWorkbook(xlsFile(t, fixture.XLSOptions{}, sheets...), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wb.Close()
	if got := strings.Join(wb.Sheets(), "|"); got != "Hướng dẫn|Trống|Lộn xộn|Trang 5|Trang 6|Trang 7|Trang 8" {
		t.Errorf("sheets = %q", got)
	}
	rows, _, err := readAll(t, xlsFile(t, fixture.XLSOptions{}, sheets...), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Hướng dẫn!1: Hướng dẫn\nHướng dẫn!4: |sau ba dòng\nLộn xộn!1: a|b\nLộn xộn!2: x\nLộn xộn!3: c|1|2\nTrang 5!1: 0\nTrang 6!2: |1\nTrang 7!3: ||2\nTrang 8!4: |||3"
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
}

// TestXLSBad: what cannot be read fails at once with a reason.
func TestXLSBad(t *testing.T) {
	good := fixture.XLS(fixture.XLSOptions{SST: []string{"a"}}, fixture.XLSSheet{Name: "S", Records: []fixture.BIFF{fixture.XLSLabelSST(0, 0, 0, 0)}})
	tests := []struct {
		name    string
		data    []byte
		opt     OpenOptions
		wantErr error
		want    string
	}{
		{"password", fixture.XLS(fixture.XLSOptions{Globals: []fixture.BIFF{{Type: 0x002F, Data: make([]byte, 54)}}}, fixture.XLSSheet{Name: "S"}),
			OpenOptions{Password: "x"}, ErrEncrypted, "the .xls workbook is password protected: remove the password in Excel and save it as .xlsx"},
		{"biff5", fixture.XLS(fixture.XLSOptions{Version: 0x0500}, fixture.XLSSheet{Name: "S"}), OpenOptions{}, ErrUnknownFormat, "an Excel 5.0/95 (BIFF5) workbook"},
		{"book stream", fixture.CompoundFile("Book", []byte{9, 8, 8, 0, 0, 5, 5, 0, 0, 0, 0, 0}), OpenOptions{}, ErrUnknownFormat, "an Excel 5.0/95 (BIFF5) workbook"},
		{"empty workbook stream", fixture.OLE2("Workbook"), OpenOptions{}, ErrUnknownFormat, "no readable Excel 97-2003 (BIFF8) workbook"},
		{"not biff", fixture.CompoundFile("Workbook", []byte("hello, world")), OpenOptions{}, ErrUnknownFormat, "no readable Excel 97-2003 (BIFF8) workbook"},
		{"a sheet without its end", fixture.XLS(fixture.XLSOptions{}, fixture.XLSSheet{Name: "S", Records: []fixture.BIFF{fixture.XLSLabel(0, 0, 0, "a")}, NoEOF: true}),
			OpenOptions{}, ErrUnreadable, "corrupt or truncated .xls"},
		{"a string missing from the table", fixture.XLS(fixture.XLSOptions{SST: []string{"a"}}, fixture.XLSSheet{Name: "S", Records: []fixture.BIFF{fixture.XLSLabelSST(0, 0, 0, 7)}}),
			OpenOptions{}, ErrUnreadable, "string 7 is not in the shared strings"},
		{"shared strings over the budget", fixture.XLS(fixture.XLSOptions{SST: []string{strings.Repeat("x", 3000), strings.Repeat("y", 3000)}}, fixture.XLSSheet{Name: "S"}),
			OpenOptions{MaxMemoryBytes: 4000}, ErrTooLarge, "the .xls shared strings take more than the limit"},
		{"cut off", good[:600], OpenOptions{}, ErrUnreadable, "a corrupt or truncated Office (OLE2) file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), "t.xls"), tt.data)
			rows, _, err := readAll(t, p, tt.opt)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (rows %q), want %v with %q", err, rows, tt.wantErr, tt.want)
			}
		})
	}
}

// TestXLSRealWriters: workbooks that LibreOffice and gnumeric saved as .xls
// read as their xlsx originals, cell for cell (shared strings continued
// across CONTINUE records, with 8-bit and 16-bit runs; merged cells; dates;
// numbers stored as text; empty rows; several sheets); a workbook saved in
// the 1904 date system reads with its dates in the 1900 system.
func TestXLSRealWriters(t *testing.T) {
	dir := "testdata/formats"
	for _, p := range []struct{ file, original string }{
		{"samples/hoso_nhan-chinh_dot1.xls", "hoso_nhan-chinh_dot1.xlsx"},
		{"samples/Bieu06_ha_dinh_Q1_2024.xls", "Bieu06_ha_dinh_Q1_2024.xlsx"},
		{"gnumeric/hoso_nhan-chinh_dot1.xls", "hoso_nhan-chinh_dot1.xlsx"},
		{"gnumeric/BC_CCHC_6T_2024_thuongdinh.xls", "BC_CCHC_6T_2024_thuongdinh.xlsx"},
	} {
		t.Run(p.file, func(t *testing.T) {
			want, _, err := readAll(t, filepath.Join(dir, "originals", p.original), OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := readAll(t, filepath.Join(dir, p.file), OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("rows differ from %s:\n%s", p.original, lineDiff(strings.Join(want, "\n"), strings.Join(got, "\n")))
			}
		})
	}
	// The 1904 workbook is the dossier export with its workbook's date
	// system switched: the same serials now mean dates 1462 days later.
	want, _, err := readAll(t, filepath.Join(dir, "originals", "hoso_nhan-chinh_dot1.xlsx"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := readAll(t, filepath.Join(dir, "libreoffice", "hoso_nhan-chinh_dot1_1904.xls"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	dates := 0
	for i := range want {
		w, g := strings.Split(want[i], "|"), strings.Split(got[i], "|")
		if len(w) > 4 && strings.Contains(w[4], ".") {
			v, err := strconv.ParseFloat(w[4], 64)
			if err != nil {
				t.Fatal(err)
			}
			w[4] = formatNumber(v + 1462)
			dates++
		}
		if strings.Join(w, "|") != strings.Join(g, "|") {
			t.Errorf("1904: %s\nwant %s", got[i], strings.Join(w, "|"))
		}
	}
	if dates < 100 {
		t.Errorf("only %d date cells compared", dates)
	}
}

// lineDiff lists the lines of want that got lacks (-) and the lines of got
// that want lacks (+), at most 10.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	in := func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, l := range s {
			m[l] = true
		}
		return m
	}
	wm, gm := in(w), in(g)
	var out []string
	for _, l := range w {
		if !gm[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !wm[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out[:min(len(out), 10)], "\n")
}
