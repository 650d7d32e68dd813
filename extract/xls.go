package extract

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
)

// Excel 97–2003 workbooks (.xls) are BIFF8 records in the "Workbook"
// stream of an OLE2 compound file. The compound file is read with
// richardlehane/mscfb; the records by this file, because the Go BIFF
// readers on offer (shakinm/xlsReader, extrame/xls) read a whole workbook
// into memory, swallow errors or panic, and return Latin-1 ("compressed")
// strings as raw bytes, which breaks Vietnamese text. A sheet's records are
// streamed from the sheet's offset; only the workbook globals (the shared
// strings, the number formats, the sheet list) are held, within a budget.
//
// Cells come out as the xlsx reader returns them (raw values): text as it
// is, numbers (dates are numbers) as the shortest decimal, booleans 1/0,
// errors as Excel shows them. A workbook in Excel's 1904 date system has
// its date cells moved to the 1900 system, so that a date serial means the
// same day whatever the file.

// BIFF8 record types read here.
const (
	biffFormula    = 0x0006
	biffEOF        = 0x000A
	biffFilePass   = 0x002F
	biffDateMode   = 0x0022
	biffContinue   = 0x003C
	biffBoundSheet = 0x0085
	biffMulRK      = 0x00BD
	biffRString    = 0x00D6
	biffXF         = 0x00E0
	biffSST        = 0x00FC
	biffLabelSST   = 0x00FD
	biffNumber     = 0x0203
	biffLabel      = 0x0204
	biffBoolErr    = 0x0205
	biffString     = 0x0207
	biffRK         = 0x027E
	biffFormat     = 0x041E
	biffBOF        = 0x0809
)

// xlsBook is an Excel 97–2003 workbook.
type xlsBook struct {
	path     string
	opt      OpenOptions
	stamp    fileStamp
	sheets   []xlsSheet
	sst      []string
	xfFormat []uint16        // XF index → number format index
	formats  map[uint16]bool // custom number formats that show dates
	date1904 bool
	budget   int // bytes that the shared strings may take, and an unordered sheet's cells
	notes    notes
}

type xlsSheet struct {
	name    string
	offset  int64
	ordered bool // its cell records come row after row, as every Excel writes them
}

var (
	errXLSNotBIFF8 = fmt.Errorf("%w: tệp .xls không phải bảng tính Excel 97-2003 (BIFF8) đọc được — hãy mở bằng Excel và lưu lại dưới dạng .xlsx / an .xls file that is no readable Excel 97-2003 (BIFF8) workbook: open it in Excel and save it as .xlsx", ErrUnknownFormat)
	errXLSBIFF5    = fmt.Errorf("%w: bảng tính Excel 5.0/95 (BIFF5) — hãy mở bằng Excel và lưu lại dưới dạng .xlsx / an Excel 5.0/95 (BIFF5) workbook: open it in Excel and save it as .xlsx", ErrUnknownFormat)
	errXLSPassword = fmt.Errorf("%w: tệp .xls được đặt mật khẩu — hãy gỡ mật khẩu trong Excel và lưu lại dưới dạng .xlsx (extract.xlsx_password chỉ dùng cho .xlsx) / the .xls workbook is password protected: remove the password in Excel and save it as .xlsx (extract.xlsx_password is for .xlsx only)", ErrEncrypted)
	errXLSTrunc    = fmt.Errorf("%w: tệp .xls hỏng hoặc bị cắt cụt — hãy gửi lại / corrupt or truncated .xls: send it again", ErrUnreadable)
)

// errXLSCorrupt is the error of a malformed record.
func errXLSCorrupt(what string) error {
	return fmt.Errorf("%w: tệp .xls hỏng (%s) — hãy gửi lại / corrupt .xls (%s): send it again", ErrUnreadable, what, what)
}

