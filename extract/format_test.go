package extract

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// TestOpenWorkbookSniff: every file is opened (or refused) by the first
// format that matches its head and extension, content before name.
func TestOpenWorkbookSniff(t *testing.T) {
	dir := t.TempDir()
	xlsx, err := os.ReadFile(goodXLSX(t, filepath.Join(dir, "good.xlsx"), fixture.XLSXOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	csvText := []byte("Mã hồ sơ;Ghi chú\nH-1;một\n")
	utf16 := utf16LE("Mã hồ sơ\tGhi chú\r\nH-1\tmột\r\n")
	tests := []struct {
		name    string
		data    []byte
		sheets  string // the workbook's sheets, joined by "|"; "" with wantErr
		wantErr error
		want    string // in the message
	}{
		{"good.xlsx", xlsx, "DS", nil, ""},
		{"named-as-csv.csv", xlsx, "DS", nil, ""}, // a zip is an xlsx whatever its name
		{"no-extension", xlsx, "DS", nil, ""},
		{"a.csv", csvText, "", nil, ""},
		{"a.TXT", csvText, "", nil, ""},
		{"a.tsv", csvText, "", nil, ""},
		{"empty.csv", nil, "", nil, ""},
		// An OLE2 file is read for what its streams are: a Workbook stream
		// is an .xls, whatever the name (an empty one is no BIFF8), a Book
		// stream an Excel 5.0/95 workbook.
		{"legacy.xls", fixture.OLE2("Workbook"), "", ErrUnknownFormat, "an .xls file that is no readable Excel 97-2003 (BIFF8) workbook: open it in Excel and save it as .xlsx"},
		{"legacy-book.csv", fixture.OLE2("Book"), "", ErrUnknownFormat, "an Excel 5.0/95 (BIFF5) workbook: open it in Excel and save it as .xlsx"},
		{"xls-named.csv", fixture.XLS(fixture.XLSOptions{}, fixture.XLSSheet{Name: "Danh sách"}), "Danh sách", nil, ""},
		{"broken.xls", fixture.OLE2("Workbook")[:700], "", ErrUnreadable, "a corrupt or truncated Office (OLE2) file: send it again"},
		{"other.doc", fixture.OLE2("WordDocument"), "", ErrUnknownFormat, "an OLE2 Office file that is not a workbook"},
		{"empty.xlsm", nil, "", ErrUnreadable, "the file is empty"},
		{"empty.dat", nil, "", ErrUnknownFormat, "the file is empty"},
		{"text.xlsm", csvText, "", ErrUnreadable, "not an xlsx (zip) file"},
		{"report.pdf", []byte("%PDF-1.4"), "", ErrUnknownFormat, `the ".pdf" file is a PDF document, not a workbook: send an .xlsx, .xls or .csv file`},
		{"scan.xls", []byte("\x89PNG\r\n\x1a\n"), "", ErrUnknownFormat, `the ".xls" file is a PNG image`},
		{"README", []byte("hello"), "", ErrUnknownFormat, `the format of the "" file is not recognised`},
		{"binary.xls", []byte("\x00\x01\x02garbage"), "", ErrUnknownFormat, `the format of the ".xls" file is not recognised`},
		// OpenDocument is a zip too: told by its mimetype entry.
		{"report.ods", odf(t, "spreadsheet"), "", ErrUnknownFormat, "an OpenDocument spreadsheet (.ods): save it as .xlsx"},
		{"report-ods.xlsx", odf(t, "spreadsheet"), "", ErrUnknownFormat, "an OpenDocument spreadsheet (.ods)"},
		{"letter.odt", odf(t, "text"), "", ErrUnknownFormat, "an OpenDocument file that is not a spreadsheet"},
		// Text without magic bytes: UTF-16 by its byte-order mark whatever
		// its name; other text named .xls (web systems' tab-separated
		// "Excel" exports).
		{"unicode.xls", utf16, "", nil, ""},
		{"unicode-text", utf16, "", nil, ""},
		{"tab-separated.xls", csvText, "", nil, ""},
		{"other.xml", []byte("<?xml version=\"1.0\"?><note>x</note>"), "", ErrUnknownFormat, "an XML document that is not an Excel 2003 XML workbook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, tt.name), tt.data)
			wb, err := OpenWorkbook(p, OpenOptions{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %v with %q", err, tt.wantErr, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			if got := strings.Join(wb.Sheets(), "|"); got != tt.sheets {
				t.Errorf("sheets = %q, want %q", got, tt.sheets)
			}
		})
	}
}

// TestOpenWorkbookNewFormat: a format added to the table is tried in its
// place and sees the head of the file beyond its first bytes.
func TestOpenWorkbookNewFormat(t *testing.T) {
	saved := formats
	t.Cleanup(func() { formats = saved })
	errSeen := errors.New("seen by the new format")
	var gotHead []byte
	formats = append([]format{{"probe", func(head []byte, ext string) bool {
		gotHead = append([]byte(nil), head...)
		return ext == ".csv" && bytes.Contains(head, []byte("<?mso-application"))
	}, refuse(errSeen)}}, saved...)

	dir := t.TempDir()
	long := append(bytes.Repeat([]byte(" "), 400), "<?mso-application progid=\"Excel.Sheet\"?>"...)
	long = append(long, bytes.Repeat([]byte("x"), 1000)...)
	if _, err := OpenWorkbook(writeFile(t, filepath.Join(dir, "a.csv"), long), OpenOptions{}); !errors.Is(err, errSeen) {
		t.Fatalf("err = %v, want the new format's", err)
	}
	if len(gotHead) != sniffBytes || !bytes.Equal(gotHead, long[:sniffBytes]) {
		t.Errorf("head = %d bytes, want the first %d", len(gotHead), sniffBytes)
	}
	// A file it does not match goes on to the formats after it.
	wb, err := OpenWorkbook(writeFile(t, filepath.Join(dir, "b.csv"), []byte("a,b\n1,2\n")), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wb.Close()
	if string(gotHead) != "a,b\n1,2\n" {
		t.Errorf("head of a short file = %q, want all of it", gotHead)
	}
}

// TestOpenWorkbookKeepsCause: an error of the file system stays matchable
// under the package's sentinel.
func TestOpenWorkbookKeepsCause(t *testing.T) {
	_, err := OpenWorkbook(filepath.Join(t.TempDir(), "missing.xlsx"), OpenOptions{})
	if !errors.Is(err, ErrUnreadable) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want ErrUnreadable wrapping fs.ErrNotExist", err)
	}
}

// utf16LE is s in UTF-16 little-endian with a byte-order mark.
func utf16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// odf is an OpenDocument package of the given kind ("spreadsheet", "text"),
// its mimetype stored first as the format requires.
func odf(t *testing.T, kind string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "application/vnd.oasis.opendocument."+kind)
	w, _ = zw.Create("content.xml")
	io.WriteString(w, "<office:document-content/>")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSniff: the format a file is read as comes from its bytes; the
// extension decides only between kinds of text.
func TestSniff(t *testing.T) {
	ods := odf(t, "spreadsheet")
	tests := []struct {
		name, head, ext, want string
	}{
		{"zip", "PK\x03\x04\x14\x00", ".xls", "xlsx"},
		{"ods", string(ods), ".xlsx", "ods"},
		{"ole2", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", ".xlsx", "ole2"},
		{"html named .xls", "<!DOCTYPE html>\n<html><head>", ".xls", "html"},
		{"html named .xlsx", "<html><body><table>", ".xlsx", "html"},
		{"html after a BOM and white space", "\xEF\xBB\xBF\r\n\t  <HTML>", ".xls", "html"},
		{"a bare table", "<TABLE border=1><tr><td>Mã hồ sơ", ".xls", "html"},
		{"a table after a comment", "<!-- exported 2024 -->\n<table>", "", "html"},
		{"a meta tag first", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><table>", ".xls", "html"},
		{"xhtml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\"\n\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">", ".html", "html"},
		{"excel's web page", "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"\nxmlns:x=\"urn:schemas-microsoft-com:office:excel\"\nxmlns=\"http://www.w3.org/TR/REC-html40\">", ".xls", "html"},
		{"utf-16 html", string(utf16LE("<html><body><table>")), ".xls", "html"},
		{"spreadsheetml", "<?xml version=\"1.0\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"", ".xml", "spreadsheetml"},
		{"spreadsheetml named .xls", "<?xml version=\"1.0\"?><ss:Workbook xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\">", ".xls", "spreadsheetml"},
		{"spreadsheetml without a declaration", "\xEF\xBB\xBF<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">", "", "spreadsheetml"},
		{"utf-16 spreadsheetml", string(utf16LE("<?xml version=\"1.0\" encoding=\"UTF-16\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">")), ".xml", "spreadsheetml"},
		{"other xml", "<?xml version=\"1.0\"?><note>", ".xml", "other xml"},
		{"csv", "a,b\n1,2\n", ".csv", "csv"},
		{"unicode text named .xls", string(utf16LE("a\tb\r\n")), ".xls", "unicode text"},
		{"tab-separated text named .xls", "Mã hồ sơ\tNgày\r\nH-1\t01/02/2024\r\n", ".xls", "text named .xls"},
		{"text without a known name", "a,b\n", ".dat", ""},
		{"binary named .xls", "\x00\x00\x01", ".xls", ""},
		{"markup named .xls that is no html", "<foo>", ".xls", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := []byte(tt.head)[:min(len(tt.head), sniffBytes)]
			got := ""
			for _, ft := range formats {
				if ft.match(head, tt.ext) {
					got = ft.name
					break
				}
			}
			if got != tt.want {
				t.Errorf("read as %q, want %q", got, tt.want)
			}
		})
	}
}
