package extract

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// The memory budget of reading one file (CONTRACT.md section 4, "reading
// one file stays within a memory budget whatever it holds"): each hostile
// file below is read in a process of its own — this test binary, run
// again — which reports its peak resident memory (VmHWM of
// /proc/self/status) beside what the read gave. The files are made here,
// small on disk: their floods are deflated.

// budgetChild names the file that a child process of TestReliabilityMemoryBudget reads.
const budgetChild = "CCHC_EXTRACT_BUDGET_READ"

// budgetRead is what a child process reports.
type budgetRead struct {
	Err        string
	TooLarge   bool // the error wraps ErrTooLarge
	Unreadable bool // the error wraps ErrUnreadable
	Rows       int  // rows that are not blank
	Last       string
	Notes      []string
	Peak       int64 // bytes (VmHWM)
}

// readInChild reads the file at p in a child process with opt and returns
// its report.
func readInChild(t *testing.T, p string, opt OpenOptions) budgetRead {
	t.Helper()
	o, _ := json.Marshal(opt)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReliabilityMemoryBudget$", "-test.count=1")
	cmd.Env = append(os.Environ(), budgetChild+"="+p, budgetChild+"_OPT="+string(o))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s%s", err, out.String(), errb.String())
	}
	_, line, ok := strings.Cut(out.String(), "budget-read ")
	if !ok {
		t.Fatalf("child said nothing:\n%s%s", out.String(), errb.String())
	}
	line, _, _ = strings.Cut(line, "\n")
	var r budgetRead
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("child: %v: %s", err, line)
	}
	return r
}

// budgetReadHere is the child's side: it reads every row of every sheet,
// as the pipeline does, and prints its report.
func budgetReadHere(p string) {
	var opt OpenOptions
	json.Unmarshal([]byte(os.Getenv(budgetChild+"_OPT")), &opt)
	var r budgetRead
	rows, notes, err := readAllRows(p, opt)
	r.Rows, r.Notes = len(rows), notes
	if len(rows) > 0 {
		r.Last = rows[len(rows)-1]
	}
	if err != nil {
		r.Err, r.TooLarge, r.Unreadable = err.Error(), errors.Is(err, ErrTooLarge), errors.Is(err, ErrUnreadable)
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(l, "VmHWM: %d kB", &kb); err == nil {
				r.Peak = kb << 10
			}
		}
	}
	out, _ := json.Marshal(r)
	fmt.Printf("budget-read %s\n", out)
}

// readAllRows is readAll without a test: the rows of every sheet, their
// cells clipped to 40 bytes.
func readAllRows(path string, opt OpenOptions) ([]string, []string, error) {
	return readRows(path, opt, 40)
}

// budgetPeak is what reading any of the files may take, the test binary
// itself included: well under the default budget (256 MiB).
const budgetPeak = 160 << 20

// repeat writes s to w until n bytes are written.
func repeat(w io.Writer, s string, n int) error {
	chunk := []byte(strings.Repeat(s, max(1, (64<<10)/len(s))))
	for written := 0; written < n; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	return nil
}

