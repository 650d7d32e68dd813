package extract

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

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
	sc.drop() // the <c> whose end tag ends the match
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
