package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// An HTML document holding tables is how most one-stop-shop web systems
// export "Excel" (named .xls), and what LibreOffice and Excel save as a web
// page. Each <table> is a sheet; its rows are its <tr>, numbered as they
// come (the number a reject names), its cells the <td> and <th>, a colspan
// or rowspan a merged cell (its text in the first cell). The document is
// tokenized as a stream (golang.org/x/net/html), never held as a tree.

// maxTableDepth bounds how deep tables may nest (a layout table inside a
// layout table …); deeper is no export.
const maxTableDepth = 32

// htmlBook is an HTML document read as a workbook: one sheet named "" when
// it holds one table, else "table 1", "table 2", … in document order.
type htmlBook struct {
	path   string
	opt    OpenOptions
	stamp  fileStamp
	enc    encoding.Encoding // nil: UTF-8
	tcvn3  bool              // cells are TCVN3 bytes (no charset declared)
	tables int
	notes  notes
}

func openHTML(path string, opt OpenOptions, stamp fileStamp) (_ Workbook, err error) {
	defer recoveredReading(&err, "HTML")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	sample := make([]byte, 64<<10)
	n, err := io.ReadFull(f, sample)
	f.Close()
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	b := &htmlBook{path: path, opt: opt, stamp: stamp}
	b.charset(sample[:n])
	// One pass over the document counts its tables: the sheets are known
	// before their rows are read, and a document that breaks off inside a
	// table fails here, before any of it is loaded.
	src, err := b.open(0)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if _, _, err := src.next(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("%w: bảng HTML đọc dở / HTML table read in part", ErrUnreadable)
		}
		return nil, err
	}
	if src.seen == 0 {
		return nil, fmt.Errorf("%w: trang HTML không có bảng (<table>) nào — không phải bảng tính xuất từ hệ thống / an HTML document without a table (<table>): not a spreadsheet export", ErrUnknownFormat)
	}
	b.tables = src.seen
	return b, nil
}

// charset tells the document's encoding: a byte-order mark, else the charset
// it declares (<meta charset>, <meta http-equiv="Content-Type">), else UTF-8
// when its bytes are UTF-8, else what DetectTextEncoding finds (Windows-1258
// or TCVN3), which a note records.
func (b *htmlBook) charset(sample []byte) {
	switch {
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		b.enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		return
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		b.enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
		return
	case bytes.HasPrefix(sample, []byte{0xEF, 0xBB, 0xBF}):
		return
	}
	if label := declaredCharset(sample); label != "" {
		e, err := htmlindex.Get(label)
		if err == nil {
			// A meta element cannot be read in UTF-16 bytes: a document that
			// declares UTF-16 there is UTF-8, as the HTML standard has it.
			if name, _ := htmlindex.Name(e); name != "utf-8" && !strings.HasPrefix(name, "utf-16") {
				b.enc = e
			}
			return
		}
		b.notes.set("charset", fmt.Sprintf("trang HTML khai báo bảng mã %q không biết, đã đọc theo nội dung / the HTML document declares an unknown charset %q: read by its bytes", label, label))
	}
	switch DetectTextEncoding(sample) {
	case EncWindows1258:
		b.enc = charmap.Windows1258
		b.notes.set("charset", "trang HTML không khai báo bảng mã và không phải UTF-8, đã đọc theo Windows-1258 / the HTML document declares no charset and is not UTF-8: read as Windows-1258")
	case EncTCVN3:
		b.enc, b.tcvn3 = charmap.ISO8859_1, true
		b.notes.set("charset", "trang HTML gõ bằng bảng mã TCVN3 (ABC), đã chuyển sang Unicode / the HTML document is in the legacy TCVN3 (ABC) encoding: converted to Unicode")
	}
}

