package extract

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// TestHTMLTables: rows come from <tr>, numbered as they come; cells from
// <td> and <th>, a colspan or rowspan a merged cell whose text is in its
// first cell; <br> a line break, entities decoded, white space as a browser
// shows it; each table a sheet.
func TestHTMLTables(t *testing.T) {
	tests := []struct {
		name, html string
		want       string // readAll's lines, joined by "\n"
	}{
		{"rows and cells", `<table><tr><th>Mã hồ sơ</th><th>Ghi chú</th></tr><tr><td>H-1</td><td>một</td></tr></table>`,
			"!1: Mã hồ sơ|Ghi chú\n!2: H-1|một"},
		{"colspan leaves the merged cells empty", `<table><tr><td colspan="3">UBND PHƯỜNG KIM GIANG</td><td>x</td></tr><tr><td>a</td><td>b</td><td>c</td><td>d</td></tr></table>`,
			"!1: UBND PHƯỜNG KIM GIANG|||x\n!2: a|b|c|d"},
		{"rowspan pushes the cells below to the right", `<table>
			<tr><th rowspan=2>STT</th><th rowspan="2">Mã hồ sơ</th><th colspan=3>Ngày</th><th rowspan=2>Trạng thái</th></tr>
			<tr><th>Tiếp nhận</th><th>Hẹn trả</th><th>Trả kết quả</th></tr>
			<tr><td>1</td><td>H-1</td><td>02/01/2024</td><td>05/01/2024</td><td></td><td>Đang xử lý</td></tr>
			</table>`,
			"!1: STT|Mã hồ sơ|Ngày|||Trạng thái\n!2: ||Tiếp nhận|Hẹn trả|Trả kết quả\n!3: 1|H-1|02/01/2024|05/01/2024||Đang xử lý"},
		{"a rowspan and colspan together", `<table><tr><td rowspan=2 colspan=2>A</td><td>B</td></tr><tr><td>C</td></tr><tr><td>D</td><td>E</td></tr></table>`,
			"!1: A||B\n!2: ||C\n!3: D|E"},
		{"rowspan 0 spans the rest of the table", `<table><tr><td rowspan=0>A</td><td>B</td></tr><tr><td>C</td></tr><tr><td>D</td></tr></table>`,
			"!1: A|B\n!2: |C\n!3: |D"},
		{"br, paragraphs, entities and white space", "<table><tr><td>Ngày<br>tiếp nhận</td><td>\n\t  Số   hồ\n sơ  </td><td>A &amp; B&nbsp;&lt;C&gt; &#7897;&#x1ED9;</td><td><p>Một</p><p>Hai</p></td><td><b>Đã</b> <i>trả</i><span>KQ</span></td></tr></table>",
			"!1: Ngày tiếp nhận|Số hồ sơ|A & B <C> ộộ|Một Hai|Đã trảKQ"},
		{"implicit ends: no </td>, no </tr>, a row without <tr>", `<table><td>a<td>b<tr><td>c<td>d</table>`,
			"!1: a|b\n!2: c|d"},
		{"thead, tbody and tfoot", `<table><thead><tr><th>Mã hồ sơ</th></tr></thead><tbody><tr><td>H-1</td></tr><tr><td>H-2</td></tr></tbody><tfoot><tr><td>Tổng số: 2</td></tr></tfoot></table>`,
			"!1: Mã hồ sơ\n!2: H-1\n!3: H-2\n!4: Tổng số: 2"},
		{"empty rows keep their numbers", `<table><tr><td>a</td></tr><tr></tr><tr><td></td><td><br></td></tr><tr><td>b</td></tr></table>`,
			"!1: a\n!4: b"},
		{"the number behind the text", `<table><tr><td sdval="45294.5868055556" sdnum="1033;0;DD/MM/YYYY HH:MM">03/01/2024 14:05</td><td sdval="0.955">95,5%</td><td x:num="1234.5">1.234,5</td><td x:num>42</td><td sdval="oops">x</td></tr></table>`,
			"!1: 45294.5868055556|0.955|1234.5|42|x"},
		{"script, style and comments are no text", `<table><tr><td>a<script>document.write("<td>x</td>")</script><style>td{}</style><!-- b --></td><td>c</td></tr></table>`,
			"!1: a|c"},
		{"several tables are several sheets", `<h1>Hướng dẫn</h1><table><tr><td>Điền đủ các cột</td></tr></table><p>DS</p><table><tr><td>Mã hồ sơ</td></tr><tr><td>H-1</td></tr></table>`,
			"table 1!1: Điền đủ các cột\ntable 2!1: Mã hồ sơ\ntable 2!2: H-1"},
		{"a nested table is a sheet of its own, not text of its cell", `<table><tr><td>outer<table><tr><td>inner 1</td></tr><tr><td>inner 2</td></tr></table> end</td><td>x</td></tr><tr><td>y</td></tr></table>`,
			"table 1!1: outer end|x\ntable 1!2: y\ntable 2!1: inner 1\ntable 2!2: inner 2"},
		{"a colspan beyond the standard's 1000 counts as 1000", `<table><tr><td colspan=99999999>a</td><td>b</td></tr></table>`,
			"!1: a" + strings.Repeat("|", 1000) + "b"},
		{"a stray </table> is ignored", `</table><table><tr><td>a</td></tr></table></table>`,
			"!1: a"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, "t.xls"), []byte("<html><body>"+tt.html+"</body></html>"))
			rows, _, err := readAll(t, p, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rows, "\n"); got != tt.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestHTMLCharset: the charset is the one the document declares, UTF-8
// when it declares none, and what its bytes are when they are not UTF-8.
func TestHTMLCharset(t *testing.T) {
	cp1258 := func(s string) []byte {
		b, err := fixture.EncodeCP1258(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	table := "<table><tr><td>Phường Khương Đình</td><td>Đã trả kết quả</td></tr></table>"
	tests := []struct {
		name string
		data []byte
		note string // in the notes
	}{
		{"meta charset", cp1258(`<html><head><meta charset="windows-1258"></head><body>` + table), ""},
		{"http-equiv", cp1258(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258"></head><body>` + table), ""},
		{"utf-8 declared", []byte(`<html><head><meta charset=UTF-8></head><body>` + table), ""},
		{"utf-8 by default", []byte(`<html><body>` + table), ""},
		{"utf-8 with a BOM that outranks the meta", append([]byte("\xEF\xBB\xBF"), `<html><head><meta charset="windows-1252"></head><body>`+table...), ""},
		{"utf-16", utf16LE(`<html><body>` + table), ""},
		{"utf-16 declared in utf-8 bytes", []byte(`<html><head><meta charset="utf-16"></head><body>` + table), ""},
		{"windows-1258 undeclared", cp1258(`<html><body>` + table), "read as Windows-1258"},
		{"an unknown charset", []byte(`<html><head><meta charset="x-unknown"></head><body>` + table), `declares an unknown charset "x-unknown"`},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, "t.xls"), tt.data)
			rows, notes, err := readAll(t, p, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rows, "\n"); got != "!1: Phường Khương Đình|Đã trả kết quả" {
				t.Errorf("rows = %q", got)
			}
			if got := strings.Join(notes, "\n"); !strings.Contains(got, tt.note) || (tt.note == "") != (got == "") {
				t.Errorf("notes = %q, want %q", got, tt.note)
			}
		})
	}
	// TCVN3 bytes without a charset, as an old desktop program writes them.
	latin1, _ := os.ReadFile("testdata/tcvn3/latin1.txt")
	unicode, _ := os.ReadFile("testdata/tcvn3/unicode.txt")
	var doc, want []string
	for i, l := range strings.Split(string(latin1), "\n")[:6] {
		b, err := charmap.ISO8859_1.NewEncoder().String("<tr><td>" + l + "</td></tr>")
		if err != nil {
			t.Fatal(err)
		}
		doc = append(doc, b)
		want = append(want, fmt.Sprintf("!%d: %s", i+1, strings.Split(string(unicode), "\n")[i]))
	}
	p := writeFile(t, filepath.Join(dir, "tcvn3.htm"), []byte("<table>"+strings.Join(doc, "\n")+"</table>"))
	rows, notes, err := readAll(t, p, OpenOptions{})
	if err != nil || strings.Join(rows, "\n") != strings.Join(want, "\n") || !strings.Contains(strings.Join(notes, "\n"), "TCVN3") {
		t.Errorf("TCVN3: rows = %q, notes = %q, err = %v; want %q", rows, notes, err, want)
	}
	// Bytes that are not UTF-8 in a document that says it is.
	p = writeFile(t, filepath.Join(dir, "bad.htm"), []byte("<meta charset=utf-8><table><tr><td>Ph\xFFng</td></tr></table>"))
	rows, notes, err = readAll(t, p, OpenOptions{})
	if err != nil || strings.Join(rows, "\n") != "!1: Ph\uFFFDng" || !strings.Contains(strings.Join(notes, "\n"), "replaced by U+FFFD") {
		t.Errorf("invalid UTF-8: rows = %q, notes = %q, err = %v", rows, notes, err)
	}
}

// TestHTMLBad: what cannot be an export fails with a reason, at once, and
// a file that is large in rows is read, in bounded memory.
func TestHTMLBad(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		opt     OpenOptions
		wantErr error
		want    string
	}{
		{"no table", "<html><body><p>Không có dữ liệu</p></body></html>", OpenOptions{}, ErrUnknownFormat, "an HTML document without a table (<table>): not a spreadsheet export"},
		{"cut off inside a table", "<html><body><table><tr><td>H-1</td></tr><tr><td>H-", OpenOptions{}, ErrUnreadable, "stops inside a table (no </table>)"},
		{"tables nested too deep", strings.Repeat("<table><tr><td>", 40), OpenOptions{}, ErrTooLarge, "nests tables more than 32 deep"},
		{"a run of text longer than the buffer", "<table><tr><td>" + strings.Repeat("x", 9<<20) + "</td></tr></table>", OpenOptions{MaxCellBytes: 100}, ErrTooLarge, "longer than 8.0 MiB: not a data table"},
		{"a tag longer than the buffer", "<table><tr><td " + strings.Repeat(`a="b" `, 2<<20) + ">x</td></tr></table>", OpenOptions{MaxCellBytes: 100}, ErrTooLarge, "holds a tag or a run of text longer than"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, "t.xls"), []byte(tt.data))
			rows, _, err := readAll(t, p, tt.opt)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (rows %d), want %v with %q", err, len(rows), tt.wantErr, tt.want)
			}
		})
	}
}

