package extract

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// readAll opens path and returns every row of every sheet as "sheet!num: a|b|c"
// lines, and the workbook's notes.
func readAll(t *testing.T, path string, opt OpenOptions) ([]string, []string, error) {
	t.Helper()
	return readRows(path, opt, 0)
}

// readRows is readAll's work, each cell clipped to clip bytes when clip > 0.
func readRows(path string, opt OpenOptions, clip int) ([]string, []string, error) {
	wb, err := OpenWorkbook(path, opt)
	if err != nil {
		return nil, nil, err
	}
	defer wb.Close()
	var out []string
	for _, s := range wb.Sheets() {
		rr, err := wb.Rows(s)
		if err != nil {
			return out, nil, err
		}
		for rr.Next() {
			r := rr.Row()
			if r.Blank() {
				continue
			}
			cells := r.Cells
			if clip > 0 {
				cells = make([]string, len(r.Cells))
				for i, c := range r.Cells {
					cells[i] = c[:min(len(c), clip)]
				}
			}
			out = append(out, fmt.Sprintf("%s!%d: %s", s, r.Num, strings.Join(cells, "|")))
		}
		err = rr.Err()
		rr.Close()
		if err != nil {
			return out, nil, err
		}
	}
	var notes []string
	if n, ok := wb.(Noter); ok {
		notes = n.Notes()
	}
	return out, notes, nil
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func goodXLSX(t *testing.T, path string, opt fixture.XLSXOptions) string {
	t.Helper()
	err := fixture.WriteXLSX(path, opt, fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(
		[]string{"UBND PHƯỜNG KIM GIANG"}, fixture.Dossiers("KG", "Phường Kim Giang", 3))})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReliabilityOpenBadFiles: every file that cannot be read fails alone, with a
// sentinel for errors.Is and a reason a person can act on.
func TestReliabilityOpenBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := goodXLSX(t, filepath.Join(dir, "good.xlsx"), fixture.XLSXOptions{})
	goodBytes, _ := os.ReadFile(good)
	text := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	tests := []struct {
		name    string
		make    func(p string) error
		opt     OpenOptions
		wantErr error
		want    string // in the message
	}{
		{"truncated.xlsx", func(p string) error { return os.WriteFile(p, goodBytes[:len(goodBytes)/2], 0o644) },
			OpenOptions{}, ErrUnreadable, "corrupt or truncated xlsx"},
		{"garbage.xlsx", func(p string) error { return os.WriteFile(p, []byte("not a workbook\n"), 0o644) },
			OpenOptions{}, ErrUnreadable, "not an xlsx (zip) file"},
		{"web-page.xlsx", func(p string) error { return os.WriteFile(p, []byte("<html>not a workbook</html>"), 0o644) },
			OpenOptions{}, ErrUnknownFormat, "an HTML document without a table (<table>): not a spreadsheet export"},
		{"empty.xlsx", func(p string) error { return os.WriteFile(p, nil, 0o644) },
			OpenOptions{}, ErrUnreadable, "the file is empty"},
		{"flipped.xlsx", func(p string) error {
			// A byte flipped inside a compressed part: the CRC check fails.
			b := append([]byte(nil), goodBytes...)
			i := bytes.Index(b, []byte("xl/worksheets/sheet1.xml")) + 200
			b[i] ^= 0xFF
			return os.WriteFile(p, b, 0o644)
		}, OpenOptions{}, ErrUnreadable, "the part xl/worksheets/sheet1.xml of the xlsx is corrupt"},
		{"truncated-sheet.xlsx", func(p string) error {
			// A valid zip whose worksheet XML stops in the middle: the xlsx
			// reader alone would read it as a shorter sheet.
			return fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "S", Data: func(w io.Writer) error {
				fixture.RowXML(w, 1, "Mã hồ sơ", "Ghi chú")
				_, err := io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>H-1</t></is></c></row><row r="3"><c r="A3" t="inl`)
				return err
			}, Truncate: true})
		}, OpenOptions{}, ErrUnreadable, "the worksheet xl/worksheets/sheet1.xml is truncated (its XML does not end)"},
		{"encrypted.xlsx", func(p string) error {
			goodXLSX(t, p, fixture.XLSXOptions{Password: "Mật-khẩu 2024"})
			return nil
		}, OpenOptions{}, ErrEncrypted, "set its password in extract.xlsx_password"},
		{"encrypted-wrong.xlsx", func(p string) error {
			goodXLSX(t, p, fixture.XLSXOptions{Password: "Mật-khẩu 2024"})
			return nil
		}, OpenOptions{Password: "sai"}, ErrEncrypted, "does not open it"},
		{"legacy.xlsx", func(p string) error {
			// An OLE2 container with a Workbook stream: a .xls renamed .xlsx.
			return os.WriteFile(p, fixture.OLE2("Workbook"), 0o644)
		}, OpenOptions{}, ErrUnknownFormat, "save it as .xlsx"},
		{"report.pdf", func(p string) error { return os.WriteFile(p, []byte("%PDF-1.4"), 0o644) },
			OpenOptions{}, ErrUnknownFormat, `".pdf"`},
		{"bomb-total.xlsx", func(p string) error {
			// Declares 3 GiB once inflated: refused from the zip directory,
			// before a byte is inflated, under the default limit (2 GiB).
			return fixture.WriteRawXLSX(p, fixture.RawOptions{Extra: []fixture.RawPart{{
				Name: "xl/media/image1.png", Data: text(strings.Repeat("A", 1000)), Declared: 3 << 30}}},
				fixture.RawSheet{Name: "S", Data: fixture.GridRows([][]any{{"a"}})})
		}, OpenOptions{}, ErrTooLarge, "extract.max_unzip_bytes (2.0 GiB)"},
		{"bomb-sheet.xlsx", func(p string) error {
			// An honest bomb: 64 MiB of blanks in one sheet, a few hundred KiB zipped.
			return fixture.WriteRawXLSX(p, fixture.RawOptions{Level: 9}, fixture.RawSheet{Name: "S", Data: func(w io.Writer) error {
				blank := bytes.Repeat([]byte(" "), 1<<20)
				for i := 0; i < 64; i++ {
					if _, err := w.Write(blank); err != nil {
						return err
					}
				}
				return nil
			}})
		}, OpenOptions{MaxUnzipBytes: 32 << 20}, ErrTooLarge, "more than the limit extract.max_unzip_bytes (32.0 MiB)"},
		{"bomb-styles.xlsx", func(p string) error {
			// A part the reader keeps in memory, inflating 1000:1.
			return fixture.WriteRawXLSX(p, fixture.RawOptions{Level: 9, Extra: []fixture.RawPart{{Name: "xl/styles.xml", Data: func(w io.Writer) error {
				_, err := w.Write(bytes.Repeat([]byte(" "), 24<<20))
				return err
			}}}}, fixture.RawSheet{Name: "S", Data: fixture.GridRows([][]any{{"a"}})})
		}, OpenOptions{}, ErrTooLarge, "more than extract.max_xml_bytes (16.0 MiB): a zip bomb?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			if err := tt.make(p); err != nil {
				t.Fatal(err)
			}
			rows, _, err := readAll(t, p, tt.opt)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v (rows %d), want %v", err, len(rows), tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestReliabilityOpenEncryptedWithPassword(t *testing.T) {
	p := goodXLSX(t, filepath.Join(t.TempDir(), "encrypted.xlsx"), fixture.XLSXOptions{Password: "Mật-khẩu 2024"})
	rows, _, err := readAll(t, p, OpenOptions{Password: "Mật-khẩu 2024"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0] != "DS!1: UBND PHƯỜNG KIM GIANG" || !strings.HasPrefix(rows[1], "DS!3: STT|Mã hồ sơ|") || !strings.HasPrefix(rows[4], "DS!6: 3|KG-00003|") {
		t.Errorf("rows = %q", rows)
	}
}