// declaredCharset returns the charset that the head of an HTML document
// declares in a meta element, or "".
func declaredCharset(sample []byte) string {
	z := html.NewTokenizer(bytes.NewReader(sample))
	for i := 0; i < 1000; i++ {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			switch string(name) {
			case "meta":
				var charset, equiv, content string
				for more {
					var k, v []byte
					k, v, more = z.TagAttr()
					switch string(k) {
					case "charset":
						charset = string(v)
					case "http-equiv":
						equiv = strings.ToLower(string(v))
					case "content":
						content = string(v)
					}
				}
				if charset != "" {
					return strings.TrimSpace(charset)
				}
				if equiv == "content-type" {
					if _, c, ok := strings.Cut(strings.ToLower(content), "charset="); ok {
						return strings.Trim(strings.TrimSpace(c), `"'`)
					}
				}
			case "body", "table":
				return ""
			}
		}
	}
	return ""
}

func (b *htmlBook) Sheets() []string {
	if b.tables == 1 {
		return []string{""}
	}
	out := make([]string, b.tables)
	for i := range out {
		out[i] = "table " + strconv.Itoa(i+1)
	}
	return out
}

func (b *htmlBook) Close() error    { return nil }
func (b *htmlBook) Notes() []string { return b.notes.list() }

func (b *htmlBook) Rows(sheet string) (RowReader, error) {
	target := 1
	if b.tables > 1 {
		n, err := strconv.Atoi(strings.TrimPrefix(sheet, "table "))
		if err != nil || !strings.HasPrefix(sheet, "table ") || n < 1 || n > b.tables {
			return nil, fmt.Errorf("%w: no table %q", ErrUnreadable, sheet)
		}
		target = n
	} else if sheet != "" {
		return nil, fmt.Errorf("%w: no table %q", ErrUnreadable, sheet)
	}
	if err := b.stamp.check(b.path); err != nil {
		return nil, err
	}
	src, err := b.open(target)
	if err != nil {
		return nil, err
	}
	return newSheetRows(src, &b.notes, sheet, b.opt, b.enc == nil), nil
}

