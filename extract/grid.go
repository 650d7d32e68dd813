package extract

import (
	"fmt"
	"io"
	"strconv"
)

// maxColumns bounds the width of a row of the formats read by a rowSource
// (Excel's own limit): a cell placed further right, by a colspan, an
// ss:Index or a column number, fails the file instead of growing a row.
const maxColumns = 16384

// maxRows bounds the row numbers of those formats (Excel's own limit).
const maxRows = 1 << 20

// rowSource is the part of a sheet reader that knows its format (HTML,
// SpreadsheetML, BIFF8): it returns the rows that it finds, each with its
// 1-based number as a person sees it, in increasing order. Rows it skips
// (an ss:Index gap, rows without cells in a .xls) are blank rows.
type rowSource interface {
	// next returns the next row's number and raw cell texts, owned by the
	// source until the following call; io.EOF after the last row.
	next() (num int, cells []string, err error)
	Close() error
}

// sheetRows is the RowReader of a rowSource: it fills the rows the source
// skips with blank rows, cleans and bounds the cells, and stops after
// OpenOptions.MaxEmptyRunRow consecutive blank rows, as the xlsx reader
// does, with the same notes.
type sheetRows struct {
	src     rowSource
	notes   *notes
	sheet   string
	opt     OpenOptions
	fixUTF8 bool // bytes that are not UTF-8 become U+FFFD (text whose charset was told, not decoded)
	num     int  // the row returned
	pendN   int  // the number of the row the source returned and not yet passed on; 0 when none
	pendC   []string
	blank   int
	cut     int
	cutAt   int
	bad     int
	badAt   int
	cells   []string
	err     error
	done    bool
}

// newSheetRows reads src in a goroutine of its own, a few chunks of rows
// ahead of the caller (prefetch). The returned reader owns src.
func newSheetRows(src rowSource, ns *notes, sheet string, opt OpenOptions, fixUTF8 bool) RowReader {
	return prefetch(&sheetRows{src: src, notes: ns, sheet: sheet, opt: opt.withDefaults(), fixUTF8: fixUTF8})
}

// pull asks the source for its next row; false at its end or on an error.
func (r *sheetRows) pull() bool {
	n, cells, err := r.src.next()
	if err == io.EOF {
		r.done = true
		return false
	}
	if err != nil {
		r.err, r.done = err, true
		return false
	}
	if n <= r.num {
		r.err, r.done = fmt.Errorf("%w: dòng %d đứng sau dòng %d / row %d after row %d", ErrUnreadable, n, r.num, n, r.num), true
		return false
	}
	r.pendN, r.pendC = n, cells
	return true
}

func (r *sheetRows) Next() bool {
	if r.done || (r.pendN == 0 && !r.pull()) {
		return false
	}
	r.num++
	var raw []string
	if r.num == r.pendN {
		raw, r.pendN = r.pendC, 0
	}
	var cut, bad int
	r.cells, cut, bad = cleanCells(r.cells[:0], raw, r.opt.MaxCellBytes, r.fixUTF8)
	if cut > 0 {
		if r.cut == 0 {
			r.cutAt = r.num
		}
		r.cut += cut
		r.notes.max("cut\x00"+r.sheet, r.cut, func(n int) string {
			return fmt.Sprintf("%s%d ô dài hơn %d byte đã bị cắt, đánh dấu %q (đầu tiên ở dòng %d) / %s%d cells longer than %d bytes were cut, marked %q (first at row %d)",
				sheetVi(r.sheet), n, r.opt.MaxCellBytes, CutMarker, r.cutAt, sheetEn(r.sheet), n, r.opt.MaxCellBytes, CutMarker, r.cutAt)
		})
	}
	if bad > 0 {
		if r.bad == 0 {
			r.badAt = r.num
		}
		r.bad += bad
		r.notes.max("utf8\x00"+r.sheet, r.bad, func(n int) string {
			return fmt.Sprintf("%s%d ô có byte không phải UTF-8 (đầu tiên ở dòng %d), đã thay bằng U+FFFD (\uFFFD) / %s%d cells held bytes that are not UTF-8 (first at row %d), replaced by U+FFFD",
				sheetVi(r.sheet), n, r.badAt, sheetEn(r.sheet), n, r.badAt)
		})
	}
	if (Row{Cells: r.cells}).Blank() {
		r.blank++
		// A sheet of a million empty rows (or one row placed a million rows
		// down) ends here, as an xlsx sheet does; the note says where, when
		// the sheet went on.
		if r.blank >= r.opt.MaxEmptyRunRow {
			if r.pendN != 0 || r.pull() {
				first := r.num - r.blank + 1
				r.notes.set("blank\x00"+r.sheet, fmt.Sprintf("%sdừng đọc sau %d dòng trống liên tiếp (dòng %d–%d); phần sau không được đọc — tăng extract.max_blank_rows nếu còn dữ liệu / %sreading stopped after %d consecutive blank rows (rows %d–%d); the rest was not read: raise extract.max_blank_rows if data follows",
					sheetVi(r.sheet), r.blank, first, r.num, sheetEn(r.sheet), r.blank, first, r.num))
			}
			r.done = true
			return false
		}
	} else {
		r.blank = 0
	}
	return true
}

func (r *sheetRows) Row() Row     { return Row{Num: r.num, Cells: r.cells} }
func (r *sheetRows) Err() error   { return r.err }
func (r *sheetRows) Close() error { return r.src.Close() }

// sheetVi and sheetEn start a note about a sheet with its name; a workbook
// of one unnamed sheet (an HTML document of one table) has none.
func sheetVi(sheet string) string {
	if sheet == "" {
		return ""
	}
	return fmt.Sprintf("trang %q: ", sheet)
}

func sheetEn(sheet string) string {
	if sheet == "" {
		return ""
	}
	return fmt.Sprintf("sheet %q: ", sheet)
}

// recoveredReading turns a panic of a reader of the given format into an
// error: a malformed file fails alone.
func recoveredReading(err *error, format string) {
	if r := recover(); r != nil {
		// The panic value is printed, not wrapped (%v): it is a reader's bug,
		// often not an error at all, and no cause a caller should test for.
		*err = fmt.Errorf("%w: tệp %s hỏng, trình đọc gặp lỗi nội bộ / malformed %s (reader panic: %v)", ErrUnreadable, format, format, r)
	}
}

// formatNumber writes a number cell as the xlsx reader returns one (its raw
// value): the shortest decimal that reads back as the same float64, never
// with an exponent, so a date serial reads as one (transform.ParseDateTime).
func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// cellText collects the text of one cell up to a bound: a cell longer than
// max bytes keeps its first max+utf8.UTFMax bytes (cleanCells cuts it to
// max and marks it), so a huge cell costs no more than that.
type cellText struct {
	b   []byte
	max int
}

func (c *cellText) write(p []byte) {
	if room := c.max + 4 - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(len(p), room)]...)
	}
}

func (c *cellText) writeString(s string) {
	if room := c.max + 4 - len(c.b); room > 0 {
		c.b = append(c.b, s[:min(len(s), room)]...)
	}
}

func (c *cellText) writeByte(b byte) {
	if len(c.b) < c.max+4 {
		c.b = append(c.b, b)
	}
}