// TestHTMLLimits: a long cell is cut and marked, a row placed past the last
// column leaves its far cells out, a long run of empty rows ends the sheet
// with a note, as in an xlsx.
func TestHTMLLimits(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("Phường Khương Đình ", 100)
	var doc bytes.Buffer
	doc.WriteString("<table><tr><td>" + long + "</td><td>b</td></tr>")
	doc.WriteString(strings.Repeat("<tr><td></td></tr>", 30))
	doc.WriteString("<tr><td>after the blank rows</td></tr></table>")
	p := writeFile(t, filepath.Join(dir, "t.htm"), doc.Bytes())
	rows, notes, err := readAll(t, p, OpenOptions{MaxCellBytes: 100, MaxEmptyRunRow: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "!1: Phường Khương Đình") || !strings.HasSuffix(rows[0], CutMarker+"|b") || len(rows[0]) > 4+100+len(CutMarker)+2 {
		t.Errorf("rows = %q", rows)
	}
	n := strings.Join(notes, "\n")
	if !strings.Contains(n, "1 cells longer than 100 bytes were cut") || !strings.Contains(n, "reading stopped after 20 consecutive blank rows (rows 2–21)") {
		t.Errorf("notes = %q", notes)
	}
	// A row that claims 16 columns of 1000 each: the cells past column
	// 16384 are left out, the row is not grown.
	p = writeFile(t, filepath.Join(dir, "wide.htm"), []byte("<table><tr>"+strings.Repeat("<td colspan=1000>x</td>", 20)+"</tr><tr><td>a</td></tr></table>"))
	rows, _, err = readAll(t, p, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || strings.Count(rows[0], "x") != 16 || rows[1] != "!2: a" {
		t.Errorf("wide: %d rows, %d cells", len(rows), strings.Count(rows[0], "x"))
	}
}

// TestHTMLChangedWhileRead: a document that changes between its opening and
// its rows is not the one that was hashed.
func TestHTMLChangedWhileRead(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, filepath.Join(dir, "t.xls"), []byte("<table><tr><td>a</td></tr></table>"))
	fi, _ := os.Stat(p)
	wb, err := OpenWorkbook(p, OpenOptions{expectSize: fi.Size(), expectMod: fi.ModTime()})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	writeFile(t, p, []byte("<table><tr><td>ab</td></tr></table>"))
	if _, err := wb.Rows(""); !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "the file changed while it was read") {
		t.Errorf("err = %v", err)
	}
}