// open starts reading the document for the rows of its target-th table
// (from 1); target 0 reads none and counts the tables.
func (b *htmlBook) open(target int) (*htmlTables, error) {
	f, err := os.Open(b.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	var r io.Reader = f
	if b.enc != nil {
		r = transform.NewReader(f, b.enc.NewDecoder())
	}
	opt := b.opt.withDefaults()
	z := html.NewTokenizer(r)
	// A tag or a run of text longer than this is no table cell: the
	// tokenizer would hold all of it.
	maxBuf := max(8<<20, 32*opt.MaxCellBytes)
	z.SetMaxBuf(maxBuf)
	return &htmlTables{f: f, z: z, book: b, target: target, maxBuf: maxBuf, maxRow: opt.maxRowBytes(), text: cellText{max: opt.MaxCellBytes}}, nil
}

// htmlTables walks the tokens of an HTML document and returns the rows of
// one of its tables (rowSource).
type htmlTables struct {
	f      *os.File
	z      *html.Tokenizer
	book   *htmlBook
	target int   // the table read (1-based); 0: none
	seen   int   // tables started so far
	stack  []int // the open tables, innermost last
	maxBuf int
	maxRow int    // bytes of a row's text and cell slots
	ignore string // the raw-text element (script, style) whose text is skipped

	// The target table, while it is the innermost open one.
	tr     int   // <tr> ordinal: the row number
	inRow  bool  // a row is open
	inCell bool  // a cell is open
	col    int   // the next column to place a cell in (0-based)
	until  []int // per column: the last row a rowspan from above covers
	row    []string
	width  int // cells of row in use
	rowLen int // bytes of their text
	tooBig error
	text   cellText
	space  bool   // white space is pending in text
	value  string // the cell's own value (LibreOffice's sdval, Excel's x:num)
	span   [2]int // the cell's colspan and rowspan
	out    []string
	outN   int  // out's row number
	ready  bool // out holds a finished row
	ended  bool // the target table ended
}

func (t *htmlTables) Close() error { return t.f.Close() }

func (t *htmlTables) next() (int, []string, error) {
	for {
		if t.ready {
			t.ready = false
			return t.outN, t.out, nil
		}
		if t.ended {
			return 0, nil, io.EOF
		}
		if err := t.step(); err != nil {
			return 0, nil, err
		}
	}
}

// reading tells whether the tokens go to the target table's cells.
func (t *htmlTables) reading() bool {
	return t.target > 0 && len(t.stack) > 0 && t.stack[len(t.stack)-1] == t.target
}

// step handles one token.
func (t *htmlTables) step() error {
	if err := t.handle(); err != nil {
		return err
	}
	return t.tooBig
}

// handle handles the next token.
func (t *htmlTables) handle() error {
	tt := t.z.Next()
	switch tt {
	case html.ErrorToken:
		err := t.z.Err()
		if err == io.EOF {
			if len(t.stack) > 0 {
				return fmt.Errorf("%w: trang HTML dừng giữa một bảng (thiếu </table>) — tệp bị cắt cụt? hãy gửi lại / the HTML document stops inside a table (no </table>): truncated? send it again", ErrUnreadable)
			}
			if err := t.book.stamp.check(t.book.path); err != nil {
				return err
			}
			t.ended = true
			return nil
		}
		if errors.Is(err, html.ErrBufferExceeded) {
			return fmt.Errorf("%w: trang HTML có một thẻ hoặc đoạn chữ dài hơn %s — không phải bảng dữ liệu / the HTML document holds a tag or a run of text longer than %s: not a data table",
				ErrTooLarge, byteSize(uint64(t.maxBuf)), byteSize(uint64(t.maxBuf)))
		}
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	case html.TextToken:
		if t.ignore == "" && t.inCell && t.reading() {
			t.addText(t.z.Text())
		}
	case html.StartTagToken, html.SelfClosingTagToken:
		name, more := t.z.TagName()
		if t.ignore != "" {
			return nil
		}
		switch string(name) {
		case "script", "style", "textarea", "title", "xmp", "noscript", "template":
			if tt == html.StartTagToken {
				t.ignore = string(name)
			}
		case "table":
			if len(t.stack) >= maxTableDepth {
				return fmt.Errorf("%w: trang HTML có bảng lồng nhau sâu hơn %d mức / the HTML document nests tables more than %d deep", ErrTooLarge, maxTableDepth, maxTableDepth)
			}
			if t.seen == maxSheets {
				// Each table is a sheet, read from the document's start.
				return errTooManySheets
			}
			t.seen++
			t.stack = append(t.stack, t.seen)
		case "tr":
			if t.reading() {
				t.endRow()
				t.startRow()
			}
		case "td", "th":
			if t.reading() {
				if !t.inRow {
					t.startRow()
				}
				t.endCell()
				t.startCell(more)
			}
		case "thead", "tbody", "tfoot":
			if t.reading() {
				t.endRow()
			}
		case "br":
			if t.inCell && t.reading() {
				t.lineBreak()
			}
		case "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr":
			if t.inCell && t.reading() {
				t.lineBreak()
			}
		}
	case html.EndTagToken:
		name, _ := t.z.TagName()
		if t.ignore != "" {
			if string(name) == t.ignore {
				t.ignore = ""
			}
			return nil
		}
		switch string(name) {
		case "table":
			if len(t.stack) == 0 {
				return nil // a stray </table>, as a browser ignores it
			}
			if t.reading() {
				// The rest of the document is not read: the file must still
				// be the one opened.
				t.endRow()
				t.ended = true
				if err := t.book.stamp.check(t.book.path); err != nil {
					return err
				}
			}
			t.stack = t.stack[:len(t.stack)-1]
		case "tr", "thead", "tbody", "tfoot":
			if t.reading() {
				t.endRow()
			}
		case "td", "th":
			if t.reading() {
				t.endCell()
			}
		case "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6":
			if t.inCell && t.reading() {
				t.lineBreak()
			}
		}
	}
	return nil
}

func (t *htmlTables) startRow() {
	t.tr++
	t.inRow, t.col, t.width, t.rowLen = true, 0, 0, 0
}

// endRow finishes the open row (and its open cell): it is ready to return.
func (t *htmlTables) endRow() {
	if !t.inRow {
		return
	}
	t.endCell()
	t.inRow = false
	t.out, t.outN, t.ready = t.row[:t.width], t.tr, true
}

// startCell opens a cell: its colspan, rowspan and own value come from the
// tag's attributes.
func (t *htmlTables) startCell(more bool) {
	t.inCell, t.space, t.value = true, false, ""
	t.text.b = t.text.b[:0]
	t.span = [2]int{1, 1}
	for more {
		var k, v []byte
		k, v, more = t.z.TagAttr()
		switch string(k) {
		case "colspan":
			// As a browser reads them (the HTML standard's limits):
			// colspan 1–1000, rowspan 0 (the rest of the table) to 65534.
			if n, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil && n > 1 {
				t.span[0] = min(n, 1000)
			}
		case "rowspan":
			if n, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil && n == 0 {
				t.span[1] = restOfTable
			} else if err == nil && n > 1 {
				t.span[1] = min(n, 65534)
			}
		case "sdval", "x:num":
			// The number behind the text shown (a date's serial, a
			// percentage's fraction): what the xlsx reader returns for the
			// same cell. Excel writes x:num without a value when the text
			// is the number.
			if f, err := strconv.ParseFloat(strings.TrimSpace(string(v)), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				t.value = formatNumber(f)
			}
		}
	}
}

// endCell places the open cell in the row, past the columns that rowspans
// from above cover.
func (t *htmlTables) endCell() {
	if !t.inCell {
		return
	}
	t.inCell = false
	for t.col < len(t.until) && t.until[t.col] >= t.tr {
		t.col++
	}
	col, colspan, rowspan := t.col, t.span[0], t.span[1]
	if col+colspan > maxColumns {
		// Past Excel's last column: what is there is no table of ours; it is
		// left out rather than grow the row.
		t.col = maxColumns
		return
	}
	text := t.value
	if text == "" {
		text = string(bytes.TrimSpace(t.text.b))
		if t.book.tcvn3 {
			text = DecodeTCVN3(text)
		}
	}
	if rowspan > 1 {
		for len(t.until) < col+colspan {
			t.until = append(t.until, 0)
		}
		last := t.tr + rowspan - 1
		if rowspan == restOfTable {
			last = math.MaxInt
		}
		for c := col; c < col+colspan; c++ {
			t.until[c] = last
		}
	}
	for len(t.row) < col+1 {
		t.row = append(t.row, "")
	}
	for i := t.width; i < col; i++ {
		t.row[i] = ""
	}
	t.row[col] = text
	t.width = col + 1
	t.col = col + colspan
	if t.rowLen += len(text); t.rowLen+cellSlot*t.width > t.maxRow && t.tooBig == nil {
		t.tooBig = errRowTooLarge(t.maxRow).within(fmt.Sprintf("%sdòng %d", sheetVi(t.sheetName()), t.tr), fmt.Sprintf("%srow %d", sheetEn(t.sheetName()), t.tr))
	}
}

// sheetName is the name of the sheet read: "" for a document of one table.
func (t *htmlTables) sheetName() string {
	if t.book.tables > 1 {
		return "table " + strconv.Itoa(t.target)
	}
	return ""
}

// addText appends a text token to the open cell, its runs of white space
// collapsed as a browser shows them.
func (t *htmlTables) addText(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexAny(p, " \t\n\r\f")
		if i != 0 {
			word := p
			if i > 0 {
				word = p[:i]
			}
			if t.space && len(t.text.b) > 0 && t.text.b[len(t.text.b)-1] != '\n' {
				t.text.writeByte(' ')
			}
			t.space = false
			t.text.write(word)
			if i < 0 {
				return
			}
			p = p[i:]
			continue
		}
		t.space = true
		p = bytes.TrimLeft(p, " \t\n\r\f")
	}
}

// lineBreak ends a line of the open cell (<br>, a paragraph).
func (t *htmlTables) lineBreak() {
	if len(t.text.b) > 0 && t.text.b[len(t.text.b)-1] != '\n' {
		t.text.writeByte('\n')
	}
	t.space = false
}

// restOfTable is the rowspan of a cell that spans the rest of its table
// (rowspan="0").
const restOfTable = math.MaxInt32
