package extract

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Row is one row of a sheet: its 1-based row number (the CSV line for CSV files)
// and its cleaned cell texts. A Row is only valid until the next call to Next.
type Row struct {
	Num   int
	Cells []string
}

// Cell returns the text of column i, or "" past the end of the row.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Blank reports whether every cell of the row is empty.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if c != "" {
			return false
		}
	}
	return true
}

// RowReader streams the rows of one sheet, like database/sql.Rows.
type RowReader interface {
	Next() bool
	Row() Row
	Err() error
	Close() error
}

// Workbook is an opened input file: an xlsx workbook, or a CSV file seen as a
// workbook of one sheet named "".
type Workbook interface {
	Sheets() []string
	Rows(sheet string) (RowReader, error)
	Close() error
}

// OpenOptions bound what opening a file may cost.
type OpenOptions struct {
	Password       string // for encrypted xlsx
	MaxUnzipBytes  int64  // total decompressed size of an xlsx (zip bomb guard)
	MaxXMLBytes    int64  // a worksheet larger than this is spilled to a temp file
	MaxCellBytes   int    // longer cells are cut (with a marker) to bound memory
	MaxEmptyRunRow int    // stop a sheet after this many consecutive blank rows
	TempDir        string
}

func (o OpenOptions) withDefaults() OpenOptions {
	if o.MaxUnzipBytes <= 0 {
		o.MaxUnzipBytes = 2 << 30
	}
	if o.MaxXMLBytes <= 0 {
		o.MaxXMLBytes = 16 << 20
	}
	if o.MaxXMLBytes > o.MaxUnzipBytes {
		o.MaxXMLBytes = o.MaxUnzipBytes
	}
	if o.MaxCellBytes <= 0 {
		o.MaxCellBytes = 32 << 10
	}
	if o.MaxEmptyRunRow <= 0 {
		o.MaxEmptyRunRow = 10000
	}
	return o
}

// OpenWorkbook opens path by its content (zip signature → xlsx, else text → CSV).
// The caller owns the Workbook and must Close it.
func OpenWorkbook(path string, opt OpenOptions) (Workbook, error) {
	opt = opt.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	f.Close()
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return openXLSX(path, opt)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		// OLE2 container: an encrypted xlsx, or a legacy .xls.
		if ext == ".xls" {
			return nil, fmt.Errorf("%w: legacy .xls (Excel 97-2003) — lưu lại dưới dạng .xlsx / save as .xlsx", ErrUnknownFormat)
		}
		return openXLSX(path, opt)
	case ext == ".csv" || ext == ".txt" || ext == ".tsv":
		return openCSV(path, opt)
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, fmt.Errorf("%w: not a valid xlsx (zip) file — tệp hỏng hoặc không phải Excel", ErrUnreadable)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownFormat, ext)
	}
}

type xlsxBook struct {
	f   *excelize.File
	opt OpenOptions
}

func openXLSX(path string, opt OpenOptions) (Workbook, error) {
	f, err := excelize.OpenFile(path, excelize.Options{
		Password:          opt.Password,
		UnzipSizeLimit:    opt.MaxUnzipBytes,
		UnzipXMLSizeLimit: opt.MaxXMLBytes,
		TmpDir:            opt.TempDir,
	})
	if err != nil {
		switch {
		case errors.Is(err, excelize.ErrWorkbookPassword):
			if opt.Password == "" {
				return nil, fmt.Errorf("%w: tệp có mật khẩu, hãy khai báo mật khẩu trong cấu hình (extract.xlsx_password)", ErrEncrypted)
			}
			return nil, fmt.Errorf("%w: mật khẩu trong cấu hình không đúng / the configured password is wrong", ErrEncrypted)
		case strings.Contains(err.Error(), "unzip size limit"):
			return nil, fmt.Errorf("%w: %v", ErrTooLarge, err)
		case errors.Is(err, excelize.ErrWorkbookFileFormat):
			if opt.Password == "" {
				return nil, fmt.Errorf("%w: tệp được mã hóa hoặc không đúng định dạng xlsx / encrypted or not an xlsx workbook", ErrEncrypted)
			}
			return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return &xlsxBook{f: f, opt: opt}, nil
}

func (b *xlsxBook) Sheets() []string { return b.f.GetSheetList() }

func (b *xlsxBook) Close() error { return b.f.Close() }

func (b *xlsxBook) Rows(sheet string) (RowReader, error) {
	rows, err := b.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %q: %v", ErrUnreadable, sheet, err)
	}
	return &xlsxRows{rows: rows, opt: b.opt}, nil
}

type xlsxRows struct {
	rows  *excelize.Rows
	opt   OpenOptions
	num   int
	blank int
	cells []string
	err   error
}

func (r *xlsxRows) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	r.num++
	cols, err := r.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		r.err = fmt.Errorf("%w: row %d: %v", ErrUnreadable, r.num, err)
		return false
	}
	r.cells = cleanCells(r.cells[:0], cols, r.opt.MaxCellBytes)
	if (Row{Cells: r.cells}).Blank() {
		r.blank++
		// A sheet of a million formatted but empty rows ends here, not at
		// the end of its XML.
		if r.blank >= r.opt.MaxEmptyRunRow {
			return false
		}
	} else {
		r.blank = 0
	}
	return true
}

