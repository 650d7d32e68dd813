package extract

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"html"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
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
	return o
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

// OpenWorkbook opens path by its content (zip signature → xlsx, OLE2 →
// encrypted xlsx, else text → CSV). A file that is corrupt, encrypted without
// the right password, too large once decompressed or changes while it is read is
// an error wrapping ErrUnreadable, ErrEncrypted, ErrTooLarge or
// ErrUnknownFormat with a reason a person can act on. The caller owns the
// Workbook and must Close it.
func OpenWorkbook(path string, opt OpenOptions) (wb Workbook, err error) {
	opt = opt.withDefaults()
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
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
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	f.Close()
	stamp := fileStamp{fi.Size(), fi.ModTime()}
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return openPackage(path, opt, stamp)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		// OLE2 container: an encrypted xlsx, or a legacy .xls (whatever its name).
		switch ole2Kind(path) {
		case "encrypted":
			return openXLSX(path, opt, stamp, true)
		case "xls":
			return nil, fmt.Errorf("%w: bảng tính Excel 97-2003 (.xls) — hãy lưu lại dưới dạng .xlsx / legacy .xls (Excel 97-2003) workbook: save it as .xlsx", ErrUnknownFormat)
		}
		return nil, fmt.Errorf("%w: tệp Office dạng cũ (OLE2) không phải bảng tính / an OLE2 Office file that is not a workbook", ErrUnknownFormat)
	case ext == ".csv" || ext == ".txt" || ext == ".tsv":
		return openCSV(path, opt, stamp)
	case ext == ".xlsx" || ext == ".xlsm":
		if n == 0 {
			return nil, fmt.Errorf("%w: tệp rỗng (0 byte) / the file is empty", ErrUnreadable)
		}
		return nil, fmt.Errorf("%w: tệp hỏng hoặc không phải Excel (không phải tệp zip của xlsx) — hãy gửi lại / corrupt, or not an xlsx (zip) file: send it again", ErrUnreadable)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownFormat, ext)
	}
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
		return fmt.Errorf("%w: %v", ErrUnreadable, err)
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
		*err = fmt.Errorf("%w: tệp hỏng, trình đọc xlsx gặp lỗi nội bộ / malformed file (reader panic: %v)", ErrUnreadable, r)
	}
}

// ole2Kind tells an encrypted OOXML package ("encrypted") from a legacy BIFF
// workbook ("xls") by the streams of the OLE2 container; "" for anything else.
func ole2Kind(p string) (kind string) {
	defer func() {
		if recover() != nil {
			kind = ""
		}
	}()
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	doc, err := mscfb.New(f)
	if err != nil {
		return ""
	}
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		switch e.Name {
		case "EncryptedPackage", "EncryptionInfo":
			return "encrypted"
		case "Workbook", "Book":
			return "xls"
		}
	}
	return ""
}

// openPackage opens the xlsx package at path. Its zip directory is read once:
// nothing is inflated before it passed the size limits (checkZip). The
// integrity pass inflates the parts excelize streams from temporary files
// (large worksheets and shared strings) alongside excelize's own open; the
// parts excelize holds in memory are checked afterwards against their
// checksums, without inflating them again (verifyHeld).
func openPackage(path string, opt OpenOptions, stamp fileStamp) (Workbook, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%w: tệp xlsx hỏng hoặc bị cắt cụt — hãy gửi lại / corrupt or truncated xlsx (%v): send it again", ErrUnreadable, err)
	}
	defer zr.Close()
	if err := checkZip(&zr.Reader, opt); err != nil {
		return nil, err
	}
	type verified struct {
		withFormulas map[string]bool
		err          error
	}
	done := make(chan verified, 1)
	go func() {
		w, err := verifyZip(&zr.Reader, func(_ int, f *zip.File) bool { return !heldInMemory(f, opt.MaxXMLBytes) })
		done <- verified{w, err}
	}()
	wb, err := openXLSX(path, opt, stamp, false)
	v := <-done
	if v.err == nil && err == nil {
		var held map[string]bool
		held, v.err = verifyHeld(&zr.Reader, &wb.(*xlsxBook).f.Pkg, opt.MaxXMLBytes)
		maps.Copy(v.withFormulas, held)
	}
	if v.err != nil {
		if err == nil {
			wb.Close()
		}
		return nil, v.err
	}
	if err != nil {
		return nil, err
	}
	wb.(*xlsxBook).withFormulas = v.withFormulas
	return wb, nil
}

// checkZip reads the zip directory of an xlsx (not its contents) and refuses,
// before anything is inflated, a package that would decompress to more than
// MaxUnzipBytes, or that holds a part which the xlsx reader keeps in memory
// (anything but worksheets and the shared strings, which are streamed from a
// temporary file when large) larger than MaxXMLBytes — unless it is a picture or
// embedded file that compresses like one.
func checkZip(zr *zip.Reader, opt OpenOptions) error {
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(opt.MaxUnzipBytes) {
			return fmt.Errorf("%w: giải nén ra hơn %s, vượt giới hạn extract.max_unzip_bytes (%s) / decompresses to more than the limit extract.max_unzip_bytes (%s)",
				ErrTooLarge, byteSize(total), byteSize(uint64(opt.MaxUnzipBytes)), byteSize(uint64(opt.MaxUnzipBytes)))
		}
		name := partName(f)
		if f.UncompressedSize64 <= uint64(opt.MaxXMLBytes) || streamedPart(name) {
			continue
		}
		media := strings.HasPrefix(name, "xl/media/") || strings.HasPrefix(name, "xl/embeddings/") || strings.HasPrefix(name, "docprops/thumbnail")
		if media && f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 < 20 {
			continue
		}
		return fmt.Errorf("%w: phần %s giải nén ra %s (nén %d:1), vượt giới hạn extract.max_xml_bytes (%s) — nghi là zip bomb / the part %s inflates to %s (%d:1), more than extract.max_xml_bytes (%s): a zip bomb?",
			ErrTooLarge, f.Name, byteSize(f.UncompressedSize64), ratio(f), byteSize(uint64(opt.MaxXMLBytes)),
			f.Name, byteSize(f.UncompressedSize64), ratio(f), byteSize(uint64(opt.MaxXMLBytes)))
	}
	return nil
}

