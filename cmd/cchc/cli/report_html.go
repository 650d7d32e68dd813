package cli

import (
	"database/sql"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/thanhxuan/cchc/internal/msg"
)

// The static HTML version of the leadership report: one self-contained page
// (inline CSS, inline SVG, no script and no outside file) with the workbook's
// tables and the same charts, for people who would rather look than read.
// html/template escapes every text that comes from the warehouse.

// htmlCell is one table cell: its text and the class that colours it.
type htmlCell struct {
	Text, Class string
}

type htmlCoverRow struct {
	N                                 int
	Family, Code, Name                string
	Value, Target, Result, Num, Denom htmlCell
	Below                             string
}

type htmlFamily struct {
	ID, Chapter, Title string
	KPIs               []reportKPI
	Targets            []string
	Rows               []htmlMatrixRow
	Below              []string
	Charts             []svgChart
	Empty              bool
}

type htmlMatrixRow struct {
	N        string
	Name     string
	Level    string
	District bool
	Cells    []htmlCell
}

type htmlSubmission struct {
	N                               int
	Name, Level, At, Deadline, Late string
	Status                          htmlCell
	Reports                         int64
}

type htmlRecon struct {
	N                                          int
	Name                                       string
	ReportedTotal, ComputedTotal, TotalDiff    int64
	ReportedOnTime, ComputedOnTime, OnTimeDiff int64
	ReportedRate, ComputedRate, RateDiff       string
	Differs                                    bool
}

type htmlPage struct {
	Title, PeriodName, PeriodLine, Stamp string
	Score, SubmissionLine, ReconLine     string
	Cover                                []htmlCoverRow
	CoverChart                           *svgChart
	Families                             []htmlFamily
	Submissions                          []htmlSubmission
	Recon                                []htmlRecon
	ReconChart                           *svgChart
}

func statusClass(s kpiStatus) string {
	return [...]string{"nodata", "notrated", "met", "missed"}[s]
}

func optText(v sql.NullFloat64, count bool) string {
	if !v.Valid {
		return "—"
	}
	return fmtKPI(v.Float64, count)
}

func fmtCount(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return strings.Replace(s, ".", ",", 1)
}

