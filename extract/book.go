package extract

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/klauspost/compress/flate"
)

// packageBook is an xlsx workbook read by the project's own reader: the
// package's structure (workbook, relationships, styles) from its small
// parts, the shared strings into memory (or a temporary file), and each
// worksheet streamed from the zip through sheetReader while it is read.
// excelize opens what this reader does not take (see openBook).
type packageBook struct {
	zr       *zip.ReadCloser
	path     string
	opt      OpenOptions
	stamp    fileStamp
	notes    notes
	sheets   []string
	parts    map[string]*zip.File // sheet name → its worksheet part
	sst      *sharedStrings
	dates    []bool // by style index, in a 1904-based workbook only
	date1904 bool
}

// errNotPlain is why openBook leaves a package to excelize: a structure
// it does not read itself.
var errNotPlain = errors.New("not a plain workbook package")

// openBook opens the xlsx package zr (checkZip passed) at p. Every part
// but the large worksheets is inflated and checked here: the small parts
// against their checksums and, for worksheets, their closing tag
// (verifyZip); a large worksheet is checked as it is read, to its end. It
// fails with errNotPlain when the package is not one it reads.
func openBook(zr *zip.ReadCloser, p string, opt OpenOptions, stamp fileStamp) (_ *packageBook, err error) {
	defer recovered(&err)
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		byName[partName(f)] = f
	}
	read := func(name string) []byte {
		f := byName[strings.ToLower(name)]
		if f == nil || f.UncompressedSize64 > uint64(opt.MaxXMLBytes) {
			return nil
		}
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		defer rc.Close()
		data, err := io.ReadAll(rc)
		if err != nil {
			return nil
		}
		return data
	}
	wb, ok := readWorkbook(read)
	if !ok {
		return nil, errNotPlain
	}
	b := &packageBook{zr: zr, path: p, opt: opt, stamp: stamp, parts: map[string]*zip.File{}, date1904: wb.date1904}
	for _, s := range wb.sheets {
		b.sheets = append(b.sheets, s.name)
		if f := byName[strings.ToLower(s.part)]; f != nil {
			b.parts[s.name] = f
		}
	}
	if b.date1904 {
		b.dates = dateStyles(read("xl/styles.xml"))
	}
	// The checks run beside the reading of the shared strings.
	done := make(chan error, 1)
	sstPart := byName["xl/sharedstrings.xml"]
	go func() {
		_, err := verifyZip(&zr.Reader, func(_ int, f *zip.File) bool {
			name := partName(f)
			return f != sstPart && !(isSheetPart(name) && f.UncompressedSize64 > uint64(opt.MaxXMLBytes))
		})
		done <- err
	}()
	if sstPart != nil {
		b.sst, err = b.loadStrings(sstPart)
	}
	if verr := <-done; verr != nil {
		b.sst.Close()
		return nil, verr
	}
	if err != nil {
		return nil, err
	}
	if err := stamp.check(p); err != nil {
		b.sst.Close()
		return nil, err
	}
	return b, nil
}

func (b *packageBook) loadStrings(f *zip.File) (*sharedStrings, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, partError(f, err)
	}
	defer rc.Close()
	sst, err := loadSharedStrings(rc, int64(f.UncompressedSize64), b.opt.TempDir)
	if err != nil {
		if errors.Is(err, errMalformedXML) {
			return nil, fmt.Errorf("%w: bảng chuỗi dùng chung hỏng / the shared strings are malformed: %w", ErrUnreadable, err)
		}
		return nil, partError(f, err)
	}
	return sst, nil
}

// partError is the error of a part that cannot be inflated.
func partError(f *zip.File, err error) error {
	return fmt.Errorf("%w: phần %s của tệp xlsx hỏng — hãy gửi lại / the part %s of the xlsx is corrupt (%w): send it again", ErrUnreadable, f.Name, f.Name, err)
}

func (b *packageBook) Sheets() []string { return b.sheets }

func (b *packageBook) Notes() []string { return b.notes.list() }

func (b *packageBook) Close() error { return errors.Join(b.sst.Close(), b.zr.Close()) }

