package extract

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// hasFormulaTag reports whether XML text has a formula element (<f>, <f …>,
// with or without a namespace prefix: FuzzHasFormulaTag checks it against a
// search for those four tags). It looks for the letter f,
// far rarer in a sheet's XML than the '<' every tag starts with.
func hasFormulaTag(data []byte) bool {
	for i := 1; i+1 < len(data); i++ {
		j := bytes.IndexByte(data[i:len(data)-1], 'f')
		if j < 0 {
			return false
		}
		i += j
		if (data[i-1] == '<' || data[i-1] == ':') && (data[i+1] == '>' || data[i+1] == ' ') {
			return true
		}
	}
	return false
}

// formulaDetector reports whether the text written to it has a formula
// element (<f> or <f …>, with or without a namespace prefix).
type formulaDetector struct {
	carry []byte
	found bool
}

func (d *formulaDetector) Write(p []byte) (int, error) {
	if d.found {
		return len(p), nil
	}
	// The tags are 3 bytes: 2 bytes carried over catch one split between writes.
	if hasFormulaTag(append(d.carry, p[:min(len(p), 2)]...)) || hasFormulaTag(p) {
		d.found = true
		return len(p), nil
	}
	if len(p) >= 2 {
		d.carry = append(d.carry[:0], p[len(p)-2:]...)
	} else {
		d.carry = append(d.carry, p...)
		if len(d.carry) > 2 {
			d.carry = d.carry[len(d.carry)-2:]
		}
	}
	return len(p), nil
}

// maxFormulaCells bounds the uncached formulas remembered per sheet.
const maxFormulaCells = 100000

