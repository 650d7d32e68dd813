package extract

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// sheetReader reads the rows of a worksheet's XML (the inflated part) with
// xmlScan, giving each cell the raw text that excelize's Rows and
// Columns(Options{RawCellValue: true}) give it — the differential test and
// FuzzSheetReader hold the two equal — with two additions: a formula cell
// without a computed value reads as "=FORMULA" (uncachedFormulas does this
// for excelize), and in a workbook on the 1904 date system a number with a
// date format reads as the serial it has in the 1900 system, the only one the
// transform knows.
//
// Rows come as excelize numbers them: a row missing from the XML is an empty
// row, a row without r follows the one before, a cell without r follows the
// cell before, and a cell is kept when it has a value or a formula.
//
// What it holds is bounded (see the budget in workbook.go): a cell's text
// is cut to lim.cell bytes as it is read, and a row whose text, with its
// cells' slots, takes more than lim.row bytes fails the sheet (tooLarge).
// Where they are within those bounds, its cells are excelize's.
type sheetReader struct {
	sc      *xmlScan
	lim     limits
	strings *sharedStrings // nil: the workbook has none
	dates   []bool         // by style index: a date format; nil unless the workbook is 1904-based
	emitted int            // rows returned so far
	curRow  int            // the number of the last <row> read
	pending []string       // a row read ahead of the empty rows before it
	hasPend bool
	ended   bool

	vals    []byte // the current row's decoded text
	spans   []cellSpan
	strLen  int // bytes of the row's cells that are not in vals
	scratch []byte
	ftext   []byte
	is      siBuilder

	formulas    int // uncached formulas turned into "=FORMULA"
	moreFormula bool
	firstFRef   string
	firstFText  string
}

// cellSpan is one cell of the row being read: its text is s, or
// vals[start:end] when fromVals.
type cellSpan struct {
	col        int
	start, end int
	s          string
	fromVals   bool
}

func newSheetReader(r io.Reader, sst *sharedStrings, dates []bool, lim limits) *sheetReader {
	return &sheetReader{sc: newXMLScan(r, lim.token), lim: lim, strings: sst, dates: dates, is: siBuilder{max: lim.cell}}
}

// next returns the cells of the next row (nil for an empty one); ok is false
// after the last row. The slice is the caller's.
func (sr *sheetReader) next() (cells []string, ok bool, err error) {
	if sr.hasPend {
		if sr.emitted+1 < sr.curRow {
			sr.emitted++
			return nil, true, nil
		}
		sr.emitted++
		sr.hasPend = false
		cells, sr.pending = sr.pending, nil
		return cells, true, nil
	}
	if sr.ended {
		return nil, false, nil
	}
	for {
		t, ok, err := sr.sc.next()
		if err != nil {
			return nil, false, err
		}
		if !ok {
			sr.ended = true
			return nil, false, sr.sc.readErr()
		}
		if t.closing {
			if string(t.name) == "sheetData" {
				sr.ended = true
				return nil, false, nil
			}
			continue
		}
		if string(t.name) != "row" {
			continue
		}
		v, has, err := attr(t.attrs, "r", sr.scratch)
		if err != nil {
			return nil, false, err
		}
		num := 0
		if has {
			if num, err = strconv.Atoi(string(v)); err != nil {
				return nil, false, fmt.Errorf("row %d: %w", sr.emitted+1, err)
			}
		}
		if num > excelize.TotalRows {
			return nil, false, excelize.ErrMaxRows
		}
		if num != 0 {
			sr.curRow = num
		} else {
			sr.curRow++
		}
		var cells []string
		if !t.selfClosing {
			if cells, err = sr.row(); err != nil {
				return nil, false, fmt.Errorf("row %d: %w", max(sr.curRow, sr.emitted+1), err)
			}
		}
		sr.pending, sr.hasPend = cells, true
		return sr.next()
	}
}