// TestReliabilityXLSXEdgeRows: what Excel never writes but other tools do.
func TestReliabilityXLSXEdgeRows(t *testing.T) {
	dir := t.TempDir()
	t.Run("formula without cached value", func(t *testing.T) {
		p := filepath.Join(dir, "formula.xlsx")
		cached := "30"
		err := fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "Báo cáo", Data: fixture.GridRows([][]any{
			{"STT", "Nội dung", "Kết quả"},
			{"1", "A", 10},
			{"2", "B", 20},
			{"3", "Tổng", fixture.Formula{Text: "SUM(C2:C3)", Cached: &cached}},
			{"4", "Tỷ lệ", fixture.Formula{Text: "C2/C4"}},
			{"5", "C", fixture.Formula{Text: `IF(C2>5,"x","y")`}, "ghi chú"},
		})})
		if err != nil {
			t.Fatal(err)
		}
		rows, notes, err := readAll(t, p, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"Báo cáo!1: STT|Nội dung|Kết quả",
			"Báo cáo!2: 1|A|10",
			"Báo cáo!3: 2|B|20",
			"Báo cáo!4: 3|Tổng|30",
			"Báo cáo!5: 4|Tỷ lệ|=C2/C4",
			`Báo cáo!6: 5|C|=IF(C2>5,"x","y")|ghi chú`,
		}
		if strings.Join(rows, "\n") != strings.Join(want, "\n") {
			t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
		}
		if len(notes) != 1 || !strings.Contains(notes[0], `has 2 formula cells without a computed value (such as C5 =C2/C4)`) {
			t.Errorf("notes = %q", notes)
		}
	})

	t.Run("a million empty formatted rows", func(t *testing.T) {
		if testing.Short() {
			t.Skip("writes a 1,000,000-row sheet")
		}
		p := filepath.Join(dir, "empty-rows.xlsx")
		err := fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "DS", Data: func(w io.Writer) error {
			fixture.RowXML(w, 1, "Mã hồ sơ", "Ghi chú")
			fixture.RowXML(w, 2, "H-1", "x")
			for i := 3; i <= 1_000_002; i++ {
				if _, err := fmt.Fprintf(w, `<row r="%d" spans="1:17" s="3" customFormat="1" ht="15"><c r="A%d" s="3"/><c r="B%d" s="3"/></row>`, i, i, i); err != nil {
					return err
				}
			}
			return fixture.RowXML(w, 1_000_003, "H-2", "after the gap")
		}})
		if err != nil {
			t.Fatal(err)
		}
		rows, notes, err := readAll(t, p, OpenOptions{MaxEmptyRunRow: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows, "\n") != "DS!1: Mã hồ sơ|Ghi chú\nDS!2: H-1|x" {
			t.Errorf("rows = %q", rows)
		}
		want := `sheet "DS": reading stopped after 5000 consecutive blank rows (rows 3–5002); the rest of the sheet was not read: raise extract.max_blank_rows if data follows`
		if len(notes) != 1 || !strings.Contains(notes[0], want) {
			t.Errorf("notes = %q, want %q", notes, want)
		}
		// A reader that ended stays ended, as database/sql.Rows does: asking
		// again does not read on past the limit.
		wb, err := OpenWorkbook(p, OpenOptions{MaxEmptyRunRow: 5000})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		rr, _ := wb.Rows("DS")
		defer rr.Close()
		n := 0
		for rr.Next() {
			n++
		}
		for i := 0; i < 3; i++ {
			if rr.Next() {
				t.Fatalf("Next after the end returned true (row %d)", rr.Row().Num)
			}
		}
		if n != 5001 || wb.(Noter).Notes()[0] != notes[0] {
			t.Errorf("%d rows, notes %q", n, wb.(Noter).Notes())
		}
	})

	t.Run("data after a gap within the limit", func(t *testing.T) {
		p := filepath.Join(dir, "gap.xlsx")
		err := fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "DS", Data: func(w io.Writer) error {
			fixture.RowXML(w, 1, "Mã hồ sơ", "Ghi chú")
			for i := 2; i <= 20_001; i++ {
				if _, err := fmt.Fprintf(w, `<row r="%d" s="3" customFormat="1"><c r="A%d" s="3"/></row>`, i, i); err != nil {
					return err
				}
			}
			return fixture.RowXML(w, 20_002, "H-2", "after the gap")
		}})
		if err != nil {
			t.Fatal(err)
		}
		rows, notes, err := readAll(t, p, OpenOptions{MaxEmptyRunRow: 20_001})
		if err != nil || len(rows) != 2 || rows[1] != "DS!20002: H-2|after the gap" || len(notes) != 0 {
			t.Errorf("rows = %q, notes %q, err %v", rows, notes, err)
		}
	})

	t.Run("a 1 MB cell", func(t *testing.T) {
		p := filepath.Join(dir, "big-cell.xlsx")
		big := strings.Repeat("Nội dung rất dài. ", 1<<20/len("Nội dung rất dài. ")+1)
		err := fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "S", Data: fixture.GridRows([][]any{
			{"a", big, "c"},
		})})
		if err != nil {
			t.Fatal(err)
		}
		wb, err := OpenWorkbook(p, OpenOptions{MaxCellBytes: 1000})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		rr, _ := wb.Rows("S")
		defer rr.Close()
		if !rr.Next() {
			t.Fatal(rr.Err())
		}
		c := rr.Row().Cells
		if len(c) != 3 || len(c[1]) > 1000+len(CutMarker) || !strings.HasSuffix(c[1], CutMarker) || !strings.HasPrefix(big, strings.TrimSuffix(c[1], CutMarker)) || c[2] != "c" {
			t.Errorf("cells = %d, cell 2 has %d bytes", len(c), len(c[1]))
		}
		notes := wb.(Noter).Notes()
		if len(notes) != 1 || !strings.Contains(notes[0], `sheet "S": 1 cells longer than 1000 bytes were cut, marked "…" (first at dòng/row 1)`) {
			t.Errorf("notes = %q", notes)
		}
	})
}

