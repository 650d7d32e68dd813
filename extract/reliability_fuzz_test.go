package extract

// Fuzz targets for every reader of outside text in this package: header
// search, unit names, periods, CSV dialect and encoding detection, whole CSV
// and xlsx files, the formula scan. Their seed corpora are committed under
// testdata/fuzz and run by plain `go test`; .ci/fuzz runs each for a few
// seconds. None may panic; each checks what its reader promises.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/thanhxuan/cchc/internal/fixture"
	"github.com/thanhxuan/cchc/seeds"
)

var fuzzCat = sync.OnceValues(func() (*Vocab, *Units) {
	c, err := seeds.Load(seeds.FS())
	if err != nil {
		panic(err)
	}
	return NewVocab(c), NewUnits(c)
})

// fuzzRows reads a sheet from text: lines are rows, tabs separate cells.
func fuzzRows(s string) []Row {
	var rows []Row
	for i, l := range strings.Split(s, "\n") {
		if i >= searchRows {
			break
		}
		var cells []string
		for _, c := range strings.Split(l, "\t") {
			cells = append(cells, Clean(c))
		}
		rows = append(rows, Row{Num: i + 1, Cells: cells})
	}
	return rows
}

func FuzzFindHeader(f *testing.F) {
	f.Add("UBND PHƯỜNG KIM GIANG\n\nSTT\tMã hồ sơ\tTên thủ tục\tLĩnh vực\tNgày tiếp nhận\tNgày hẹn trả\tHình thức nộp\tTrạng thái\n1\tH-1\tA\tB\t01/02/2024\t03/02/2024\tTrực tuyến\tĐã trả kết quả")
	f.Add("STT\tNội dung\tĐơn vị tính\tKết quả\n(1)\t(2)\t(3)\t(4)\n1\tSố phiếu khảo sát sự hài lòng thu về\tphiếu\t280")
	f.Add("STT\tLĩnh vực, công việc giải quyết theo cấp\tSố hồ sơ nhận giải quyết\t\t\t\tKết quả giải quyết\n\t\tTổng số\tTrong đó\t\t\tSố hồ sơ đã giải quyết\t\t\t\tSố hồ sơ đang giải quyết\n\t\t\tTrực tuyến\tTrực tiếp, dịch vụ bưu chính\tTừ kỳ trước\tTổng số\tTrước hạn\tĐúng hạn\tQuá hạn\tTổng số\tTrong hạn\tQuá hạn\n(1)\t(2)\t(3)\t(4)\t(5)\t(6)\t(7)\t(8)\t(9)\t(10)\t(11)\t(12)\t(13)")
	f.Add("MA HO SO\tTEN THU TUC\tLINH VUC\tNGAY\n\tTiếp nhận\tHẹn trả")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		vocab, _ := fuzzCat()
		rows := fuzzRows(s)
		l, ok := vocab.FindHeader(rows)
		if !ok {
			return
		}
		if len(l.Missing) > 0 {
			t.Fatalf("complete layout with missing fields %v", l.Missing)
		}
		if l.HeaderFirst > l.HeaderLast || l.HeaderLast >= l.DataFirst {
			t.Fatalf("header rows %d–%d, data from %d", l.HeaderFirst, l.HeaderLast, l.DataFirst)
		}
		seen := map[int]string{}
		for field, c := range l.Columns {
			if c < 0 || c >= len(l.Labels) {
				t.Fatalf("field %s at column %d of %d", field, c, len(l.Labels))
			}
			if other, dup := seen[c]; dup {
				t.Fatalf("column %d is both %s and %s", c, other, field)
			}
			seen[c] = field
		}
		// The evidence agrees with the layout: one match per labelled
		// column, the matched ones are the layout's columns.
		matched := 0
		for i, m := range l.Matches {
			if i > 0 && m.Col <= l.Matches[i-1].Col {
				t.Fatalf("matches out of column order: %+v", l.Matches)
			}
			switch m.Status {
			case ColumnMatched:
				matched++
				if l.Columns[m.Field] != m.Col || m.Alias == "" || m.Rule == "" {
					t.Fatalf("match %+v, layout column %d", m, l.Columns[m.Field])
				}
			case ColumnAmbiguous:
				if len(m.Candidates) < 2 || m.Field != "" {
					t.Fatalf("ambiguous match %+v", m)
				}
			case ColumnIgnored:
				if m.Field != "" {
					t.Fatalf("ignored match %+v", m)
				}
			case ColumnDuplicate:
				if _, ok := l.Columns[m.Field]; !ok || l.Columns[m.Field] == m.Col {
					t.Fatalf("duplicate match %+v", m)
				}
			default:
				t.Fatalf("match status %q", m.Status)
			}
		}
		if matched != len(l.Columns) {
			t.Fatalf("%d matched columns, layout has %d", matched, len(l.Columns))
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Ngày tiếp nhận (dd/mm/yyyy)", "1. Mã hồ sơ:", "a) Lĩnh vực *", "2.0", "((a)", "Đúng hạn (Bao gồm cả hồ sơ trả lại/xin rút)", "II.1. a) Số"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q, again %q", s, n, Normalize(n))
		}
		if strings.HasSuffix(n, ":") || strings.HasSuffix(n, "*") || strings.HasSuffix(n, ".") || strings.HasSuffix(n, " ") {
			t.Fatalf("Normalize(%q) = %q keeps trailing punctuation", s, n)
		}
		if Fold(n) != n {
			t.Fatalf("Normalize(%q) = %q is not folded", s, n)
		}
		v := NormalizeValue(s)
		if NormalizeValue(v) != v {
			t.Fatalf("NormalizeValue(%q) = %q, again %q", s, v, NormalizeValue(v))
		}
	})
}

