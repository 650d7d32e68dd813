package render

import (
	"fmt"
	"strings"

	"github.com/thanhxuan/cchc/internal/warehouse"
)

// The report's quality notes: what its figures rest on, said where the
// leadership reads them — a period whose data stop before its end, files
// mostly rejected, KPIs computed from fewer rows than exist — and where each
// report's arrival time comes from.

const sheetQuality = "Chất lượng số liệu"

// incomplete returns the coverage of the period when its data stop before
// its last day.
func (b reportLayout) incomplete() (*warehouse.Coverage, bool) {
	q := b.d.Quality
	if q == nil || q.Coverage == nil || q.Coverage.Complete {
		return nil, false
	}
	return q.Coverage, true
}

// coverageNote is said after the period's window when its data stop
// before its end.
func (b reportLayout) coverageNote() string {
	c, ok := b.incomplete()
	if !ok {
		return ""
	}
	return fmt.Sprintf(" — CHƯA ĐỦ KỲ: số liệu hồ sơ mới có đến %s", fmtDate(warehouse.Date(c.DataThrough)))
}

// coverageHead is the head's line on an incomplete period.
func (b reportLayout) coverageHead() (Line, bool) {
	c, ok := b.incomplete()
	if !ok {
		return Line{}, false
	}
	return Line{Style: LineStrong, Text: fmt.Sprintf(
		"KỲ CHƯA ĐỦ SỐ LIỆU: số liệu hồ sơ mới có đến %s, kỳ kết thúc %s — các chỉ tiêu tính từ hồ sơ chưa phản ánh cả kỳ (xem trang «%s») / the period is not complete: dossier data run through %s",
		fmtDate(warehouse.Date(c.DataThrough)), fmtDate(warehouse.Date(c.LastDay)), sheetQuality, c.DataThrough)}, true
}

// qualityNotes are the rejected files that feed the period.
func (b reportLayout) rejectedFiles() []warehouse.RejectedFile {
	var out []warehouse.RejectedFile
	if q := b.d.Quality; q != nil {
		for _, f := range q.MostlyRejected {
			if f.Feeds(b.d.Period.Code) {
				out = append(out, f)
			}
		}
	}
	return out
}

// unknownKPIs groups the period's rows_unknown by KPI, the district's row
// first when there is one.
func (b reportLayout) unknownKPIs() [][]warehouse.UnknownRows {
	var out [][]warehouse.UnknownRows
	index := map[string]int{}
	if q := b.d.Quality; q != nil {
		for _, u := range q.Unknown {
			i, ok := index[u.KPI]
			if !ok {
				i = len(out)
				index[u.KPI] = i
				out = append(out, nil)
			}
			out[i] = append(out[i], u)
		}
	}
	return out
}

// qualityLine sums the quality notes up on the cover.
func (b reportLayout) qualityLine() Line {
	var parts []string
	if c, ok := b.incomplete(); ok {
		parts = append(parts, "kỳ chưa đủ số liệu (số liệu hồ sơ đến "+fmtDate(warehouse.Date(c.DataThrough))+")")
	}
	if n := len(b.rejectedFiles()); n > 0 {
		parts = append(parts, fmt.Sprintf("%d tệp bị loại quá 1/5 số dòng", n))
	}
	if n := len(b.unknownKPIs()); n > 0 {
		parts = append(parts, fmt.Sprintf("%d chỉ tiêu tính trên ít hồ sơ hơn số hiện có", n))
	}
	if len(parts) == 0 {
		return Line{Text: "Chất lượng số liệu: kỳ đủ số liệu, không có ghi chú — xem trang «" + sheetQuality + "»"}
	}
	return Line{Style: LineStrong, Text: "Chất lượng số liệu: " + strings.Join(parts, "; ") + " — xem trang «" + sheetQuality + "»"}
}

