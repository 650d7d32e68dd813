package render

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/xuri/excelize/v2"
)

// The workbook: one sheet per section, then a sheet with the figures every
// chart is drawn from (an Excel chart plots cells).
//
// Text from inputs (unit and KPI names are seed data a data team edits) is
// written with SetCellStr, which stores a string cell: Excel never evaluates
// it, whatever it starts with ("=HYPERLINK(…)" stays those characters). The
// text cells also carry the Text number format (@), so that a person who
// edits such a cell later does not turn it into a formula either. Prefixing
// an apostrophe, the CSV-injection remedy, is not needed in a real string
// cell and would change the text people read. The workbook holds no formula
// at all.

// Colours of met, missed and not rated: blue and orange, which people with
// the common colour-vision deficiencies tell apart (red and green they do
// not), and a sign beside each (✓ ✗) so that no reading rests on colour.
const (
	fillMet      = "DDEBF7"
	fontMet      = "08519C"
	fillMissed   = "FCE4CC"
	fontMissed   = "A63603"
	fillNotRated = "EDEDED"
	fontNotRated = "595959"
	fontNoData   = "A6A6A6"
	fillWarn     = "FFEB9C"
	fontWarn     = "9C5700"
	fontNote     = "7F7F7F"
	fillHeader   = "1F4E78"
	barMet       = "0072B2"
	barMissed    = "E69F00"
	barNotRated  = "9E9E9E"
	lineTarget   = "222222"
)

type cellStyle struct {
	Fill, Color string
	Bold        bool
	Size        float64
	NumFmt      string // "@" = text; "" = General
	Wrap        bool
	Align       string
	Border      bool
}

var (
	stText   = cellStyle{NumFmt: "@", Border: true}
	stHeader = cellStyle{NumFmt: "@", Border: true, Bold: true, Fill: fillHeader, Color: "FFFFFF", Wrap: true, Align: "center"}
	stTitle  = cellStyle{NumFmt: "@", Bold: true, Size: 14, Color: fillHeader}
	stLine   = cellStyle{NumFmt: "@"}
)

// lineStyle is the style of a line of text above a table.
func lineStyle(s LineStyle) cellStyle {
	switch s {
	case LineTitle:
		return stTitle
	case LineOrg, LineStrong:
		return cellStyle{NumFmt: "@", Bold: true}
	case LineNote:
		return cellStyle{NumFmt: "@", Color: fontNote, Size: 9}
	}
	return stLine
}

// numFmt is the number format of a cell's kind.
func numFmt(k Kind) string {
	switch k {
	case Int:
		return "#,##0"
	case Decimal, Count:
		return "#,##0.##"
	case Percent:
		return "0.0%"
	case Date:
		return "dd/mm/yyyy"
	case Stamp:
		return "dd/mm/yyyy hh:mm"
	}
	return "@"
}

// styleOf is the style of a table cell: bordered, the number format of its
// kind (text for a dash), and the colours of its row's warning or of its
// mark; a note stays grey whatever its mark.
func styleOf(c Cell, row RowKind) cellStyle {
	s := cellStyle{NumFmt: numFmt(c.Kind), Border: true, Bold: c.Bold, Wrap: c.Wrap}
	if c.Missing {
		s.NumFmt = "@"
	}
	if sym := markSymbol(c.Mark); sym != "" && s.NumFmt != "@" {
		s.NumFmt = `"` + sym + ` "` + s.NumFmt // the sign in front of the figure; the value stays a number
	}
	if c.Center {
		s.Align = "center"
	}
	if c.Small {
		s.Size = 8
	}
	switch {
	case c.Note:
		s.Color = fontNote
	case row == RowWarn:
		s.Fill, s.Color = fillWarn, fontWarn
	case c.Mark != Unmarked:
		s.Align = "center"
		switch c.Mark {
		case MarkMet:
			s.Fill, s.Color = fillMet, fontMet
		case MarkMissed:
			s.Fill, s.Color = fillMissed, fontMissed
		case MarkNotRated:
			s.Fill, s.Color = fillNotRated, fontNotRated
		case MarkWarn:
			s.Fill, s.Color = fillWarn, fontWarn
		case MarkNoData:
			s.Color = fontNoData
		}
	}
	return s
}

type xlsxWriter struct {
	f      *excelize.File
	styles map[cellStyle]int
	err    error
	charts string  // the sheet of chart figures
	nextCD int     // its next free row
	used   float64 // the height of the rows written so far on the section's sheet, in points
}