func (r *xlsxRows) Row() Row { return Row{Num: r.num, Cells: r.cells} }
func (r *xlsxRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Error()
}
func (r *xlsxRows) Close() error { return r.rows.Close() }

func cleanCells(dst, src []string, max int) []string {
	// Trailing empty cells carry no meaning; keeping rows short keeps the
	// header search cheap.
	end := len(src)
	for end > 0 && strings.TrimSpace(src[end-1]) == "" {
		end--
	}
	for _, c := range src[:end] {
		if len(c) > max {
			c = truncateUTF8(c, max) + "…"
		}
		dst = append(dst, Clean(c))
	}
	return dst
}

func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// csvBook is a CSV file seen as a workbook with one sheet named "".
type csvBook struct {
	path  string
	opt   OpenOptions
	comma rune
	enc   string
}

func openCSV(path string, opt OpenOptions) (Workbook, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	defer f.Close()
	sample := make([]byte, 64<<10)
	n, err := io.ReadFull(f, sample)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	sample = sample[:n]
	enc := DetectTextEncoding(sample)
	text := sample
	if enc != "utf-8" {
		text, _ = decodeBytes(sample, enc)
	}
	return &csvBook{path: path, opt: opt, comma: DetectDelimiter(text), enc: enc}, nil
}

func (b *csvBook) Sheets() []string { return []string{""} }
func (b *csvBook) Close() error     { return nil }

func (b *csvBook) Rows(string) (RowReader, error) {
	f, err := os.Open(b.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	var src io.Reader = bufio.NewReaderSize(f, 256<<10)
	src = skipBOM(src.(*bufio.Reader))
	if b.enc == "windows-1258" {
		src = transform.NewReader(src, charmap.Windows1258.NewDecoder())
	}
	r := csv.NewReader(src)
	r.Comma = b.comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return &csvRows{f: f, r: r, opt: b.opt}, nil
}

func skipBOM(r *bufio.Reader) io.Reader {
	if b, err := r.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		r.Discard(3)
	}
	return r
}

type csvRows struct {
	f     *os.File
	r     *csv.Reader
	opt   OpenOptions
	num   int
	cells []string
	err   error
}

func (c *csvRows) Next() bool {
	if c.err != nil {
		return false
	}
	rec, err := c.r.Read()
	if err == io.EOF {
		return false
	}
	if err != nil {
		c.err = fmt.Errorf("%w: %v", ErrUnreadable, err)
		return false
	}
	c.num, _ = c.r.FieldPos(0)
	c.cells = cleanCells(c.cells[:0], rec, c.opt.withDefaults().MaxCellBytes)
	return true
}

func (c *csvRows) Row() Row     { return Row{Num: c.num, Cells: c.cells} }
func (c *csvRows) Err() error   { return c.err }
func (c *csvRows) Close() error { return c.f.Close() }

// DetectTextEncoding tells the encoding of a CSV sample: "utf-8" (with or
// without BOM) or "windows-1258" for bytes that are not valid UTF-8 (the
// Vietnamese Windows code page exported by older desktop software).
func DetectTextEncoding(sample []byte) string {
	s := bytes.TrimPrefix(sample, []byte{0xEF, 0xBB, 0xBF})
	// The sample may end inside a multi-byte character.
	for i := 0; i < 3 && len(s) > 0 && !utf8.Valid(s); i++ {
		s = s[:len(s)-1]
	}
	if utf8.Valid(s) {
		return "utf-8"
	}
	return "windows-1258"
}

func decodeBytes(b []byte, enc string) ([]byte, error) {
	if enc == "windows-1258" {
		return charmap.Windows1258.NewDecoder().Bytes(b)
	}
	return b, nil
}

// DetectDelimiter picks the CSV delimiter (',', ';' or tab) that splits the
// sample's first lines into the most consistent number of fields (more than one).
func DetectDelimiter(sample []byte) rune {
	best, bestScore := ',', -1
	for _, d := range []rune{',', ';', '\t'} {
		r := csv.NewReader(bytes.NewReader(sample))
		r.Comma = d
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		counts := map[int]int{}
		lines := 0
		for lines < 30 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			lines++
			if len(rec) > 1 {
				counts[len(rec)]++
			}
		}
		mode, modeN := 0, 0
		for k, v := range counts {
			if v > modeN || (v == modeN && k > mode) {
				mode, modeN = k, v
			}
		}
		if mode < 2 {
			continue
		}
		score := modeN*1000 + mode
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}
