package extract

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/richardlehane/mscfb"
)

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