// WriteXLSX writes the report as a workbook to out.
func (r *Report) WriteXLSX(out io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	w := &xlsxWriter{f: f, styles: map[cellStyle]int{}, charts: r.ChartSheet}
	for i, s := range r.Sections {
		if i == 0 {
			w.keep(f.SetSheetName("Sheet1", s.Sheet))
			continue
		}
		_, err := f.NewSheet(s.Sheet)
		w.keep(err)
	}
	_, err := f.NewSheet(r.ChartSheet)
	w.keep(err)
	w.keep(f.SetDocProps(&excelize.DocProperties{
		Title:       r.Title,
		Subject:     r.Subject,
		Creator:     "cchc",
		Language:    "vi-VN",
		Description: r.Description,
	}))
	w.str(r.ChartSheet, 1, 1, r.ChartSheetTitle, stTitle)
	w.nextCD = 3
	w.widths(r.ChartSheet, 60, 14, 14, 14, 14)

	for i, s := range r.Sections {
		var head []Line
		if i == 0 {
			head = r.Head
		}
		w.section(s, head)
	}
	w.setupPage(r.ChartSheet, 0, 0, false)
	if w.err != nil {
		return w.err
	}
	return f.Write(out)
}

// section writes a sheet: head (the first sheet's), title, lines, a blank
// row, the table with its header kept in view, then the charts; and the
// sheet's print setup (setupPage).
func (w *xlsxWriter) section(s Section, head []Line) {
	t := s.Table
	w.used = 0
	cols := max(len(t.Columns), 1)
	span := 0.0 // the table's width in characters: lines above it wrap within it
	for _, c := range t.Columns {
		span += colWidth(c)
	}
	row := 1
	for _, l := range head {
		w.line(s.Sheet, row, cols, span, l.Text, lineStyle(l.Style))
		row++
	}
	if len(head) > 0 {
		row++
		w.used += defaultRowHeight
	}
	if s.Title != "" {
		w.line(s.Sheet, row, cols, span, s.Title, stTitle)
		row++
	}
	for _, l := range s.Lines {
		if l.Only == PageOnly {
			continue
		}
		w.line(s.Sheet, row, cols, span, l.Text, lineStyle(l.Style))
		row++
	}
	top := row + 1
	w.used += defaultRowHeight
	next := w.table(s.Sheet, top, t)
	pane := "bottomLeft"
	if t.FrozenCols > 0 {
		pane = "bottomRight"
	}
	w.keep(w.f.SetPanes(s.Sheet, &excelize.Panes{Freeze: true, XSplit: t.FrozenCols, YSplit: top + t.FrozenRows,
		TopLeftCell: cellName(t.FrozenCols+1, top+t.FrozenRows+1), ActivePane: pane}))

	// Charts two a row where the table is wide enough for two, else one a
	// row, so that the charts do not make the printed page wider than the
	// table; a page break before the charts and wherever the next row of
	// charts would not fit on the page, so that no chart is cut in two.
	perRow := 1
	if colPixels(t.Columns) >= 2*chartStep {
		perRow = 2
	}
	landscape := span > landscapeChars
	w.setupPage(s.Sheet, top, top+t.FrozenRows, landscape)
	if len(s.Charts) == 0 {
		if s.NoCharts != "" {
			w.str(s.Sheet, 2, next+1, s.NoCharts, stLine)
		}
		return
	}
	page, titles := pageHeight(max(colPixels(t.Columns), perRow*chartStep), landscape), headHeight(t)+float64(t.FrozenRows)*frozenRowHeight
	perPage := max(1, int((page-titles)/chartHeight))
	// Where the table ends on its last page, and so how many rows of charts
	// still fit under it.
	left := page - w.used - defaultRowHeight
	if w.used > page {
		left = page - titles - math.Mod(w.used-page, page-titles) - defaultRowHeight
	}
	// Rows LibreOffice makes taller than this arithmetic says (fonts,
	// wrapped text) take some of what is left: a tenth of a page is kept in
	// reserve.
	first := max(0, int((left-page/10)/chartHeight))
	for i, c := range s.Charts {
		at := next + 2 + (i/perRow)*chartRows
		if k := i/perRow - first; i%perRow == 0 && k >= 0 && k%perPage == 0 {
			w.keep(w.f.InsertPageBreak(s.Sheet, cellName(1, at-1)))
		}
		col, off := chartAnchor(t.Columns, 1, (i%perRow)*chartStep)
		w.chart(s.Sheet, cellName(col+1, at), off, c)
	}
}

// line writes a line of text above a table across the table's columns,
// wrapped, in a row as tall as its lines.
func (w *xlsxWriter) line(sheet string, row, cols int, span float64, v string, s cellStyle) {
	if cols > 1 {
		w.keep(w.f.MergeCell(sheet, cellName(1, row), cellName(cols, row)))
	}
	s.Wrap = true
	w.str(sheet, 1, row, v, s)
	w.used += w.fitRow(sheet, row, textLines(v, span, s), s)
}

