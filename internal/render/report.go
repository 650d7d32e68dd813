package render

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thanhxuan/cchc/internal/warehouse"
)

// The leadership report is laid out once, here, as format-neutral parts —
// lines of text, tables of cells, charts of points — and each format walks
// those parts with one generic renderer: report_xlsx.go writes them as a
// workbook, report_html.go as a page. Neither renderer knows what a KPI is.

// Report is a document: a head, then sections, each a sheet of the
// workbook and a section of the page.
type Report struct {
	Title, Subject, Description string // the workbook's properties
	PageTitle                   string // the page's <title>
	Head                        []Line // the top of the first sheet; the page's header
	Sections                    []Section
	ChartSheet                  string // the workbook's sheet of chart figures
	ChartSheetTitle             string
}

// Section is one sheet of the workbook and one section of the page: a
// title, lines, a table, and charts under it.
type Section struct {
	Sheet    string // the sheet's name (≤ 31 characters)
	ID, Nav  string // the page's anchor and the text of its link
	Title    string // the sheet's first row ("" = none)
	Heading  string // the page's heading
	Lines    []Line
	Table    Table
	Charts   []Chart
	NoCharts string // said under the table when there is no chart
}

// Medium restricts a line to one of the formats.
type Medium int

const (
	Both Medium = iota
	WorkbookOnly
	PageOnly
)

// LineStyle is how a line of text stands out.
type LineStyle int

const (
	LinePlain  LineStyle = iota
	LineTitle            // the document's title
	LineOrg              // the issuing office
	LineStrong           // the line that matters most
	LineNote             // small print
)

// Line is a line of text above a table.
type Line struct {
	Text  string
	Style LineStyle
	Only  Medium
}

// Table is a header and rows of cells.
type Table struct {
	Columns    []Column
	Rows       []Row
	HeadHeight float64 // the workbook's header row, in points (0 = Excel's own)
	FrozenRows int     // rows kept in view under the header when scrolling
	FrozenCols int     // columns kept in view
	Empty      string  // said in the workbook when there is no row
}

// Column is a header cell and the column's width in characters.
type Column struct {
	Label string
	Width float64
}

// RowKind is what a whole row is.
type RowKind int

const (
	RowPlain   RowKind = iota
	RowStrong          // a row that stands for the others (the district's)
	RowCodes           // a row of codes under the header
	RowSummary         // a row of targets or totals
	RowWarn            // a row that needs a look
)

// Row is a row of cells; Key, when set, names what the row is about (the
// page tags the row with it as data-kpi).
type Row struct {
	Kind  RowKind
	Key   string
	Cells []Cell
}

// Kind is what a cell holds and how its value reads.
type Kind int

const (
	Blank   Kind = iota // nothing: the workbook leaves the cell alone
	Text                // text, stored as text whatever it starts with
	Int                 // 1.234
	Decimal             // 1.234,56 (two decimals at most)
	Count               // a KPI that counts: four significant digits
	Percent             // 96,7%
	Date                // 31/12/2024
	Stamp               // 31/12/2024 16:05
)

// Mark is the colour a value is marked with.
type Mark int

const (
	Unmarked Mark = iota
	MarkNoData
	MarkNotRated
	MarkMet
	MarkMissed
	MarkWarn
)

// Cell is one cell. A cell of a numeric kind that is Missing shows a dash.
type Cell struct {
	Kind    Kind
	Text    string    // Text
	Num     float64   // Int … Percent
	Time    time.Time // Date, Stamp: local wall time
	Missing bool
	Mark    Mark
	Bold    bool
	Wrap    bool
	Center  bool
	Note    bool // grey
	Small   bool
}

// Chart is a bar chart. With no Series, each point is one bar coloured by
// its mark, against its target; with Series, each point has one bar per
// series.
type Chart struct {
	Title    string
	Figures  string // what its figures are called on the chart sheet ("" = Title)
	Category string // what a point is (the category axis)
	Wide     bool   // across the page, a bar per line
	Count    bool   // counts, not rates
	Series   []Series
	Points   []Point
}

// Series is one compared series of a chart.
type Series struct {
	Name   string // in the legend
	Short  string // in a bar's tooltip
	Key    string // the page's class for its bars
	Colour string // RGB
}