// Rows streams a sheet's rows from its part, inflated as they are read.
func (b *packageBook) Rows(sheet string) (RowReader, error) {
	f := b.parts[sheet]
	if f == nil {
		return nil, fmt.Errorf("%w: sheet %q: không có phần trang tính / the sheet has no worksheet part", ErrUnreadable, sheet)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, partError(f, err)
	}
	sr := newSheetReader(rc, b.sst, b.dates)
	r := &xlsxRows{notes: &b.notes, sheet: sheet, opt: b.opt, source: rc}
	n := 0
	r.start(func(emit func([]string) bool) error {
		defer b.formulaNote(sheet, sr)
		for {
			cells, ok, err := sr.next()
			if err != nil {
				return b.sheetError(f, sheet, n+1, err)
			}
			if !ok {
				break
			}
			n++
			if !emit(cells) {
				return nil
			}
		}
		complete, err := sr.finish()
		if err != nil {
			return b.sheetError(f, sheet, n+1, err)
		}
		if !complete {
			return fmt.Errorf("%w: trang tính %s bị cắt cụt (XML không kết thúc) — hãy gửi lại / the worksheet %s is truncated (its XML does not end): send it again", ErrUnreadable, f.Name, f.Name)
		}
		return b.stamp.check(b.path)
	}, &n)
	return r, nil
}

func (b *packageBook) sheetError(f *zip.File, sheet string, row int, err error) error {
	if errors.Is(err, errMalformedXML) {
		return fmt.Errorf("%w: trang %q dòng %d: XML hỏng / malformed sheet XML: %w", ErrUnreadable, sheet, row, err)
	}
	var corrupt flate.CorruptInputError
	if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &corrupt) {
		return partError(f, err)
	}
	return fmt.Errorf("%w: trang %q dòng %d: %w", ErrUnreadable, sheet, row, err)
}

// formulaNote tells of the formulas without a computed value that a read
// of the sheet met (see uncachedFormulas).
func (b *packageBook) formulaNote(sheet string, sr *sheetReader) {
	n := sr.formulas
	if n == 0 {
		return
	}
	b.notes.max("formula\x00"+sheet, n, func(n int) string {
		msg := fmt.Sprintf("trang %q có %d ô công thức chưa được tính (như %s =%s), được đọc là chính công thức — hãy mở bằng Excel, tính lại và lưu / sheet %q has %d formula cells without a computed value (such as %s =%s), read as the formula text: open it in Excel, recalculate and save",
			sheet, n, sr.firstFRef, sr.firstFText, sheet, n, sr.firstFRef, sr.firstFText)
		if sr.moreFormula {
			msg = strings.Replace(msg, strconv.Itoa(n), "hơn "+strconv.Itoa(n), 1)
		}
		return msg
	})
}

// workbookInfo is what the workbook part tells: its sheets in order, with
// their parts, and its date system.
type workbookInfo struct {
	sheets   []sheetPart
	date1904 bool
}

type sheetPart struct{ name, part string }

// readWorkbook reads the workbook part and its relationships, as the xlsx
// format defines them; ok is false when there is no workbook part with
// sheets.
func readWorkbook(read func(name string) []byte) (info workbookInfo, ok bool) {
	type rel struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
	type rels struct {
		Rels []rel `xml:"Relationship"`
	}
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
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	data := read(wbPath)
	if data == nil || xml.Unmarshal(data, &wb) != nil || len(wb.Sheets) == 0 {
		return info, false
	}
	info.date1904 = wb.Pr.Date1904 == "1" || strings.EqualFold(wb.Pr.Date1904, "true")
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
		info.sheets = append(info.sheets, sheetPart{s.Name, targets[s.RID]})
	}
	return info, true
}

// dateStyles tells, by cell style index, which styles of a styles part
// have a date or time number format.
func dateStyles(data []byte) []bool {
	var ss struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if xml.Unmarshal(data, &ss) != nil {
		return nil
	}
	custom := map[int]string{}
	for _, f := range ss.NumFmts {
		custom[f.ID] = f.Code
	}
	out := make([]bool, len(ss.Xfs))
	for i, xf := range ss.Xfs {
		if code, ok := custom[xf.NumFmtID]; ok {
			out[i] = isDateFormat(code)
		} else {
			out[i] = builtInDate(xf.NumFmtID)
		}
	}
	return out
}

// builtInDate reports whether a built-in number format is a date or time
// (14–22, 45–47, and the East Asian date formats 27–36 and 50–58).
func builtInDate(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}

// isDateFormat reports whether a custom number format code shows a date or
// a time: its first section has a date or time letter outside quoted text,
// escapes and brackets (other than the elapsed-time [h], [m], [s]).
func isDateFormat(code string) bool {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	if strings.EqualFold(strings.TrimSpace(code), "General") {
		return false
	}
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return false
			}
			inner := strings.ToLower(strings.Trim(code[i+1:i+j], "hms"))
			if inner == "" && j > 1 {
				return true // [h], [mm], [ss]: elapsed time
			}
			i += j
		default:
			switch c | 0x20 {
			case 'd', 'm', 'y', 'h', 's':
				return true
			}
		}
	}
	return false
}
