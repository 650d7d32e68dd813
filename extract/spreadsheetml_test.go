package extract

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// ssml wraps worksheets in an Excel 2003 XML workbook as Excel writes one
// (the spreadsheet namespace by default).
func ssml(sheets string) string {
	return `<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">
 <Styles><Style ss:ID="Default" ss:Name="Normal"/></Styles>
` + sheets + `
</Workbook>`
}

// TestSpreadsheetMLCells: rows and cells where ss:Index places them, merged
// cells with their text in the first, each Data type as the xlsx reader
// returns the same cell, a cell's comment no part of it.
func TestSpreadsheetMLCells(t *testing.T) {
	tests := []struct {
		name, sheets, want string
	}{
		{"rows, cells and index gaps", `<Worksheet ss:Name="DS"><Table>
			<Row><Cell><Data ss:Type="String">Mã hồ sơ</Data></Cell><Cell ss:Index="3"><Data ss:Type="String">Ghi chú</Data></Cell></Row>
			<Row ss:Index="4"><Cell ss:Index="2"><Data ss:Type="String">H-1</Data></Cell></Row>
			<Row><Cell><Data ss:Type="String">H-2</Data></Cell></Row></Table></Worksheet>`,
			"DS!1: Mã hồ sơ||Ghi chú\nDS!4: |H-1\nDS!5: H-2"},
		{"merged across and down", `<Worksheet ss:Name="B06"><Table>
			<Row><Cell ss:MergeAcross="3"><Data ss:Type="String">Biểu số 06</Data></Cell><Cell><Data ss:Type="String">x</Data></Cell></Row>
			<Row><Cell ss:MergeDown="1"><Data ss:Type="String">STT</Data></Cell><Cell ss:MergeAcross="1"><Data ss:Type="String">Số hồ sơ</Data></Cell><Cell ss:MergeDown="1"><Data ss:Type="String">Ghi chú</Data></Cell></Row>
			<Row><Cell><Data ss:Type="String">Tổng số</Data></Cell><Cell><Data ss:Type="String">Trực tuyến</Data></Cell><Cell><Data ss:Type="String">y</Data></Cell></Row>
			<Row><Cell><Data ss:Type="Number">1</Data></Cell></Row></Table></Worksheet>`,
			"B06!1: Biểu số 06||||x\nB06!2: STT|Số hồ sơ||Ghi chú\nB06!3: |Tổng số|Trực tuyến||y\nB06!4: 1"},
		{"data types", `<Worksheet ss:Name="T"><Table><Row>
			<Cell><Data ss:Type="DateTime">2024-01-03T14:05:00.000</Data></Cell>
			<Cell><Data ss:Type="DateTime">2024-02-29T00:00:00</Data></Cell>
			<Cell><Data ss:Type="DateTime">1899-12-31T14:05:00.000</Data></Cell>
			<Cell><Data ss:Type="Number">0.955</Data></Cell>
			<Cell><Data ss:Type="Number">1E-3</Data></Cell>
			<Cell><Data ss:Type="Boolean">1</Data></Cell>
			<Cell><Data ss:Type="Error">#N/A</Data></Cell>
			<Cell><Data ss:Type="String">001234</Data></Cell>
			<Cell><Data ss:Type="Number">không phải số</Data></Cell></Row></Table></Worksheet>`,
			"T!1: 45294.586805555555|45351|0.5868055555555556|0.955|0.001|1|#N/A|001234|không phải số"},
		{"rich text, line breaks, entities and a comment", `<Worksheet ss:Name="T"><Table><Row>
			<Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>Ngày</B>&#10;tiếp <Font html:Color="#FF0000">nhận</Font></ss:Data><Comment ss:Author="A"><ss:Data xmlns="http://www.w3.org/TR/REC-html40">ghi chú</ss:Data></Comment></Cell>
			<Cell><Data ss:Type="String">A &amp; B &lt;C&gt;</Data></Cell></Row></Table></Worksheet>`,
			"T!1: Ngày tiếp nhận|A & B <C>"},
		{"a row span stands for empty rows", `<Worksheet ss:Name="T"><Table>
			<Row ss:Span="2"><Cell><Data ss:Type="String">a</Data></Cell></Row>
			<Row><Cell><Data ss:Type="String">b</Data></Cell></Row></Table></Worksheet>`,
			"T!1: a\nT!4: b"},
		{"several worksheets, one empty", `<Worksheet ss:Name="Hướng dẫn"><Table><Row><Cell><Data ss:Type="String">Điền đủ</Data></Cell></Row></Table></Worksheet>
			<Worksheet ss:Name="Trống"/>
			<Worksheet ss:Name="DS"><Table><Row><Cell><Data ss:Type="String">Mã hồ sơ</Data></Cell></Row></Table><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"/></Worksheet>`,
			"Hướng dẫn!1: Điền đủ\nDS!1: Mã hồ sơ"},
		{"prefixed as LibreOffice writes it", `<ss:Worksheet ss:Name="S"><Table ss:StyleID="ta1"><Column ss:Span="63"/><Row ss:Height="13.8"><Cell ss:MergeAcross="5"><Data ss:Type="String">UBND PHƯỜNG HẠ ĐÌNH</Data></Cell><Cell ss:Index="64"/></Row></Table></ss:Worksheet>`,
			"S!1: UBND PHƯỜNG HẠ ĐÌNH"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, "t.xml"), []byte(ssml(tt.sheets)))
			rows, _, err := readAll(t, p, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rows, "\n"); got != tt.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	// A declared legacy encoding.
	doc, err := fixture.EncodeCP1258(strings.Replace(ssml(`<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">Phường Khương Đình</Data></Cell></Row></Table></Worksheet>`), `<?xml version="1.0"?>`, `<?xml version="1.0" encoding="windows-1258"?>`, 1))
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := readAll(t, writeFile(t, filepath.Join(dir, "cp.xls"), doc), OpenOptions{})
	if err != nil || strings.Join(rows, "\n") != "S!1: Phường Khương Đình" {
		t.Errorf("windows-1258: rows = %q, err = %v", rows, err)
	}
}