// Point is one category of a chart.
type Point struct {
	Label  string
	Full   string // the long label ("" = Label)
	Value  float64
	Target sql.NullFloat64
	Mark   Mark
	Values []sql.NullFloat64 // one per series
}

// Fixed sheet names.
const (
	sheetCover       = "Tổng quan"
	sheetSubmissions = "Gửi báo cáo"
	sheetRecon       = "Đối chiếu Biểu 06"
	sheetChartData   = "Số liệu biểu đồ"
)

const legendNote = "✓ Đạt chỉ tiêu (nền xanh lam) · ✗ Chưa đạt (nền cam) · Chưa đánh giá (nền xám: kỳ này chưa có chỉ tiêu hoặc mẫu số bằng 0) · —: không có số liệu"

// NewReport lays out the leadership report of d, generated at the time
// given. The report keeps d; neither changes it.
func NewReport(d *warehouse.Report, generated time.Time) *Report {
	b := reportLayout{d: d, generated: generated}
	r := &Report{
		Title:       "Báo cáo kết quả CCHC quận Thanh Xuân — " + d.Period.Name,
		Subject:     "Chỉ tiêu Kế hoạch cải cách hành chính, kỳ " + d.Period.Code,
		Description: "Leadership report of the CCHC warehouse, period " + d.Period.Code,
		PageTitle:   "Báo cáo kết quả CCHC quận Thanh Xuân — " + d.Period.Name + " (" + d.Period.Code + ")",
		Head: []Line{
			{Text: "ỦY BAN NHÂN DÂN QUẬN THANH XUÂN", Style: LineOrg},
			{Text: "BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH", Style: LineTitle},
			{Text: b.periodLine()},
			{Text: b.stampLine(), Style: LineNote},
		},
		ChartSheet:      sheetChartData,
		ChartSheetTitle: "Số liệu vẽ biểu đồ của báo cáo (không sửa) / the figures behind the report's charts",
	}
	if l, ok := b.coverageHead(); ok {
		r.Head = slices.Insert(r.Head, 3, l)
	}
	r.Sections = append(r.Sections, b.cover())
	for _, fam := range d.Families {
		r.Sections = append(r.Sections, b.family(fam))
	}
	r.Sections = append(r.Sections, b.submissions(), b.recon(), b.quality())
	return r
}

type reportLayout struct {
	d         *warehouse.Report
	generated time.Time
}

func text(s string) Cell { return Cell{Kind: Text, Text: s} }

func number(k Kind, v float64) Cell { return Cell{Kind: k, Num: v} }

// optional is v, or a dash when it is NULL.
func optional(k Kind, v sql.NullFloat64) Cell {
	return Cell{Kind: k, Num: v.Float64, Missing: !v.Valid}
}

func rateKind(count bool) Kind {
	if count {
		return Count
	}
	return Percent
}

func markOf(s warehouse.KPIStatus) Mark {
	return [...]Mark{MarkNoData, MarkNotRated, MarkMet, MarkMissed}[s]
}

// markLabel says a KPI's mark in words: one vocabulary, Đạt / Chưa đạt,
// in the tables, the legends and the charts.
func markLabel(m Mark) string {
	switch m {
	case MarkNotRated:
		return "Chưa đánh giá"
	case MarkMet:
		return "Đạt"
	case MarkMissed:
		return "Chưa đạt"
	}
	return "Không có số liệu"
}

// markSymbol is the sign of a mark, shown beside its colour so that met and
// missed never rest on colour alone (colour-blind readers, grey printers).
func markSymbol(m Mark) string {
	switch m {
	case MarkMet:
		return "✓"
	case MarkMissed:
		return "✗"
	case MarkWarn:
		return "!"
	}
	return ""
}

// marked is s with its mark's sign in front.
func marked(m Mark, s string) string {
	if sym := markSymbol(m); sym != "" {
		return sym + " " + s
	}
	return s
}

func (b reportLayout) below(kpi string) string {
	missed, judged := b.d.UnitsBelow(kpi)
	return fmt.Sprintf("%d/%d", missed, judged)
}