func openXLS(path string, opt OpenOptions, stamp fileStamp) (_ Workbook, err error) {
	defer recoveredReading(&err, ".xls")
	b := &xlsBook{path: path, opt: opt, stamp: stamp, formats: map[uint16]bool{}, budget: int(min(4*opt.MaxXMLBytes, math.MaxInt32))}
	s, err := b.stream()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := b.globals(s); err != nil {
		return nil, err
	}
	// Every sheet is walked once: a sheet that breaks off fails the file
	// now, before any of it is loaded, and a sheet whose cells are not row
	// after row is known to need sorting.
	var keep []xlsSheet
	for _, sh := range b.sheets {
		worksheet, ordered, err := s.survey(sh.offset)
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", sh.name, err)
		}
		if worksheet {
			sh.ordered = ordered
			keep = append(keep, sh)
		}
	}
	b.sheets = keep
	if err := stamp.check(path); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *xlsBook) Sheets() []string {
	out := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		out[i] = s.name
	}
	return out
}

func (b *xlsBook) Close() error    { return nil }
func (b *xlsBook) Notes() []string { return b.notes.list() }

func (b *xlsBook) Rows(sheet string) (_ RowReader, err error) {
	defer recoveredReading(&err, ".xls")
	i := slices.IndexFunc(b.sheets, func(s xlsSheet) bool { return s.name == sheet })
	if i < 0 {
		return nil, fmt.Errorf("%w: no sheet %q", ErrUnreadable, sheet)
	}
	if err := b.stamp.check(b.path); err != nil {
		return nil, err
	}
	s, err := b.stream()
	if err != nil {
		return nil, err
	}
	// The sheet's own BOF record: what follows is its cells, up to its EOF.
	if err := s.seek(b.sheets[i].offset); err != nil || s.record() != nil || s.typ != biffBOF {
		s.Close()
		return nil, errXLSCorrupt("BOF")
	}
	src := &xlsRows{s: s, book: b, row: -1, formula: [2]int{-1, 0}, collect: !b.sheets[i].ordered}
	return newSheetRows(src, &b.notes, sheet, b.opt, false), nil
}

// biffStream reads the records of a workbook's Workbook stream.
type biffStream struct {
	f    *os.File
	st   *mscfb.File
	r    *bufio.Reader
	typ  uint16
	data []byte
	buf  []byte
	held bool // the current record is read again by the next call of next
}

// stream opens the file's Workbook stream.
func (b *xlsBook) stream() (*biffStream, error) {
	f, err := os.Open(b.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	doc, err := mscfb.New(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: tệp .xls hỏng (vỏ OLE2) — hãy gửi lại / corrupt .xls (its OLE2 container: %w): send it again", ErrUnreadable, err)
	}
	var wb, book *mscfb.File
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		if len(e.Path) == 0 && e.Name == "Workbook" && wb == nil {
			wb = e
		}
		if len(e.Path) == 0 && e.Name == "Book" {
			book = e
		}
	}
	if wb == nil {
		f.Close()
		if book != nil {
			return nil, errXLSBIFF5
		}
		return nil, errXLSNotBIFF8
	}
	// A stream cannot be larger than its file: a size beyond it is a
	// corrupt directory (and chains that loop would read on forever).
	if fi, err := f.Stat(); err != nil || wb.Size > fi.Size() {
		f.Close()
		return nil, errXLSTrunc
	}
	return &biffStream{f: f, st: wb, r: bufio.NewReaderSize(wb, 64<<10), buf: make([]byte, 1<<16)}, nil
}

func (s *biffStream) Close() error { return s.f.Close() }

func (s *biffStream) seek(off int64) error {
	if _, err := s.st.Seek(off, io.SeekStart); err != nil {
		return errXLSCorrupt("vị trí trang / sheet offset")
	}
	s.r.Reset(s.st)
	s.held = false
	return nil
}

