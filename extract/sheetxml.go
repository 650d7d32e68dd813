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

// cellSlot is what a cell of a row costs beside its text: a string header.
const cellSlot = 16

// errRowTooLarge is the error of a row that holds more than max bytes.
func errRowTooLarge(max int) *tooLarge {
	return &tooLarge{
		fmt.Sprintf("dòng chứa hơn %s chữ, quá phần của một dòng trong extract.max_memory_bytes — không phải bảng dữ liệu", byteSize(uint64(max))),
		fmt.Sprintf("the row holds more than %s of text, more than a row's share of extract.max_memory_bytes: not a data table", byteSize(uint64(max))),
	}
}

// fastCell reads the two shapes that nearly every cell of a large sheet
// has, <v>TEXT</v></c> and (for an inline string) <is><t>TEXT</t></is></c>,
// when the whole cell is in the buffer; fast is false (and nothing read)
// for any other shape, which cell reads as XML.
func (sr *sheetReader) fastCell(inline bool) (fast, hasV, hasIS bool, vStart, vEnd int, isText string, err error) {
	sc := sr.sc
	sc.need(16)
	b := sc.buf[sc.pos:]
	open, end := "<v>", "</v></c>"
	if inline {
		open, end = "<is><t>", "</t></is></c>"
	}
	if len(b) < len(open) || string(b[:len(open)]) != open {
		return
	}
	lt := bytes.IndexByte(b[len(open):], '<')
	if lt < 0 {
		return
	}
	rest := b[len(open)+lt:]
	if len(rest) < len(end) || string(rest[:len(end)]) != end {
		return
	}
	text := b[len(open) : len(open)+lt]
	vStart = len(sr.vals)
	if sr.vals, err = appendDecoded(sr.vals, text); err != nil {
		return
	}
	cut := false
	if keep := vStart + sr.lim.cell + utf8.UTFMax; len(sr.vals) > keep {
		sr.vals, cut = sr.vals[:keep], true
	}
	vEnd = len(sr.vals)
	sc.pos += len(open) + lt + len(end)
	if !inline {
		return true, true, false, vStart, vEnd, "", nil
	}
	if bytes.Contains(sr.vals[vStart:vEnd], []byte("_x")) {
		isText = bstrDecode(string(sr.vals[vStart:vEnd]))
		if cut {
			isText = cutCell(isText, sr.lim.cell)
		}
		sr.vals = sr.vals[:vStart]
		return true, false, true, vStart, vStart, isText, nil
	}
	// The inline text stays in vals: vStart:vEnd is the string item's.
	return true, false, true, vStart, vEnd, "", nil
}

// days1904 is the day the 1904 date system starts, in the 1900 system.
const days1904 = 1462

func (sr *sheetReader) isDate(style int) bool {
	return style >= 0 && style < len(sr.dates) && sr.dates[style]
}

// cellType is a cell's t attribute as a string, without an allocation for
// the types the format defines.
func cellType(t []byte) string {
	for _, known := range [...]string{"s", "n", "str", "inlineStr", "b", "e", "d"} {
		if string(t) == known {
			return known
		}
	}
	return string(t)
}

// refColumn is the column of a cell reference ("B7" → 2), as excelize's
// CellNameToCoordinates reads it.
func refColumn(ref []byte) (int, error) {
	col, i := 0, 0
	for i < len(ref) && i < 3 && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	if i > 0 && i < len(ref) && len(ref)-i <= 7 && ref[i] != '0' && allDigits(ref[i:]) && col <= excelize.MaxColumns {
		if row, _ := strconv.Atoi(string(ref[i:])); row <= excelize.TotalRows {
			return col, nil
		}
	}
	col, _, err := excelize.CellNameToCoordinates(string(ref))
	return col, err
}