// row reads the cells of a row, up to its closing tag.
func (sr *sheetReader) row() ([]string, error) {
	sr.vals, sr.spans, sr.strLen = sr.vals[:0], sr.spans[:0], 0
	col := 0
	for {
		if ok, next, err := sr.cellTagFast(col + 1); ok {
			if err != nil {
				return nil, err
			}
			col = next
			continue
		}
		t, ok, err := sr.sc.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: the sheet ends inside a row", errMalformedXML)
		}
		if t.closing {
			if string(t.name) == "row" {
				break
			}
			continue
		}
		if string(t.name) != "c" {
			continue
		}
		col++
		if col, err = sr.cell(t, col); err != nil {
			return nil, err
		}
	}
	if len(sr.spans) == 0 {
		return nil, nil
	}
	n := 0
	for _, sp := range sr.spans {
		n = max(n, len(sr.spans), sp.col)
	}
	cells := make([]string, 0, n)
	text := string(sr.vals)
	for _, sp := range sr.spans {
		for len(cells) < sp.col-1 {
			cells = append(cells, "")
		}
		if sp.fromVals {
			cells = append(cells, text[sp.start:sp.end])
		} else {
			cells = append(cells, sp.s)
		}
	}
	return cells, nil
}

// cell reads one <c> element (its start tag is t) as column col (its r
// attribute decides when it has one) and returns the column it took.
func (sr *sheetReader) cell(t xmlTag, col int) (int, error) {
	// The tag's bytes live in the scanner's buffer, which reading the
	// children refills: keep what the attributes say, not the bytes.
	var typ string
	style := -1
	for attrs := t.attrs; ; {
		name, val, rest, err := nextAttr(attrs)
		if err != nil {
			return col, err
		}
		if name == nil {
			break
		}
		attrs = rest
		if col, style, typ, err = cellAttr(name, val, col, style, typ); err != nil {
			return col, err
		}
	}
	return sr.cellBody(t.selfClosing, col, typ, style)
}

// cellAttr applies one attribute of a <c> tag.
func cellAttr(name, val []byte, col, style int, typ string) (int, int, string, error) {
	switch string(name) {
	case "r":
		if len(val) == 0 {
			break
		}
		if bytes.IndexByte(val, '&') >= 0 {
			var err error
			if val, err = appendDecoded(nil, val); err != nil {
				return col, style, typ, err
			}
		}
		c, err := refColumn(val)
		if err != nil {
			return col, style, typ, err
		}
		col = c
	case "s":
		if i, err := strconv.Atoi(string(val)); err == nil {
			style = i
		}
	case "t":
		typ = cellType(val)
	}
	return col, style, typ, nil
}

// cellTagFast reads a <c> start tag at the scanner's position in one pass,
// when it is plainly one (no prefix, every attribute quoted, the whole tag
// buffered); ok is false, and nothing read, otherwise.
func (sr *sheetReader) cellTagFast(col int) (ok bool, next int, err error) {
	sc := sr.sc
	sc.need(64)
	b := sc.buf[sc.pos:]
	if len(b) < 4 || b[0] != '<' || b[1] != 'c' || !isSpace(b[2]) {
		return false, col, nil
	}
	var typ string
	style := -1
	selfClosing := false
	i := 3
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return false, col, nil
		}
		if b[i] == '>' {
			i++
			break
		}
		if b[i] == '/' {
			if i+1 < len(b) && b[i+1] == '>' {
				selfClosing = true
				i += 2
				break
			}
			return false, col, nil
		}
		ns := i
		for i < len(b) && b[i] != '=' && b[i] != ':' && !isSpace(b[i]) && b[i] != '>' {
			i++
		}
		if i+1 >= len(b) || b[i] != '=' || b[i+1] != '"' && b[i+1] != '\'' {
			return false, col, nil
		}
		name := b[ns:i]
		j := bytes.IndexByte(b[i+2:], b[i+1])
		if j < 0 {
			return false, col, nil
		}
		val := b[i+2 : i+2+j]
		i += 3 + j
		if col, style, typ, err = cellAttr(name, val, col, style, typ); err != nil {
			return true, col, err
		}
	}
	sc.pos += i
	if !selfClosing {
		sc.push(cName)
	}
	next, err = sr.cellBody(selfClosing, col, typ, style)
	return true, next, err
}