func TestReliabilityCSVEncodings(t *testing.T) {
	dir := t.TempDir()
	const line1 = "Mã hồ sơ;Đơn vị tiếp nhận;Ghi chú"
	const line2 = "KG-1;Phường Khương Trung;Đã trả kết quả đúng hạn"
	utf16le := func(s string) []byte {
		b := []byte{0xFF, 0xFE}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	tcvn3 := func(s string) []byte { // the legacy .Vn fonts' bytes
		inv := map[rune]byte{}
		for b := 255; b >= 0; b-- {
			inv[tcvn3Table[b]] = byte(b)
		}
		var out []byte
		for _, r := range s {
			b, ok := inv[r]
			if !ok {
				t.Fatalf("%q has no TCVN3 byte", r)
			}
			out = append(out, b)
		}
		return out
	}
	cp1258 := func(s string) []byte {
		b, err := fixture.EncodeCP1258(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name  string
		data  []byte
		rows  []string
		notes []string
	}{
		{"utf8.csv", []byte(line1 + "\n" + line2 + "\n"), []string{"!1: " + strings.ReplaceAll(line1, ";", "|"), "!2: " + strings.ReplaceAll(line2, ";", "|")}, nil},
		{"bom.csv", []byte("\xEF\xBB\xBF" + line1 + "\r\n" + line2 + "\r\n"), []string{"!1: Mã hồ sơ|Đơn vị tiếp nhận|Ghi chú", "!2: KG-1|Phường Khương Trung|Đã trả kết quả đúng hạn"}, nil},
		{"cp1258.csv", cp1258(line1 + "\n" + line2 + "\n"), []string{"!1: Mã hồ sơ|Đơn vị tiếp nhận|Ghi chú", "!2: KG-1|Phường Khương Trung|Đã trả kết quả đúng hạn"},
			[]string{"the CSV file is not UTF-8: read as Windows-1258 (Vietnamese)"}},
		{"tcvn3.csv", tcvn3(strings.ToLower(line1) + "\n" + "kg-1;phường khương trung;đã trả kết quả đúng hạn\n"), []string{"!1: mã hồ sơ|đơn vị tiếp nhận|ghi chú", "!2: kg-1|phường khương trung|đã trả kết quả đúng hạn"},
			[]string{"the CSV file is in the legacy TCVN3 (ABC) encoding: converted to Unicode"}},
		{"utf16.csv", utf16le(strings.ReplaceAll(line1+"\r\n"+line2+"\r\n", ";", "\t")), []string{"!1: Mã hồ sơ|Đơn vị tiếp nhận|Ghi chú", "!2: KG-1|Phường Khương Trung|Đã trả kết quả đúng hạn"},
			[]string{"the CSV file is UTF-16 (Excel's Unicode Text): converted"}},
		{"damaged.csv", []byte(line1 + "\n" + "KG-1;Phường Kh\xFFương Trung;Đã trả\n" + line2 + "\n"),
			[]string{"!1: Mã hồ sơ|Đơn vị tiếp nhận|Ghi chú", "!2: KG-1|Phường Kh\uFFFDương Trung|Đã trả", "!3: KG-1|Phường Khương Trung|Đã trả kết quả đúng hạn"},
			[]string{"1 cells held bytes that are not UTF-8 (first on line 2), replaced by U+FFFD"}},
		{"multiline.csv", []byte("Mã hồ sơ,Ghi chú\nKG-1,\"hai\ndòng\"\nKG-2,x\n"), []string{"!1: Mã hồ sơ|Ghi chú", "!2: KG-1|hai dòng", "!4: KG-2|x"}, nil},
		// Bytes a legacy or UTF-16 decoder cannot read: U+FFFD, said as
		// for damaged UTF-8 (0x81 is undefined in Windows-1258; a lone
		// high surrogate in UTF-16).
		{"cp1258-undefined.csv", append(append(cp1258(line1+"\n"+"KG-1;Phường Kh"), 0x81), cp1258("ương Trung;Đã trả\n")...),
			[]string{"!1: Mã hồ sơ|Đơn vị tiếp nhận|Ghi chú", "!2: KG-1|Phường Kh\uFFFDương Trung|Đã trả"},
			[]string{"the CSV file is not UTF-8: read as Windows-1258 (Vietnamese)", "1 cells held bytes that windows-1258 cannot decode (first on line 2), replaced by U+FFFD"}},
		{"utf16-lone.csv", append(utf16le("Mã hồ sơ\tGhi chú\r\nKG-1\tx"), 0x00, 0xD8, '\r', 0, '\n', 0),
			[]string{"!1: Mã hồ sơ|Ghi chú", "!2: KG-1|x\uFFFD"},
			[]string{"the CSV file is UTF-16 (Excel's Unicode Text): converted", "1 cells held bytes that utf-16le cannot decode (first on line 2), replaced by U+FFFD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, notes, err := readAll(t, writeFile(t, filepath.Join(dir, tt.name), tt.data), OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows, "\n") != strings.Join(tt.rows, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(tt.rows, "\n"))
			}
			if len(notes) != len(tt.notes) {
				t.Fatalf("notes = %q, want %q", notes, tt.notes)
			}
			for i := range notes {
				if !strings.Contains(notes[i], tt.notes[i]) {
					t.Errorf("note %q, want %q", notes[i], tt.notes[i])
				}
			}
		})
	}
}

func TestReliabilityCSVLimits(t *testing.T) {
	dir := t.TempDir()
	t.Run("a 1 MB cell is cut", func(t *testing.T) {
		big := strings.Repeat("x", 1<<20)
		p := writeFile(t, filepath.Join(dir, "big.csv"), []byte("a,b\n1,"+big+"\n2,y\n"))
		rows, notes, err := readAll(t, p, OpenOptions{MaxCellBytes: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[1] != "!2: 1|"+strings.Repeat("x", 100)+CutMarker || rows[2] != "!3: 2|y" {
			t.Errorf("rows = %.200q", rows)
		}
		if len(notes) != 1 || !strings.Contains(notes[0], "1 cells longer than 100 bytes were cut") {
			t.Errorf("notes = %q", notes)
		}
	})
	t.Run("a line without end", func(t *testing.T) {
		// 9 MiB without a line break: not a table, and not held in memory.
		p := writeFile(t, filepath.Join(dir, "oneline.csv"), append([]byte("a,b\n"), bytes.Repeat([]byte("z"), 9<<20)...))
		_, _, err := readAll(t, p, OpenOptions{MaxCellBytes: 1000})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "a CSV line longer than 8.0 MiB (after line 1)") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestReliabilityOpenDetectsChange: a file whose size or time differs from when it was
// hashed, or that changes while it is read, is not loaded under the old hash.
func TestReliabilityOpenDetectsChange(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, filepath.Join(dir, "a.csv"), []byte("Mã hồ sơ,Ghi chú\nKG-1,x\n"))
	src := Source{Path: "a.csv", Abs: p}
	if err := src.Hash(); err != nil {
		t.Fatal(err)
	}
	wb, err := src.Open(OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wb.Close()

	// Appended after hashing.
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("KG-2,y\n")
	f.Close()
	if _, err := src.Open(OpenOptions{}); !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "the file changed while it was read") {
		t.Errorf("open after a change: %v", err)
	}

	// Changed between opening and reading to the end.
	if err := src.Hash(); err != nil {
		t.Fatal(err)
	}
	wb, err = src.Open(OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	// (Rows are read ahead in a goroutine: change the file before they are;
	// the change is caught when the sheet is opened or at its end.)
	later := time.Now().Add(time.Minute)
	os.Chtimes(p, later, later)
	rr, err := wb.Rows("")
	if err == nil {
		for rr.Next() {
		}
		err = rr.Err()
		rr.Close()
	}
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "changed while it was read") {
		t.Errorf("read across a change: %v", err)
	}
}

// TestReliabilityCheckZipKeepsPictures: a picture larger than max_xml_bytes that
// compresses like a picture is no bomb.
func TestReliabilityCheckZipKeepsPictures(t *testing.T) {
	p := filepath.Join(t.TempDir(), "photo.xlsx")
	noise := make([]byte, 20<<20)
	x := uint32(1)
	for i := range noise {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		noise[i] = byte(x)
	}
	err := fixture.WriteRawXLSX(p, fixture.RawOptions{Extra: []fixture.RawPart{{Name: "xl/media/image1.jpeg", Data: func(w io.Writer) error {
		_, err := w.Write(noise)
		return err
	}}}}, fixture.RawSheet{Name: "S", Data: fixture.GridRows([][]any{{"a", "b"}})})
	if err != nil {
		t.Fatal(err)
	}
	if rows, _, err := readAll(t, p, OpenOptions{}); err != nil || len(rows) != 1 {
		t.Errorf("rows %q, err %v", rows, err)
	}
}

// TestReliabilityScanUncachedFormulas covers the XML forms of formula cells.
func TestReliabilityScanUncachedFormulas(t *testing.T) {
	xmlText := `<worksheet><sheetData>
<row r="2"><c r="A2"><f>SUM(B1:B3)</f></c><c r="B2" t="str"><f>A1&amp;"x"</f><v></v></c><c r="C2" s="1"/></row>
<row r="3" spans="1:3"><x:c r="B3"><x:f t="shared" si="0"/></x:c><c r='C3'><f>1&lt;2</f><v>1</v></c></row>
<row><c><f>NOW()</f></c><c><f>A1</f><is><t>x</t></is></c></row>
</sheetData></worksheet>`
	cells, more, err := scanUncachedFormulas(bufioReader(xmlText), 10)
	if err != nil || more {
		t.Fatal(err, more)
	}
	got := fmt.Sprint(cells)
	want := `map[2:[{1 A2 SUM(B1:B3)}] 3:[{2 B3 }] 4:[{1 A4 NOW()}]]`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, more, _ := scanUncachedFormulas(bufioReader(xmlText), 2); !more {
		t.Error("the bound was not reported")
	}
}

// TestReliabilityReaderPanicIsAnError: a malformed sheet fails its file, never the run.
func TestReliabilityReaderPanicIsAnError(t *testing.T) {
	var err error
	func() {
		defer recovered(&err)
		var m map[string]int
		m["x"]++ // a nil map write panics, as a parser bug would
	}()
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "reader panic") {
		t.Errorf("err = %v", err)
	}
}

func TestReliabilityOpenUnzipsToTempDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts files in a folder")
	}
	// A sheet larger than MaxXMLBytes goes to a temporary file in TempDir,
	// removed on Close.
	dir, tmp := t.TempDir(), t.TempDir()
	p := filepath.Join(dir, "big.xlsx")
	err := fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "S", Data: func(w io.Writer) error {
		for i := 1; i <= 20000; i++ {
			if err := fixture.RowXML(w, i, "H-"+fmt.Sprint(i), "Phường Kim Giang", i); err != nil {
				return err
			}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := readAll(t, p, OpenOptions{MaxXMLBytes: 1 << 20, TempDir: tmp})
	if err != nil || len(rows) != 20000 || rows[19999] != "S!20000: H-20000|Phường Kim Giang|20000" {
		t.Fatalf("%d rows, err %v", len(rows), err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

// TestReliabilityFormulaDetector: a formula tag is found wherever the
// inflating copy happens to split the text.
func TestReliabilityFormulaDetector(t *testing.T) {
	for _, tt := range []struct {
		chunks []string
		want   bool
	}{
		{[]string{`<c r="A1"><f>SUM(A2)</f></c>`}, true},
		{[]string{`<c r="A1"><`, `f>1</f></c>`}, true},
		{[]string{`<c r="A1"><f`, ` t="shared" si="0"/></c>`}, true},
		{[]string{`<x:c><x`, `:`, `f>1</x:f></x:c>`}, true},
		{[]string{`<font><fill/>`, `<filter/>`}, false},
		{[]string{`<c r="A1" t="s"><v>3</v></c>`}, false},
	} {
		var d formulaDetector
		for _, c := range tt.chunks {
			d.Write([]byte(c))
		}
		if d.found != tt.want {
			t.Errorf("%q: found %v, want %v", tt.chunks, d.found, tt.want)
		}
	}
}

// TestReliabilityCheckHeld: the parts excelize holds in memory are taken as
// read when their bytes have the zip's length and CRC-32 (nothing is inflated
// twice for a sound file), and sent back to be inflated when they do not.
func TestReliabilityCheckHeld(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.xlsx")
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "Mã hồ sơ")
	f.SetCellFormula("Sheet1", "B2", "SUM(1,2)")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	ex, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()

	withFormulas, again := checkHeld(&zr.Reader, &ex.Pkg, 16<<20)
	if len(again) != 0 || !withFormulas["xl/worksheets/sheet1.xml"] {
		t.Fatalf("sound file: again %v, formulas %v", again, withFormulas)
	}
	// A worksheet above the size limit is excelize's to stream: not checked here.
	if _, again := checkHeld(&zr.Reader, &ex.Pkg, 10); len(again) != 0 {
		t.Errorf("streamed parts checked: %v", again)
	}
	// Bytes that are not the part's (read short, rewritten) go back to verifyZip.
	sheet := -1
	for i, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			sheet = i
		}
	}
	v, _ := ex.Pkg.Load("xl/worksheets/sheet1.xml")
	data := v.([]byte)
	for _, bad := range [][]byte{data[:len(data)-20], bytes.Replace(data, []byte("SUM"), []byte("MUS"), 1)} {
		ex.Pkg.Store("xl/worksheets/sheet1.xml", bad)
		if _, again := checkHeld(&zr.Reader, &ex.Pkg, 16<<20); len(again) != 1 || !again[sheet] {
			t.Errorf("tampered sheet: again %v, want {%d}", again, sheet)
		}
	}
}