// writes concatenates writers of XML text: strings and funcs.
func writes(parts ...any) func(io.Writer) error {
	return func(w io.Writer) error {
		for _, p := range parts {
			var err error
			switch p := p.(type) {
			case string:
				_, err = io.WriteString(w, p)
			case func(io.Writer) error:
				err = p(w)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
}

func spaces(n int) func(io.Writer) error {
	return func(w io.Writer) error { return repeat(w, " ", n) }
}

// head is a header row and one data row of a sheet.
const head = `<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c><c r="B1" t="inlineStr"><is><t>Ghi chú</t></is></c></row>` +
	`<row r="2"><c r="A2" t="inlineStr"><is><t>KG-1</t></is></c><c r="B2"><v>7</v></c></row>`

// rawXLSX writes an xlsx of one sheet "S" whose sheetData children data
// writes, with extra parts.
func rawXLSX(data func(io.Writer) error, extra ...fixture.RawPart) func(string) error {
	return func(p string) error {
		return fixture.WriteRawXLSX(p, fixture.RawOptions{Level: flate.BestSpeed, Extra: extra}, fixture.RawSheet{Name: "S", Data: data})
	}
}

const flood = 300 << 20

// file writes a file of the parts (see writes).
func file(parts ...any) func(string) error {
	return func(p string) error {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if err := writes(parts...)(w); err != nil {
			f.Close()
			return err
		}
		return errors.Join(w.Flush(), f.Close())
	}
}

// zipOf writes a zip of n stored entries that entry names.
func zipOf(p string, n int, entry func(i int) (string, []byte)) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(bufio.NewWriterSize(f, 1<<20))
	for i := range n {
		name, data := entry(i)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err == nil {
			_, err = w.Write(data)
		}
		if err != nil {
			f.Close()
			return err
		}
	}
	return errors.Join(zw.Close(), f.Close())
}

// ssHead and ssTail surround the rows of an Excel 2003 XML workbook of one
// worksheet "S", whose first row is a header.
const (
	ssHead = `<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">` +
		`<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">Mã hồ sơ</Data></Cell></Row>`
	ssTail = `</Table></Worksheet></Workbook>`
)

// laughs declares entities that expand to a billion "lol"s.
const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
	`<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
	`<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">` +
	`<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">` +
	`<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>`

// TestReliabilityMemoryBudget: a file that would make a reader hold its
// flood in memory fails quickly with the reason, or is read with its huge
// parts cut or skipped; either way the reading process stays far below the
// budget, measured.
func TestReliabilityMemoryBudget(t *testing.T) {
	if p := os.Getenv(budgetChild); p != "" {
		budgetReadHere(p)
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads its peak memory from /proc")
	}
	if testing.Short() {
		t.Skip("inflates floods of hundreds of megabytes")
	}
	t.Parallel()
	type want struct {
		err  error  // nil: the file reads
		msg  string // a part of the error, or of a note
		rows int    // rows read (when it reads)
		last string // the last row read, its cells clipped to 40 bytes
	}
	sst := func(items func(io.Writer) error) fixture.RawPart {
		return fixture.RawPart{Name: "xl/sharedStrings.xml", Data: writes(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, items, `</sst>`)}
	}
	tests := []struct {
		name  string
		ext   string
		write func(p string) error
		opt   OpenOptions
		want  want
	}{
		{"xlsx: white space between rows", ".xlsx", rawXLSX(writes(head, spaces(flood), `<row r="3"><c r="A3"><v>3</v></c></row>`)), OpenOptions{},
			want{rows: 3, last: "S!3: 3"}},
		{"xlsx: white space inside a tag", ".xlsx", rawXLSX(writes(head, `<row r="3"`, spaces(flood), `/>`)), OpenOptions{},
			want{err: ErrTooLarge, msg: `sheet "S" row 3: an XML tag longer than 8.0 MiB: not a data table`, rows: 2}},
		{"xlsx: a value of 300 MB", ".xlsx", rawXLSX(writes(head, `<row r="3"><c r="A3" t="str"><v>x`, spaces(flood), `y</v></c></row>`)), OpenOptions{},
			want{rows: 3, last: "S!3: x " + CutMarker, msg: `1 cells longer than 32768 bytes were cut`}},
		{"xlsx: an inline string of 300 MB", ".xlsx", rawXLSX(writes(head, `<row r="3"><c r="A3" t="inlineStr"><is><t>x`, spaces(flood), `y</t></is></c></row>`)), OpenOptions{},
			want{rows: 3, last: "S!3: x " + CutMarker, msg: `1 cells longer than 32768 bytes were cut`}},
		{"xlsx: rich text of a million runs", ".xlsx", rawXLSX(writes(head, `<row r="3"><c r="A3" t="inlineStr"><is>`, func(w io.Writer) error { return repeat(w, `<r><t>abcdefgh</t></r>`, flood/3) }, `</is></c></row>`)), OpenOptions{},
			want{rows: 3, last: "S!3: abcdefghabcdefghabcdefghabcdefghabcdefgh", msg: `1 cells longer than 32768 bytes were cut`}},
		{"xlsx: a CDATA section of 300 MB", ".xlsx", rawXLSX(writes(head, `<row r="3"><c r="A3" t="str"><v><![CDATA[x`, spaces(flood), `]]></v></c></row>`)), OpenOptions{},
			want{rows: 3, last: "S!3: x " + CutMarker}},
		{"xlsx: a comment of 300 MB", ".xlsx", rawXLSX(writes(head, `<!--`, spaces(flood), `--><row r="3"><c r="A3"><v>3</v></c></row>`)), OpenOptions{},
			want{rows: 3, last: "S!3: 3"}},
		{"xlsx: a shared string of 300 MB", ".xlsx", rawXLSX(writes(head, `<row r="3"><c r="A3" t="s"><v>0</v></c></row>`), sst(writes(`<si><t>x`, spaces(flood), `y</t></si>`))), OpenOptions{},
			want{rows: 3, last: "S!3: x " + CutMarker, msg: `1 cells longer than 32768 bytes were cut`}},
		{"xlsx: 60 million shared strings", ".xlsx", rawXLSX(writes(head), sst(func(w io.Writer) error { return repeat(w, `<si/>`, flood) })), OpenOptions{},
			want{err: ErrTooLarge, msg: `the shared strings: the shared strings hold more than 31457280 strings and would need more than 128.0 MiB of memory`}},
		{"xlsx: elements nested 30 million deep", ".xlsx", rawXLSX(writes(head, func(w io.Writer) error { return repeat(w, `<a>`, flood/3) })), OpenOptions{},
			want{err: ErrTooLarge, msg: `sheet "S" row 3: XML elements nested more than 256 deep: not a data table`, rows: 2}},
		{"xlsx: a row of 16,384 cells of 32 KiB", ".xlsx", rawXLSX(writes(head, `<row r="3">`, func(w io.Writer) error { return repeat(w, `<c t="s"><v>0</v></c>`, 16384*len(`<c t="s"><v>0</v></c>`)) }, `</row>`),
			sst(writes(`<si><t>`, func(w io.Writer) error { return repeat(w, "z", 32<<10) }, `</t></si>`))), OpenOptions{},
			want{err: ErrTooLarge, msg: `sheet "S" row 3: the row holds more than 4.0 MiB of text`, rows: 2}},
		{"xlsx: a million merged ranges and a dimension of the whole sheet", ".xlsx", func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{Level: flate.BestSpeed}, fixture.RawSheet{Name: "S", Data: writes(head, `</sheetData><dimension ref="A1:XFD1048576"/><mergeCells count="1000000">`,
				func(w io.Writer) error {
					return repeat(w, `<mergeCell ref="A1:XFD1048576"/>`, 1_000_000*len(`<mergeCell ref="A1:XFD1048576"/>`))
				}, `</mergeCells><sheetData>`)})
		}, OpenOptions{}, want{rows: 2, last: "S!2: KG-1|7"}},
		{"xlsx: billion laughs in a sheet", ".xlsx", rawXLSX(writes(head, laughs, `<row r="3"><c r="A3" t="str"><v>&lol9;</v></c></row>`)), OpenOptions{},
			want{err: ErrUnreadable, msg: `malformed sheet XML: malformed XML: a document type declaration (<!DOCTYPE>, entities), which no xlsx part may have`, rows: 2}},
		{"xlsx: billion laughs in the shared strings", ".xlsx", rawXLSX(writes(head), fixture.RawPart{Name: "xl/sharedStrings.xml", Data: writes(`<?xml version="1.0"?>`, laughs, `<sst><si><t>&lol9;</t></si></sst>`)}), OpenOptions{},
			want{err: ErrUnreadable, msg: `the shared strings are malformed: malformed XML: a document type declaration`}},
		{"xlsx: an external entity", ".xlsx", rawXLSX(writes(head), fixture.RawPart{Name: "xl/sharedStrings.xml", Data: writes(`<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]><sst><si><t>&x;</t></si></sst>`)}), OpenOptions{},
			want{err: ErrUnreadable, msg: `the shared strings are malformed: malformed XML: a document type declaration`}},
		{"xlsx: a zip directory of 100,000 parts", ".xlsx", func(p string) error {
			return zipOf(p, 100_000, func(i int) (string, []byte) { return fmt.Sprintf("p%d", i), nil })
		}, OpenOptions{}, want{err: ErrTooLarge, msg: `the xlsx package lists 100000 parts`}},
		{"xlsx: a package without a workbook part, of 2 MiB of styles", ".xlsx", func(p string) error {
			styles := `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>` + strings.Repeat(`<xf/>`, 2<<20/5) + `</cellXfs></styleSheet>`
			return zipOf(p, 1, func(int) (string, []byte) { return "xl/styles.xml", []byte(styles) })
		}, OpenOptions{}, want{err: ErrTooLarge, msg: `an xlsx package of an unusual structure (no workbook part the reader reads) that inflates to more than 1.0 MiB`}},
		{"xlsx: encrypted, asking for 2 billion hashing rounds", ".xlsx", func(p string) error {
			info := `....<?xml version="1.0"?><encryption><keyData/><keyEncryptors><keyEncryptor><p:encryptedKey spinCount="2000000000"/></keyEncryptor></keyEncryptors></encryption>`
			return os.WriteFile(p, fixture.CompoundFile("EncryptionInfo", []byte(info)), 0o644)
		}, OpenOptions{Password: "x"}, want{err: ErrUnreadable, msg: `the encryption header asks for an invalid number of hashing rounds`}},
		{"xlsx: encrypted, larger than a quarter of the budget", ".xlsx", func(p string) error {
			return fixture.WriteXLSX(p, fixture.XLSXOptions{Password: "x"}, fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(nil, fixture.Dossiers("KG", "Phường Kim Giang", 100))})
		}, OpenOptions{Password: "x", MaxMemoryBytes: 16 << 10}, want{err: ErrTooLarge, msg: `an encrypted workbook larger than 4.0 KiB (a quarter of extract.max_memory_bytes) is not decrypted in memory`}},
		{"html: white space in a cell", ".html", file(`<table><tr><td>Mã hồ sơ</td></tr><tr><td>x`, spaces(20<<20), `y</td></tr></table>`), OpenOptions{},
			want{err: ErrTooLarge, msg: `the HTML document holds a tag or a run of text longer than 8.0 MiB`}},
		{"html: a colspan and a rowspan of a hundred million", ".html", file(`<table><tr><td>Mã hồ sơ</td><td colspan="100000000" rowspan="100000000">x</td><td>y</td></tr><tr><td>KG-1</td></tr></table>`), OpenOptions{},
			want{rows: 2, last: "!2: KG-1"}},
		{"html: a row of 130 cells of 32 KiB", ".html", file(`<table><tr><td>Mã hồ sơ</td></tr><tr>`, func(w io.Writer) error {
			return repeat(w, "<td>"+strings.Repeat("z", 32<<10)+"</td>", 130*(32<<10+9))
		}, `</tr></table>`), OpenOptions{}, want{err: ErrTooLarge, msg: `row 2: the row holds more than 4.0 MiB of text`, rows: 1}},
		{"html: 2,000 tables", ".html", file(func(w io.Writer) error {
			return repeat(w, `<table><tr><td>a</td></tr></table>`, 2000*len(`<table><tr><td>a</td></tr></table>`))
		}), OpenOptions{},
			want{err: ErrTooLarge, msg: `the file has more than 1000 sheets (tables)`}},
		{"xml: white space in a cell", ".xml", file(ssHead, `<Row><Cell><Data ss:Type="String">x`, spaces(20<<20), `</Data></Cell></Row>`, ssTail), OpenOptions{},
			want{err: ErrTooLarge, msg: `the XML workbook holds a tag or a run of text longer than 8.0 MiB`}},
		{"xml: billion laughs", ".xml", file(`<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>`, laughs, ssHead[len(`<?xml version="1.0"?>`):], `<Row><Cell><Data ss:Type="String">&lol9;</Data></Cell></Row>`, ssTail), OpenOptions{},
			want{err: ErrUnreadable, msg: `malformed XML workbook: XML syntax error on line 1: invalid character entity &lol9;`}},
		{"xml: 2,000 worksheets", ".xml", file(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">`,
			func(w io.Writer) error {
				return repeat(w, `<Worksheet ss:Name="S"/>`, 2000*len(`<Worksheet ss:Name="S"/>`))
			}, `</Workbook>`), OpenOptions{},
			want{err: ErrTooLarge, msg: `the file has more than 1000 sheets (tables)`}},
		{"csv: a line of 20 MB", ".csv", file("Mã hồ sơ,Ghi chú\nKG-1,", func(w io.Writer) error { return repeat(w, "z", 20<<20) }), OpenOptions{},
			want{err: ErrTooLarge, msg: `a CSV line longer than 8.0 MiB (after line 1)`, rows: 1}},
		{"csv: a quote that never closes", ".csv", file("Mã hồ sơ,Ghi chú\nKG-1,x\nKG-2,\"", func(w io.Writer) error { return repeat(w, "z\n", 20<<20) }), OpenOptions{},
			want{err: ErrTooLarge, msg: `a CSV record longer than 8.0 MiB (after line 2; a quote that never closes?)`, rows: 2}},
		{"csv: a million fields", ".csv", file("Mã hồ sơ,Ghi chú\nKG-1,", func(w io.Writer) error { return repeat(w, ",", 1<<20) }, "\n"), OpenOptions{},
			want{err: ErrTooLarge, msg: `a CSV record of more than 16384 fields (after line 1)`, rows: 1}},
		{"csv: UTF-16 text without a line break", ".csv", file("\xFF\xFEM\x00,\x00", func(w io.Writer) error { return repeat(w, "z\x00", 20<<20) }), OpenOptions{},
			want{err: ErrTooLarge, msg: `a CSV line longer than 8.0 MiB`}},
		{"xls: shared strings that claim 4 billion strings and 4 GiB of phonetic text", ".xls", func(p string) error {
			sst := []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 'a'}
			return os.WriteFile(p, fixture.XLS(fixture.XLSOptions{Globals: []fixture.BIFF{{Type: 0x00FC, Data: sst}}}, fixture.XLSSheet{Name: "S"}), 0o644)
		}, OpenOptions{}, want{err: ErrUnreadable, msg: `corrupt .xls (SST)`}},
		{"xls: 200,000 cells out of row order", ".xls", func(p string) error {
			var recs []fixture.BIFF
			for i := range 200_000 {
				recs = append(recs, fixture.XLSLabel(200_000-i, 0, 0, "Phường Kim Giang "+strings.Repeat("z", 40)))
			}
			return os.WriteFile(p, fixture.XLS(fixture.XLSOptions{}, fixture.XLSSheet{Name: "S", Records: recs}), 0o644)
		}, OpenOptions{MaxMemoryBytes: 16 << 20}, want{err: ErrTooLarge, msg: `an .xls sheet whose cells are out of row order is larger than the limit`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "f"+tt.ext)
			if err := tt.write(p); err != nil {
				t.Fatal(err)
			}
			r := readInChild(t, p, tt.opt)
			fi, _ := os.Stat(p)
			t.Logf("%d KiB on disk: peak %d MiB; %d rows; err %s; notes %q", fi.Size()>>10, r.Peak>>20, r.Rows, r.Err, r.Notes)
			if r.Peak > budgetPeak || r.Peak == 0 {
				t.Errorf("peak %d MiB, want under %d MiB", r.Peak>>20, budgetPeak>>20)
			}
			switch {
			case tt.want.err == ErrTooLarge && !r.TooLarge, tt.want.err == ErrUnreadable && !r.Unreadable, tt.want.err == nil && r.Err != "":
				t.Errorf("err %q, want %v", r.Err, tt.want.err)
			case tt.want.err != nil && !strings.Contains(r.Err, tt.want.msg):
				t.Errorf("err %q, want it to say %q", r.Err, tt.want.msg)
			case tt.want.err == nil && tt.want.msg != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tt.want.msg):
				t.Errorf("notes %q, want one to say %q", r.Notes, tt.want.msg)
			}
			if r.Rows != tt.want.rows || tt.want.last != "" && r.Last != tt.want.last {
				t.Errorf("%d rows, the last %q; want %d, %q", r.Rows, r.Last, tt.want.rows, tt.want.last)
			}
		})
	}
}