// cellBody reads what a <c> holds, up to its closing tag, once its start
// tag told its column, type and style.
func (sr *sheetReader) cellBody(selfClosing bool, col int, typ string, style int) (int, error) {
	var hasV, hasF, hasIS bool
	vStart, vEnd := 0, 0
	var isText string
	sr.ftext = sr.ftext[:0]
	fast := false
	if !selfClosing {
		var err error
		fast, hasV, hasIS, vStart, vEnd, isText, err = sr.fastCell(typ == "inlineStr")
		if err != nil {
			return col, err
		}
	}
	if !selfClosing && !fast {
		for {
			c, ok, err := sr.sc.next()
			if err != nil {
				return col, err
			}
			if !ok {
				return col, fmt.Errorf("%w: the sheet ends inside a cell", errMalformedXML)
			}
			if c.closing {
				if string(c.name) == "c" {
					break
				}
				continue
			}
			switch string(c.name) {
			case "v":
				hasV = true
				vStart, vEnd = len(sr.vals), len(sr.vals)
				if !c.selfClosing {
					// A cut value keeps lim.cell bytes and a rune's more:
					// cleanCells cuts it to lim.cell and marks it.
					if sr.vals, _, err = sr.sc.text(sr.vals, vStart+sr.lim.cell+utf8.UTFMax); err != nil {
						return col, err
					}
					vEnd = len(sr.vals)
				}
			case "f":
				hasF = true
				if !c.selfClosing {
					if sr.ftext, _, err = sr.sc.text(sr.ftext[:0], sr.lim.cell+utf8.UTFMax); err != nil {
						return col, err
					}
				}
			case "is":
				hasIS = true
				if !c.selfClosing {
					if isText, err = sr.is.read(sr.sc, "is"); err != nil {
						return col, err
					}
				} else {
					isText = ""
				}
			}
		}
	}
	sp := cellSpan{col: col}
	v := sr.vals[vStart:vEnd]
	switch typ {
	case "s":
		if len(v) > 0 {
			i, err := strconv.Atoi(strings.TrimSpace(string(v)))
			if err != nil {
				i = 0 // as excelize reads it
			}
			sp.s, _ = sr.strings.get(i)
		}
	case "inlineStr":
		if hasIS && fast && vEnd > vStart {
			sp.start, sp.end, sp.fromVals = vStart, vEnd, true
		} else if hasIS {
			sp.s = isText
		} else {
			sp.start, sp.end, sp.fromVals = vStart, vEnd, true
		}
	case "", "n":
		sp.start, sp.end, sp.fromVals = vStart, vEnd, true
		if sr.dates != nil && len(v) > 0 && sr.isDate(style) {
			if f, err := strconv.ParseFloat(string(v), 64); err == nil && f >= 0 {
				sp.s, sp.fromVals = strconv.FormatFloat(f+days1904, 'f', -1, 64), false
			}
		}
	default: // b, d, e, str and anything else: the text as it is
		sp.start, sp.end, sp.fromVals = vStart, vEnd, true
	}
	empty := sp.fromVals && sp.start == sp.end || !sp.fromVals && sp.s == ""
	if empty && hasF && !hasV && !hasIS {
		if sr.formulas < maxFormulaCells {
			text := string(sr.ftext)
			if sr.formulas == 0 {
				sr.firstFRef, _ = excelize.CoordinatesToCellName(col, max(sr.curRow, 1))
				sr.firstFText = text
			}
			sr.formulas++
			if text == "" {
				text = "(công thức dùng chung / shared formula)"
			}
			sp.s, sp.fromVals, empty = "="+text, false, false
		} else {
			sr.moreFormula = true
		}
	}
	if !empty || hasF {
		if n := len(sr.spans); n > 0 && col <= sr.spans[n-1].col {
			sp.col = sr.spans[n-1].col + 1 // excelize appends a cell that goes back
		}
		if sp.col > excelize.MaxColumns {
			return col, fmt.Errorf("%w: a cell past the last column (XFD)", errMalformedXML)
		}
		if !sp.fromVals {
			sr.strLen += len(sp.s)
		}
		// The row's cells as they will be held: their text and a slot each
		// up to the last.
		if n := len(sr.vals) + sr.strLen + cellSlot*sp.col; n > sr.lim.row {
			return col, errRowTooLarge(sr.lim.row)
		}
		sr.spans = append(sr.spans, sp)
	}
	return col, nil
}

// cName is the name cellTagFast records as open.
var cName = []byte("c")
