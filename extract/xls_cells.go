package extract

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
)

// xlsRows reads the cells of one sheet (rowSource).
type xlsRows struct {
	s       *biffStream
	book    *xlsBook
	depth   int
	row     int // the row being gathered (0-based); -1 when none
	cells   []string
	width   int
	rowLen  int       // bytes of the row's text
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
		if err := r.place(c); err != nil {
			return 0, nil, err
		}
	}
}

// place puts a cell into the row gathered; a row grown past its share of
// the budget is an error.
func (r *xlsRows) place(c xlsCell) error {
	if r.row < 0 {
		r.row, r.width, r.rowLen = c.row, 0, 0
	}
	for len(r.cells) <= c.col {
		r.cells = append(r.cells, "")
	}
	for i := r.width; i <= c.col; i++ {
		r.cells[i] = ""
	}
	r.cells[c.col] = c.text
	r.width = max(r.width, c.col+1)
	if r.rowLen += len(c.text); r.rowLen+cellSlot*r.width > r.book.opt.maxRowBytes() {
		return errRowTooLarge(r.book.opt.maxRowBytes()).within(fmt.Sprintf("dòng %d", c.row+1), fmt.Sprintf("row %d", c.row+1))
	}
	return nil
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
					return 0, nil, fmt.Errorf("%w: trang .xls ghi ô không theo thứ tự dòng và lớn hơn giới hạn (một phần tư extract.max_memory_bytes) / an .xls sheet whose cells are out of row order is larger than the limit (a quarter of extract.max_memory_bytes)", ErrTooLarge)
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
		if err := r.place(r.sorted[0]); err != nil {
			return 0, nil, err
		}
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
	return builtInDate(int(f)) || b.formats[f]
}