// verifyZip inflates the parts of the xlsx package zr that want selects (by
// their index in the zip directory and their header), once
// (streaming, within the limits checkZip checked): the xlsx reader ignores
// read errors of a part and of its XML, so a damaged part would read as a
// shorter sheet. The zip checksums must hold, and a worksheet must end with
// its closing tag. It returns the worksheet parts that hold formula elements
// (lower case paths).
func verifyZip(zr *zip.Reader, want func(int, *zip.File) bool) (map[string]bool, error) {
	withFormulas := map[string]bool{}
	for i, f := range zr.File {
		if !want(i, f) {
			continue
		}
		name := partName(f)
		sheet := isSheetPart(name)
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: phần %s của tệp xlsx hỏng — hãy gửi lại / the part %s of the xlsx is corrupt (%v): send it again", ErrUnreadable, f.Name, f.Name, err)
		}
		var tail tailWriter
		var formulas formulaDetector
		if sheet {
			_, err = io.Copy(io.MultiWriter(&tail, &formulas), rc)
		} else {
			_, err = io.Copy(&tail, rc)
		}
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: phần %s của tệp xlsx hỏng — hãy gửi lại / the part %s of the xlsx is corrupt (%v): send it again", ErrUnreadable, f.Name, f.Name, err)
		}
		if sheet && !tail.endsWith("worksheet") {
			return nil, fmt.Errorf("%w: trang tính %s bị cắt cụt (XML không kết thúc) — hãy gửi lại / the worksheet %s is truncated (its XML does not end): send it again", ErrUnreadable, f.Name, f.Name)
		}
		if formulas.found {
			withFormulas[name] = true
		}
	}
	return withFormulas, nil
}

// isSheetPart reports whether a part (lower case path) is a worksheet.
func isSheetPart(name string) bool {
	return strings.HasPrefix(name, "xl/worksheets/sheet") && strings.HasSuffix(name, ".xml")
}

// heldInMemory reports whether excelize keeps a part in memory when it opens
// the workbook: all but the worksheets and shared strings larger than
// UnzipXMLSizeLimit (maxXML), which it inflates to temporary files.
func heldInMemory(f *zip.File, maxXML int64) bool {
	return !streamedPart(partName(f)) || f.FileInfo().Size() <= maxXML
}

// streamedPart reports whether the xlsx reader streams a part (lower case
// path) from a temporary file when it is large: worksheets and the shared
// strings.
func streamedPart(name string) bool {
	return name == "xl/sharedstrings.xml" || strings.HasPrefix(name, "xl/worksheets/sheet")
}