// next reads the next record; io.EOF at the end of the stream, errXLSTrunc
// when it stops inside a record.
func (s *biffStream) next() error {
	if s.held {
		s.held = false
		return nil
	}
	var h [4]byte
	if _, err := io.ReadFull(s.r, h[:]); err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return s.readErr(err)
	}
	s.typ = binary.LittleEndian.Uint16(h[0:])
	s.data = s.buf[:binary.LittleEndian.Uint16(h[2:])]
	if _, err := io.ReadFull(s.r, s.data); err != nil {
		return s.readErr(err)
	}
	return nil
}

func (s *biffStream) readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errXLSTrunc
	}
	var me mscfb.Error
	if errors.As(err, &me) {
		return fmt.Errorf("%w: tệp .xls hỏng (vỏ OLE2) — hãy gửi lại / corrupt .xls (its OLE2 container: %w): send it again", ErrUnreadable, err)
	}
	return fmt.Errorf("%w: %w", ErrUnreadable, err)
}

// unread makes the next call of next return the current record again.
func (s *biffStream) unread() { s.held = true }

// record reads the next record and fails at the end of the stream: a
// substream must end with its EOF record.
func (s *biffStream) record() error {
	if err := s.next(); err != nil {
		if err == io.EOF {
			return errXLSTrunc
		}
		return err
	}
	return nil
}

// globals reads the workbook globals: BOF, the sheets, the shared strings,
// the number formats and the date system, up to their EOF record.
func (b *xlsBook) globals(s *biffStream) error {
	// A stream that does not start with a BOF record is no BIFF at all:
	// its first "record" may claim any length.
	if h, err := s.r.Peek(4); err != nil || binary.LittleEndian.Uint16(h) != biffBOF {
		return errXLSNotBIFF8
	}
	if err := s.record(); err != nil {
		return err
	}
	if len(s.data) < 4 {
		return errXLSNotBIFF8
	}
	switch vers := binary.LittleEndian.Uint16(s.data); {
	case vers == 0x0500:
		return errXLSBIFF5
	case vers != 0x0600:
		return errXLSNotBIFF8
	}
	for {
		if err := s.record(); err != nil {
			return err
		}
		d := s.data
		switch s.typ {
		case biffEOF:
			return nil
		case biffFilePass:
			return errXLSPassword
		case biffDateMode:
			b.date1904 = len(d) >= 2 && d[0] == 1
		case biffXF:
			if len(d) < 4 {
				return errXLSCorrupt("XF")
			}
			b.xfFormat = append(b.xfFormat, binary.LittleEndian.Uint16(d[2:]))
		case biffFormat:
			if len(d) < 5 {
				return errXLSCorrupt("FORMAT")
			}
			c := &contReader{s: s, data: d[2:], budget: 1 << 20}
			code, err := c.str(false)
			if err != nil {
				return err
			}
			if isDateFormat(code) {
				b.formats[binary.LittleEndian.Uint16(d)] = true
			}
		case biffBoundSheet:
			if len(d) < 8 {
				return errXLSCorrupt("BOUNDSHEET")
			}
			if d[5] != 0 { // macro, chart or VBA sheets hold no cells of ours
				continue
			}
			name, err := shortXLString(d[6:])
			if err != nil {
				return err
			}
			b.sheets = append(b.sheets, xlsSheet{name: name, offset: int64(binary.LittleEndian.Uint32(d))})
		case biffSST:
			if len(d) < 8 {
				return errXLSCorrupt("SST")
			}
			if err := b.readSST(s); err != nil {
				return err
			}
		}
	}
}

// readSST reads the shared strings, which continue across CONTINUE records.
func (b *xlsBook) readSST(s *biffStream) error {
	unique := int(binary.LittleEndian.Uint32(s.data[4:]))
	c := &contReader{s: s, data: s.data[8:], budget: b.budget}
	b.sst = make([]string, 0, min(unique, 1<<16))
	for range unique {
		str, err := c.str(true)
		if err == errSSTEnd {
			break // fewer strings than announced: a cell that names a missing one fails
		}
		if err != nil {
			return err
		}
		b.sst = append(b.sst, str)
	}
	return nil
}

var errSSTEnd = errors.New("end of the shared strings")