// uncachedFormulas finds the cells of a sheet that hold a formula but no
// computed value (files written by tools that do not calculate): the row
// reader shows them as "=FORMULA" instead of an empty cell, so a number or
// date there is rejected with the formula as its raw value rather than read as
// "not reported". The sheet's XML is only decoded when a byte search finds a
// formula element right before the end of its cell.
func (b *xlsxBook) uncachedFormulas(sheet string) (map[int][]formulaCell, error) {
	part := b.partPath(sheet)
	if part == "" || b.withFormulas != nil && !b.withFormulas[strings.ToLower(part)] {
		return nil, nil // most exports have no formula at all
	}
	var r io.Reader
	if v, ok := b.f.Pkg.Load(part); ok {
		data, _ := v.([]byte)
		if !bytes.Contains(data, []byte("</f>")) && !bytes.Contains(data, []byte(":f>")) && !bytes.Contains(data, []byte("<f ")) {
			return nil, nil
		}
		r = bytes.NewReader(data)
	} else if !b.encrypted {
		zr, err := zip.OpenReader(b.path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if strings.EqualFold(strings.ReplaceAll(f.Name, `\`, "/"), part) {
				rc, err := f.Open()
				if err != nil {
					return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
				}
				defer rc.Close()
				r = rc
				break
			}
		}
		if err := b.stamp.check(b.path); err != nil {
			return nil, err
		}
	}
	if r == nil {
		return nil, nil // a large sheet of an encrypted workbook: not checked
	}
	cells, more, err := scanUncachedFormulas(bufio.NewReaderSize(r, 64<<10), maxFormulaCells)
	if err != nil {
		return nil, nil // the row reader reports malformed XML
	}
	if n := countFormulas(cells); n > 0 {
		first := firstFormula(cells)
		msg := fmt.Sprintf("trang %q có %d ô công thức chưa được tính (như %s =%s), được đọc là chính công thức — hãy mở bằng Excel, tính lại và lưu / sheet %q has %d formula cells without a computed value (such as %s =%s), read as the formula text: open it in Excel, recalculate and save",
			sheet, n, first.ref, first.text, sheet, n, first.ref, first.text)
		if more {
			msg = strings.Replace(msg, strconv.Itoa(n), "hơn "+strconv.Itoa(n), 1)
		}
		b.notes.set("formula\x00"+sheet, msg)
	}
	return cells, nil
}

func countFormulas(m map[int][]formulaCell) int {
	n := 0
	for _, c := range m {
		n += len(c)
	}
	return n
}

func firstFormula(m map[int][]formulaCell) formulaCell {
	rows := make([]int, 0, len(m))
	for r := range m {
		rows = append(rows, r)
	}
	sort.Ints(rows)
	c := m[rows[0]][0]
	return c
}

// formulaCell is a cell with a formula and no cached value.
type formulaCell struct {
	col  int // 1-based
	ref  string
	text string
}

// scanUncachedFormulas scans worksheet XML for <c> elements that have an <f>
// child and neither a <v> nor an <is> child. It returns them by 1-based row,
// at most max of them (more reports that there were others).
func scanUncachedFormulas(r *bufio.Reader, max int) (cells map[int][]formulaCell, more bool, err error) {
	cells = map[int][]formulaCell{}
	row, col := 0, 0
	var inCell, hasF, hasV bool
	var ref, ftext string
	n := 0
	for {
		if _, err := r.ReadSlice('<'); err != nil {
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				return cells, more, nil
			}
			return cells, more, err
		}
		tag, err := readTag(r)
		if err != nil {
			if err == io.EOF {
				return cells, more, nil
			}
			return cells, more, err
		}
		name, attrs, closing, selfClosing := splitTag(tag)
		switch {
		case name == "row" && !closing:
			if v := attrValue(attrs, "r"); v != "" {
				row, _ = strconv.Atoi(v)
			} else {
				row++
			}
			col, inCell = 0, false // a row ends any cell left open (malformed XML)
		case name == "c" && !closing:
			ref = attrValue(attrs, "r")
			if ref != "" {
				if c, rr, e := excelize.CellNameToCoordinates(ref); e == nil {
					col, row = c, rr
				} else {
					col++
				}
			} else {
				col++
				ref, _ = excelize.CoordinatesToCellName(col, max1(row))
			}
			inCell, hasF, hasV, ftext = !selfClosing, false, false, ""
		case name == "f" && inCell && !closing:
			hasF = true
			if !selfClosing {
				text, err := r.ReadString('<')
				if err != nil {
					return cells, more, nil
				}
				ftext = html.UnescapeString(strings.TrimSuffix(text, "<"))
				r.UnreadByte()
			}
		case (name == "v" || name == "is") && inCell && !closing:
			hasV = true
		case name == "c" && closing:
			if inCell && hasF && !hasV {
				if n < max {
					cells[row] = append(cells[row], formulaCell{col: col, ref: ref, text: ftext})
					n++
				} else {
					more = true
				}
			}
			inCell = false
		}
	}
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// readTag reads the rest of a tag after '<' up to its '>', minding quotes.
func readTag(r *bufio.Reader) (string, error) {
	var b strings.Builder
	var quote byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return b.String(), err
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return b.String(), nil
		}
		if b.Len() < 4096 {
			b.WriteByte(c)
		}
	}
}

// splitTag returns a tag's local name (namespace prefix removed), its
// attribute text, and whether it is a closing or self-closing tag.
func splitTag(tag string) (name, attrs string, closing, selfClosing bool) {
	if strings.HasPrefix(tag, "/") {
		closing = true
		tag = tag[1:]
	}
	if strings.HasSuffix(tag, "/") {
		selfClosing = true
		tag = tag[:len(tag)-1]
	}
	name = tag
	if i := strings.IndexAny(tag, " \t\r\n"); i >= 0 {
		name, attrs = tag[:i], tag[i:]
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name, attrs, closing, selfClosing
}

// attrValue returns the value of attribute key in attrs (unprefixed).
func attrValue(attrs, key string) string {
	for s := attrs; ; {
		i := strings.Index(s, key+"=")
		if i < 0 {
			return ""
		}
		if i > 0 && !strings.ContainsRune(" \t\r\n", rune(s[i-1])) {
			s = s[i+len(key)+1:]
			continue
		}
		v := s[i+len(key)+1:]
		if v == "" || (v[0] != '"' && v[0] != '\'') {
			return ""
		}
		if j := strings.IndexByte(v[1:], v[0]); j >= 0 {
			return html.UnescapeString(v[1 : j+1])
		}
		return ""
	}
}