// quality is the sheet of quality notes.
func (b reportLayout) quality() Section {
	d := b.d
	s := Section{
		Sheet: sheetQuality, ID: "chat-luong", Nav: sheetQuality,
		Title: "GHI CHÚ CHẤT LƯỢNG SỐ LIỆU", Heading: "Ghi chú chất lượng số liệu",
		Lines: []Line{
			{Text: b.periodLine(), Only: WorkbookOnly},
			{Text: "Các chỉ tiêu của báo cáo dựa trên số liệu dưới đây; một chỉ tiêu dựng trên kỳ chưa đủ, trên phần còn lại của tệp hỏng hoặc trên ít hồ sơ hơn số hiện có không được coi là chắc chắn.", Style: LineNote},
		},
		Table: Table{
			Columns:    []Column{{"STT", 6}, {"Vấn đề", 30}, {"Chi tiết", 60}, {"Đơn vị liên quan", 40}, {"Kỳ", 20}},
			HeadHeight: 30,
			Empty:      "Không có ghi chú: kỳ đủ số liệu, không tệp nào bị loại quá 1/5 số dòng, mọi chỉ tiêu tính trên đủ hồ sơ.",
		},
	}
	wrap := func(t string) Cell { return Cell{Kind: Text, Text: t, Wrap: true} }
	add := func(issue, detail, units, periods string) {
		s.Table.Rows = append(s.Table.Rows, Row{Kind: RowWarn, Cells: []Cell{
			number(Int, float64(len(s.Table.Rows)+1)), {Kind: Text, Text: issue, Bold: true, Wrap: true}, wrap(detail), wrap(units), wrap(periods)}})
	}
	names := func(codes []string) string {
		var out []string
		for _, c := range codes {
			out = append(out, d.Unit(c).Name)
		}
		return strings.Join(out, ", ")
	}

	// The period's coverage: one row for each date the units' data stop.
	if c, ok := b.incomplete(); ok {
		var dates []string
		byDate := map[string][]string{}
		for _, u := range c.Units {
			if byDate[u.DataThrough] == nil {
				dates = append(dates, u.DataThrough)
			}
			byDate[u.DataThrough] = append(byDate[u.DataThrough], u.Unit)
		}
		if len(dates) == 0 { // the district alone (no unit row names it)
			dates, byDate[c.DataThrough] = []string{c.DataThrough}, []string{d.District().Code}
		}
		for _, day := range dates {
			add("Kỳ chưa đủ số liệu",
				fmt.Sprintf("Số liệu hồ sơ chỉ có đến %s, kỳ kết thúc %s: các chỉ tiêu tính từ hồ sơ (và dòng toàn quận) chưa phản ánh cả kỳ.",
					fmtDate(warehouse.Date(day)), fmtDate(warehouse.Date(c.LastDay))),
				names(byDate[day]), d.Period.Code)
		}
	}

	// Files mostly rejected that feed the period.
	for _, f := range b.rejectedFiles() {
		units := names(f.Units)
		if units == "" {
			units = "—"
		}
		periods := strings.Join(f.Periods, ", ")
		if periods == "" {
			periods = "—"
		}
		add("Tệp bị loại nhiều dòng",
			fmt.Sprintf("Tệp %s: %s số dòng dữ liệu bị loại (%d/%d); các chỉ tiêu dùng tệp này chỉ dựng trên phần còn lại — cần đơn vị gửi lại.",
				f.Path, strings.Replace(fmt.Sprintf("%.0f%%", 100*f.Share), ".", ",", 1), f.Rejected, f.Loaded+f.Rejected),
			units, periods)
	}

	// KPIs computed from fewer rows than exist.
	for _, rows := range b.unknownKPIs() {
		var total warehouse.UnknownRows
		var units []string
		hasDistrict := false
		for _, u := range rows {
			if u.Unit == d.District().Code {
				total, hasDistrict = u, true
				continue
			}
			units = append(units, fmt.Sprintf("%s (%d)", d.Unit(u.Unit).Name, u.Unknown))
		}
		if !hasDistrict {
			for _, u := range rows {
				total.Unknown, total.Counted = total.Unknown+u.Unknown, total.Counted+u.Counted
			}
		}
		add("Chỉ tiêu tính trên ít hồ sơ hơn số hiện có",
			fmt.Sprintf("%s (%s): %d hồ sơ không được tính vì tệp nguồn không có cột chỉ tiêu cần đọc; tỷ lệ tính trên %d hồ sơ.",
				rows[0].KPIName, rows[0].KPI, total.Unknown, total.Counted),
			strings.Join(units, ", "), d.Period.Code)
	}
	return s
}

// sourceLabel says where a report's arrival time comes from.
func sourceLabel(sub warehouse.Submission) string {
	switch sub.Source {
	case "file_time":
		return "Thời điểm tệp"
	case "pulled":
		return "Lần tải về (cchc pull)"
	case "recorded":
		if sub.Note != "" {
			return "Người ghi: " + sub.Note
		}
		return "Người ghi"
	}
	return ""
}