// htmlView turns the report into what the template prints.
func htmlView(d *reportData) htmlPage {
	p := htmlPage{
		Title:          "Báo cáo kết quả CCHC quận Thanh Xuân — " + d.Period.Name + " (" + d.Period.Code + ")",
		PeriodName:     d.Period.Name,
		PeriodLine:     d.periodLine(),
		Stamp:          d.stampLine(),
		Score:          d.scoreLine(),
		SubmissionLine: d.submissionLine(),
		ReconLine:      d.reconLine(),
	}
	dist := d.districtUnit().Code
	n := 0
	for _, fam := range d.Families {
		for _, k := range fam.KPIs {
			n++
			v, st := d.value(dist, k.Code)
			missed, judged := d.unitsBelow(k.Code)
			r := htmlCoverRow{N: n, Family: fam.Chapter + " " + fam.Title, Code: k.Code, Name: k.Name, Below: fmt.Sprintf("%d/%d", missed, judged)}
			if st == statusNoData {
				r.Value = htmlCell{"—", "nodata"}
				r.Target = htmlCell{d.targetText(k), "nodata"}
				r.Result = htmlCell{"Theo từng đơn vị", "nodata"}
				r.Num, r.Denom = htmlCell{"—", ""}, htmlCell{"—", ""}
			} else {
				r.Value = htmlCell{optText(v.Value, k.Count), statusClass(st)}
				r.Target = htmlCell{optText(v.Target, k.Count), ""}
				r.Result = htmlCell{st.label(), statusClass(st)}
				r.Num, r.Denom = htmlCell{"—", ""}, htmlCell{"—", ""}
				if v.Numerator.Valid {
					r.Num.Text = fmtCount(v.Numerator.Float64)
				}
				if v.Denominator.Valid {
					r.Denom.Text = fmtCount(v.Denominator.Float64)
				}
			}
			p.Cover = append(p.Cover, r)
		}
	}
	if c := d.coverChart(); len(c.Points) > 0 {
		s := barChart(c, 1040, 440)
		p.CoverChart = &s
	}
	for _, fam := range d.Families {
		hf := htmlFamily{ID: "nhom-" + strings.ReplaceAll(fam.Chapter, ".", "-"), Chapter: fam.Chapter, Title: fam.Title, KPIs: fam.KPIs}
		for _, k := range fam.KPIs {
			hf.Targets = append(hf.Targets, d.targetText(k))
			missed, judged := d.unitsBelow(k.Code)
			hf.Below = append(hf.Below, fmt.Sprintf("%d/%d", missed, judged))
		}
		for i, u := range append([]reportUnit{d.districtUnit()}, d.memberUnits()...) {
			row := htmlMatrixRow{N: fmt.Sprint(i), Name: u.Name, Level: levelLabel(u.Level), District: u.Level == "district"}
			if row.District {
				row.N = ""
			}
			for _, k := range fam.KPIs {
				v, st := d.value(u.Code, k.Code)
				row.Cells = append(row.Cells, htmlCell{optText(v.Value, k.Count), statusClass(st)})
			}
			hf.Rows = append(hf.Rows, row)
		}
		for _, c := range d.familyCharts(fam) {
			hf.Charts = append(hf.Charts, barChart(c, 570, 170))
		}
		hf.Empty = len(hf.Charts) == 0
		p.Families = append(p.Families, hf)
	}
	for i, s := range d.Submissions {
		hs := htmlSubmission{N: i + 1, Name: s.Unit.Name, Level: levelLabel(s.Unit.Level), At: "—", Deadline: fmtDate(s.Deadline), Late: "—", Reports: s.Reports}
		switch {
		case !s.Received:
			hs.Status = htmlCell{"Chưa gửi", "missed"}
		case s.OnTime.Valid && !s.OnTime.Bool:
			hs.Status = htmlCell{"Gửi trễ", "warn"}
		default:
			hs.Status = htmlCell{"Đúng hạn", "met"}
		}
		if s.FirstReceivedAt.Valid {
			hs.At = s.FirstReceivedAt.Time.Format("02/01/2006 15:04")
		}
		if s.DaysLate.Valid {
			hs.Late = fmt.Sprint(s.DaysLate.Int64)
		}
		p.Submissions = append(p.Submissions, hs)
	}
	for i, r := range d.Recon {
		hr := htmlRecon{N: i + 1, Name: r.Unit.Name,
			ReportedTotal: r.ReportedTotal, ComputedTotal: r.ComputedTotal, TotalDiff: r.TotalDiff,
			ReportedOnTime: r.ReportedOnTime, ComputedOnTime: r.ComputedOnTime, OnTimeDiff: r.OnTimeDiff,
			ReportedRate: optText(r.ReportedRate, false), ComputedRate: optText(r.ComputedRate, false), RateDiff: "—",
			Differs: r.TotalDiff != 0 || r.OnTimeDiff != 0}
		if r.ReportedRate.Valid && r.ComputedRate.Valid {
			hr.RateDiff = fmtKPI(r.ReportedRate.Float64-r.ComputedRate.Float64, false)
		}
		p.Recon = append(p.Recon, hr)
	}
	if len(d.Recon) > 0 {
		s := reconSVG(d.Recon)
		p.ReconChart = &s
	}
	return p
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
	Label, Full        string
	TextY              int
	Bars               []svgBar
	HasTarget          bool
	TargetX            int
	TargetY1, TargetY2 int
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
	svgTop    = 34
	svgBottom = 46 // axis labels and legend
)

