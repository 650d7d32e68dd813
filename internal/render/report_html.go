package render

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The page: one self-contained HTML file (inline CSS, inline SVG, no script
// and no outside file) with the workbook's tables and the same charts, for
// people who would rather look than read. html/template escapes every text
// that comes from the warehouse.

// htmlCell is one table cell: its text and the class that colours it.
type htmlCell struct {
	Text, Class string
}

type htmlRow struct {
	Class, Key string
	Cells      []htmlCell
}

type htmlLine struct {
	Tag, Class, Text string
}

type htmlSection struct {
	ID, Nav, Heading string
	Lines            []htmlLine
	Columns          []string
	Rows             []htmlRow
	Matrix           bool // scrolls sideways, as the workbook keeps its first columns in view
	Charts           []svgChart
	Flow             bool // small charts side by side, in a row that stays (empty) when there is none
	NoCharts         string
}

type htmlPage struct {
	Title    string
	Head     []htmlLine
	Sections []htmlSection
}

// WriteHTML writes the report as a page to w.
func (r *Report) WriteHTML(w io.Writer) error {
	return reportPage.Execute(w, r.htmlView())
}

// htmlView is what the template prints. A table without rows is left out
// (the workbook's Empty sentence repeats what the section's lines say); a
// table with frozen columns scrolls sideways.
func (r *Report) htmlView() htmlPage {
	p := htmlPage{Title: r.PageTitle, Head: htmlLines(r.Head)}
	for _, s := range r.Sections {
		hs := htmlSection{ID: s.ID, Nav: s.Nav, Heading: s.Heading, Lines: htmlLines(s.Lines), NoCharts: s.NoCharts,
			Matrix: s.Table.FrozenCols > 0, Flow: s.NoCharts != ""}
		for _, c := range s.Table.Columns {
			hs.Columns = append(hs.Columns, c.Label)
		}
		for _, row := range s.Table.Rows {
			hr := htmlRow{Class: rowClass[row.Kind], Key: row.Key}
			for _, c := range row.Cells {
				hr.Cells = append(hr.Cells, htmlCellOf(c, hr.Class != ""))
			}
			hs.Rows = append(hs.Rows, hr)
		}
		for _, c := range s.Charts {
			hs.Charts = append(hs.Charts, svgOf(c))
			hs.Flow = hs.Flow || !c.Wide && len(c.Series) == 0
		}
		p.Sections = append(p.Sections, hs)
	}
	return p
}

func htmlLines(lines []Line) []htmlLine {
	var out []htmlLine
	for _, l := range lines {
		if l.Only == WorkbookOnly {
			continue
		}
		h := htmlLine{Tag: "p", Text: l.Text}
		switch l.Style {
		case LineTitle:
			h.Tag = "h1"
		case LineOrg:
			h.Class = "org"
		case LineStrong:
			h.Class = "score"
		case LineNote:
			h.Class = "muted"
		}
		out = append(out, h)
	}
	return out
}

var rowClass = map[RowKind]string{RowStrong: "district", RowCodes: "code", RowSummary: "target", RowWarn: "warn"}

var markClass = map[Mark]string{MarkNoData: "nodata", MarkNotRated: "notrated", MarkMet: "met", MarkMissed: "missed", MarkWarn: "warn"}

// htmlCellOf writes a cell's value the Vietnamese way; marks are coloured
// and figures centred, but in a row whose class styles all its cells.
func htmlCellOf(c Cell, styledRow bool) htmlCell {
	var h htmlCell
	switch {
	case c.Kind == Blank:
		return h
	case c.Kind == Text:
		h.Text = c.Text
	case c.Missing:
		h.Text = "—"
	case c.Kind == Int:
		h.Text = strconv.FormatInt(int64(c.Num), 10)
	case c.Kind == Decimal:
		h.Text = fmtDecimal(c.Num)
	case c.Kind == Count || c.Kind == Percent:
		h.Text = fmtKPI(c.Num, c.Kind == Count)
	case c.Kind == Date:
		h.Text = fmtDate(c.Time)
	case c.Kind == Stamp:
		h.Text = c.Time.Format("02/01/2006 15:04")
	}
	if c.Kind != Text && !c.Missing {
		h.Text = marked(c.Mark, h.Text) // text cells carry their sign already
	}
	switch {
	case c.Mark != Unmarked:
		h.Class = markClass[c.Mark]
	case c.Kind != Text || c.Center && !styledRow:
		h.Class = "num"
	}
	return h
}

// svgChart is a horizontal bar chart laid out in pixels for the template.
type svgChart struct {
	Title                         string
	Width, Height                 int
	LabelRight, PlotLeft, PlotTop int
	PlotBottom, AxisY             int
	Ticks                         []svgTick
	Rows                          []svgRow
	Legend                        []svgLegend
}

type svgTick struct {
	X     int
	Label string
}

type svgRow struct {
	Lines              []svgLine // the label, wrapped: never cut
	Full               string
	TextY              int
	Bars               []svgBar
	HasTarget          bool
	TargetX            int
	TargetY1, TargetY2 int
}

// svgLine is one line of a wrapped label, DY below the one before.
type svgLine struct {
	Text string
	DY   int
}

type svgBar struct {
	X, Y, W, H   int
	Class, Title string
	TextX, TextY int
	Text         string
}

type svgLegend struct {
	X, Y  int
	Class string
	Label string
}

const (
	svgRowH   = 22
	svgBarH   = 14
	svgLineH  = 13 // a label's line
	svgCharW  = 6  // about what a character of an 11-pixel serif label takes
	svgTop    = 34
	svgBottom = 46 // axis labels and legend
)

// labelLines wraps a label into lines of at most width pixels, at spaces:
// a name and its target stay whole, however long.
func labelLines(label string, width int) []svgLine {
	per := max(8, width/svgCharW)
	var lines []svgLine
	cur := ""
	for _, w := range strings.Fields(label) {
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= per:
			cur += " " + w
		default:
			lines = append(lines, svgLine{Text: cur})
			cur = w
		}
	}
	lines = append(lines, svgLine{Text: cur})
	for i := range lines {
		if i > 0 {
			lines[i].DY = svgLineH
		}
	}
	return lines
}

