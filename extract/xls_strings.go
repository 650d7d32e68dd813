package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

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
		return "", fmt.Errorf("%w: bảng chuỗi của tệp .xls lớn hơn giới hạn (một phần tư extract.max_memory_bytes) / the .xls shared strings take more than the limit (a quarter of extract.max_memory_bytes)", ErrTooLarge)
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
