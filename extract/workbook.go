package extract

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Row is one row of a sheet: its 1-based number as a person sees it (the sheet
// row; the line of a text file; the <tr> ordinal of an HTML table) and its
// cleaned cell texts. A Row is only valid until the next call to Next.
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

// Workbook is an opened input file: an xlsx, .xls (BIFF8) or Excel 2003 XML
// workbook; an HTML document, whose tables are its sheets (one table: a
// sheet named ""); or a text file seen as a workbook of one sheet named "".
type Workbook interface {
	Sheets() []string
	Rows(sheet string) (RowReader, error)
	Close() error
}

// Noter is implemented by a Workbook that has something to report about how it
// was read: a legacy text encoding converted, bytes that were not text, cells
// cut to the size limit, a sheet whose reading stopped after a long run of
// blank rows, formulas that carried no computed value. Notes are sentences for
// people (Vietnamese / English), for raw.files.message; ask for them after the
// rows were read.
type Noter interface {
	Notes() []string
}

// OpenOptions bound what opening a file may cost.
type OpenOptions struct {
	Password       string // for encrypted xlsx
	MaxUnzipBytes  int64  // total decompressed size of an xlsx (zip bomb guard)
	MaxXMLBytes    int64  // a worksheet larger than this is spilled to a temp file; other parts may not be larger
	MaxCellBytes   int    // longer cells are cut (with a marker) to bound memory
	MaxEmptyRunRow int    // stop a sheet after this many consecutive blank rows
	MaxMemoryBytes int64  // what reading one file may hold in memory (see the budget below)
	TempDir        string

	// The size and modification time that the file had when it was hashed
	// (Source.Open): a file that differs when it is read is not the one hashed.
	expectSize int64
	expectMod  time.Time
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
	if o.MaxMemoryBytes <= 0 {
		o.MaxMemoryBytes = DefaultMaxMemoryBytes
	}
	return o
}

// DefaultMaxMemoryBytes is OpenOptions.MaxMemoryBytes when it is not set.
const DefaultMaxMemoryBytes = 256 << 20

// The memory budget of reading one file. Whatever a file holds, a reader
// keeps at most these shares of OpenOptions.MaxMemoryBytes, and a file that
// needs more fails (ErrTooLarge) with the reason, rather than growing a
// buffer with its input:
//
//   - the shared strings of a workbook: half (maxStringsBytes);
//   - one row: a sixty-fourth (maxRowBytes). The rows held at once — the
//     header search's first rows, the rows read ahead, the row being read
//     and its cleaned copy — are a few dozen;
//   - the rows read ahead of the caller: a few chunks of aheadBytes;
//   - the decrypted package of an encrypted workbook: a quarter of the
//     budget for the encrypted file (decrypting takes about three times
//     its size, for a moment);
//   - the zip directory of a package: an eighth (maxZipEntries);
//   - a package that excelize opens (one the project's reader does not
//     take), inflated: a 256th (maxExcelizeBytes), for excelize holds its
//     parts as structures some eighty times their size.
//
// A cell longer than MaxCellBytes is cut as it is read (cutCell), and one
// tag or run of text that a reader must hold whole (an XML tag, an HTML
// token, a CSV line or record) may take maxTokenBytes.
func (o OpenOptions) maxStringsBytes() int64 { return o.MaxMemoryBytes / 2 }

func (o OpenOptions) maxRowBytes() int { return int(min(o.MaxMemoryBytes/64, math.MaxInt32)) }

func (o OpenOptions) maxEncryptedBytes() int64 { return o.MaxMemoryBytes / 4 }

func (o OpenOptions) maxZipEntries() int {
	return int(min(o.MaxMemoryBytes/8/zipEntryCost, math.MaxInt32))
}

func (o OpenOptions) maxTokenBytes() int { return max(8<<20, 32*o.MaxCellBytes) }

func (o OpenOptions) maxExcelizeBytes() int64 { return o.MaxMemoryBytes / 256 }

// limits are the bounds of the budget that a reader of rows keeps to.
type limits struct {
	cell  int // a cell's text is cut to this many bytes (MaxCellBytes)
	row   int // a row's text and cell slots (maxRowBytes)
	token int // a tag or token held whole (maxTokenBytes)
}

// limits are the reader bounds of o (with its defaults).
func (o OpenOptions) limits() limits {
	o = o.withDefaults()
	return limits{cell: o.MaxCellBytes, row: o.maxRowBytes(), token: o.maxTokenBytes()}
}

// CutMarker ends a cell that was longer than OpenOptions.MaxCellBytes and was
// cut to that length.
const CutMarker = "…"

// Open opens the source's file as a workbook (see OpenWorkbook), failing when
// the file is no longer the one that Hash read: a changed size or modification
// time means its rows would not belong to its recorded SHA-256.
func (s *Source) Open(opt OpenOptions) (Workbook, error) {
	opt.expectSize, opt.expectMod = s.Size, s.ModTime
	return OpenWorkbook(s.Abs, opt)
}

// OpenWorkbook opens path by its content (zip → xlsx, OLE2 → .xls or an
// encrypted xlsx, markup → Excel 2003 XML or HTML, else text → CSV), as the
// first of formats that matches; docs/formats.md lists them. A
// file that is corrupt, encrypted without the right password, too large once
// decompressed or changes while it is read is an error wrapping ErrUnreadable, ErrEncrypted, ErrTooLarge or
// ErrUnknownFormat with a reason a person can act on. The caller owns the
// Workbook and must Close it.
func OpenWorkbook(path string, opt OpenOptions) (wb Workbook, err error) {
	opt = opt.withDefaults()
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrUnreadable)
	}
	if opt.expectSize != 0 || !opt.expectMod.IsZero() {
		if fi.Size() != opt.expectSize || !fi.ModTime().Equal(opt.expectMod) {
			return nil, errChanged
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	head := make([]byte, sniffBytes)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	f.Close()
	stamp := fileStamp{fi.Size(), fi.ModTime()}
	ext := strings.ToLower(filepath.Ext(path))
	for _, ft := range formats {
		if ft.match(head, ext) {
			return ft.open(path, opt, stamp)
		}
	}
	return nil, errUnknown(head, ext)
}

// errChanged is the error of a file that changed while it was read.
var errChanged = fmt.Errorf("%w: tệp thay đổi trong khi đọc (đang được chép hoặc sửa?) — lần chạy sau sẽ đọc lại / the file changed while it was read (still being copied or edited?): the next run reads it again", ErrUnreadable)

// fileStamp is what tells that a file is still the one that was opened.
type fileStamp struct {
	size int64
	mod  time.Time
}

func (s fileStamp) check(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if fi.Size() != s.size || !fi.ModTime().Equal(s.mod) {
		return errChanged
	}
	return nil
}

// recovered turns a panic of a file parser into an error: a malformed file must
// fail alone, not take the run down with it.
func recovered(err *error) {
	if r := recover(); r != nil {
		// The panic value is printed, not wrapped (%v): it is a reader's bug, often
		// not an error at all, and no cause a caller should test for.
		*err = fmt.Errorf("%w: tệp hỏng, trình đọc xlsx gặp lỗi nội bộ / malformed file (reader panic: %v)", ErrUnreadable, r)
	}
}

func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatUint(n, 10) + " B"
}