// headHeight is the height of t's header row: its longest label, wrapped.
func headHeight(t Table) float64 {
	lines := 1
	for _, c := range t.Columns {
		lines = max(lines, textLines(c.Label, colWidth(c), stHeader))
	}
	return max(t.HeadHeight, float64(lines)*lineHeight(stHeader)+4)
}

// table writes t with its header at row head and returns the first row
// after it. A text longer than its column wraps, and each row is as tall
// as its longest cell.
func (w *xlsxWriter) table(sheet string, head int, t Table) int {
	for i, c := range t.Columns {
		if c.Width > 0 {
			col := colName(i + 1)
			w.keep(w.f.SetColWidth(sheet, col, col, c.Width))
		}
		w.str(sheet, i+1, head, c.Label, stHeader)
	}
	w.keep(w.f.SetRowHeight(sheet, head, headHeight(t)))
	w.used += headHeight(t)
	row := head + 1
	for _, r := range t.Rows {
		height := 0.0
		for i, c := range r.Cells {
			if c.Kind == Text && i < len(t.Columns) {
				st := styleOf(c, r.Kind)
				if n := textLines(c.Text, colWidth(t.Columns[i]), st); n > 1 {
					c.Wrap = true
					height = max(height, float64(n)*lineHeight(st)+4)
				}
			}
			w.cell(sheet, i+1, row, c, r.Kind)
		}
		if height > 0 {
			w.keep(w.f.SetRowHeight(sheet, row, height))
		}
		w.used += max(height, defaultRowHeight)
		row++
	}
	if len(t.Rows) == 0 && t.Empty != "" {
		w.str(sheet, 2, row, t.Empty, stLine)
	}
	return row
}

func (w *xlsxWriter) cell(sheet string, col, row int, c Cell, rk RowKind) {
	ref := cellName(col, row)
	switch {
	case c.Kind == Blank:
		return
	case c.Kind == Text:
		w.keep(w.f.SetCellStr(sheet, ref, c.Text))
	case c.Missing:
		w.keep(w.f.SetCellStr(sheet, ref, "—"))
	case c.Kind == Date || c.Kind == Stamp:
		// A naive timestamp: the warehouse's times are local (Asia/Ho_Chi_Minh).
		v := c.Time
		w.keep(w.f.SetCellValue(sheet, ref, time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), 0, time.UTC)))
	default:
		w.keep(w.f.SetCellFloat(sheet, ref, c.Num, -1, 64))
	}
	w.keep(w.f.SetCellStyle(sheet, ref, ref, w.style(styleOf(c, rk))))
}

// chartFigures is the table of a chart's figures on the chart sheet: a
// column per status (so that every bar has its status's colour) and the
// targets, or a column per series.
func chartFigures(c Chart) Table {
	var t Table
	t.Columns = []Column{{Label: c.Category}}
	if len(c.Series) > 0 {
		for _, s := range c.Series {
			t.Columns = append(t.Columns, Column{Label: s.Name})
		}
		for _, p := range c.Points {
			r := Row{Cells: []Cell{text(p.Label)}}
			for _, v := range p.Values {
				if v.Valid {
					r.Cells = append(r.Cells, number(Percent, v.Float64))
				} else {
					r.Cells = append(r.Cells, Cell{})
				}
			}
			t.Rows = append(t.Rows, r)
		}
		return t
	}
	kind := rateKind(c.Count)
	for _, l := range []string{"Đạt", "Chưa đạt", "Chưa đánh giá", "Chỉ tiêu"} {
		t.Columns = append(t.Columns, Column{Label: l})
	}
	for _, p := range c.Points {
		cells := make([]Cell, 5)
		cells[0] = text(p.Label)
		if col, ok := map[Mark]int{MarkMet: 1, MarkMissed: 2, MarkNotRated: 3}[p.Mark]; ok {
			cells[col] = number(kind, p.Value)
		}
		if p.Target.Valid {
			cells[4] = number(kind, p.Target.Float64)
		}
		t.Rows = append(t.Rows, Row{Cells: cells})
	}
	return t
}