// TestSpreadsheetMLBad: a document that breaks off, turns invalid, asks for
// an entity, nests without end or places a cell beyond the last column fails
// at once, with a reason.
func TestSpreadsheetMLBad(t *testing.T) {
	row := `<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">a</Data></Cell></Row>`
	tests := []struct {
		name    string
		doc     string
		opt     OpenOptions
		wantErr error
		want    string
	}{
		{"cut off", ssml(row)[:len(ssml(row))-40], OpenOptions{}, ErrUnreadable, "the XML workbook breaks off: truncated? send it again"},
		{"invalid", ssml(row + `<Row><Cell></Row></Table></Worksheet>`), OpenOptions{}, ErrUnreadable, "malformed XML workbook"},
		{"an entity", strings.Replace(ssml(row+`<Row><Cell><Data ss:Type="String">&lol;</Data></Cell></Row></Table></Worksheet>`), `<?mso`, `<!DOCTYPE Workbook [<!ENTITY lol "lollollol">]><?mso`, 1), OpenOptions{}, ErrUnreadable, "malformed XML workbook"},
		{"a cell past the last column", ssml(`<Worksheet ss:Name="S"><Table><Row><Cell ss:Index="999999999"><Data ss:Type="String">a</Data></Cell></Row></Table></Worksheet>`), OpenOptions{}, ErrUnreadable, `ss:Index="999999999" of a Cell element is invalid (beyond 16384?)`},
		{"a merge past the last column", ssml(`<Worksheet ss:Name="S"><Table><Row><Cell ss:Index="16000" ss:MergeAcross="1000"><Data ss:Type="String">a</Data></Cell></Row></Table></Worksheet>`), OpenOptions{}, ErrUnreadable, "merges 1000 columns, past the last column 16384"},
		{"a row past the last row", ssml(`<Worksheet ss:Name="S"><Table><Row ss:Index="2000000"/></Table></Worksheet>`), OpenOptions{}, ErrUnreadable, `ss:Index="2000000" of a Row element is invalid`},
		{"rows out of order", ssml(`<Worksheet ss:Name="S"><Table><Row ss:Index="5"/><Row ss:Index="3"/></Table></Worksheet>`), OpenOptions{}, ErrUnreadable, "row ss:Index=3 after row 5"},
		{"nested too deep", ssml(`<Worksheet ss:Name="S">` + strings.Repeat("<x>", 300) + strings.Repeat("</x>", 300) + `</Worksheet>`), OpenOptions{}, ErrTooLarge, "nests elements more than 256 deep"},
		{"a run of text longer than the bound", ssml(`<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">` + strings.Repeat("x", 9<<20) + `</Data></Cell></Row></Table></Worksheet>`), OpenOptions{MaxCellBytes: 100}, ErrTooLarge, "holds a tag or a run of text longer than 8.0 MiB"},
		{"no workbook", `<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Other xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>`, OpenOptions{}, ErrUnknownFormat, "without the Workbook element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), "t.xml"), []byte(tt.doc))
			rows, _, err := readAll(t, p, tt.opt)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (rows %q), want %v with %q", err, rows, tt.wantErr, tt.want)
			}
		})
	}
}