// contReader reads a record's data and the CONTINUE records after it.
type contReader struct {
	s      *biffStream
	data   []byte // the rest of the current record
	budget int    // bytes the strings read may still take
	units  []uint16
	small  [8]byte
}

// more moves to the next CONTINUE record; false when the next record is
// another (it is held for the caller).
func (c *contReader) more() (bool, error) {
	if err := c.s.record(); err != nil {
		return false, err
	}
	if c.s.typ != biffContinue {
		c.s.unread()
		return false, nil
	}
	c.data = c.s.data
	return true, nil
}

// take returns the next n bytes (n ≤ 8), across records.
func (c *contReader) take(n int) ([]byte, error) {
	out := c.small[:0]
	for len(out) < n {
		if len(c.data) == 0 {
			ok, err := c.more()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errSSTEnd
			}
			continue
		}
		k := min(n-len(out), len(c.data))
		out = append(out, c.data[:k]...)
		c.data = c.data[k:]
	}
	return out, nil
}

// skip passes over n bytes, across records.
func (c *contReader) skip(n int) error {
	for n > 0 {
		if len(c.data) == 0 {
			ok, err := c.more()
			if err != nil {
				return err
			}
			if !ok {
				return errXLSCorrupt("SST")
			}
			continue
		}
		k := min(n, len(c.data))
		c.data, n = c.data[k:], n-k
	}
	return nil
}

// str reads an XLUnicodeString (rich: an XLUnicodeRichExtendedString, with
// formatting runs and phonetic data after the characters). Its characters
// may go on in a CONTINUE record, which then starts with a new flags byte:
// one string can hold both 8-bit and 16-bit runs.
func (c *contReader) str(rich bool) (string, error) {
	h, err := c.take(3)
	if err != nil {
		return "", err
	}
	cch, flags := int(binary.LittleEndian.Uint16(h)), h[2]
	runs, ext := 0, 0
	if rich && flags&0x08 != 0 {
		h, err := c.take(2)
		if err != nil {
			return "", notEnd(err)
		}
		runs = int(binary.LittleEndian.Uint16(h))
	}
	if rich && flags&0x04 != 0 {
		h, err := c.take(4)
		if err != nil {
			return "", notEnd(err)
		}
		ext = int(binary.LittleEndian.Uint32(h))
	}
	wide := flags&0x01 != 0
	c.units = c.units[:0]
	ascii := true
	for left := cch; left > 0; {
		if len(c.data) == 0 {
			ok, err := c.more()
			if err != nil {
				return "", err
			}
			if !ok || len(c.data) == 0 {
				return "", errXLSCorrupt("chuỗi / string")
			}
			wide, c.data = c.data[0]&0x01 != 0, c.data[1:]
			continue
		}
		if wide {
			n := min(left, len(c.data)/2)
			if n == 0 {
				return "", errXLSCorrupt("chuỗi / string")
			}
			for i := range n {
				u := binary.LittleEndian.Uint16(c.data[2*i:])
				ascii = ascii && u < utf8.RuneSelf
				c.units = append(c.units, u)
			}
			c.data, left = c.data[2*n:], left-n
		} else {
			n := min(left, len(c.data))
			for _, ch := range c.data[:n] {
				ascii = ascii && ch < utf8.RuneSelf
				c.units = append(c.units, uint16(ch))
			}
			c.data, left = c.data[n:], left-n
		}
	}
	if err := c.skip(4*runs + ext); err != nil {
		return "", err
	}
	var out string
	if ascii {
		b := make([]byte, len(c.units))
		for i, u := range c.units {
			b[i] = byte(u)
		}
		out = string(b)
	} else {
		out = string(utf16.Decode(c.units))
	}
	if c.budget -= len(out) + 16; c.budget < 0 {
		return "", fmt.Errorf("%w: bảng chuỗi của tệp .xls lớn hơn giới hạn (4 × extract.max_xml_bytes) / the .xls shared strings take more than the limit (4 × extract.max_xml_bytes)", ErrTooLarge)
	}
	return out, nil
}