// partName is a part's path in lower case with forward slashes.
func partName(f *zip.File) string { return strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/")) }

// verifyHeld checks the parts excelize holds in memory (pkg, its File.Pkg)
// against the zip directory: the bytes it kept must have the part's length
// and CRC-32, and a worksheet must end with its closing tag. A part whose
// bytes excelize does not hold as they were (renamed, rewritten, read short)
// is inflated again by verifyZip, which tells what is wrong with it. It
// returns the worksheet parts that hold formula elements, as verifyZip.
func verifyHeld(zr *zip.Reader, pkg *sync.Map, maxXML int64) (map[string]bool, error) {
	withFormulas, again := checkHeld(zr, pkg, maxXML)
	if len(again) == 0 {
		return withFormulas, nil
	}
	more, err := verifyZip(zr, func(i int, _ *zip.File) bool { return again[i] })
	maps.Copy(withFormulas, more)
	return withFormulas, err
}

// checkHeld is verifyHeld's check of the bytes: the worksheets with formula
// elements, and the parts (by index in the zip directory) to inflate again.
func checkHeld(zr *zip.Reader, pkg *sync.Map, maxXML int64) (withFormulas map[string]bool, again map[int]bool) {
	withFormulas, again = map[string]bool{}, map[int]bool{}
	for i, f := range zr.File {
		if !heldInMemory(f, maxXML) {
			continue
		}
		key := strings.ReplaceAll(f.Name, `\`, "/")
		switch { // excelize's own names for these two parts
		case strings.EqualFold(key, "[Content_Types].xml"):
			key = "[Content_Types].xml"
		case strings.EqualFold(key, "xl/sharedStrings.xml"):
			key = "xl/sharedStrings.xml"
		}
		v, ok := pkg.Load(key)
		data, _ := v.([]byte)
		name := strings.ToLower(key)
		if !ok || uint64(len(data)) != f.UncompressedSize64 || crc32.ChecksumIEEE(data) != f.CRC32 ||
			isSheetPart(name) && !endsWithElement(data[max(0, len(data)-256):], "worksheet") {
			again[i] = true
			continue
		}
		if isSheetPart(name) && hasFormulaTag(data) {
			withFormulas[name] = true
		}
	}
	return withFormulas, again
}

// hasFormulaTag reports whether XML text has a formula element (<f>, <f …>,
// with or without a namespace prefix: FuzzHasFormulaTag checks it against a
// search for those four tags). It looks for the letter f,
// far rarer in a sheet's XML than the '<' every tag starts with.
func hasFormulaTag(data []byte) bool {
	for i := 1; i+1 < len(data); i++ {
		j := bytes.IndexByte(data[i:len(data)-1], 'f')
		if j < 0 {
			return false
		}
		i += j
		if (data[i-1] == '<' || data[i-1] == ':') && (data[i+1] == '>' || data[i+1] == ' ') {
			return true
		}
	}
	return false
}

// formulaDetector reports whether the text written to it has a formula
// element (<f> or <f …>, with or without a namespace prefix).
type formulaDetector struct {
	carry []byte
	found bool
}

func (d *formulaDetector) Write(p []byte) (int, error) {
	if d.found {
		return len(p), nil
	}
	// The tags are 3 bytes: 2 bytes carried over catch one split between writes.
	if hasFormulaTag(append(d.carry, p[:min(len(p), 2)]...)) || hasFormulaTag(p) {
		d.found = true
		return len(p), nil
	}
	if len(p) >= 2 {
		d.carry = append(d.carry[:0], p[len(p)-2:]...)
	} else {
		d.carry = append(d.carry, p...)
		if len(d.carry) > 2 {
			d.carry = d.carry[len(d.carry)-2:]
		}
	}
	return len(p), nil
}

// tailWriter keeps the last bytes written to it.
type tailWriter struct{ b []byte }

func (w *tailWriter) Write(p []byte) (int, error) {
	const keep = 256
	if len(p) >= keep {
		w.b = append(w.b[:0], p[len(p)-keep:]...)
	} else {
		w.b = append(w.b, p...)
		if len(w.b) > keep {
			w.b = append(w.b[:0], w.b[len(w.b)-keep:]...)
		}
	}
	return len(p), nil
}

// endsWith reports whether the text ends with the closing tag of element
// (with any namespace prefix), white space after it allowed.
func (w *tailWriter) endsWith(element string) bool { return endsWithElement(w.b, element) }

// endsWithElement reports whether XML text ends with the closing tag of
// element (with or without a namespace prefix), white space aside.
func endsWithElement(b []byte, element string) bool {
	t := bytes.TrimRight(b, " \t\r\n\x00")
	if !bytes.HasSuffix(t, []byte(element+">")) {
		return false
	}
	t = t[:len(t)-len(element)-1]
	if i := bytes.LastIndexByte(t, '<'); i >= 0 {
		prefix := t[i+1:]
		return bytes.HasPrefix(prefix, []byte("/")) && !bytes.ContainsAny(prefix, " <>")
	}
	return false
}

func ratio(f *zip.File) uint64 {
	if f.CompressedSize64 == 0 {
		return f.UncompressedSize64
	}
	return f.UncompressedSize64 / f.CompressedSize64
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

type xlsxBook struct {
	f         *excelize.File
	path      string
	encrypted bool
	opt       OpenOptions
	stamp     fileStamp
	notes     notes
	paths     map[string]string // sheet name → part path
	// formulas caches uncachedFormulas per sheet: the header search and the
	// data pass both open a sheet, and the scan must not run twice.
	formulas map[string]map[int][]formulaCell
	// withFormulas holds the worksheet parts that have formula elements
	// (lower case), found by verifyZip; nil when unknown (encrypted files).
	withFormulas map[string]bool
}

func openXLSX(p string, opt OpenOptions, stamp fileStamp, encrypted bool) (_ Workbook, err error) {
	defer recovered(&err)
	f, err := excelize.OpenFile(p, excelize.Options{
		Password:          opt.Password,
		UnzipSizeLimit:    opt.MaxUnzipBytes,
		UnzipXMLSizeLimit: opt.MaxXMLBytes,
		TmpDir:            opt.TempDir,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		switch {
		case encrypted && opt.Password == "":
			return nil, fmt.Errorf("%w: tệp Excel được đặt mật khẩu — khai báo mật khẩu ở extract.xlsx_password (CCHC_EXTRACT_XLSX_PASSWORD) / the workbook is encrypted: set its password in extract.xlsx_password", ErrEncrypted)
		case errors.Is(err, excelize.ErrWorkbookPassword) || encrypted:
			return nil, fmt.Errorf("%w: mật khẩu ở extract.xlsx_password không mở được tệp / the password in extract.xlsx_password does not open it", ErrEncrypted)
		case strings.Contains(err.Error(), "unzip size"):
			return nil, fmt.Errorf("%w: giải nén vượt giới hạn extract.max_unzip_bytes (%s) / decompresses to more than extract.max_unzip_bytes", ErrTooLarge, byteSize(uint64(opt.MaxUnzipBytes)))
		case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrAlgorithm), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("%w: tệp xlsx hỏng hoặc bị cắt cụt — hãy gửi lại / corrupt or truncated xlsx (%v): send it again", ErrUnreadable, err)
		}
		return nil, fmt.Errorf("%w: tệp xlsx hỏng / malformed xlsx: %v", ErrUnreadable, err)
	}
	// Everything but large worksheets is in memory now, and large worksheets
	// in temporary files: a file that changed meanwhile is not the one read.
	if err := stamp.check(p); err != nil {
		f.Close()
		return nil, err
	}
	return &xlsxBook{f: f, path: p, encrypted: encrypted, opt: opt, stamp: stamp}, nil
}

func (b *xlsxBook) Sheets() []string { return b.f.GetSheetList() }

func (b *xlsxBook) Close() error { return b.f.Close() }

func (b *xlsxBook) Notes() []string { return b.notes.list() }

func (b *xlsxBook) Rows(sheet string) (_ RowReader, err error) {
	defer recovered(&err)
	formulas, cached := b.formulas[sheet]
	if !cached {
		formulas, err = b.uncachedFormulas(sheet)
		if err != nil {
			return nil, err
		}
		if b.formulas == nil {
			b.formulas = map[string]map[int][]formulaCell{}
		}
		b.formulas[sheet] = formulas
	}
	rows, err := b.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %q: %v", ErrUnreadable, sheet, err)
	}
	r := &xlsxRows{rows: rows, book: b, sheet: sheet, opt: b.opt, formulas: formulas}
	r.start()
	return r, nil
}

// maxFormulaCells bounds the uncached formulas remembered per sheet.
const maxFormulaCells = 100000

// uncachedFormulas finds the cells of a sheet that hold a formula but no
// computed value (files written by tools that do not calculate): the row
// reader shows them as "=FORMULA" instead of an empty cell, so a number or
// date there is rejected with the formula as its raw value rather than read as
// "not reported". The sheet's XML is only decoded when a byte search finds a
// formula element right before the end of its cell.
func (b *xlsxBook) uncachedFormulas(sheet string) (map[int][]formulaCell, error) {
	part := b.partPath(sheet)
	if part == "" || b.withFormulas != nil && !b.withFormulas[strings.ToLower(part)] {
		return nil, nil // most exports have no formula at all
	}
	var r io.Reader
	if v, ok := b.f.Pkg.Load(part); ok {
		data, _ := v.([]byte)
		if !bytes.Contains(data, []byte("</f>")) && !bytes.Contains(data, []byte(":f>")) && !bytes.Contains(data, []byte("<f ")) {
			return nil, nil
		}
		r = bytes.NewReader(data)
	} else if !b.encrypted {
		zr, err := zip.OpenReader(b.path)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if strings.EqualFold(strings.ReplaceAll(f.Name, `\`, "/"), part) {
				rc, err := f.Open()
				if err != nil {
					return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
				}
				defer rc.Close()
				r = rc
				break
			}
		}
		if err := b.stamp.check(b.path); err != nil {
			return nil, err
		}
	}
	if r == nil {
		return nil, nil // a large sheet of an encrypted workbook: not checked
	}
	cells, more, err := scanUncachedFormulas(bufio.NewReaderSize(r, 64<<10), maxFormulaCells)
	if err != nil {
		return nil, nil // the row reader reports malformed XML
	}
	if n := countFormulas(cells); n > 0 {
		first := firstFormula(cells)
		msg := fmt.Sprintf("trang %q có %d ô công thức chưa được tính (như %s =%s), được đọc là chính công thức — hãy mở bằng Excel, tính lại và lưu / sheet %q has %d formula cells without a computed value (such as %s =%s), read as the formula text: open it in Excel, recalculate and save",
			sheet, n, first.ref, first.text, sheet, n, first.ref, first.text)
		if more {
			msg = strings.Replace(msg, strconv.Itoa(n), "hơn "+strconv.Itoa(n), 1)
		}
		b.notes.set("formula\x00"+sheet, msg)
	}
	return cells, nil
}

func countFormulas(m map[int][]formulaCell) int {
	n := 0
	for _, c := range m {
		n += len(c)
	}
	return n
}

func firstFormula(m map[int][]formulaCell) formulaCell {
	rows := make([]int, 0, len(m))
	for r := range m {
		rows = append(rows, r)
	}
	sort.Ints(rows)
	c := m[rows[0]][0]
	return c
}

// partPath returns the package path of a worksheet ("xl/worksheets/sheet1.xml").
func (b *xlsxBook) partPath(sheet string) string {
	if b.paths == nil {
		b.paths = sheetParts(func(name string) []byte {
			v, _ := b.f.Pkg.Load(name)
			data, _ := v.([]byte)
			return data
		})
	}
	return b.paths[sheet]
}

// sheetParts maps sheet names to their part paths through the package's
// relationships, as the xlsx format defines them.
func sheetParts(read func(name string) []byte) map[string]string {
	type rel struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
	type rels struct {
		Rels []rel `xml:"Relationship"`
	}
	out := map[string]string{}
	wbPath := "xl/workbook.xml"
	var root rels
	if xml.Unmarshal(read("_rels/.rels"), &root) == nil {
		for _, r := range root.Rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = strings.TrimPrefix(r.Target, "/")
			}
		}
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if xml.Unmarshal(read(wbPath), &wb) != nil {
		return out
	}
	var wbRels rels
	dir := path.Dir(wbPath)
	xml.Unmarshal(read(path.Join(dir, "_rels", path.Base(wbPath)+".rels")), &wbRels)
	targets := map[string]string{}
	for _, r := range wbRels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join(dir, t)
		}
		targets[r.ID] = t
	}
	for _, s := range wb.Sheets {
		if t, ok := targets[s.RID]; ok {
			out[s.Name] = t
		}
	}
	return out
}

// formulaCell is a cell with a formula and no cached value.
type formulaCell struct {
	col  int // 1-based
	ref  string
	text string
}

// scanUncachedFormulas scans worksheet XML for <c> elements that have an <f>
// child and neither a <v> nor an <is> child. It returns them by 1-based row,
// at most max of them (more reports that there were others).
func scanUncachedFormulas(r *bufio.Reader, max int) (cells map[int][]formulaCell, more bool, err error) {
	cells = map[int][]formulaCell{}
	row, col := 0, 0
	var inCell, hasF, hasV bool
	var ref, ftext string
	n := 0
	for {
		if _, err := r.ReadSlice('<'); err != nil {
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				return cells, more, nil
			}
			return cells, more, err
		}
		tag, err := readTag(r)
		if err != nil {
			if err == io.EOF {
				return cells, more, nil
			}
			return cells, more, err
		}
		name, attrs, closing, selfClosing := splitTag(tag)
		switch {
		case name == "row" && !closing:
			if v := attrValue(attrs, "r"); v != "" {
				row, _ = strconv.Atoi(v)
			} else {
				row++
			}
			col, inCell = 0, false // a row ends any cell left open (malformed XML)
		case name == "c" && !closing:
			ref = attrValue(attrs, "r")
			if ref != "" {
				if c, rr, e := excelize.CellNameToCoordinates(ref); e == nil {
					col, row = c, rr
				} else {
					col++
				}
			} else {
				col++
				ref, _ = excelize.CoordinatesToCellName(col, max1(row))
			}
			inCell, hasF, hasV, ftext = !selfClosing, false, false, ""
		case name == "f" && inCell && !closing:
			hasF = true
			if !selfClosing {
				text, err := r.ReadString('<')
				if err != nil {
					return cells, more, nil
				}
				ftext = html.UnescapeString(strings.TrimSuffix(text, "<"))
				r.UnreadByte()
			}
		case (name == "v" || name == "is") && inCell && !closing:
			hasV = true
		case name == "c" && closing:
			if inCell && hasF && !hasV {
				if n < max {
					cells[row] = append(cells[row], formulaCell{col: col, ref: ref, text: ftext})
					n++
				} else {
					more = true
				}
			}
			inCell = false
		}
	}
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// readTag reads the rest of a tag after '<' up to its '>', minding quotes.
func readTag(r *bufio.Reader) (string, error) {
	var b strings.Builder
	var quote byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return b.String(), err
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return b.String(), nil
		}
		if b.Len() < 4096 {
			b.WriteByte(c)
		}
	}
}

// splitTag returns a tag's local name (namespace prefix removed), its
// attribute text, and whether it is a closing or self-closing tag.
func splitTag(tag string) (name, attrs string, closing, selfClosing bool) {
	if strings.HasPrefix(tag, "/") {
		closing = true
		tag = tag[1:]
	}
	if strings.HasSuffix(tag, "/") {
		selfClosing = true
		tag = tag[:len(tag)-1]
	}
	name = tag
	if i := strings.IndexAny(tag, " \t\r\n"); i >= 0 {
		name, attrs = tag[:i], tag[i:]
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name, attrs, closing, selfClosing
}

// attrValue returns the value of attribute key in attrs (unprefixed).
func attrValue(attrs, key string) string {
	for s := attrs; ; {
		i := strings.Index(s, key+"=")
		if i < 0 {
			return ""
		}
		if i > 0 && !strings.ContainsRune(" \t\r\n", rune(s[i-1])) {
			s = s[i+len(key)+1:]
			continue
		}
		v := s[i+len(key)+1:]
		if v == "" || (v[0] != '"' && v[0] != '\'') {
			return ""
		}
		if j := strings.IndexByte(v[1:], v[0]); j >= 0 {
			return html.UnescapeString(v[1 : j+1])
		}
		return ""
	}
}

// xlsxRows reads a sheet's rows. The XML is decoded by a goroutine of its
// own (excelize's Rows, the slowest stage of a run), a few chunks of rows
// ahead of the caller, so that parsing overlaps with the cleaning, typing and
// loading of the rows already read.
type xlsxRows struct {
	rows     *excelize.Rows
	book     *xlsxBook
	sheet    string
	opt      OpenOptions
	formulas map[int][]formulaCell
	num      int
	blank    int
	cut      int
	cutAt    string
	cells    []string
	raw      []string
	ahead    *ahead[[]string] // the sheet's rows as excelize decodes them
}

// start decodes the sheet's rows in a goroutine of its own, which owns
// r.rows until the reader is closed.
func (r *xlsxRows) start() {
	n := 0
	r.ahead = startAhead(func(emit func([]string) bool) error {
		for r.rows.Next() {
			n++
			cols, err := r.rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return fmt.Errorf("%w: row %d: %v", ErrUnreadable, n, err)
			}
			if !emit(cols) {
				return nil
			}
		}
		if err := r.rows.Error(); err != nil {
			return fmt.Errorf("%w: trang %q: %v", ErrUnreadable, r.sheet, err)
		}
		return nil
	}, func(p any) error {
		return fmt.Errorf("%w: trang %q dòng %d: tệp hỏng, trình đọc xlsx gặp lỗi nội bộ / malformed sheet (reader panic: %v)", ErrUnreadable, r.sheet, n+1, p)
	})
}

func (r *xlsxRows) Next() bool {
	cols, ok := r.ahead.pull()
	if !ok {
		return false
	}
	r.num++
	if fs := r.formulas[r.num]; len(fs) > 0 {
		r.raw = append(r.raw[:0], cols...)
		for _, f := range fs {
			for len(r.raw) < f.col {
				r.raw = append(r.raw, "")
			}
			if r.raw[f.col-1] == "" {
				text := f.text
				if text == "" {
					text = "(công thức dùng chung / shared formula)"
				}
				r.raw[f.col-1] = "=" + text
			}
		}
		cols = r.raw
	}
	var cut int
	r.cells, cut, _ = cleanCells(r.cells[:0], cols, r.opt.MaxCellBytes, false)
	if cut > 0 {
		if r.cut == 0 {
			r.cutAt = fmt.Sprintf("dòng/row %d", r.num)
		}
		r.cut += cut
		r.book.notes.max("cut\x00"+r.sheet, r.cut, func(n int) string {
			return fmt.Sprintf("trang %q: %d ô dài hơn %d byte đã bị cắt, đánh dấu %q (đầu tiên ở %s) / sheet %q: %d cells longer than %d bytes were cut, marked %q (first at %s)",
				r.sheet, n, r.opt.MaxCellBytes, CutMarker, r.cutAt, r.sheet, n, r.opt.MaxCellBytes, CutMarker, r.cutAt)
		})
	}
	if (Row{Cells: r.cells}).Blank() {
		r.blank++
		// A sheet of a million formatted but empty rows ends here, not at
		// the end of its XML; the note says where, when the sheet went on.
		if r.blank >= r.opt.MaxEmptyRunRow {
			if _, more := r.ahead.pull(); more {
				first := r.num - r.blank + 1
				r.book.notes.set("blank\x00"+r.sheet, fmt.Sprintf("trang %q: dừng đọc sau %d dòng trống liên tiếp (dòng %d–%d); phần sau của trang không được đọc — tăng extract.max_blank_rows nếu còn dữ liệu / sheet %q: reading stopped after %d consecutive blank rows (rows %d–%d); the rest of the sheet was not read: raise extract.max_blank_rows if data follows",
					r.sheet, r.blank, first, r.num, r.sheet, r.blank, first, r.num))
			}
			r.ahead.done = true // the rest of the sheet is not read
			return false
		}
	} else {
		r.blank = 0
	}
	return true
}

func (r *xlsxRows) Row() Row   { return Row{Num: r.num, Cells: r.cells} }
func (r *xlsxRows) Err() error { return r.ahead.err }

// Close stops the reading goroutine and closes the sheet.
func (r *xlsxRows) Close() error { return r.ahead.closeWith(r.rows) }

// prefetchRows reads the rows of another RowReader in a goroutine of its
// own (see ahead), so that reading and cleaning a CSV overlaps with typing
// and loading the rows already read.
type prefetchRows struct {
	inner RowReader
	ahead *ahead[Row]
	row   Row
}

func prefetch(inner RowReader) *prefetchRows {
	return &prefetchRows{inner: inner, ahead: startAhead(func(emit func(Row) bool) error {
		var arena []string // rows' cells are copied into blocks, not one slice each
		for inner.Next() {
			r := inner.Row() // its cells are reused by the next row: copy them
			if len(arena)+len(r.Cells) > cap(arena) {
				arena = make([]string, 0, max(4096, 64*len(r.Cells)))
			}
			start := len(arena)
			arena = append(arena, r.Cells...)
			if !emit(Row{Num: r.Num, Cells: arena[start:len(arena):len(arena)]}) {
				return nil
			}
		}
		return inner.Err()
	}, func(p any) error {
		return fmt.Errorf("%w: tệp hỏng, trình đọc gặp lỗi nội bộ / malformed file (reader panic: %v)", ErrUnreadable, p)
	})}
}

func (p *prefetchRows) Next() bool {
	var ok bool
	p.row, ok = p.ahead.pull()
	return ok
}

func (p *prefetchRows) Row() Row   { return p.row }
func (p *prefetchRows) Err() error { return p.ahead.err }

// Close stops the reading goroutine and closes the inner reader.
func (p *prefetchRows) Close() error { return p.ahead.closeWith(p.inner) }

// cleanCells appends the cleaned cells of src to dst, cutting cells longer than
// max bytes (it returns how many), and dropping trailing empty cells. With
// fixUTF8, bytes that are not UTF-8 become U+FFFD first (it returns how many
// cells had any).
func cleanCells(dst, src []string, max int, fixUTF8 bool) (cells []string, cut, bad int) {
	// Trailing empty cells carry no meaning; keeping rows short keeps the
	// header search cheap.
	end := len(src)
	for end > 0 && strings.TrimSpace(src[end-1]) == "" {
		end--
	}
	for _, c := range src[:end] {
		if len(c) <= max {
			// The common case: one pass over the bytes cleans and checks them.
			out, valid := clean(c)
			if valid || !fixUTF8 {
				dst = append(dst, out)
				continue
			}
		}
		if fixUTF8 && !utf8.ValidString(c) {
			c = strings.ToValidUTF8(c, "\uFFFD")
			bad++
		}
		if len(c) > max {
			c = truncateUTF8(c, max) + CutMarker
			cut++
		}
		dst = append(dst, Clean(c))
	}
	return dst, cut, bad
}

func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// notes collects a workbook's notes by key, keeping their first order.
// A CSV's rows are read in a goroutine of their own (prefetch), so the notes
// are guarded.
type notes struct {
	mu   sync.Mutex
	keys []string
	text map[string]string
	n    map[string]int
}

func (ns *notes) set(key, text string) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.setLocked(key, text)
}

func (ns *notes) setLocked(key, text string) {
	if ns.text == nil {
		ns.text, ns.n = map[string]string{}, map[string]int{}
	}
	if _, ok := ns.text[key]; !ok {
		ns.keys = append(ns.keys, key)
	}
	ns.text[key] = text
}

// max records a counted note when n exceeds what an earlier reader of the
// same sheet counted.
func (ns *notes) max(key string, n int, text func(n int) string) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if ns.n != nil && ns.n[key] >= n {
		return
	}
	ns.setLocked(key, text(n))
	ns.n[key] = n
}

func (ns *notes) list() []string {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	out := make([]string, len(ns.keys))
	for i, k := range ns.keys {
		out[i] = ns.text[k]
	}
	return out
}

// Text encodings of CSV files (DetectTextEncoding).
const (
	EncUTF8        = "utf-8"
	EncUTF8Damaged = "utf-8-damaged" // UTF-8 with bytes that are not UTF-8
	EncUTF16LE     = "utf-16le"
	EncUTF16BE     = "utf-16be"
	EncWindows1258 = "windows-1258"
	EncTCVN3       = "tcvn3" // legacy TCVN 5712 bytes
)

// csvBook is a CSV file seen as a workbook with one sheet named "".
type csvBook struct {
	path  string
	opt   OpenOptions
	comma rune
	enc   string
	stamp fileStamp
	notes notes
}

func openCSV(p string, opt OpenOptions, stamp fileStamp) (Workbook, error) {
	f, err := os.Open(p)
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
	if enc != EncUTF8 && enc != EncUTF8Damaged {
		text, _ = decodeBytes(sample, enc)
	}
	b := &csvBook{path: p, opt: opt, comma: DetectDelimiter(text), enc: enc, stamp: stamp}
	switch enc {
	case EncWindows1258:
		b.notes.set("enc", "tệp CSV không phải UTF-8, đã đọc theo bảng mã Windows-1258 / the CSV file is not UTF-8: read as Windows-1258 (Vietnamese)")
	case EncTCVN3:
		b.notes.set("enc", "tệp CSV gõ bằng bảng mã TCVN3 (ABC), đã chuyển sang Unicode / the CSV file is in the legacy TCVN3 (ABC) encoding: converted to Unicode")
	case EncUTF16LE, EncUTF16BE:
		b.notes.set("enc", "tệp CSV mã hóa UTF-16 (Unicode Text của Excel), đã chuyển sang UTF-8 / the CSV file is UTF-16 (Excel's Unicode Text): converted")
	}
	return b, nil
}

func (b *csvBook) Sheets() []string { return []string{""} }
func (b *csvBook) Close() error     { return nil }
func (b *csvBook) Notes() []string  { return b.notes.list() }

func (b *csvBook) Rows(string) (RowReader, error) {
	if err := b.stamp.check(b.path); err != nil {
		return nil, err
	}
	f, err := os.Open(b.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	br := bufio.NewReaderSize(f, 256<<10)
	var src io.Reader = br
	if b.enc == EncUTF8 || b.enc == EncUTF8Damaged {
		src = skipBOM(br)
	} else if dec := decoder(b.enc); dec != nil {
		src = transform.NewReader(br, dec)
	}
	lim := &lineLimit{r: src, max: max(8<<20, 32*b.opt.withDefaults().MaxCellBytes)}
	r := csv.NewReader(lim)
	r.Comma = b.comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return prefetch(&csvRows{f: f, r: r, lim: lim, book: b, opt: b.opt.withDefaults()}), nil
}

func skipBOM(r *bufio.Reader) io.Reader {
	if b, err := r.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		r.Discard(3)
	}
	return r
}

// lineLimit fails a read that goes on for more than max bytes without a line
// break: a CSV "line" of a gigabyte is not a table, and encoding/csv would
// hold all of it in memory.
type lineLimit struct {
	r   io.Reader
	max int
	run int
	hit bool
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		if bytes.IndexByte(p[:n], '\n')+l.run > l.max {
			l.hit = true
			return 0, errLineTooLong
		}
		l.run = n - i - 1
	} else {
		l.run += n
	}
	if l.run > l.max {
		l.hit = true
		return 0, errLineTooLong
	}
	return n, err
}

var errLineTooLong = errors.New("line too long")

type csvRows struct {
	f     *os.File
	r     *csv.Reader
	lim   *lineLimit
	book  *csvBook
	opt   OpenOptions
	num   int
	cells []string
	cut   int
	bad   int
	badAt int
	err   error
	done  bool
}

func (c *csvRows) Next() (ok bool) {
	if c.err != nil || c.done {
		return false
	}
	defer func() { c.done = !ok }()
	rec, err := c.r.Read()
	if err == io.EOF {
		// The whole file was read: it must still be the one opened.
		c.err = c.book.stamp.check(c.book.path)
		return false
	}
	if err != nil {
		if c.lim.hit {
			c.err = fmt.Errorf("%w: một dòng CSV dài hơn %s (sau dòng %d) — không phải bảng dữ liệu / a CSV line longer than %s (after line %d): not a table",
				ErrTooLarge, byteSize(uint64(c.lim.max)), c.num, byteSize(uint64(c.lim.max)), c.num)
		} else {
			c.err = fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		return false
	}
	c.num, _ = c.r.FieldPos(0)
	if c.book.enc == EncTCVN3 {
		for i, v := range rec {
			rec[i] = DecodeTCVN3(v)
		}
	}
	// Bytes that are not UTF-8 become U+FFFD (found while cleaning).
	fix := c.book.enc == EncUTF8 || c.book.enc == EncUTF8Damaged
	cut, bad := 0, 0
	c.cells, cut, bad = cleanCells(c.cells[:0], rec, c.opt.MaxCellBytes, fix)
	if bad > 0 {
		if c.bad == 0 {
			c.badAt = c.num
		}
		c.bad += bad
	}
	if cut > 0 {
		c.cut += cut
		c.book.notes.max("cut", c.cut, func(n int) string {
			return fmt.Sprintf("%d ô dài hơn %d byte đã bị cắt, đánh dấu %q / %d cells longer than %d bytes were cut, marked %q",
				n, c.opt.MaxCellBytes, CutMarker, n, c.opt.MaxCellBytes, CutMarker)
		})
	}
	if c.bad > 0 {
		c.book.notes.max("utf8", c.bad, func(n int) string {
			return fmt.Sprintf("%d ô có byte không phải UTF-8 (đầu tiên ở dòng %d), đã thay bằng U+FFFD (\uFFFD) / %d cells held bytes that are not UTF-8 (first on line %d), replaced by U+FFFD",
				n, c.badAt, n, c.badAt)
		})
	}
	return true
}

func (c *csvRows) Row() Row     { return Row{Num: c.num, Cells: c.cells} }
func (c *csvRows) Err() error   { return c.err }
func (c *csvRows) Close() error { return c.f.Close() }

// DetectTextEncoding tells the encoding of a CSV sample: EncUTF8 (with or
// without BOM); EncUTF16LE or EncUTF16BE (by their BOM: Excel's "Unicode
// Text"); EncUTF8Damaged for UTF-8 text with a few bytes that are not UTF-8
// (they become U+FFFD); and for 8-bit text, EncTCVN3 or EncWindows1258 (the
// Vietnamese Windows code page of older desktop software), whichever reads as
// more Vietnamese syllables.
func DetectTextEncoding(sample []byte) string {
	switch {
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return EncUTF16LE
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return EncUTF16BE
	}
	s := bytes.TrimPrefix(sample, []byte{0xEF, 0xBB, 0xBF})
	// The sample may end inside a multi-byte character.
	for i := 0; i < 3 && len(s) > 0 && !utf8.Valid(s); i++ {
		s = s[:len(s)-1]
	}
	if utf8.Valid(s) {
		return EncUTF8
	}
	multi, invalid := 0, 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			invalid++
		case n > 1:
			multi++
		}
		i += max(n, 1)
	}
	if multi >= 4*invalid {
		return EncUTF8Damaged
	}
	cp, _ := decodeBytes(s, EncWindows1258)
	tc, _ := decodeBytes(s, EncTCVN3)
	if vietnameseWords(string(tc)) > vietnameseWords(string(cp)) {
		return EncTCVN3
	}
	return EncWindows1258
}

// vietnameseWords counts the words of s with a letter outside ASCII that are
// well-formed Vietnamese syllables.
func vietnameseWords(s string) int {
	n := 0
	for _, w := range strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) }) {
		ascii := true
		for i := 0; i < len(w); i++ {
			if w[i] >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if !ascii && unicodeSyllable(w) {
			n++
		}
	}
	return n
}

// unicodeSyllable reports whether w (Unicode) is a Vietnamese syllable: its
// tones (grave, acute, tilde, hook, dot below) dropped, the letter's own breve,
// circumflex or horn kept, it splits into an initial, a vowel and a final.
func unicodeSyllable(w string) bool {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		switch r {
		case 0x300, 0x301, 0x303, 0x309, 0x323:
			continue
		}
		b.WriteRune(r)
	}
	syl := norm.NFC.String(b.String())
	for _, ini := range vnInitials {
		rest, ok := strings.CutPrefix(syl, ini)
		if !ok {
			continue
		}
		for _, fin := range vnFinals {
			if v, ok := strings.CutSuffix(rest, fin); ok && vnVowels[v] {
				return true
			}
		}
	}
	return false
}

func decoder(enc string) *encoding.Decoder {
	switch enc {
	case EncWindows1258:
		return charmap.Windows1258.NewDecoder()
	case EncTCVN3:
		// Bytes as Latin-1 code points; the cells are then decoded from
		// TCVN3 (DecodeTCVN3), which maps every byte.
		return charmap.ISO8859_1.NewDecoder()
	case EncUTF16LE:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
	case EncUTF16BE:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder()
	}
	return nil
}

func decodeBytes(b []byte, enc string) ([]byte, error) {
	dec := decoder(enc)
	if dec == nil {
		return b, nil
	}
	out, err := dec.Bytes(b)
	if enc == EncTCVN3 {
		out = []byte(DecodeTCVN3(string(out)))
	}
	return out, err
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