// cover is the district's KPIs against the plan's targets.
func (b reportLayout) cover() Section {
	d := b.d
	s := Section{
		Sheet: sheetCover, ID: "tong-quan", Nav: sheetCover,
		Heading: "Tổng quan — toàn quận so với chỉ tiêu kế hoạch",
		Lines: []Line{
			{Text: b.scoreLine(), Style: LineStrong},
			{Text: b.submissionLine()},
			{Text: b.reconLine()},
			b.qualityLine(),
		},
		Table: Table{
			Columns: []Column{{"STT", 6}, {"Nhóm (mục II kế hoạch)", 24}, {"Mã KPI", 28}, {"Chỉ tiêu / KPI", 58},
				{"Giá trị toàn quận", 14}, {"Chỉ tiêu kế hoạch", 14}, {"Kết quả", 15}, {"Tử số", 12}, {"Mẫu số", 12},
				{"Đơn vị chưa đạt / đã đánh giá", 16}},
			HeadHeight: 45,
		},
	}
	dist := d.District().Code
	chart := Chart{Title: "Toàn quận so với chỉ tiêu kế hoạch / district KPIs against targets", Category: "Chỉ tiêu (KPI)", Wide: true}
	n := 0
	for _, fam := range d.Families {
		for _, k := range fam.KPIs {
			n++
			v, st := d.Value(dist, k.Code)
			kind := rateKind(k.Count)
			cells := []Cell{number(Int, float64(n)), {Kind: Text, Text: fam.Chapter + " " + fam.Title, Wrap: true}, text(k.Code), {Kind: Text, Text: k.Name, Wrap: true}}
			if st == warehouse.KPINoData {
				// The district has no row: its units are assessed one by one.
				cells = append(cells,
					Cell{Kind: kind, Missing: true, Mark: MarkNoData, Note: true, Wrap: true},
					Cell{Kind: Text, Text: b.targetText(k), Mark: MarkNoData, Note: true, Wrap: true},
					Cell{Kind: Text, Text: "Theo từng đơn vị", Mark: MarkNoData, Note: true, Wrap: true},
					Cell{Kind: Decimal, Missing: true, Note: true, Wrap: true},
					Cell{Kind: Decimal, Missing: true, Note: true, Wrap: true})
			} else {
				value := optional(kind, v.Value)
				value.Mark = markOf(st)
				target := optional(kind, v.Target)
				target.Center = true
				result := text(marked(markOf(st), markLabel(markOf(st))))
				result.Mark = markOf(st)
				cells = append(cells, value, target, result, optional(Decimal, v.Numerator), optional(Decimal, v.Denominator))
			}
			cells = append(cells, Cell{Kind: Text, Text: b.below(k.Code), Center: true})
			s.Table.Rows = append(s.Table.Rows, Row{Key: k.Code, Cells: cells})

			// The chart: the district's rate KPIs with a value; counts
			// have another scale and no district row.
			if k.Count || !v.Value.Valid {
				continue
			}
			label := k.Name
			if v.Target.Valid {
				label += " (≥ " + fmtKPI(v.Target.Float64, false) + ")"
			}
			chart.Points = append(chart.Points, Point{Label: label, Value: v.Value.Float64, Target: v.Target, Mark: markOf(st)})
		}
	}
	if len(chart.Points) > 0 {
		s.Charts = append(s.Charts, chart)
	}
	return s
}