// notEnd turns the end of the shared strings inside a string's header into
// a corrupt string.
func notEnd(err error) error {
	if err == errSSTEnd {
		return errXLSCorrupt("chuỗi / string")
	}
	return err
}

// shortXLString reads a ShortXLUnicodeString (a sheet name).
func shortXLString(d []byte) (string, error) {
	if len(d) < 2 {
		return "", errXLSCorrupt("tên trang / sheet name")
	}
	n, wide, d := int(d[0]), d[1]&1 != 0, d[2:]
	if wide {
		if len(d) < 2*n {
			return "", errXLSCorrupt("tên trang / sheet name")
		}
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(d[2*i:])
		}
		return string(utf16.Decode(u)), nil
	}
	if len(d) < n {
		return "", errXLSCorrupt("tên trang / sheet name")
	}
	r := make([]rune, n)
	for i, ch := range d[:n] {
		r[i] = rune(ch)
	}
	return string(r), nil
}

// survey walks a sheet's substream to its EOF record: whether it is a
// worksheet, and whether its cells come row after row.
func (s *biffStream) survey(off int64) (worksheet, ordered bool, err error) {
	if err := s.seek(off); err != nil {
		return false, false, err
	}
	if err := s.record(); err != nil {
		return false, false, err
	}
	if s.typ != biffBOF || len(s.data) < 4 {
		return false, false, errXLSCorrupt("BOF")
	}
	worksheet = binary.LittleEndian.Uint16(s.data[2:]) == 0x0010
	ordered, depth, last := true, 0, -1
	for {
		if err := s.record(); err != nil {
			return false, false, err
		}
		switch s.typ {
		case biffBOF:
			depth++ // a chart's substream inside the sheet
		case biffEOF:
			if depth == 0 {
				return worksheet, ordered, nil
			}
			depth--
		case biffLabelSST, biffLabel, biffRString, biffNumber, biffRK, biffMulRK, biffBoolErr, biffFormula:
			if depth == 0 && len(s.data) >= 2 {
				r := int(binary.LittleEndian.Uint16(s.data))
				ordered = ordered && r >= last
				last = r
			}
		}
	}
}

// xlsRows reads the cells of one sheet (rowSource).
type xlsRows struct {
	s       *biffStream
	book    *xlsBook
	depth   int
	row     int // the row being gathered (0-based); -1 when none
	cells   []string
	width   int
	back    *xlsCell  // a cell read and given back: the first of the next row
	queue   []xlsCell // cells of a MULRK read and not yet returned
	formula [2]int    // the cell whose string result the next STRING record holds; row -1 when none
	done    bool
	collect bool // the sheet is not row after row: its cells are gathered and sorted
	sorted  []xlsCell
}

type xlsCell struct {
	row, col int
	text     string
}

func (r *xlsRows) Close() error { return r.s.Close() }

func (r *xlsRows) next() (int, []string, error) {
	if r.collect {
		return r.nextSorted()
	}
	for {
		if r.done {
			if r.row >= 0 {
				n := r.row
				r.row = -1
				return n + 1, r.cells[:r.width], nil
			}
			return 0, nil, io.EOF
		}
		c, ok, err := r.cell()
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			continue
		}
		if r.row >= 0 && c.row != r.row {
			// The survey found this sheet row after row.
			n := r.row
			r.row = -1
			r.back = &c
			return n + 1, r.cells[:r.width], nil
		}
		r.place(c)
	}
}

// place puts a cell into the row gathered.
func (r *xlsRows) place(c xlsCell) {
	if r.row < 0 {
		r.row, r.width = c.row, 0
	}
	for len(r.cells) <= c.col {
		r.cells = append(r.cells, "")
	}
	for i := r.width; i <= c.col; i++ {
		r.cells[i] = ""
	}
	r.cells[c.col] = c.text
	r.width = max(r.width, c.col+1)
}

