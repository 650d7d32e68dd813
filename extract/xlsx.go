package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/richardlehane/mscfb"
	"github.com/xuri/excelize/v2"
)

// openPackage opens the xlsx package at path. Its zip directory is read once
// (after its size was checked: checkZipDirectory), and nothing is inflated
// before it passed the size limits (checkZip). The project's own reader
// (openBook) takes a plain package; excelize opens the rest, when they are
// small (see openZip).
func openPackage(path string, opt OpenOptions, stamp fileStamp) (Workbook, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if err := checkZipDirectory(f, stamp.size, opt); err != nil {
		f.Close()
		return nil, err
	}
	zr, err := zip.NewReader(f, stamp.size)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: tệp xlsx hỏng hoặc bị cắt cụt — hãy gửi lại / corrupt or truncated xlsx (%w): send it again", ErrUnreadable, err)
	}
	return openZip(zr, f, path, opt, stamp, false)
}

// openZip opens the package zr, read from closer (nil: from memory), of the
// file at p (encrypted: zr is its decrypted package); the workbook returned
// owns closer, which is closed on an error. A package that the project's
// reader does not take (errNotPlain: no workbook part it reads) goes to
// excelize, which holds every part in memory as structures many times
// their size (a styles part of 2 MiB takes 170 MiB): only when it inflates
// to no more than maxExcelizeBytes.
func openZip(zr *zip.Reader, closer io.Closer, p string, opt OpenOptions, stamp fileStamp, encrypted bool) (Workbook, error) {
	closeIt := func() {
		if closer != nil {
			closer.Close()
		}
	}
	if err := checkZip(zr, opt); err != nil {
		closeIt()
		return nil, err
	}
	book, err := openBook(zr, closer, p, opt, stamp)
	if err == nil {
		return book, nil
	}
	defer closeIt()
	if !errors.Is(err, errNotPlain) {
		return nil, err
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
	}
	if total > uint64(opt.maxExcelizeBytes()) {
		size := byteSize(uint64(opt.maxExcelizeBytes()))
		return nil, &tooLarge{
			fmt.Sprintf("gói xlsx có cấu trúc lạ (không có phần workbook đọc được) giải nén ra hơn %s — hãy mở bằng Excel và lưu lại", size),
			fmt.Sprintf("an xlsx package of an unusual structure (no workbook part the reader reads) that inflates to more than %s: open it in Excel and save it again", size),
		}
	}
	if encrypted {
		return openXLSX(p, opt, stamp, true)
	}
	return openWithExcelize(zr, p, opt, stamp)
}

// The errors of an encrypted workbook.
var (
	errNeedPassword  = fmt.Errorf("%w: tệp Excel được đặt mật khẩu — khai báo mật khẩu ở extract.xlsx_password (CCHC_EXTRACT_XLSX_PASSWORD) / the workbook is encrypted: set its password in extract.xlsx_password", ErrEncrypted)
	errWrongPassword = fmt.Errorf("%w: mật khẩu ở extract.xlsx_password không mở được tệp / the password in extract.xlsx_password does not open it", ErrEncrypted)
)

// openEncrypted opens the encrypted xlsx at p: its package is decrypted in
// memory (excelize.Decrypt) and read as any package (openZip). Decrypting
// holds about three times the file at once: a file larger than
// maxEncryptedBytes fails before.
func openEncrypted(p string, opt OpenOptions, stamp fileStamp) (_ Workbook, err error) {
	defer recovered(&err)
	if opt.Password == "" {
		return nil, errNeedPassword
	}
	if stamp.size > opt.maxEncryptedBytes() {
		size := byteSize(uint64(opt.maxEncryptedBytes()))
		return nil, &tooLarge{
			fmt.Sprintf("tệp Excel đặt mật khẩu lớn hơn %s (một phần tư extract.max_memory_bytes), không giải mã trong bộ nhớ được — hãy gỡ mật khẩu và lưu lại", size),
			fmt.Sprintf("an encrypted workbook larger than %s (a quarter of extract.max_memory_bytes) is not decrypted in memory: remove its password and save it again", size),
		}
	}
	if err := checkEncryptionInfo(p); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	pkg, err := excelize.Decrypt(raw, &excelize.Options{Password: opt.Password})
	raw = nil
	if err != nil {
		return nil, errWrongPassword
	}
	r := bytes.NewReader(pkg)
	if err := checkZipDirectory(r, r.Size(), opt); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, r.Size())
	if err != nil {
		// What a wrong password decrypts to.
		return nil, errWrongPassword
	}
	return openZip(zr, nil, p, opt, stamp, true)
}

// checkEncryptionInfo refuses an encrypted workbook whose encryption header
// (the EncryptionInfo stream: a kilobyte of XML in what Excel writes) is
// larger than maxEncryptionInfo, or asks for more hashing rounds than the
// format allows (10,000,000): decrypting would hold the one as structures
// in memory, and spend minutes on the other.
func checkEncryptionInfo(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	defer f.Close()
	doc, err := mscfb.New(f)
	if err != nil {
		return errOLE2Broken
	}
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		if e.Name != "EncryptionInfo" {
			continue
		}
		if e.Size > maxEncryptionInfo {
			return fmt.Errorf("%w: phần mô tả mã hóa của tệp lớn hơn %s — không phải tệp Excel / the encryption header is larger than %s: not an Excel file", ErrUnreadable, byteSize(maxEncryptionInfo), byteSize(maxEncryptionInfo))
		}
		info, err := io.ReadAll(io.LimitReader(e, maxEncryptionInfo))
		if err != nil {
			return errOLE2Broken
		}
		for rest := info; ; {
			i := bytes.Index(rest, []byte(`spinCount="`))
			if i < 0 {
				break
			}
			rest = rest[i+len(`spinCount="`):]
			end := bytes.IndexByte(rest, '"')
			if n, err := strconv.ParseUint(string(rest[:max(end, 0)]), 10, 64); end < 0 || err != nil || n > 10_000_000 {
				return fmt.Errorf("%w: phần mô tả mã hóa của tệp đòi số vòng băm không hợp lệ (quá 10.000.000) — không phải tệp Excel / the encryption header asks for an invalid number of hashing rounds (beyond 10,000,000): not an Excel file", ErrUnreadable)
			}
		}
	}
	return nil
}