// family is the matrix of one KPI family: every unit a row, every KPI a
// column, and one chart per KPI that some ward or department has a value
// for.
func (b reportLayout) family(fam warehouse.KPIFamily) Section {
	d := b.d
	title := fam.Chapter + ". " + fam.Title
	s := Section{
		Sheet: fam.Sheet, ID: "nhom-" + strings.ReplaceAll(fam.Chapter, ".", "-"), Nav: fam.Chapter,
		Title: title, Heading: title,
		Lines: []Line{
			{Text: b.periodLine(), Only: WorkbookOnly},
			{Text: legendNote, Style: LineNote},
		},
		Table: Table{
			Columns:    []Column{{"STT", 6}, {"Đơn vị", 34}, {"Cấp", 12}},
			HeadHeight: 90, FrozenRows: 2, FrozenCols: 3,
		},
		NoCharts: "Chưa có đơn vị nào có số liệu cho nhóm chỉ tiêu này trong kỳ.",
	}
	code := func(t string) Cell {
		return Cell{Kind: Text, Text: t, Note: true, Small: true, Center: true, Wrap: true}
	}
	bold := func(t string) Cell { return Cell{Kind: Text, Text: t, Bold: true} }
	codes := Row{Kind: RowCodes, Cells: []Cell{code(""), code("Mã KPI"), code("")}}
	targets := Row{Kind: RowSummary, Cells: []Cell{bold(""), bold("Chỉ tiêu kế hoạch"), bold("")}}
	totals := Row{Kind: RowSummary, Cells: []Cell{{}, bold("Số đơn vị chưa đạt / đã đánh giá"), bold("")}}
	for _, k := range fam.KPIs {
		s.Table.Columns = append(s.Table.Columns, Column{k.Name, 17})
		codes.Cells = append(codes.Cells, code(k.Code))
		targets.Cells = append(targets.Cells, Cell{Kind: Text, Text: b.targetText(k), Bold: true, Wrap: true, Center: true})
		totals.Cells = append(totals.Cells, Cell{Kind: Text, Text: b.below(k.Code), Bold: true, Center: true})
	}
	s.Table.Rows = append(s.Table.Rows, codes, targets)
	for n, u := range append([]warehouse.ReportUnit{d.District()}, d.Members()...) {
		row := Row{Cells: []Cell{number(Int, float64(n)), text(u.Name), text(levelLabel(u.Level))}}
		if u.Level == "district" {
			row.Kind = RowStrong
			row.Cells[0], row.Cells[1].Bold = text(""), true
		}
		for _, k := range fam.KPIs {
			v, st := d.Value(u.Code, k.Code)
			c := optional(rateKind(k.Count), v.Value)
			c.Mark = markOf(st)
			row.Cells = append(row.Cells, c)
		}
		s.Table.Rows = append(s.Table.Rows, row)
	}
	s.Table.Rows = append(s.Table.Rows, totals)

	for _, k := range fam.KPIs {
		c := Chart{Title: k.Name, Category: "Đơn vị", Count: k.Count}
		for _, u := range d.Members() {
			v, st := d.Value(u.Code, k.Code)
			if v.Value.Valid {
				c.Points = append(c.Points, Point{Label: u.Short, Value: v.Value.Float64, Target: v.Target, Mark: markOf(st)})
			}
		}
		if len(c.Points) > 0 {
			s.Charts = append(s.Charts, c)
		}
	}
	return s
}

// submissions is who sent the period's report, on time, late or not at all.
func (b reportLayout) submissions() Section {
	s := Section{
		Sheet: sheetSubmissions, ID: "gui-bao-cao", Nav: sheetSubmissions,
		Title: "TÌNH HÌNH GỬI BÁO CÁO ĐỊNH KỲ", Heading: "Tình hình gửi báo cáo định kỳ",
		Lines: []Line{
			{Text: b.periodLine(), Only: WorkbookOnly},
			{Text: b.submissionLine()},
			{Text: "Thời điểm nhận: thời điểm sửa đổi tệp, hoặc thời điểm cchc pull tải về khi sớm hơn; thời điểm nhóm dữ liệu ghi (arrivals.csv, bản giấy, thư điện tử) được dùng trước hết.", Style: LineNote},
		},
		Table: Table{
			Columns: []Column{{"STT", 6}, {"Đơn vị", 40}, {"Cấp", 12}, {"Tình trạng", 16}, {"Nhận lần đầu (giờ Việt Nam)", 20},
				{"Hạn gửi", 14}, {"Số ngày trễ", 12}, {"Số lần gửi", 12}, {"Nguồn thời điểm nhận", 24}},
			HeadHeight: 45,
			Empty:      "Chưa có đơn vị nào gửi báo cáo của kỳ này.",
		},
	}
	for i, sub := range b.d.Submissions {
		status := Cell{Kind: Text, Text: "Đúng hạn", Mark: MarkMet, Bold: true}
		switch {
		case !sub.Received:
			status.Text, status.Mark = "Chưa gửi", MarkMissed
		case sub.OnTime.Valid && !sub.OnTime.Bool:
			status.Text, status.Mark = "Gửi trễ", MarkWarn
		}
		status.Text = marked(status.Mark, status.Text)
		at := Cell{Kind: Stamp, Time: sub.FirstReceivedAt.Time, Missing: !sub.FirstReceivedAt.Valid, Center: true}
		late := number(Int, float64(sub.DaysLate.Int64))
		if !sub.DaysLate.Valid {
			late = Cell{Kind: Int, Missing: true, Center: true}
		}
		s.Table.Rows = append(s.Table.Rows, Row{Cells: []Cell{
			number(Int, float64(i+1)), text(sub.Unit.Name), text(levelLabel(sub.Unit.Level)), status, at,
			{Kind: Date, Time: sub.Deadline, Center: true}, late, number(Int, float64(sub.Reports)),
			{Kind: Text, Text: sourceLabel(sub), Wrap: true},
		}})
	}
	return s
}

