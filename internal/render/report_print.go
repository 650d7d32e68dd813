package render

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// How the workbook prints: the page setup of a sheet, the heights of rows
// with wrapped text, where charts go so that a page break never cuts one.
// LibreOffice and Excel do neither on their own for a file a program wrote.

// A chart takes chartRows rows of the default height: it is 380 pixels (285
// points) tall.
const (
	chartRows        = 20
	defaultRowHeight = 15.0
	chartHeight      = chartRows * defaultRowHeight
)

// frozenRowHeight is about how tall a row kept under the header is (codes,
// targets), in points.
const frozenRowHeight = 20

// landscapeChars is the width of a table, in characters, beyond which it
// prints landscape: on a portrait page it would shrink too much to read.
const landscapeChars = 140

// pageHeight is how much of the sheet, in points, a printed page holds
// once the sheet is shrunk to fit the page's width (contentPx pixels wide).
func pageHeight(contentPx int, landscape bool) float64 {
	w, h := a4Width-2*marginLR*72, a4Height-2*(marginTB+0.1)*72
	if landscape {
		w, h = a4Height-2*marginLR*72, a4Width-2*(marginTB+0.1)*72
	}
	return h / min(1, w/(float64(contentPx)*0.75))
}

// A4 in points, and the margins in inches.
const (
	a4Width, a4Height  = 595.0, 842.0
	marginLR, marginTB = 0.4, 0.55
)

// chartStep is the room a small chart takes across, in pixels (its width,
// 580, and a gap).
const chartStep = 600

// setupPage makes a sheet print well: one page wide (fit to width, any
// number of pages tall: fitToPage with fitToHeight 0 — fitToWidth alone is
// ignored), landscape or portrait, the header rows (head to last; none when
// head is 0) repeated on every page, narrow margins, and the sheet's name
// and the page number in the footer.
func (w *xlsxWriter) setupPage(sheet string, head, last int, landscape bool) {
	fit := true
	w.keep(w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	o := "portrait"
	if landscape {
		o = "landscape"
	}
	a4, wide, tall := 9, 1, 0
	w.keep(w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &o, Size: &a4, FitToWidth: &wide, FitToHeight: &tall}))
	l, tb, hf := marginLR, marginTB, 0.3
	w.keep(w.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &l, Right: &l, Top: &tb, Bottom: &tb, Header: &hf, Footer: &hf}))
	w.keep(w.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&L&8" + sheet + "&R&8Trang &P / &N"}))
	if head > 0 {
		w.keep(w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
			RefersTo: fmt.Sprintf("'%s'!$%d:$%d", strings.ReplaceAll(sheet, "'", "''"), head, last)}))
	}
}

// fitRow gives a row the height of lines lines of s's font, when that is
// more than one line: Excel and LibreOffice do not grow a row for wrapped
// text written by a program, and the text then runs over the row below.
func (w *xlsxWriter) fitRow(sheet string, row, lines int, s cellStyle) float64 {
	if lines <= 1 {
		return max(defaultRowHeight, lineHeight(s)+2)
	}
	h := float64(lines)*lineHeight(s) + 4
	w.keep(w.f.SetRowHeight(sheet, row, h))
	return h
}

// lineHeight is the height of a line of s's font, in points.
func lineHeight(s cellStyle) float64 {
	size := s.Size
	if size == 0 {
		size = 11
	}
	return size * 1.3
}

// textLines is how many lines v takes in a cell chars wide, wrapped at
// spaces, in s's font. It errs long: a row a little too tall is fine, text
// over the next row is not.
func textLines(v string, chars float64, s cellStyle) int {
	size := s.Size
	if size == 0 {
		size = 11
	}
	// A column's width counts characters of the 11-point default font;
	// bold is wider; a cell has a little padding.
	per := (chars - 1) * 1.2 * 11 / size
	if s.Bold {
		per /= 1.12
	}
	per = max(per, 1)
	lines := 0
	for _, para := range strings.Split(v, "\n") {
		lines++
		n := 0.0
		for _, word := range strings.Fields(para) {
			wl := float64(utf8.RuneCountInString(word))
			switch {
			case n == 0:
				n = wl
			case n+1+wl <= per:
				n += 1 + wl
			default:
				lines++
				n = wl
			}
			for n > per { // a word longer than the line breaks anywhere
				lines++
				n -= per
			}
		}
	}
	return lines
}

// colWidth is a column's width in characters (Excel's default when unset).
func colWidth(c Column) float64 {
	if c.Width > 0 {
		return c.Width
	}
	return 9.140625
}

// colPixels is the width of columns in pixels, as Excel draws them.
func colPixels(cols []Column) int {
	px := 0
	for _, c := range cols {
		px += int(colWidth(c)*7 + 5)
	}
	return px
}

// chartAnchor is the column (0-based) and the offset in it of the point x
// pixels right of the left edge of column first: LibreOffice draws an
// offset wider than its column elsewhere.
func chartAnchor(cols []Column, first, x int) (col, off int) {
	col = first
	for {
		w := 64 // a column past the table has the default width
		if col < len(cols) {
			w = int(colWidth(cols[col])*7 + 5)
		}
		if x < w {
			return col, x
		}
		x -= w
		col++
	}
}