// cell returns the next cell with a value; ok is false for records that
// hold none (and at the sheet's end, which sets done).
func (r *xlsRows) cell() (c xlsCell, ok bool, err error) {
	if r.back != nil {
		c, r.back = *r.back, nil
		return c, true, nil
	}
	if len(r.queue) > 0 {
		c, r.queue = r.queue[0], r.queue[1:]
		return c, true, nil
	}
	s := r.s
	if err := s.record(); err != nil {
		return c, false, err
	}
	d := s.data
	switch s.typ {
	case biffBOF:
		r.depth++
		return c, false, nil
	case biffEOF:
		if r.depth == 0 {
			r.done = true
			if err := r.book.stamp.check(r.book.path); err != nil {
				return c, false, err
			}
		} else {
			r.depth--
		}
		return c, false, nil
	}
	if r.depth > 0 {
		return c, false, nil
	}
	if s.typ == biffString {
		// The text result of the formula just before.
		f := r.formula
		r.formula[0] = -1
		if f[0] < 0 {
			return c, false, nil
		}
		cr := &contReader{s: s, data: d, budget: r.book.budget}
		text, err := cr.str(false)
		if err != nil {
			return c, false, notEnd(err)
		}
		return xlsCell{f[0], f[1], text}, true, nil
	}
	switch s.typ {
	case biffLabelSST, biffLabel, biffRString, biffNumber, biffRK, biffBoolErr, biffFormula, biffMulRK:
		if len(d) < 6 {
			return c, false, errXLSCorrupt("ô / cell")
		}
		c.row, c.col = int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
		r.formula[0] = -1
	default:
		return c, false, nil
	}
	xf := binary.LittleEndian.Uint16(d[4:])
	switch s.typ {
	case biffLabelSST:
		if len(d) < 10 {
			return c, false, errXLSCorrupt("LABELSST")
		}
		i := int(binary.LittleEndian.Uint32(d[6:]))
		if i >= len(r.book.sst) {
			return c, false, errXLSCorrupt(fmt.Sprintf("chuỗi %d không có trong bảng chuỗi / string %d is not in the shared strings", i, i))
		}
		c.text = r.book.sst[i]
	case biffLabel, biffRString:
		cr := &contReader{s: s, data: d[6:], budget: r.book.budget}
		text, err := cr.str(false)
		if err != nil {
			return c, false, notEnd(err)
		}
		c.text = text
	case biffNumber:
		if len(d) < 14 {
			return c, false, errXLSCorrupt("NUMBER")
		}
		c.text = r.book.number(math.Float64frombits(binary.LittleEndian.Uint64(d[6:])), xf)
	case biffRK:
		if len(d) < 10 {
			return c, false, errXLSCorrupt("RK")
		}
		c.text = r.book.number(rkValue(binary.LittleEndian.Uint32(d[6:])), xf)
	case biffMulRK:
		// Several numbers of one row: the first is returned, the others
		// queued.
		n := (len(d) - 6) / 6
		if n < 1 {
			return c, false, errXLSCorrupt("MULRK")
		}
		for i := range n {
			e := d[4+6*i:]
			if c.col+i < maxColumns {
				r.queue = append(r.queue, xlsCell{c.row, c.col + i, r.book.number(rkValue(binary.LittleEndian.Uint32(e[2:])), binary.LittleEndian.Uint16(e))})
			}
		}
		if len(r.queue) == 0 {
			return c, false, nil
		}
		c, r.queue = r.queue[0], r.queue[1:]
		return c, true, nil
	case biffBoolErr:
		if len(d) < 8 {
			return c, false, errXLSCorrupt("BOOLERR")
		}
		c.text = boolErr(d[6], d[7])
	case biffFormula:
		if len(d) < 14 {
			return c, false, errXLSCorrupt("FORMULA")
		}
		res := d[6:14]
		if res[6] != 0xFF || res[7] != 0xFF {
			c.text = r.book.number(math.Float64frombits(binary.LittleEndian.Uint64(res)), xf)
			break
		}
		switch res[0] {
		case 0: // the text follows in a STRING record
			r.formula = [2]int{c.row, c.col}
			return c, false, nil
		case 1:
			c.text = boolErr(res[2], 0)
		case 2:
			c.text = boolErr(res[2], 1)
		default:
			return c, false, nil // an empty text
		}
	}
	if c.col >= maxColumns {
		return c, false, nil
	}
	return c, true, nil
}