// recon holds the on-time rates the units reported in Biểu 06 against
// those computed from their dossier records.
func (b reportLayout) recon() Section {
	s := Section{
		Sheet: sheetRecon, ID: "doi-chieu", Nav: sheetRecon,
		Title: "ĐỐI CHIẾU BIỂU 06 VỚI DỮ LIỆU HỒ SƠ", Heading: "Đối chiếu Biểu 06 với dữ liệu hồ sơ",
		Lines: []Line{
			{Text: b.periodLine(), Only: WorkbookOnly},
			{Text: b.reconLine(), Only: PageOnly},
			{Text: "Báo cáo = số liệu đơn vị tự báo cáo trong Biểu 06; Hồ sơ = tính từ dữ liệu hồ sơ của hệ thống một cửa. Dòng tô vàng: có chênh lệch.", Style: LineNote},
		},
		Table: Table{
			Columns: []Column{{"STT", 6}, {"Đơn vị", 36}, {"Đã giải quyết (báo cáo)", 14}, {"Đã giải quyết (hồ sơ)", 14}, {"Chênh lệch", 12},
				{"Đúng hạn, trước hạn (báo cáo)", 14}, {"Đúng hạn, trước hạn (hồ sơ)", 14}, {"Chênh lệch", 12},
				{"Tỷ lệ đúng hạn (báo cáo)", 14}, {"Tỷ lệ đúng hạn (hồ sơ)", 14}, {"Chênh lệch (điểm %)", 14}},
			HeadHeight: 45,
			Empty:      "Không có đơn vị nào có cả Biểu 06 và dữ liệu hồ sơ trong kỳ.",
		},
	}
	chart := Chart{
		Title:    "Tỷ lệ giải quyết đúng hạn: Biểu 06 và dữ liệu hồ sơ",
		Figures:  "tỷ lệ đúng hạn theo báo cáo và theo hồ sơ",
		Category: "Đơn vị",
		Series: []Series{
			{Name: "Theo Biểu 06", Short: "Biểu 06", Key: "reported", Colour: "5B9BD5"},
			{Name: "Theo hồ sơ", Short: "hồ sơ", Key: "computed", Colour: "ED7D31"},
		},
	}
	for i, r := range b.d.Recon {
		row := Row{Cells: []Cell{number(Int, float64(i+1)), text(r.Unit.Name)}}
		if r.Differs() {
			row.Kind = RowWarn
		}
		for _, v := range []int64{r.ReportedTotal, r.ComputedTotal, r.TotalDiff, r.ReportedOnTime, r.ComputedOnTime, r.OnTimeDiff} {
			row.Cells = append(row.Cells, number(Int, float64(v)))
		}
		diff := sql.NullFloat64{}
		if r.ReportedRate.Valid && r.ComputedRate.Valid {
			diff = sql.NullFloat64{Float64: r.ReportedRate.Float64 - r.ComputedRate.Float64, Valid: true}
		}
		row.Cells = append(row.Cells, optional(Percent, r.ReportedRate), optional(Percent, r.ComputedRate), optional(Percent, diff))
		s.Table.Rows = append(s.Table.Rows, row)
		chart.Points = append(chart.Points, Point{Label: r.Unit.Short, Full: r.Unit.Name, Values: []sql.NullFloat64{r.ReportedRate, r.ComputedRate}})
	}
	if len(chart.Points) > 0 {
		s.Charts = append(s.Charts, chart)
	}
	return s
}