// TestHTMLStreams: a table of 100,000 rows is read as a stream: the heap
// in use while its rows go by stays a small part of the document's size
// (a tree of it would take several times its size).
func TestHTMLStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 14 MB document")
	}
	p := filepath.Join(t.TempDir(), "big.xls")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("<html><body><table><tr><th>Mã hồ sơ</th><th>Tên thủ tục</th><th>Ngày tiếp nhận</th><th>Trạng thái</th></tr>\n")
	const rows = 100000
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(w, "<tr><td>H-%06d</td><td>Đăng ký khai sinh cho trẻ em</td><td>%02d/01/2024 08:%02d</td><td>Đã trả kết quả (đúng hạn)</td></tr>\n", i, i%28+1, i%60)
	}
	w.WriteString("</table></body></html>\n")
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	wb, err := OpenWorkbook(p, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rr, err := wb.Rows("")
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	n, last := 0, Row{}
	for rr.Next() {
		if n++; n%5000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		last = rr.Row()
	}
	if rr.Err() != nil || n != rows+1 || last.Num != rows+1 || last.Cell(0) != fmt.Sprintf("H-%06d", rows) {
		t.Fatalf("%d rows, last %v: %v", n, last, rr.Err())
	}
	if grown := peak - base; grown > uint64(fi.Size())/2 {
		t.Errorf("the heap grew by %d MiB reading a %d MiB document", grown>>20, fi.Size()>>20)
	}
	t.Logf("heap grew by %.1f MiB reading a %.1f MiB document", float64(peak-base)/(1<<20), float64(fi.Size())/(1<<20))
}