// chart writes c's figures on the chart sheet and draws c on sheet at the
// cell given.
func (w *xlsxWriter) chart(sheet, at string, offsetX int, c Chart) {
	cd := w.charts
	top := w.nextCD
	figures := c.Figures
	if figures == "" {
		figures = c.Title
	}
	w.str(cd, 1, top, "Biểu đồ «"+sheet+"»: "+figures, cellStyle{NumFmt: "@", Bold: true})
	first := top + 2
	last := w.table(cd, top+1, chartFigures(c)) - 1
	w.nextCD = last + 3

	ref := func(col int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", cd, colName(col), first, colName(col), last)
	}
	name := func(col int) string { return fmt.Sprintf("'%s'!$%s$%d", cd, colName(col), top+1) }
	solid := func(rgb string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{rgb}}
	}
	title := excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.Title, Font: &excelize.Font{Size: 11, Bold: true}}}}
	cats := ref(1)
	zero, vary := 0.0, false

	if len(c.Series) > 0 {
		var series []excelize.ChartSeries
		for i, s := range c.Series {
			series = append(series, excelize.ChartSeries{Name: name(2 + i), Categories: cats, Values: ref(2 + i), Fill: solid(s.Colour)})
		}
		w.keep(w.f.AddChart(sheet, at, &excelize.Chart{
			Type:       excelize.Col,
			VaryColors: &vary,
			Series:     series,
			Title:      title,
			Legend:     excelize.ChartLegend{Position: "bottom"},
			Dimension:  excelize.ChartDimension{Width: 900, Height: 380},
			YAxis:      excelize.ChartAxis{Minimum: &zero, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, MajorGridLines: true},
		}))
		return
	}

	// Stacked bars, one series per status so that every bar has its
	// status's colour, and (vertical charts) the targets as a line.
	series := []excelize.ChartSeries{
		{Name: name(2), Categories: cats, Values: ref(2), Fill: solid(barMet)},
		{Name: name(3), Categories: cats, Values: ref(3), Fill: solid(barMissed)},
		{Name: name(4), Categories: cats, Values: ref(4), Fill: solid(barNotRated)},
	}
	gap := uint(50)
	axisFmt := excelize.ChartNumFmt{CustomNumFmt: "0%"}
	if c.Count {
		axisFmt.CustomNumFmt = "0"
	}
	ch := &excelize.Chart{
		Type:       excelize.ColStacked,
		Series:     series,
		Title:      title,
		Legend:     excelize.ChartLegend{Position: "bottom"},
		Dimension:  excelize.ChartDimension{Width: 580, Height: 380},
		Format:     excelize.GraphicOptions{OffsetX: offsetX, AltText: c.Title},
		YAxis:      excelize.ChartAxis{Minimum: &zero, NumFmt: axisFmt, MajorGridLines: true},
		XAxis:      excelize.ChartAxis{Font: excelize.Font{Size: 8}},
		GapWidth:   &gap,
		VaryColors: &vary, // one colour per status series, not per bar
	}
	var combo []*excelize.Chart
	if c.Wide {
		ch.Type = excelize.BarStacked
		ch.Dimension = excelize.ChartDimension{Width: 1000, Height: uint(120 + 28*len(c.Points))}
		ch.XAxis.ReverseOrder = true // first point on top, as in the table
	} else {
		combo = append(combo, &excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{{
			Name: name(5), Categories: cats, Values: ref(5),
			Line:   excelize.LineOptions{Width: 1.5, Dash: excelize.LineDashDash, Fill: solid(lineTarget)},
			Marker: excelize.ChartMarker{Symbol: "dash", Size: 8, Fill: solid(lineTarget)},
		}}})
	}
	w.keep(w.f.AddChart(sheet, at, ch, combo...))
}

func (w *xlsxWriter) style(s cellStyle) int {
	if id, ok := w.styles[s]; ok {
		return id
	}
	st := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "center", WrapText: s.Wrap, Horizontal: s.Align}}
	font := &excelize.Font{Family: "Times New Roman", Size: 11, Bold: s.Bold, Color: s.Color}
	if s.Size > 0 {
		font.Size = s.Size
	}
	st.Font = font
	if s.Fill != "" {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{s.Fill}}
	}
	switch s.NumFmt {
	case "":
	case "@":
		st.NumFmt = 49 // Text: what a person types into the cell later stays text too
	default:
		f := s.NumFmt
		st.CustomNumFmt = &f
	}
	if s.Border {
		for _, side := range []string{"left", "right", "top", "bottom"} {
			st.Border = append(st.Border, excelize.Border{Type: side, Color: "BFBFBF", Style: 1})
		}
	}
	id, err := w.f.NewStyle(st)
	w.keep(err)
	w.styles[s] = id
	return id
}

func (w *xlsxWriter) keep(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// str writes text as a string cell: never a formula, whatever it starts with.
func (w *xlsxWriter) str(sheet string, col, row int, v string, s cellStyle) {
	ref := cellName(col, row)
	w.keep(w.f.SetCellStr(sheet, ref, v))
	w.keep(w.f.SetCellStyle(sheet, ref, ref, w.style(s)))
}

func (w *xlsxWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		col := colName(i + 1)
		w.keep(w.f.SetColWidth(sheet, col, col, wd))
	}
}

func cellName(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func colName(col int) string {
	n, _ := excelize.ColumnNumberToName(col)
	return n
}
