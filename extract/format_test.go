package extract

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		{"legacy.xls", fixture.OLE2("Workbook"), "", ErrUnknownFormat, "legacy .xls (Excel 97-2003) workbook: save it as .xlsx"},
		{"legacy-book.csv", fixture.OLE2("Book"), "", ErrUnknownFormat, "save it as .xlsx"},
		{"other.doc", fixture.OLE2("WordDocument"), "", ErrUnknownFormat, "an OLE2 Office file that is not a workbook"},
		{"empty.xlsm", nil, "", ErrUnreadable, "the file is empty"},
		{"text.xlsm", csvText, "", ErrUnreadable, "not an xlsx (zip) file"},
		{"report.pdf", []byte("%PDF-1.4"), "", ErrUnknownFormat, `".pdf"`},
		{"README", []byte("hello"), "", ErrUnknownFormat, `unsupported file format: ""`},
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