var unitCodes = regexp.MustCompile(`^[a-z_]+$`)

func FuzzUnitMatch(f *testing.F) {
	for _, s := range []string{"Phường Khương Đình", "UBND phường Kim Giang", "P. Hạ Đình", "Phòng TC-KH", "Văn phòng HĐND và UBND quận",
		"BC_CCHC_Q1_2024_ThanhXuanBac.xlsx", "kim-giang_2024-6M.xlsx", "Đơn vị báo cáo: UBND Phường Hạ Đình", "Kh\u00ad¬ng §×nh", "UBND QUẬN THANH XUÂN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, units := fuzzCat()
		for _, got := range []func(string) (string, bool){
			units.Match,
			func(s string) (string, bool) { return units.FromTitle([]string{s}) },
			units.FromFileName,
		} {
			code, ok := got(s)
			if ok != (code != "") || ok && (!unitCodes.MatchString(code) || units.Level(code) == "") {
				t.Fatalf("%q → %q, %v: not a unit of the seed", s, code, ok)
			}
		}
		// A name that matches as written (not as legacy TCVN3) matches
		// whatever its Unicode normal form (CONTRACT 1).
		if utf8.ValidString(s) {
			if direct, hit := units.byAlias[Fold(norm.NFC.String(s))]; hit {
				if c2, _ := units.Match(norm.NFD.String(s)); c2 != direct {
					t.Fatalf("%q: NFC → %q, NFD → %q", s, direct, c2)
				}
			}
		}
	})
}

var periodCode = regexp.MustCompile(`^20\d\d-(Q1|6M|9M|Y)$|^\d{4}-(Q1|6M|9M|Y)$`)

func FuzzPeriod(f *testing.F) {
	for _, s := range []string{"QUÝ I NĂM 2024", "Kỳ báo cáo: Quý I năm 2024 (Từ ngày 05/12/2023 đến ngày 04/03/2024)",
		"6 THÁNG ĐẦU NĂM 2024", "BÁO CÁO CCHC NĂM 2024", "Quý II năm 2024", "BC_CCHC_Q1_2024_KimGiang.xlsx", "kim-giang_2024-6M.xlsx", "Nam_2024.xlsx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if code, what, ok := PeriodFromTitle([]string{s}); ok && !periodCode.MatchString(code) || !ok && code != "" {
			t.Fatalf("PeriodFromTitle(%q) = %q, %q, %v", s, code, what, ok)
		}
		if code, ok := PeriodFromFileName(s); ok && !periodCode.MatchString(code) || !ok && code != "" {
			t.Fatalf("PeriodFromFileName(%q) = %q, %v", s, code, ok)
		}
	})
}

func FuzzFoldNormalForms(f *testing.F) {
	for _, s := range []string{"Phường Khương Đình", "THỦ TỤC HÀNH CHÍNH", "Tổng  số\n(7)", "a , b", "Đ\u0300", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		// Header text "in Unicode NFC or NFD" (CONTRACT 3.4) folds the same.
		if a, b := Fold(norm.NFC.String(s)), Fold(norm.NFD.String(s)); a != b {
			t.Fatalf("%q: NFC folds to %q, NFD to %q", s, a, b)
		}
		c := Clean(s)
		if !utf8.ValidString(c) || c != strings.TrimSpace(c) || strings.Contains(c, "  ") {
			t.Fatalf("Clean(%q) = %q", s, c)
		}
	})
}

func FuzzDetectDelimiter(f *testing.F) {
	f.Add([]byte("Mã hồ sơ;Tên thủ tục;Lĩnh vực\nH-1;A;B\n"))
	f.Add([]byte("a,b,c\n1,\"2,3\",4\n"))
	f.Add([]byte("a\tb\tc\n1\t2\t3\n"))
	f.Add([]byte("\"unterminated\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		switch d := DetectDelimiter(b); d {
		case ',', ';', '\t':
		default:
			t.Fatalf("delimiter %q", d)
		}
	})
}

