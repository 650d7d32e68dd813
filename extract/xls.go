package extract

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
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
	budget   int // bytes that the shared strings may take, and an unordered sheet's cells: a quarter of MaxMemoryBytes each
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
	b := &xlsBook{path: path, opt: opt, stamp: stamp, formats: map[uint16]bool{}, budget: int(min(opt.MaxMemoryBytes/4, math.MaxInt32))}
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