// rowHeight is the height of a chart row whose label has n lines and whose
// bars take bars pixels.
func rowHeight(n, bars int) int { return max(bars, n*svgLineH+8) }

// svgOf lays out a chart: a wide one across the page, the others two a row.
func svgOf(c Chart) svgChart {
	switch {
	case len(c.Series) > 0:
		return seriesChart(c)
	case c.Wide:
		return markChart(c, 1040, 440)
	}
	return markChart(c, 570, 170)
}

// markChart lays out c: one bar per point coloured by its mark and
// signed with it (✓ ✗), the target as a dark tick across the bar's row.
func markChart(c Chart, width, labelW int) svgChart {
	s := svgChart{Title: c.Title, Width: width, LabelRight: labelW - 6, PlotLeft: labelW, PlotTop: svgTop}
	labels := make([][]svgLine, len(c.Points))
	s.PlotBottom = svgTop
	for i, p := range c.Points {
		labels[i] = labelLines(p.Label, labelW-12)
		s.PlotBottom += rowHeight(len(labels[i]), svgRowH)
	}
	s.AxisY = s.PlotBottom + 14
	s.Height = s.PlotBottom + svgBottom
	plotW := width - labelW - 80 // room for the value text
	hi := 0.0
	for _, p := range c.Points {
		hi = math.Max(hi, p.Value)
		if p.Target.Valid {
			hi = math.Max(hi, p.Target.Float64)
		}
	}
	step := 0.25
	if c.Count {
		step = niceStep(hi / 4)
	} else if hi < 1 {
		hi = 1
	}
	if hi == 0 {
		hi = 1
	}
	top := math.Ceil(hi/step-1e-9) * step
	x := func(v float64) int { return labelW + int(math.Round(v/top*float64(plotW))) }
	for v := 0.0; v <= top+1e-9; v += step {
		s.Ticks = append(s.Ticks, svgTick{X: x(v), Label: fmtKPI(v, c.Count)})
	}
	y := svgTop
	for i, p := range c.Points {
		h := rowHeight(len(labels[i]), svgRowH)
		r := svgRow{Lines: labels[i], Full: full(p), TextY: y + (h-len(labels[i])*svgLineH)/2 + svgLineH - 3}
		// A zero still shows its colour: a missed target at 0% is news.
		w := max(2, x(p.Value)-labelW)
		title := fmt.Sprintf("%s: %s (%s)", full(p), fmtKPI(p.Value, c.Count), markLabel(p.Mark))
		textX := labelW + w + 4
		barY := y + (h-svgBarH)/2
		if p.Target.Valid {
			r.HasTarget, r.TargetX, r.TargetY1, r.TargetY2 = true, x(p.Target.Float64), barY-3, barY+svgBarH+3
			textX = max(textX, r.TargetX+5)
		}
		r.Bars = []svgBar{{X: labelW, Y: barY, W: w, H: svgBarH, Class: markClass[p.Mark], Title: title,
			TextX: textX, TextY: barY + svgBarH - 3, Text: marked(p.Mark, fmtKPI(p.Value, c.Count))}}
		s.Rows = append(s.Rows, r)
		y += h
	}
	ly := s.PlotBottom + 34
	for i, l := range []svgLegend{{Class: "met", Label: marked(MarkMet, markLabel(MarkMet))}, {Class: "missed", Label: marked(MarkMissed, markLabel(MarkMissed))},
		{Class: "notrated", Label: markLabel(MarkNotRated)}, {Class: "target", Label: "Chỉ tiêu"}} {
		l.X, l.Y = labelW+i*min(120, (width-labelW)/4), ly
		s.Legend = append(s.Legend, l)
	}
	return s
}