func FuzzDetectTextEncoding(f *testing.F) {
	cp, _ := fixture.EncodeCP1258("Phường Khương Trung;Đã trả kết quả")
	f.Add(cp)
	f.Add([]byte("\xEF\xBB\xBFMã hồ sơ;Ghi chú\n"))
	f.Add([]byte("\xFF\xFEM\x00\xE3\x00"))
	f.Add([]byte("Ph\xADêng Kh\xAD\xACng §×nh"))
	f.Add([]byte("Phường Kh\xFFương"))
	f.Fuzz(func(t *testing.T, b []byte) {
		enc := DetectTextEncoding(b)
		switch enc {
		case EncUTF8, EncUTF8Damaged, EncUTF16LE, EncUTF16BE, EncWindows1258, EncTCVN3:
		default:
			t.Fatalf("encoding %q", enc)
		}
		if utf8.Valid(b) && !bytes.HasPrefix(b, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(b, []byte{0xFE, 0xFF}) && enc != EncUTF8 {
			t.Fatalf("valid UTF-8 read as %s", enc)
		}
		if enc != EncUTF8 && enc != EncUTF8Damaged {
			if out, _ := decodeBytes(b, enc); !utf8.Valid(out) {
				t.Fatalf("%s decoding gave invalid UTF-8", enc)
			}
		}
	})
}

// fuzzReadFile opens data as a file named name and reads every row of every
// sheet, checking what a RowReader promises.
func fuzzReadFile(t *testing.T, name string, data []byte) {
	hang := time.AfterFunc(time.Minute, func() { panic(fmt.Sprintf("reading a %d-byte %s took a minute", len(data), name)) })
	defer hang.Stop()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	wb, err := OpenWorkbook(p, OpenOptions{MaxUnzipBytes: 64 << 20, MaxXMLBytes: 8 << 20, MaxCellBytes: 1000, MaxEmptyRunRow: 1000})
	if err != nil {
		return
	}
	defer wb.Close()
	for _, s := range wb.Sheets() {
		rr, err := wb.Rows(s)
		if err != nil {
			continue
		}
		last := 0
		for n := 0; rr.Next() && n < 100000; n++ {
			r := rr.Row()
			if r.Num <= last {
				t.Fatalf("row %d after row %d", r.Num, last)
			}
			last = r.Num
			for _, c := range r.Cells {
				if !utf8.ValidString(c) || len(c) > 1000+len(CutMarker)+len(c)/2 {
					t.Fatalf("cell %q", c)
				}
			}
		}
		rr.Err()
		rr.Close()
	}
	if n, ok := wb.(Noter); ok {
		n.Notes()
	}
}

func FuzzOpenCSV(f *testing.F) {
	f.Add([]byte("\xEF\xBB\xBFMã hồ sơ;Đơn vị\nH-1;Phường Kim Giang\n"))
	cp, _ := fixture.EncodeCP1258("Mã hồ sơ,Đơn vị\nH-1,Phường Khương Đình\n")
	f.Add(cp)
	f.Add([]byte("a,\"b\nc\",d\n\"\"\"x\",y\n"))
	f.Add([]byte("Ph\xADêng,Kh\xAD\xACng §×nh\n"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzReadFile(t, "f.csv", b) })
}

func FuzzOpenXLSX(f *testing.F) {
	dir := f.TempDir()
	cached := "3"
	seeds := []fixture.RawSheet{
		{Name: "S", Data: fixture.GridRows([][]any{{"Mã hồ sơ", "Ghi chú"}, {"H-1", 2.5, fixture.Formula{Text: "A1"}}, {1, fixture.Formula{Text: "1+2", Cached: &cached}}})},
		{Name: "T", Data: fixture.GridRows([][]any{{"a"}}), Truncate: true},
	}
	for i, s := range seeds {
		p := filepath.Join(dir, "seed.xlsx")
		if err := fixture.WriteRawXLSX(p, fixture.RawOptions{}, s); err != nil {
			f.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		f.Add(b)
		if i == 0 {
			f.Add(b[:len(b)*2/3])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzReadFile(t, "f.xlsx", b) })
}

func FuzzScanUncachedFormulas(f *testing.F) {
	f.Add(`<sheetData><row r="2"><c r="A2"><f>SUM(B1:B3)</f></c><c r="B2" t="str"><f>A1&amp;"x"</f><v></v></c></row></sheetData>`)
	f.Add(`<row><x:c><x:f t="shared" si="0"/></x:c><c r='C3'><f>1&lt;2</f><v>1</v></c></row>`)
	f.Add(`<c r="ZZZZ99999999"><f>`)
	f.Fuzz(func(t *testing.T, s string) {
		cells, _, err := scanUncachedFormulas(bufioReader(s), 50)
		if err != nil {
			return
		}
		n := 0
		for row, cs := range cells {
			for _, c := range cs {
				if c.col < 1 && c.ref != "" {
					t.Fatalf("row %d: cell %+v", row, c)
				}
				n++
			}
		}
		if n > 50 {
			t.Fatalf("%d cells past the bound", n)
		}
	})
}

// FuzzHasFormulaTag: the search by the letter f finds a formula tag exactly
// when one of the four tags is in the text.
func FuzzHasFormulaTag(f *testing.F) {
	for _, s := range []string{`<c r="A1"><f>SUM(A2)</f></c>`, `<x:f t="shared" si="0"/>`, `<c><v>1</v></c>`, "f>", "<f", "ff <fo>", ":f "} {
		f.Add([]byte(s))
	}
	tags := [][]byte{[]byte("<f>"), []byte("<f "), []byte(":f>"), []byte(":f ")}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := false
		for _, tag := range tags {
			want = want || bytes.Contains(data, tag)
		}
		if got := hasFormulaTag(data); got != want {
			t.Fatalf("hasFormulaTag(%q) = %v, want %v", data, got, want)
		}
	})
}