// TestSpreadsheetMLLimits: a long cell is cut and marked; a row placed far
// below the last ends the sheet after the blank-row limit, with a note.
func TestSpreadsheetMLLimits(t *testing.T) {
	long := strings.Repeat("Khương Đình ", 50)
	doc := ssml(`<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">` + long + `</Data></Cell></Row>
		<Row ss:Index="900000"><Cell><Data ss:Type="String">far below</Data></Cell></Row></Table></Worksheet>`)
	rows, notes, err := readAll(t, writeFile(t, filepath.Join(t.TempDir(), "t.xml"), []byte(doc)), OpenOptions{MaxCellBytes: 100, MaxEmptyRunRow: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || !strings.HasSuffix(rows[0], CutMarker) || len(rows[0]) > len("S!1: ")+100+len(CutMarker) {
		t.Errorf("rows = %q", rows)
	}
	n := strings.Join(notes, "\n")
	if !strings.Contains(n, `sheet "S": 1 cells longer than 100 bytes were cut`) || !strings.Contains(n, `sheet "S": reading stopped after 50 consecutive blank rows (rows 2–51)`) {
		t.Errorf("notes = %q", notes)
	}
}

// TestSpreadsheetMLRealWriters: workbooks saved as Excel 2003 XML by
// LibreOffice and in Excel 2003's own style read as their xlsx originals,
// cell for cell but the last digits of a date's serial (a DateTime is
// written to the millisecond).
func TestSpreadsheetMLRealWriters(t *testing.T) {
	dir := "testdata/formats"
	for _, p := range []struct{ file, original string }{
		{"libreoffice/BC_CCHC_6T_2024_thuongdinh.xml", "BC_CCHC_6T_2024_thuongdinh.xlsx"},
		{"libreoffice/hoso_nhan-chinh_dot1.xml", "hoso_nhan-chinh_dot1.xlsx"},
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
			if len(got) != len(want) {
				t.Fatalf("%d rows, want %d:\n%s", len(got), len(want), lineDiff(strings.Join(want, "\n"), strings.Join(got, "\n")))
			}
			for i := range want {
				if !sameCells(want[i], got[i]) {
					t.Errorf("row %s\nwant %s", got[i], want[i])
				}
			}
		})
	}
}

// sameCells compares two rows of readAll, numbers to 1e-9 (the same second
// of a date).
func sameCells(a, b string) bool {
	ac, bc := strings.Split(a, "|"), strings.Split(b, "|")
	if len(ac) != len(bc) {
		return false
	}
	for i := range ac {
		if ac[i] == bc[i] {
			continue
		}
		x, err1 := strconv.ParseFloat(ac[i], 64)
		y, err2 := strconv.ParseFloat(bc[i], 64)
		if err1 != nil || err2 != nil || x-y > 1e-9 || y-x > 1e-9 {
			return false
		}
	}
	return true
}