// barChart lays out c: one bar per point coloured by status, the target as
// a dark tick across the bar's row.
func barChart(c reportChart, width, labelW int) svgChart {
	s := svgChart{Title: c.Title, Width: width, LabelRight: labelW - 6, PlotLeft: labelW, PlotTop: svgTop}
	s.PlotBottom = svgTop + svgRowH*len(c.Points)
	s.AxisY = s.PlotBottom + 14
	s.Height = s.PlotBottom + svgBottom
	plotW := width - labelW - 60 // room for the value text
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
	for i, p := range c.Points {
		y := svgTop + i*svgRowH
		r := svgRow{Label: msg.Clip(p.Label, labelW/7), Full: p.Label, TextY: y + svgBarH - 2}
		// A zero still shows its colour: a missed target at 0% is news.
		w := max(2, x(p.Value)-labelW)
		title := fmt.Sprintf("%s: %s (%s)", p.Label, fmtKPI(p.Value, c.Count), p.Status.label())
		textX := labelW + w + 4
		if p.Target.Valid {
			r.HasTarget, r.TargetX, r.TargetY1, r.TargetY2 = true, x(p.Target.Float64), y, y+svgRowH-4
			textX = max(textX, r.TargetX+5)
		}
		r.Bars = []svgBar{{X: labelW, Y: y + (svgRowH-svgBarH)/2 - 2, W: w, H: svgBarH, Class: statusClass(p.Status), Title: title,
			TextX: textX, TextY: y + svgBarH - 2, Text: fmtKPI(p.Value, c.Count)}}
		s.Rows = append(s.Rows, r)
	}
	ly := s.PlotBottom + 34
	for i, l := range []svgLegend{{Class: "met", Label: "Đạt"}, {Class: "missed", Label: "Chưa đạt"}, {Class: "notrated", Label: "Chưa đánh giá"}, {Class: "target", Label: "Chỉ tiêu"}} {
		l.X, l.Y = labelW+i*min(120, (width-labelW)/4), ly
		s.Legend = append(s.Legend, l)
	}
	return s
}