func FuzzOpenHTML(f *testing.F) {
	f.Add([]byte(`<html><head><meta charset="utf-8"></head><body><table><tr><th rowspan=2>STT</th><th colspan=2>Ngày</th></tr><tr><td>Tiếp<br>nhận</td><td>Hẹn trả</td></tr><tr><td sdval="1">1</td><td x:num="45294.5">03/01/2024</td></tr></table></body></html>`))
	f.Add([]byte("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\"><table><tr><td>Pho\xD2\xECng</td></tr></table>"))
	f.Add([]byte(`<table><tr><td>a<table><tr><td>b</td></tr></table></td><td rowspan=0>c</td></tr><tr><td colspan=1001>d</table>`))
	f.Add(append([]byte{0xFF, 0xFE}, utf16LE("<table><tr><td>x</td></tr></table>")[2:]...))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzReadFile(t, "f.xls", b) })
}

func FuzzOpenXLS(f *testing.F) {
	recs := []fixture.BIFF{fixture.XLSLabelSST(0, 0, 0, 0), fixture.XLSLabelSST(0, 1, 0, 1), fixture.XLSNumber(1, 0, fixture.XLSCellXF, 45294.5),
		fixture.XLSMulRK(1, 1, 0, fixture.RKInt(1, false), fixture.RKFloat(1.5, true)), fixture.XLSBool(2, 0, true), fixture.XLSMerge(0, 0, 0, 1)}
	recs = append(recs, fixture.XLSFormulaText(2, 1, "Đã trả")...)
	f.Add(fixture.XLS(fixture.XLSOptions{SST: []string{"Mã hồ sơ", "Phường Khương Đình"}, SSTSplit: 16, XFs: []uint16{22}, Date1904: true},
		fixture.XLSSheet{Name: "Danh sách", Records: recs}, fixture.XLSSheet{Name: "Biểu đồ", Chart: true}))
	f.Add(fixture.XLS(fixture.XLSOptions{}, fixture.XLSSheet{Name: "S", Records: []fixture.BIFF{fixture.XLSLabel(2, 0, 0, "b"), fixture.XLSLabel(0, 0, 0, "a")}}))
	if b, err := os.ReadFile("testdata/formats/samples/Bieu06_ha_dinh_Q1_2024.xls"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzReadFile(t, "f.xls", b) })
}

func FuzzOpenSpreadsheetML(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="DS"><Table>` +
		`<Row><Cell ss:MergeDown="1"><Data ss:Type="String">STT</Data></Cell><Cell ss:MergeAcross="1"><Data ss:Type="String">Ngày</Data></Cell></Row>` +
		`<Row ss:Index="3"><Cell ss:Index="2"><Data ss:Type="DateTime">2024-01-03T14:05:00.000</Data></Cell><Cell><Data ss:Type="Number">1.5</Data></Cell><Cell><Data ss:Type="Boolean">1</Data></Cell></Row>` +
		`</Table></Worksheet><Worksheet ss:Name="B"/></Workbook>`))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1258"?><ss:Workbook xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><ss:Worksheet ss:Name="S"><ss:Table><ss:Row ss:Span="2"><ss:Cell><ss:Data ss:Type="String">Pho` + "\xD2\xEC" + `ng</ss:Data><Comment><ss:Data>x</ss:Data></Comment></ss:Cell></ss:Row></ss:Table></ss:Worksheet></ss:Workbook>`))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzReadFile(t, "f.xml", b) })
}