// nextSorted returns the rows of a sheet whose cells are not row after row:
// they are gathered (within the budget) and sorted first.
func (r *xlsRows) nextSorted() (int, []string, error) {
	if !r.done {
		size := 0
		for !r.done {
			c, ok, err := r.cell()
			if err != nil {
				return 0, nil, err
			}
			if ok {
				r.sorted = append(r.sorted, c)
				if size += len(c.text) + 40; size > r.book.budget {
					return 0, nil, fmt.Errorf("%w: trang .xls ghi ô không theo thứ tự dòng và lớn hơn giới hạn (4 × extract.max_xml_bytes) / an .xls sheet whose cells are out of row order is larger than the limit (4 × extract.max_xml_bytes)", ErrTooLarge)
				}
			}
		}
		slices.SortStableFunc(r.sorted, func(a, b xlsCell) int {
			if a.row != b.row {
				return a.row - b.row
			}
			return a.col - b.col
		})
	}
	if len(r.sorted) == 0 {
		return 0, nil, io.EOF
	}
	row := r.sorted[0].row
	r.row, r.width = -1, 0
	for len(r.sorted) > 0 && r.sorted[0].row == row {
		r.place(r.sorted[0])
		r.sorted = r.sorted[1:]
	}
	r.row = -1
	return row + 1, r.cells[:r.width], nil
}

// rkValue decodes an RK number: a 30-bit integer or the high bits of a
// float64, either of them divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&0x02 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&0xFFFFFFFC) << 32)
	}
	if rk&0x01 != 0 {
		v /= 100
	}
	return v
}

// boolErr is a boolean (1, 0) or an error value as Excel shows it.
func boolErr(v, isErr byte) string {
	if isErr == 0 {
		if v != 0 {
			return "1"
		}
		return "0"
	}
	switch v {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	case 0x2A:
		return "#N/A"
	}
	return "#N/A"
}

// number writes a number cell; in a workbook of the 1904 date system, a date
// cell's serial moves to the 1900 system (1462 days on), as the xlsx reader
// and transform.ParseDateTime count days.
func (b *xlsBook) number(v float64, xf uint16) string {
	if b.date1904 && v >= 1 && b.isDate(xf) {
		v += 1462
	}
	return formatNumber(v)
}

// isDate tells whether a cell's format shows a date.
func (b *xlsBook) isDate(xf uint16) bool {
	if int(xf) >= len(b.xfFormat) {
		return false
	}
	f := b.xfFormat[xf]
	switch {
	case f >= 14 && f <= 22, f >= 27 && f <= 36, f >= 45 && f <= 47, f >= 50 && f <= 58:
		return true
	}
	return b.formats[f]
}

// isDateFormat tells whether a number format code shows a date or a time:
// it has a date or time letter outside quoted text, escapes, brackets
// ([Red], [$-42A]) and fill or padding characters.
func isDateFormat(code string) bool {
	if strings.EqualFold(code, "general") {
		return false
	}
	for i := 0; i < len(code); i++ {
		switch ch := code[i]; ch {
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
			// Elapsed time ([h]:mm) is a time; a colour or locale is not.
			if in := strings.ToLower(code[i+1 : i+j]); in == "h" || in == "hh" || in == "m" || in == "mm" || in == "s" || in == "ss" {
				return true
			}
			i += j
		case 'd', 'D', 'm', 'M', 'y', 'Y', 'h', 'H', 's', 'S', 'e':
			return true
		}
	}
	return false
}
