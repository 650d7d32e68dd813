package extract

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"
)

// An Excel 2003 XML workbook (SpreadsheetML) is one XML document: Workbook >
// Worksheet (ss:Name) > Table > Row > Cell > Data (ss:Type). Rows and cells
// may skip ahead with ss:Index; ss:MergeAcross and ss:MergeDown merge cells,
// whose text is in the first. It is decoded as a stream of tokens
// (encoding/xml), never held as a tree.

// ssNS is the SpreadsheetML namespace.
const ssNS = "urn:schemas-microsoft-com:office:spreadsheet"

// maxXMLDepth bounds how deep the elements of a SpreadsheetML document may
// nest (a workbook's own structure is a dozen levels deep).
const maxXMLDepth = 256

// xmlBook is a SpreadsheetML workbook.
type xmlBook struct {
	path   string
	opt    OpenOptions
	stamp  fileStamp
	sheets []string
	notes  notes
}

func openSpreadsheetML(path string, opt OpenOptions, stamp fileStamp) (_ Workbook, err error) {
	defer recoveredReading(&err, "XML")
	b := &xmlBook{path: path, opt: opt, stamp: stamp}
	// One pass over the document lists its worksheets and checks that it is
	// well-formed to its end: a document that breaks off or turns invalid
	// fails here, before any of it is loaded.
	src, err := b.open(-1)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if _, _, err := src.next(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("%w: bảng tính XML đọc dở / XML workbook read in part", ErrUnreadable)
		}
		return nil, err
	}
	if !src.workbook {
		return nil, fmt.Errorf("%w: tài liệu XML không có phần tử Workbook của Excel 2003 XML / an XML document without the Workbook element of an Excel 2003 XML workbook", ErrUnknownFormat)
	}
	b.sheets = src.names
	return b, nil
}

func (b *xmlBook) Sheets() []string { return slices.Clone(b.sheets) }
func (b *xmlBook) Close() error     { return nil }
func (b *xmlBook) Notes() []string  { return b.notes.list() }

func (b *xmlBook) Rows(sheet string) (RowReader, error) {
	i := slices.Index(b.sheets, sheet)
	if i < 0 {
		return nil, fmt.Errorf("%w: no sheet %q", ErrUnreadable, sheet)
	}
	if err := b.stamp.check(b.path); err != nil {
		return nil, err
	}
	src, err := b.open(i)
	if err != nil {
		return nil, err
	}
	return newSheetRows(src, &b.notes, sheet, b.opt, false), nil
}

// open starts reading the document for the rows of its target-th worksheet
// (from 0); -1 reads none and lists them.
func (b *xmlBook) open(target int) (*xmlSheets, error) {
	f, err := os.Open(b.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	opt := b.opt.withDefaults()
	g := &tokenGuard{r: bufio.NewReaderSize(f, 64<<10), max: int64(max(8<<20, 32*opt.MaxCellBytes))}
	d := xml.NewDecoder(g)
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		e, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("unknown encoding %q", label)
		}
		return e.NewDecoder().Reader(r), nil
	}
	return &xmlSheets{f: f, d: d, g: g, book: b, target: target, maxRow: opt.maxRowBytes(), text: cellText{max: opt.MaxCellBytes}}, nil
}

// tokenGuard bounds the bytes that one XML token may take: encoding/xml
// holds a whole token (a run of text, a tag with its attributes, a comment)
// in memory, however long.
type tokenGuard struct {
	r    *bufio.Reader
	n    int64 // bytes read
	mark int64 // where the current token started
	max  int64
}

var errTokenTooLong = errors.New("token too long")

func (g *tokenGuard) ReadByte() (byte, error) {
	if g.n-g.mark >= g.max {
		return 0, errTokenTooLong
	}
	c, err := g.r.ReadByte()
	if err == nil {
		g.n++
	}
	return c, err
}