// maxEncryptionInfo bounds the encryption header of an encrypted workbook.
const maxEncryptionInfo = 1 << 20

// openWithExcelize opens the package zr at path with excelize, checking
// its parts beside.
func openWithExcelize(zr *zip.Reader, path string, opt OpenOptions, stamp fileStamp) (Workbook, error) {
	type verified struct {
		withFormulas map[string]bool
		err          error
	}
	done := make(chan verified, 1)
	go func() {
		w, err := verifyZip(zr, func(_ int, f *zip.File) bool { return !heldInMemory(f, opt.MaxXMLBytes) })
		done <- verified{w, err}
	}()
	wb, err := openXLSX(path, opt, stamp, false)
	v := <-done
	if v.err == nil && err == nil {
		var held map[string]bool
		held, v.err = verifyHeld(zr, &wb.(*xlsxBook).f.Pkg, opt.MaxXMLBytes)
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
			return nil, errNeedPassword
		case errors.Is(err, excelize.ErrWorkbookPassword) || encrypted:
			return nil, errWrongPassword
		case strings.Contains(err.Error(), "unzip size"):
			return nil, fmt.Errorf("%w: giải nén vượt giới hạn extract.max_unzip_bytes (%s) / decompresses to more than extract.max_unzip_bytes", ErrTooLarge, byteSize(uint64(opt.MaxUnzipBytes)))
		case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrAlgorithm), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("%w: tệp xlsx hỏng hoặc bị cắt cụt — hãy gửi lại / corrupt or truncated xlsx (%w): send it again", ErrUnreadable, err)
		}
		return nil, fmt.Errorf("%w: tệp xlsx hỏng / malformed xlsx: %w", ErrUnreadable, err)
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
		return nil, fmt.Errorf("%w: sheet %q: %w", ErrUnreadable, sheet, err)
	}
	r := &xlsxRows{notes: &b.notes, sheet: sheet, opt: b.opt, formulas: formulas, source: rows}
	n := 0
	r.start(excelizeRows(rows, sheet, &n), &n)
	return r, nil
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

// xlsxRows reads a sheet's rows. The XML is decoded by a goroutine of its
// own (sheetReader, or excelize's Rows for a workbook excelize opened), a
// few chunks of rows ahead of the caller, so that parsing overlaps with the
// cleaning, typing and loading of the rows already read.
type xlsxRows struct {
	notes    *notes
	sheet    string
	opt      OpenOptions
	formulas map[int][]formulaCell // uncached formulas by row, for excelize's rows
	source   io.Closer             // what the goroutine reads from
	num      int
	blank    int
	cut      int
	cutAt    string
	cells    []string
	raw      []string
	ahead    *ahead[[]string] // the sheet's rows as decoded
}

// start runs produce in a goroutine of its own, which owns r.source until
// the reader is closed; *n is the number of rows it has produced, for the
// error of a reader's panic.
func (r *xlsxRows) start(produce func(emit func([]string) bool) error, n *int) {
	r.ahead = startAhead(produce, cellsSize, func(p any) error {
		// The panic value is printed, not wrapped (%v): it is a reader's bug, often
		// not an error at all, and no cause a caller should test for.
		return fmt.Errorf("%w: trang %q dòng %d: tệp hỏng, trình đọc xlsx gặp lỗi nội bộ / malformed sheet (reader panic: %v)", ErrUnreadable, r.sheet, *n+1, p)
	})
}

// excelizeRows is the producer of a sheet that excelize opened.
func excelizeRows(rows *excelize.Rows, sheet string, n *int) func(emit func([]string) bool) error {
	return func(emit func([]string) bool) error {
		for rows.Next() {
			*n++
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return fmt.Errorf("%w: row %d: %w", ErrUnreadable, *n, err)
			}
			if !emit(cols) {
				return nil
			}
		}
		if err := rows.Error(); err != nil {
			return fmt.Errorf("%w: trang %q: %w", ErrUnreadable, sheet, err)
		}
		return nil
	}
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
	// Bytes that are not UTF-8 become U+FFFD: encoding/xml refuses them,
	// the project's reader passes them on.
	var cut int
	r.cells, cut, _ = cleanCells(r.cells[:0], cols, r.opt.MaxCellBytes, true)
	if cut > 0 {
		if r.cut == 0 {
			r.cutAt = fmt.Sprintf("dòng/row %d", r.num)
		}
		r.cut += cut
		r.notes.max("cut\x00"+r.sheet, r.cut, func(n int) string {
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
				r.notes.set("blank\x00"+r.sheet, fmt.Sprintf("trang %q: dừng đọc sau %d dòng trống liên tiếp (dòng %d–%d); phần sau của trang không được đọc — tăng extract.max_blank_rows nếu còn dữ liệu / sheet %q: reading stopped after %d consecutive blank rows (rows %d–%d); the rest of the sheet was not read: raise extract.max_blank_rows if data follows",
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
func (r *xlsxRows) Close() error { return r.ahead.closeWith(r.source) }
