package extract

import (
	"archive/zip"
	"bytes"
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
	zr       *zip.Reader
	closer   io.Closer // what zr reads, when it is a file
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

// openBook opens the xlsx package zr (checkZip passed) read from the file
// at p; the returned book owns closer (nil: nothing to close), and on an
// error the caller keeps it. Every part
// but the large worksheets is inflated and checked here: the small parts
// against their checksums and, for worksheets, their closing tag
// (verifyZip); a large worksheet is checked as it is read, to its end. It
// fails with errNotPlain when the package is not one it reads.
func openBook(zr *zip.Reader, closer io.Closer, p string, opt OpenOptions, stamp fileStamp) (_ *packageBook, err error) {
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
	wb, ok, err := readWorkbook(read)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNotPlain
	}
	b := &packageBook{zr: zr, closer: closer, path: p, opt: opt, stamp: stamp, parts: map[string]*zip.File{}, date1904: wb.date1904}
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
		_, err := verifyZip(zr, func(_ int, f *zip.File) bool {
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
	sst, err := loadSharedStrings(rc, int64(f.UncompressedSize64), b.opt.TempDir, b.opt.limits(), b.opt.maxStringsBytes())
	if err != nil {
		if tl := asTooLarge(err); tl != nil {
			return nil, tl.within("bảng chuỗi dùng chung", "the shared strings")
		}
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

func (b *packageBook) Close() error {
	err := b.sst.Close()
	if b.closer != nil {
		err = errors.Join(err, b.closer.Close())
	}
	return err
}

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
	sr := newSheetReader(rc, b.sst, b.dates, b.opt.limits())
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
	if tl := asTooLarge(err); tl != nil {
		return tl.within(fmt.Sprintf("trang %q dòng %d", sheet, row), fmt.Sprintf("sheet %q row %d", sheet, row))
	}
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
// format defines them (as xml.Unmarshal reads them into the structures of
// the format: the first element of each part); ok is false when there is
// no workbook part with sheets. The parts are streamed and what is kept
// bounded: a workbook of more than maxSheets sheets fails (tooLarge), and
// of the relationships only the sheets' are kept.
func readWorkbook(read func(name string) []byte) (info workbookInfo, ok bool, err error) {
	wbPath := "xl/workbook.xml"
	root := map[string]string{}
	officeDocument := func(_, typ string) (string, bool) { return "", strings.HasSuffix(typ, "/officeDocument") }
	if relsTargets(read("_rels/.rels"), officeDocument, root) == nil {
		if t, ok := root[""]; ok {
			wbPath = strings.TrimPrefix(t, "/")
		}
	}
	type sheet struct{ name, rid string }
	var sheets []sheet
	date1904 := ""
	rids := map[string]bool{}
	werr := xmlWalk(read(wbPath), func(stack []string, e xml.StartElement) error {
		switch {
		case len(stack) == 2 && stack[1] == "workbookPr":
			if v, ok := xmlAttr(e, "", "date1904"); ok {
				date1904 = v
			}
		case len(stack) == 3 && stack[1] == "sheets" && stack[2] == "sheet":
			if len(sheets) == maxSheets {
				return errTooManySheets
			}
			name, _ := xmlAttr(e, "", "name")
			rid, _ := xmlAttr(e, relsNS, "id")
			sheets = append(sheets, sheet{name, rid})
			rids[rid] = true
		}
		return nil
	})
	if werr == errTooManySheets {
		return info, false, werr
	}
	if werr != nil || len(sheets) == 0 {
		return info, false, nil
	}
	info.date1904 = date1904 == "1" || strings.EqualFold(date1904, "true")
	dir := path.Dir(wbPath)
	targets := map[string]string{}
	sheetRels := func(id, _ string) (string, bool) { return id, rids[id] }
	relsTargets(read(path.Join(dir, "_rels", path.Base(wbPath)+".rels")), sheetRels, targets)
	for id, t := range targets {
		if strings.HasPrefix(t, "/") {
			targets[id] = strings.TrimPrefix(t, "/")
		} else {
			targets[id] = path.Join(dir, t)
		}
	}
	for _, s := range sheets {
		info.sheets = append(info.sheets, sheetPart{s.name, targets[s.rid]})
	}
	return info, true, nil
}

// relsNS is the namespace of relationship ids (r:id) in the parts of an
// xlsx package.
const relsNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

// maxSheets bounds the sheets of a workbook (the tables of an HTML
// document, the worksheets of an Excel 2003 XML workbook): each is opened
// and searched for a header.
const maxSheets = 1000

var errTooManySheets = &tooLarge{
	fmt.Sprintf("tệp có hơn %d trang tính (bảng) — không phải tệp xuất dữ liệu", maxSheets),
	fmt.Sprintf("the file has more than %d sheets (tables): not a data export", maxSheets),
}

// relsTargets reads a relationships part, putting into targets the target
// of each relationship that keep names a key for (by the relationship's
// id and type): a later one overwrites an earlier one of the same key.
func relsTargets(data []byte, keep func(id, typ string) (key string, ok bool), targets map[string]string) error {
	return xmlWalk(data, func(stack []string, e xml.StartElement) error {
		if len(stack) != 2 || stack[1] != "Relationship" {
			return nil
		}
		id, _ := xmlAttr(e, "", "Id")
		typ, _ := xmlAttr(e, "", "Type")
		if key, ok := keep(id, typ); ok {
			targets[key], _ = xmlAttr(e, "", "Target")
		}
		return nil
	})
}

// maxPartDepth bounds how deep the elements of the small parts of a
// package may nest: an XML decoder's stack grows with the depth.
const maxPartDepth = 256

var errPartTooDeep = errors.New("elements nested too deep")

// xmlWalk reads the first element of an XML document as a stream, calling
// visit with each start element and the local names of the elements open
// (the root first); an error of visit stops it.
func xmlWalk(data []byte, visit func(stack []string, e xml.StartElement) error) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == maxPartDepth {
				return errPartTooDeep
			}
			stack = append(stack, t.Name.Local)
			if err := visit(stack, t); err != nil {
				return err
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
		}
	}
}

// xmlAttr returns an attribute of e by its local name, as xml.Unmarshal
// matches an attribute field: of any namespace when space is "", else of
// that one; the last such attribute when there are several.
func xmlAttr(e xml.StartElement, space, local string) (v string, ok bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && (space == "" || a.Name.Space == space) {
			v, ok = a.Value, true
		}
	}
	return v, ok
}

// dateStyles tells, by cell style index, which styles of a styles part
// have a date or time number format.
func dateStyles(data []byte) []bool {
	custom := map[int]string{}
	var out []bool
	var ids []int // cellXfs' number formats
	err := xmlWalk(data, func(stack []string, e xml.StartElement) error {
		if len(stack) != 3 {
			return nil
		}
		switch {
		case stack[1] == "numFmts" && stack[2] == "numFmt":
			id, err := xmlIntAttr(e, "numFmtId")
			if err != nil {
				return err
			}
			custom[id], _ = xmlAttr(e, "", "formatCode")
		case stack[1] == "cellXfs" && stack[2] == "xf":
			id, err := xmlIntAttr(e, "numFmtId")
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil
	}
	out = make([]bool, len(ids))
	for i, id := range ids {
		if code, ok := custom[id]; ok {
			out[i] = isDateFormat(code)
		} else {
			out[i] = builtInDate(id)
		}
	}
	return out
}

// xmlIntAttr reads an int attribute as xml.Unmarshal does: 0 when absent
// or empty.
func xmlIntAttr(e xml.StartElement, local string) (int, error) {
	v, _ := xmlAttr(e, "", local)
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 0)
	return int(n), err
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