func (g *tokenGuard) Read(p []byte) (int, error) {
	if room := g.max - (g.n - g.mark); int64(len(p)) > room {
		if room <= 0 {
			return 0, errTokenTooLong
		}
		p = p[:room]
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// xmlSheets walks the tokens of a SpreadsheetML document and returns the
// rows of one of its worksheets (rowSource).
type xmlSheets struct {
	f        *os.File
	d        *xml.Decoder
	g        *tokenGuard
	book     *xmlBook
	target   int      // the worksheet read (0-based); -1: none
	seen     int      // worksheets started so far
	names    []string // their names
	workbook bool     // the Workbook element was seen
	depth    int

	// The worksheet read.
	in       bool // inside the target worksheet
	rowDepth int  // depth of the open Row; 0 when none
	cellAt   int  // depth of the open Cell; 0 when none
	dataAt   int  // depth of the cell's own Data; 0 when none
	rowNum   int  // the open row's number, or the last row's
	rowSpan  int  // the rows after it that it stands for (ss:Span)
	col      int  // the last cell's column (1-based) in the open row
	until    []int
	row      []string
	width    int
	rowLen   int    // bytes of the row's text
	maxRow   int    // bytes of a row's text and cell slots
	cell     [3]int // the open cell's column, MergeAcross, MergeDown
	typ      string // its Data's ss:Type
	text     cellText
	out      []string
	outN     int
	ready    bool
	ended    bool
}

func (x *xmlSheets) Close() error { return x.f.Close() }

func (x *xmlSheets) next() (int, []string, error) {
	for {
		if x.ready {
			x.ready = false
			return x.outN, x.out, nil
		}
		if x.ended {
			return 0, nil, io.EOF
		}
		if err := x.step(); err != nil {
			return 0, nil, err
		}
	}
}

// ssAttr returns a SpreadsheetML attribute of a start tag.
func ssAttr(t xml.StartElement, local string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == local && (a.Name.Space == ssNS || a.Name.Space == "") {
			return a.Value, true
		}
	}
	return "", false
}

// ssInt reads a count attribute (ss:Index, ss:MergeAcross …): def when
// absent; an error for what is no count or more than limit.
func ssInt(t xml.StartElement, local string, def, limit int) (int, error) {
	v, ok := ssAttr(t, local)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > limit {
		return 0, fmt.Errorf("%w: ss:%s=%q của phần tử %s không hợp lệ (quá %d?) / ss:%s=%q of a %s element is invalid (beyond %d?)",
			ErrUnreadable, local, v, t.Name.Local, limit, local, v, t.Name.Local, limit)
	}
	return n, nil
}

func (x *xmlSheets) step() error {
	tok, err := x.d.Token()
	x.g.mark = x.g.n
	if err != nil {
		if err == io.EOF {
			if err := x.book.stamp.check(x.book.path); err != nil {
				return err
			}
			x.ended = true
			return nil
		}
		if errors.Is(err, errTokenTooLong) {
			return fmt.Errorf("%w: bảng tính XML có một thẻ hoặc đoạn chữ dài hơn %s — không phải bảng dữ liệu / the XML workbook holds a tag or a run of text longer than %s: not a data table",
				ErrTooLarge, byteSize(uint64(x.g.max)), byteSize(uint64(x.g.max)))
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF") {
			return fmt.Errorf("%w: bảng tính XML dừng giữa chừng — tệp bị cắt cụt? hãy gửi lại / the XML workbook breaks off: truncated? send it again (%w)", ErrUnreadable, err)
		}
		return fmt.Errorf("%w: bảng tính XML hỏng — hãy gửi lại / malformed XML workbook: %w", ErrUnreadable, err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		x.depth++
		if x.depth > maxXMLDepth {
			return fmt.Errorf("%w: bảng tính XML lồng phần tử sâu hơn %d mức / the XML workbook nests elements more than %d deep", ErrTooLarge, maxXMLDepth, maxXMLDepth)
		}
		return x.start(t)
	case xml.EndElement:
		err := x.end()
		x.depth--
		return err
	case xml.CharData:
		if x.dataAt > 0 {
			x.text.write(t)
		}
	}
	return nil
}

func (x *xmlSheets) start(t xml.StartElement) error {
	ss := t.Name.Space == ssNS
	switch {
	case x.depth == 1:
		x.workbook = ss && t.Name.Local == "Workbook"
	case ss && t.Name.Local == "Worksheet" && x.depth == 2:
		if x.seen == maxSheets {
			// Each worksheet is read from the document's start.
			return errTooManySheets
		}
		name, _ := ssAttr(t, "Name")
		x.names = append(x.names, name)
		x.in = x.seen == x.target
		x.seen++
		x.rowNum = 0
	case !x.in:
	case ss && t.Name.Local == "Row" && x.rowDepth == 0 && x.cellAt == 0:
		n, err := ssInt(t, "Index", x.rowNum+1, maxRows)
		if err != nil {
			return err
		}
		if n <= x.rowNum {
			return fmt.Errorf("%w: dòng ss:Index=%d đứng sau dòng %d / row ss:Index=%d after row %d", ErrUnreadable, n, x.rowNum, n, x.rowNum)
		}
		span, err := ssInt(t, "Span", 0, maxRows)
		if err != nil {
			return err
		}
		// ss:Span rows after this one share its formatting and hold no
		// cells: the next row comes after them.
		x.rowDepth, x.rowNum, x.rowSpan, x.col, x.width, x.rowLen = x.depth, n, span, 0, 0, 0
	case ss && t.Name.Local == "Cell" && x.rowDepth > 0 && x.cellAt == 0:
		// The next free column: the one after the last cell (and its
		// MergeAcross), past the columns that MergeDown cells above cover.
		col := x.col + 1
		for col-1 < len(x.until) && x.until[col-1] >= x.rowNum {
			col++
		}
		n, err := ssInt(t, "Index", col, maxColumns)
		if err != nil {
			return err
		}
		if n <= x.col {
			return fmt.Errorf("%w: ô ss:Index=%d đứng sau cột %d / cell ss:Index=%d after column %d", ErrUnreadable, n, x.col, n, x.col)
		}
		across, err := ssInt(t, "MergeAcross", 0, maxColumns)
		if err != nil {
			return err
		}
		down, err := ssInt(t, "MergeDown", 0, maxRows)
		if err != nil {
			return err
		}
		if n+across > maxColumns {
			return fmt.Errorf("%w: ô ở cột %d gộp %d cột, quá cột cuối %d / a cell at column %d merges %d columns, past the last column %d", ErrUnreadable, n, across, maxColumns, n, across, maxColumns)
		}
		x.cellAt, x.cell, x.typ = x.depth, [3]int{n, across, down}, ""
		x.text.b = x.text.b[:0]
		x.col = n + across
	case ss && t.Name.Local == "Data" && x.cellAt > 0 && x.depth == x.cellAt+1:
		x.dataAt = x.depth
		x.typ, _ = ssAttr(t, "Type")
	}
	return nil
}

func (x *xmlSheets) end() error {
	switch x.depth {
	case x.dataAt:
		x.dataAt = 0
	case x.cellAt:
		return x.endCell()
	case x.rowDepth:
		x.cellAt, x.dataAt, x.rowDepth = 0, 0, 0
		x.out, x.outN, x.ready = x.row[:x.width], x.rowNum, true
		x.rowNum += x.rowSpan
	case 2:
		if x.in {
			// The rest of the document is not read: the file must still be
			// the one opened.
			x.in, x.ended = false, true
			return x.book.stamp.check(x.book.path)
		}
	}
	return nil
}

// endCell places the open cell's value and records the rows its MergeDown
// covers; a row grown past its share of the budget is an error.
func (x *xmlSheets) endCell() error {
	x.cellAt, x.dataAt = 0, 0
	col, across, down := x.cell[0], x.cell[1], x.cell[2]
	if down > 0 {
		for len(x.until) < col+across {
			x.until = append(x.until, 0)
		}
		for c := col - 1; c < col+across; c++ {
			x.until[c] = x.rowNum + down
		}
	}
	text := ssValue(x.typ, string(x.text.b))
	if text == "" {
		return nil
	}
	for len(x.row) < col {
		x.row = append(x.row, "")
	}
	for i := x.width; i < col-1; i++ {
		x.row[i] = ""
	}
	x.row[col-1] = text
	x.width = col
	if x.rowLen += len(text); x.rowLen+cellSlot*x.width > x.maxRow {
		name := x.book.sheets[x.target]
		return errRowTooLarge(x.maxRow).within(fmt.Sprintf("trang %q dòng %d", name, x.rowNum), fmt.Sprintf("sheet %q row %d", name, x.rowNum))
	}
	return nil
}

// ssValue is a Data element's text as the xlsx reader returns the same
// cell: numbers as the shortest decimal, DateTime as an Excel date serial,
// booleans 1/0, text as it is.
func ssValue(typ, s string) string {
	switch typ {
	case "Number":
		if v, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return formatNumber(v)
		}
	case "DateTime":
		if v, ok := excelSerial(strings.TrimSpace(s)); ok {
			return formatNumber(v)
		}
	case "Boolean":
		switch strings.TrimSpace(s) {
		case "1", "true", "TRUE":
			return "1"
		case "0", "false", "FALSE":
			return "0"
		}
	}
	return s
}

// excelSerial converts an ISO date-time (SpreadsheetML's DateTime) to
// Excel's serial day number: days since 1899-12-30, and for the days before
// 1900-03-01, since 1899-12-31 (Excel counts a 29 February 1900 that never
// was; a time without a date is written on 1899-12-31).
func excelSerial(s string) (float64, bool) {
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return 0, false
	}
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
		epoch = epoch.AddDate(0, 0, 1)
	}
	secs := t.Unix() - epoch.Unix() // whole seconds: a Duration would overflow past 292 years
	days := math.Floor(float64(secs) / 86400)
	rest := float64(secs-int64(days)*86400) + float64(t.Nanosecond())/1e9
	return days + rest/86400, true
}