// reconSVG draws the reported and computed on-time rates of each unit as a
// pair of bars.
func reconSVG(rows []reconRow) svgChart {
	const labelW, width, pair = 200, 1040, 2
	s := svgChart{Title: "Tỷ lệ giải quyết đúng hạn: Biểu 06 và dữ liệu hồ sơ", Width: width, LabelRight: labelW - 6, PlotLeft: labelW, PlotTop: svgTop}
	rowH := pair*svgBarH/2*2 + 10
	s.PlotBottom = svgTop + rowH*len(rows)
	s.AxisY = s.PlotBottom + 14
	s.Height = s.PlotBottom + svgBottom
	plotW := width - labelW - 60
	hi := 1.0
	for _, r := range rows {
		hi = math.Max(hi, math.Max(r.ReportedRate.Float64, r.ComputedRate.Float64))
	}
	top := math.Ceil(hi/0.25-1e-9) * 0.25
	x := func(v float64) int { return labelW + int(math.Round(v/top*float64(plotW))) }
	for v := 0.0; v <= top+1e-9; v += 0.25 {
		s.Ticks = append(s.Ticks, svgTick{X: x(v), Label: fmtKPI(v, false)})
	}
	for i, r := range rows {
		y := svgTop + i*rowH
		sr := svgRow{Label: msg.Clip(r.Unit.Short, labelW/7), Full: r.Unit.Name, TextY: y + svgBarH}
		for j, v := range []struct {
			rate  sql.NullFloat64
			class string
			what  string
		}{{r.ReportedRate, "reported", "Biểu 06"}, {r.ComputedRate, "computed", "hồ sơ"}} {
			if !v.rate.Valid {
				continue
			}
			by := y + j*(svgBarH/2+2)
			w := max(2, x(v.rate.Float64)-labelW)
			sr.Bars = append(sr.Bars, svgBar{X: labelW, Y: by, W: w, H: svgBarH / 2, Class: v.class,
				Title: fmt.Sprintf("%s, theo %s: %s", r.Unit.Name, v.what, fmtKPI(v.rate.Float64, false)),
				TextX: labelW + w + 4, TextY: by + svgBarH/2, Text: fmtKPI(v.rate.Float64, false)})
		}
		s.Rows = append(s.Rows, sr)
	}
	ly := s.PlotBottom + 34
	for i, l := range []svgLegend{{Class: "reported", Label: "Theo Biểu 06"}, {Class: "computed", Label: "Theo hồ sơ"}} {
		l.X, l.Y = labelW+i*160, ly
		s.Legend = append(s.Legend, l)
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

func writeReportHTML(d *reportData, w io.Writer) error {
	return reportTemplate.Execute(w, htmlView(d))
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
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
td.met { background: #c6efce; color: #006100; }
td.missed { background: #ffc7ce; color: #9c0006; }
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
svg line.target { stroke: #1f3864; stroke-width: 2.5; }
svg rect.met { fill: #2e7d32; }
svg rect.missed { fill: #c62828; }
svg rect.notrated { fill: #9e9e9e; }
svg rect.target { fill: #1f3864; }
svg rect.reported { fill: #5b9bd5; }
svg rect.computed { fill: #ed7d31; }
@media print { nav { display: none; } section { page-break-before: always; } }
</style>
</head>
<body>
<header>
<p class="org">ỦY BAN NHÂN DÂN QUẬN THANH XUÂN</p>
<h1>BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH</h1>
<p>{{.PeriodLine}}</p>
<p class="muted">{{.Stamp}}</p>
<nav><a href="#tong-quan">Tổng quan</a>{{range .Families}}<a href="#{{.ID}}">{{.Chapter}}</a>{{end}}<a href="#gui-bao-cao">Gửi báo cáo</a><a href="#doi-chieu">Đối chiếu Biểu 06</a></nav>
</header>

<section id="tong-quan">
<h2>Tổng quan — toàn quận so với chỉ tiêu kế hoạch</h2>
<p class="score">{{.Score}}</p>
<p>{{.SubmissionLine}}</p>
<p>{{.ReconLine}}</p>
<table class="cover">
<thead><tr><th>STT</th><th>Nhóm (mục II kế hoạch)</th><th>Mã KPI</th><th>Chỉ tiêu / KPI</th><th>Giá trị toàn quận</th><th>Chỉ tiêu kế hoạch</th><th>Kết quả</th><th>Tử số</th><th>Mẫu số</th><th>Đơn vị chưa đạt / đã đánh giá</th></tr></thead>
<tbody>
{{range .Cover}}<tr data-kpi="{{.Code}}"><td class="num">{{.N}}</td><td>{{.Family}}</td><td>{{.Code}}</td><td>{{.Name}}</td><td class="{{.Value.Class}}">{{.Value.Text}}</td><td class="num {{.Target.Class}}">{{.Target.Text}}</td><td class="{{.Result.Class}}">{{.Result.Text}}</td><td class="num">{{.Num.Text}}</td><td class="num">{{.Denom.Text}}</td><td class="num">{{.Below}}</td></tr>
{{end}}</tbody>
</table>
{{with .CoverChart}}{{template "chart" .}}{{end}}
</section>

{{range .Families}}
<section id="{{.ID}}">
<h2>{{.Chapter}}. {{.Title}}</h2>
<p class="muted">Xanh: đạt chỉ tiêu · Đỏ: chưa đạt · Xám: chưa đánh giá (kỳ này chưa có chỉ tiêu hoặc mẫu số bằng 0) · —: không có số liệu</p>
<div class="matrix"><table>
<thead><tr><th>STT</th><th>Đơn vị</th><th>Cấp</th>{{range .KPIs}}<th>{{.Name}}</th>{{end}}</tr></thead>
<tbody>
<tr class="code"><td></td><td>Mã KPI</td><td></td>{{range .KPIs}}<td>{{.Code}}</td>{{end}}</tr>
<tr class="target"><td></td><td>Chỉ tiêu kế hoạch</td><td></td>{{range .Targets}}<td>{{.}}</td>{{end}}</tr>
{{range .Rows}}<tr{{if .District}} class="district"{{end}}><td class="num">{{.N}}</td><td>{{.Name}}</td><td>{{.Level}}</td>{{range .Cells}}<td class="{{.Class}}">{{.Text}}</td>{{end}}</tr>
{{end}}<tr class="target"><td></td><td>Số đơn vị chưa đạt / đã đánh giá</td><td></td>{{range .Below}}<td>{{.}}</td>{{end}}</tr>
</tbody>
</table></div>
{{if .Empty}}<p>Chưa có đơn vị nào có số liệu cho nhóm chỉ tiêu này trong kỳ.</p>{{end}}
<div class="charts">{{range .Charts}}{{template "chart" .}}{{end}}</div>
</section>
{{end}}

<section id="gui-bao-cao">
<h2>Tình hình gửi báo cáo định kỳ</h2>
<p>{{.SubmissionLine}}</p>
{{if .Submissions}}<table>
<thead><tr><th>STT</th><th>Đơn vị</th><th>Cấp</th><th>Tình trạng</th><th>Nhận lần đầu (giờ Việt Nam)</th><th>Hạn gửi</th><th>Số ngày trễ</th><th>Số lần gửi</th></tr></thead>
<tbody>
{{range .Submissions}}<tr><td class="num">{{.N}}</td><td>{{.Name}}</td><td>{{.Level}}</td><td class="{{.Status.Class}}">{{.Status.Text}}</td><td class="num">{{.At}}</td><td class="num">{{.Deadline}}</td><td class="num">{{.Late}}</td><td class="num">{{.Reports}}</td></tr>
{{end}}</tbody>
</table>{{end}}
</section>

<section id="doi-chieu">
<h2>Đối chiếu Biểu 06 với dữ liệu hồ sơ</h2>
<p>{{.ReconLine}}</p>
<p class="muted">Báo cáo = số liệu đơn vị tự báo cáo trong Biểu 06; Hồ sơ = tính từ dữ liệu hồ sơ của hệ thống một cửa. Dòng tô vàng: có chênh lệch.</p>
{{if .Recon}}<table>
<thead><tr><th>STT</th><th>Đơn vị</th><th>Đã giải quyết (báo cáo)</th><th>Đã giải quyết (hồ sơ)</th><th>Chênh lệch</th><th>Đúng hạn, trước hạn (báo cáo)</th><th>Đúng hạn, trước hạn (hồ sơ)</th><th>Chênh lệch</th><th>Tỷ lệ đúng hạn (báo cáo)</th><th>Tỷ lệ đúng hạn (hồ sơ)</th><th>Chênh lệch (điểm %)</th></tr></thead>
<tbody>
{{range .Recon}}<tr{{if .Differs}} class="warn"{{end}}><td class="num">{{.N}}</td><td>{{.Name}}</td><td class="num">{{.ReportedTotal}}</td><td class="num">{{.ComputedTotal}}</td><td class="num">{{.TotalDiff}}</td><td class="num">{{.ReportedOnTime}}</td><td class="num">{{.ComputedOnTime}}</td><td class="num">{{.OnTimeDiff}}</td><td class="num">{{.ReportedRate}}</td><td class="num">{{.ComputedRate}}</td><td class="num">{{.RateDiff}}</td></tr>
{{end}}</tbody>
</table>{{end}}
{{with .ReconChart}}{{template "chart" .}}{{end}}
</section>
<footer class="muted"><p>Số liệu từ kho dữ liệu CCHC (marts.kpi_values, marts.report_submissions, marts.tthc_reconciliation) — tạo bởi <code>cchc report</code>.</p></footer>
</body>
</html>
{{define "chart"}}<figure class="chart">
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Title}}">
<text x="6" y="20" class="ct">{{.Title}}</text>
{{range .Ticks}}<line class="grid" x1="{{.X}}" y1="{{$.PlotTop}}" x2="{{.X}}" y2="{{$.PlotBottom}}"/><text class="tick" x="{{.X}}" y="{{$.AxisY}}" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Rows}}<text x="{{$.LabelRight}}" y="{{.TextY}}" text-anchor="end"><title>{{.Full}}</title>{{.Label}}</text>
{{range .Bars}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect><text x="{{.TextX}}" y="{{.TextY}}">{{.Text}}</text>
{{end}}{{if .HasTarget}}<line class="target" x1="{{.TargetX}}" y1="{{.TargetY1}}" x2="{{.TargetX}}" y2="{{.TargetY2}}"/>
{{end}}{{end}}{{range .Legend}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="12" height="12"/><text x="{{.X}}" y="{{.Y}}" dx="16" dy="10">{{.Label}}</text>
{{end}}</svg>
</figure>{{end}}`))