// targetText says the plan's target of a KPI in this period, by level when
// the levels differ: "≥ 50% (phường); ≥ 60% (phòng ban, toàn quận)".
func (b reportLayout) targetText(k warehouse.ReportKPI) string {
	byTarget := map[float64][]string{}
	var order []float64
	for _, u := range b.d.Units {
		v, ok := b.d.Values[warehouse.UnitKPI{Unit: u.Code, KPI: k.Code}]
		if !ok || !v.Target.Valid {
			continue
		}
		t := v.Target.Float64
		if _, seen := byTarget[t]; !seen {
			order = append(order, t)
		}
		lv := levelLabel(u.Level)
		if !slices.Contains(byTarget[t], lv) {
			byTarget[t] = append(byTarget[t], lv)
		}
	}
	switch len(order) {
	case 0:
		return "—"
	case 1:
		return "≥ " + fmtKPI(order[0], k.Count)
	}
	var parts []string
	for _, t := range order {
		parts = append(parts, "≥ "+fmtKPI(t, k.Count)+" ("+strings.ToLower(strings.Join(byTarget[t], ", "))+")")
	}
	return strings.Join(parts, "; ")
}

func levelLabel(level string) string {
	switch level {
	case "district":
		return "Toàn quận"
	case "ward":
		return "Phường"
	case "department":
		return "Phòng ban"
	}
	return level
}

// fmtKPI writes a value the Vietnamese way: 96,7% or 3.
func fmtKPI(v float64, count bool) string {
	if count {
		return strings.Replace(fmt.Sprintf("%.4g", v), ".", ",", 1)
	}
	return strings.Replace(fmt.Sprintf("%.1f%%", 100*v), ".", ",", 1)
}

// fmtDecimal writes at most two decimals, with a decimal comma.
func fmtDecimal(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return strings.Replace(s, ".", ",", 1)
}

func fmtDate(t time.Time) string { return t.Format("02/01/2006") }

// periodLine describes the period.
func (b reportLayout) periodLine() string {
	p := b.d.Period
	return fmt.Sprintf("Kỳ báo cáo: %s (%s) — số liệu lũy kế từ %s đến %s%s; hạn gửi báo cáo %s",
		p.Name, p.Code, fmtDate(p.Start), fmtDate(p.LastDay), b.coverageNote(), fmtDate(p.Deadline))
}

func (b reportLayout) stampLine() string {
	s := "Lập lúc / generated " + b.generated.Format("02/01/2006 15:04")
	if !b.d.DataAsOf.IsZero() {
		s += "; kho dữ liệu cập nhật / warehouse published " + b.d.DataAsOf.Format("02/01/2006 15:04")
	}
	return s
}

// submissionLine summarises who sent the period's report.
func (b reportLayout) submissionLine() string {
	subs := b.d.Submissions
	if len(subs) == 0 {
		return "Báo cáo định kỳ: chưa có đơn vị nào gửi báo cáo của kỳ này / no unit report for this period"
	}
	var sent, late int
	for _, s := range subs {
		if s.Received {
			sent++
			if s.OnTime.Valid && !s.OnTime.Bool {
				late++
			}
		}
	}
	return fmt.Sprintf("Báo cáo định kỳ: %d/%d đơn vị đã gửi (đúng hạn %d, trễ hạn %d); chưa gửi %d — xem trang «%s»",
		sent, len(subs), sent-late, late, len(subs)-sent, sheetSubmissions)
}

func (b reportLayout) reconLine() string {
	if len(b.d.Recon) == 0 {
		return "Đối chiếu Biểu 06: không có đơn vị nào có cả Biểu 06 và dữ liệu hồ sơ trong kỳ"
	}
	diff := 0
	for _, r := range b.d.Recon {
		if r.Differs() {
			diff++
		}
	}
	return fmt.Sprintf("Đối chiếu Biểu 06: %d/%d đơn vị có chênh lệch giữa số liệu báo cáo và dữ liệu hồ sơ — xem trang «%s»", diff, len(b.d.Recon), sheetRecon)
}

func (b reportLayout) scoreLine() string {
	met, judged := b.d.DistrictScore()
	return fmt.Sprintf("Toàn quận đạt %d/%d chỉ tiêu được đánh giá trong kỳ (chưa đạt %d)", met, judged, judged-met)
}