func allDigits(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// nextAttr takes the first attribute off a tag's attribute text: its local
// name and raw value; name is nil when there is none left.
func nextAttr(attrs []byte) (name, val, rest []byte, err error) {
	i := 0
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i == len(attrs) {
		return nil, nil, nil, nil
	}
	start, colon := i, -1
	for i < len(attrs) && attrs[i] != '=' && !isSpace(attrs[i]) {
		if attrs[i] == ':' {
			colon = i
		}
		i++
	}
	name = attrs[start:i]
	if colon >= 0 {
		name = attrs[colon+1 : i]
	}
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i == len(attrs) || attrs[i] != '=' {
		return nil, nil, nil, fmt.Errorf("%w: an attribute without a value", errMalformedXML)
	}
	i++
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i == len(attrs) || attrs[i] != '"' && attrs[i] != '\'' {
		return nil, nil, nil, fmt.Errorf("%w: an attribute without quotes", errMalformedXML)
	}
	end := bytes.IndexByte(attrs[i+1:], attrs[i])
	if end < 0 {
		return nil, nil, nil, fmt.Errorf("%w: an unterminated attribute", errMalformedXML)
	}
	return name, attrs[i+1 : i+1+end], attrs[i+2+end:], nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// finish reads what follows the rows, so that the part's checksum is
// checked, and tells whether the part ends with the worksheet's closing tag.
func (sr *sheetReader) finish() (complete bool, err error) {
	for {
		_, ok, err := sr.sc.next()
		if err != nil {
			return false, err
		}
		if !ok {
			if err := sr.sc.readErr(); err != nil {
				return false, err
			}
			return endsWithElement(sr.sc.tail, "worksheet"), nil
		}
	}
}

// siBuilder reads a string item (<si> of the shared strings, <is> of an
// inline string) as excelize's xlsxSI.String does: the text of its last
// direct <t>, then the text of each rich-text run's last <t>; phonetic runs
// left out; _xHHHH_ escapes decoded. A string longer than max bytes is cut
// as it is read (cutCell).
type siBuilder struct {
	t, run, out []byte
	max         int
}

func (b *siBuilder) read(sc *xmlScan, end string) (string, error) {
	b.t, b.out = b.t[:0], b.out[:0]
	depth := 0  // elements open inside the item
	inRun := -1 // depth of the open <r>, or -1
	skip := -1  // depth of the open <rPh>, or -1
	var hasRun bool
	keep := b.max + utf8.UTFMax
	var tCut, runCut, outCut bool // text left out of t, run, out
	for {
		t, ok, err := sc.next()
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fmt.Errorf("%w: the part ends inside a string item", errMalformedXML)
		}
		name := string(t.name)
		if t.closing {
			if depth == 0 && name == end {
				break
			}
			depth--
			if depth == inRun {
				inRun = -1
				room := max(keep-len(b.out), 0)
				outCut = outCut || runCut || len(b.run) > room
				b.out = append(b.out, b.run[:min(len(b.run), room)]...)
			}
			if depth == skip {
				skip = -1
			}
			continue
		}
		if t.selfClosing {
			if name == "t" && skip < 0 && depth == 0 {
				b.t, tCut = b.t[:0], false
			} else if name == "t" && skip < 0 && inRun >= 0 && depth == inRun+1 {
				b.run, runCut = b.run[:0], false
			}
			continue
		}
		switch {
		case skip >= 0:
		case name == "rPh":
			skip = depth
		case name == "r" && depth == 0:
			inRun, hasRun = depth, true
			b.run, runCut = b.run[:0], false
		case name == "t" && depth == 0:
			if b.t, tCut, err = sc.text(b.t[:0], keep); err != nil {
				return "", err
			}
		case name == "t" && inRun >= 0 && depth == inRun+1:
			if b.run, runCut, err = sc.text(b.run[:0], keep); err != nil {
				return "", err
			}
		}
		depth++
	}
	var s string
	cut := tCut
	if !hasRun {
		s = bstrDecode(string(b.t))
	} else {
		cut = cut || outCut
		t := make([]byte, 0, len(b.t)+len(b.out))
		s = bstrDecode(string(append(append(t, b.t...), b.out...)))
	}
	if cut {
		s = cutCell(s, b.max)
	}
	return s, nil
}

// bstrDecode decodes the _xHHHH_ escapes of OOXML strings (_x000D_ for a
// carriage return) as excelize's bstrUnmarshal does: _x005F_ is "_", and
// an escape of a surrogate reads as nothing.
func bstrDecode(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var out strings.Builder
	for {
		i := strings.Index(s, "_x")
		if i < 0 || len(s)-i < 7 {
			out.WriteString(s)
			return out.String()
		}
		h := s[i+2 : i+6]
		if s[i+6] != '_' || !isHex4(h) {
			out.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		out.WriteString(s[:i])
		s = s[i+7:]
		if h == "005F" || h == "005f" {
			out.WriteByte('_')
			continue
		}
		n, _ := strconv.ParseUint(h, 16, 32)
		if n < 0xD800 || n > 0xDFFF {
			out.WriteRune(rune(n))
		}
	}
}

func isHex4(h string) bool {
	for i := 0; i < 4; i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