func full(p Point) string {
	if p.Full != "" {
		return p.Full
	}
	return p.Label
}

// seriesChart draws each point's rates as a group of thin bars, one per
// series.
func seriesChart(c Chart) svgChart {
	const labelW, width = 200, 1040
	n := len(c.Series)
	s := svgChart{Title: c.Title, Width: width, LabelRight: labelW - 6, PlotLeft: labelW, PlotTop: svgTop}
	bars := n*svgBarH/2*2 + 10
	labels := make([][]svgLine, len(c.Points))
	s.PlotBottom = svgTop
	for i, p := range c.Points {
		labels[i] = labelLines(p.Label, labelW-12)
		s.PlotBottom += rowHeight(len(labels[i]), bars)
	}
	s.AxisY = s.PlotBottom + 14
	s.Height = s.PlotBottom + svgBottom
	plotW := width - labelW - 60
	hi := 1.0
	for _, p := range c.Points {
		for _, v := range p.Values {
			hi = math.Max(hi, v.Float64)
		}
	}
	top := math.Ceil(hi/0.25-1e-9) * 0.25
	x := func(v float64) int { return labelW + int(math.Round(v/top*float64(plotW))) }
	for v := 0.0; v <= top+1e-9; v += 0.25 {
		s.Ticks = append(s.Ticks, svgTick{X: x(v), Label: fmtKPI(v, false)})
	}
	y := svgTop
	for i, p := range c.Points {
		h := rowHeight(len(labels[i]), bars)
		sr := svgRow{Lines: labels[i], Full: full(p), TextY: y + (h-len(labels[i])*svgLineH)/2 + svgLineH - 3}
		top := y + (h-bars)/2 + 5
		for j, v := range p.Values {
			if !v.Valid {
				continue
			}
			by := top + j*(svgBarH/2+2)
			w := max(2, x(v.Float64)-labelW)
			sr.Bars = append(sr.Bars, svgBar{X: labelW, Y: by, W: w, H: svgBarH / 2, Class: c.Series[j].Key,
				Title: fmt.Sprintf("%s, theo %s: %s", full(p), c.Series[j].Short, fmtKPI(v.Float64, false)),
				TextX: labelW + w + 4, TextY: by + svgBarH/2, Text: fmtKPI(v.Float64, false)})
		}
		s.Rows = append(s.Rows, sr)
		y += h
	}
	ly := s.PlotBottom + 34
	for i, se := range c.Series {
		s.Legend = append(s.Legend, svgLegend{X: labelW + i*160, Y: ly, Class: se.Key, Label: se.Name})
	}
	return s
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return math.Max(m*p, 1)
		}
	}
	return 10 * p
}

var reportPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="generator" content="cchc report"/>
<title>{{.Title}}</title>
<style>
body { font-family: "Times New Roman", "Noto Serif", serif; margin: 24px auto; max-width: 1180px; color: #1a1a1a; background: #ffffff; }
h1 { font-size: 22px; color: #1f4e78; margin: 4px 0; }
h2 { font-size: 18px; color: #1f4e78; border-bottom: 2px solid #1f4e78; padding-bottom: 4px; margin-top: 36px; }
p.org { font-weight: bold; margin: 0; }
.muted { color: #6b6b6b; font-size: 13px; }
.score { font-weight: bold; font-size: 16px; }
nav a { margin-right: 14px; color: #1f4e78; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
th, td { border: 1px solid #bfbfbf; padding: 4px 6px; vertical-align: middle; }
th { background: #1f4e78; color: #ffffff; font-weight: bold; }
td.num, td.met, td.missed, td.notrated, td.nodata, td.warn { text-align: center; }
td.met { background: #ddebf7; color: #08519c; }
td.missed { background: #fce4cc; color: #a63603; }
td.notrated { background: #ededed; color: #595959; }
td.nodata { color: #a6a6a6; }
td.warn, tr.warn td { background: #ffeb9c; color: #9c5700; }
tr.district td { font-weight: bold; }
tr.code td { color: #7f7f7f; font-size: 10px; text-align: center; }
tr.target td { font-weight: bold; text-align: center; }
.matrix { overflow-x: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 8px 0; }
svg { background: #ffffff; }
svg text { font-family: "Times New Roman", "Noto Serif", serif; font-size: 11px; fill: #1a1a1a; }
svg text.ct { font-size: 13px; font-weight: bold; }
svg text.tick { fill: #6b6b6b; font-size: 10px; }
svg line.grid { stroke: #e3e3e3; stroke-width: 1; }
svg line.target { stroke: #222222; stroke-width: 2.5; }
svg rect.met { fill: #0072b2; }
svg rect.missed { fill: #e69f00; }
svg rect.notrated { fill: #9e9e9e; }
svg rect.target { fill: #222222; }
svg rect.reported { fill: #5b9bd5; }
svg rect.computed { fill: #ed7d31; }
@media print { nav { display: none; } section { page-break-before: always; } }
</style>
</head>
<body>
<header>
{{range .Head}}{{template "line" .}}
{{end}}<nav>{{range .Sections}}<a href="#{{.ID}}">{{.Nav}}</a>{{end}}</nav>
</header>
{{range .Sections}}
<section id="{{.ID}}">
<h2>{{.Heading}}</h2>
{{range .Lines}}{{template "line" .}}
{{end}}{{if .Rows}}{{if .Matrix}}<div class="matrix">{{end}}<table>
<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr{{with .Class}} class="{{.}}"{{end}}{{with .Key}} data-kpi="{{.}}"{{end}}>{{range .Cells}}<td{{with .Class}} class="{{.}}"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>{{if .Matrix}}</div>{{end}}
{{end}}{{if and .NoCharts (not .Charts)}}<p>{{.NoCharts}}</p>
{{end}}{{if .Flow}}<div class="charts">{{range .Charts}}{{template "chart" .}}{{end}}</div>
{{else}}{{range .Charts}}{{template "chart" .}}
{{end}}{{end}}</section>
{{end}}
<footer class="muted"><p>Số liệu từ kho dữ liệu CCHC (marts.kpi_values, marts.report_submissions, marts.tthc_reconciliation) — tạo bởi <code>cchc report</code>.</p></footer>
</body>
</html>
{{define "line"}}{{if eq .Tag "h1"}}<h1>{{.Text}}</h1>{{else}}<p{{with .Class}} class="{{.}}"{{end}}>{{.Text}}</p>{{end}}{{end}}
{{define "chart"}}<figure class="chart">
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Title}}">
<text x="6" y="20" class="ct">{{.Title}}</text>
{{range .Ticks}}<line class="grid" x1="{{.X}}" y1="{{$.PlotTop}}" x2="{{.X}}" y2="{{$.PlotBottom}}"/><text class="tick" x="{{.X}}" y="{{$.AxisY}}" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Rows}}<text x="{{$.LabelRight}}" y="{{.TextY}}" text-anchor="end"><title>{{.Full}}</title>{{range .Lines}}<tspan x="{{$.LabelRight}}" dy="{{.DY}}">{{.Text}}</tspan>{{end}}</text>
{{range .Bars}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect><text x="{{.TextX}}" y="{{.TextY}}">{{.Text}}</text>
{{end}}{{if .HasTarget}}<line class="target" x1="{{.TargetX}}" y1="{{.TargetY1}}" x2="{{.TargetX}}" y2="{{.TargetY2}}"/>
{{end}}{{end}}{{range .Legend}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="12" height="12"/><text x="{{.X}}" y="{{.Y}}" dx="16" dy="10">{{.Label}}</text>
{{end}}</svg>
</figure>{{end}}`))
