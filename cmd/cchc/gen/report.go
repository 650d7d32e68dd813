package gen

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// indicator is a row of the KPI catalogue of CONTRACT 5, with its canonical text.
type indicator struct {
	Code, Text, UoM string
	Section         int
}

var reportSections = []string{"CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH",
	"CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", "XÂY DỰNG CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ"}

var catalogue = []indicator{
	{"pakn_received", "Số phản ánh, kiến nghị về TTHC, quy định hành chính đã tiếp nhận", "phản ánh", 0},
	{"pakn_resolved", "Số phản ánh, kiến nghị đã xử lý, thông báo kết quả", "phản ánh", 0},
	{"survey_responses", "Số phiếu khảo sát sự hài lòng thu về", "phiếu", 0},
	{"survey_satisfied", "Số phiếu đánh giá hài lòng, rất hài lòng", "phiếu", 0},
	{"dialogues_held", "Số cuộc đối thoại với người dân, doanh nghiệp về TTHC", "cuộc", 0},
	{"propaganda_forms", "Số hình thức tuyên truyền CCHC đã thực hiện", "hình thức", 0},
	{"tthc_full_online_eligible", "Số TTHC đủ điều kiện cung cấp dịch vụ công trực tuyến toàn trình", "thủ tục", 1},
	{"tthc_full_online_provided", "Số TTHC đã cung cấp dịch vụ công trực tuyến toàn trình", "thủ tục", 1},
	{"results_valid", "Số kết quả giải quyết TTHC còn hiệu lực", "kết quả", 1},
	{"results_digitized", "Số kết quả giải quyết TTHC còn hiệu lực đã được số hóa", "kết quả", 1},
	{"staff_total", "Tổng số cán bộ, công chức, viên chức", "người", 2},
	{"staff_trained_digital", "Số cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng số", "người", 2},
	{"staff_trained_data", "Số cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng phân tích, xử lý dữ liệu", "người", 2},
	{"mgmt_tasks_total", "Tổng số hoạt động chỉ đạo, điều hành, quản trị nội bộ", "hoạt động", 3},
	{"mgmt_tasks_on_platform", "Số hoạt động chỉ đạo, điều hành thực hiện trên nền tảng quản trị công việc tổng thể", "hoạt động", 3},
	{"inspections_total", "Tổng số cuộc kiểm tra", "cuộc", 3},
	{"inspections_digital", "Số cuộc kiểm tra thực hiện qua môi trường số", "cuộc", 3},
	{"archive_docs_total", "Tổng số tài liệu lưu trữ", "tài liệu", 3},
	{"archive_docs_electronic", "Số tài liệu lưu trữ được tạo lập dưới dạng điện tử", "tài liệu", 3},
	{"archive_requests_total", "Tổng số lượt khai thác, sử dụng tài liệu lưu trữ", "lượt", 3},
	{"archive_requests_online", "Số lượt khai thác, sử dụng tài liệu lưu trữ trên môi trường mạng", "lượt", 3},
}

// denominatorOf pairs each numerator indicator with its denominator (CONTRACT 5).
var denominatorOf = map[string]string{
	"pakn_resolved": "pakn_received", "survey_satisfied": "survey_responses",
	"tthc_full_online_provided": "tthc_full_online_eligible", "results_digitized": "results_valid",
	"staff_trained_digital": "staff_total", "staff_trained_data": "staff_total",
	"mgmt_tasks_on_platform": "mgmt_tasks_total", "inspections_digital": "inspections_total",
	"archive_docs_electronic": "archive_docs_total", "archive_requests_online": "archive_requests_total",
}

// indicatorValues draws a unit's figures for a period; cumulative periods grow
// with their months, head counts and stocks do not.
func (g *generator) indicatorValues(u *unit, p Period, variant string) map[string]int {
	base := newRNG(g.opt.Seed, "indicator-base", u.Code)
	r := newRNG(g.opt.Seed, "indicators", u.Code, p.Code, variant)
	m := float64(p.closingMonth) / 3
	flow := func(lo, hi int) int { return int(float64(base.between(lo, hi))*m*(0.9+0.2*r.float()) + 0.5) }
	share := func(of int, lo, hi float64) int { return int(float64(of)*(lo+(hi-lo)*r.float()) + 0.5) }
	v := map[string]int{}
	v["staff_total"] = base.between(12, 60)
	v["staff_trained_digital"] = share(v["staff_total"], 0.6, 1)
	v["staff_trained_data"] = share(v["staff_total"], 0.15, 0.5)
	v["pakn_received"] = flow(4, 30)
	v["pakn_resolved"] = v["pakn_received"] - min(v["pakn_received"], r.intn(3))
	v["survey_responses"] = flow(80, 300)
	v["survey_satisfied"] = share(v["survey_responses"], 0.8, 1)
	v["dialogues_held"] = r.intn(int(m) + 2)
	v["propaganda_forms"] = r.between(1, 6)
	v["tthc_full_online_eligible"] = base.between(18, 60)
	v["tthc_full_online_provided"] = v["tthc_full_online_eligible"] - r.intn(6)
	v["results_valid"] = flow(400, 2500)
	v["results_digitized"] = share(v["results_valid"], 0.4, 1)
	v["mgmt_tasks_total"] = flow(30, 90)
	v["mgmt_tasks_on_platform"] = share(v["mgmt_tasks_total"], 0.5, 1)
	v["inspections_total"] = flow(2, 6)
	v["inspections_digital"] = share(v["inspections_total"], 0.2, 1)
	v["archive_docs_total"] = base.between(800, 15000)
	v["archive_docs_electronic"] = share(v["archive_docs_total"], 0.5, 1)
	v["archive_requests_total"] = flow(40, 300)
	v["archive_requests_online"] = share(v["archive_requests_total"], 0.6, 1)
	return v
}

// reportPlan is one unit report workbook.
type reportPlan struct {
	u        *unit
	p        Period
	path     string
	mtime    time.Time
	values   map[string]int
	final    bool   // the report in force for its unit and period
	replaces string // path of the report it replaces
	plant    string // reject planted in it
	withB06  bool
	tcvn     bool
	q        quirks
}

// summaryPlan is one Biểu 06 (its own workbook, or a sheet of a report).
type summaryPlan struct {
	u      *unit
	p      Period
	path   string // standalone workbook path, or the report's
	sheet  string
	mtime  time.Time
	report *reportPlan
	plant  string // b06_inconsistent, b06_inflated or negative_value
	tcvn   bool
	q      quirks
}

func (g *generator) writeReports() error {
	r := newRNG(g.opt.Seed, "plan", "reports")
	messy := g.opt.Messy
	var reports []*reportPlan
	for _, p := range g.periods {
		for _, u := range g.units {
			if messy && r.chance(0.07) {
				continue // a unit that never reported this period
			}
			rp := &reportPlan{u: u, p: p, final: true, q: quirks{}}
			rp.values = g.indicatorValues(u, p, "final")
			rp.mtime = g.reportTime(r, p)
			rp.path = g.reportPath(r, u, p, "")
			reports = append(reports, rp)
		}
	}
	// Re-sent reports: a supplement (_bosung) after the original, and a final
	// version after a draft (_nhap). Either way the later file is in force.
	var extra []*reportPlan
	if len(reports) >= 2 {
		idx := []int{r.intn(len(reports)), r.intn(len(reports))}
		if idx[1] == idx[0] {
			idx[1] = (idx[0] + 1) % len(reports)
		}
		orig := reports[idx[0]]
		orig.final = false
		orig.values = g.indicatorValues(orig.u, orig.p, "draft")
		bos := &reportPlan{u: orig.u, p: orig.p, final: true, replaces: orig.path, q: quirks{"resent": true},
			values: g.indicatorValues(orig.u, orig.p, "final"), mtime: orig.mtime.Add(time.Duration(r.between(20, 50)) * time.Hour)}
		bos.path = strings.TrimSuffix(orig.path, ".xlsx") + "_bosung.xlsx"
		extra = append(extra, bos)

		fin := reports[idx[1]]
		draft := &reportPlan{u: fin.u, p: fin.p, q: quirks{}, values: g.indicatorValues(fin.u, fin.p, "draft"),
			mtime: fin.mtime.Add(-time.Duration(r.between(20, 30)) * time.Hour)}
		draft.path = strings.TrimSuffix(fin.path, ".xlsx") + "_nhap.xlsx"
		fin.replaces = draft.path
		fin.q.add("resent")
		extra = append(extra, draft)
		if messy {
			draft.plant = rNegative
		}
	}
	reports = append(reports, extra...)
	if messy {
		for _, i := range perm(r, len(reports)) {
			if reports[i].final && reports[i].plant == "" && reports[i].replaces == "" {
				reports[i].plant = rNumAboveDen
				break
			}
		}
		if g.opt.TCVN3 {
			for _, i := range perm(r, len(reports)) {
				if reports[i].u.Ward {
					reports[i].tcvn = true
					break
				}
			}
		}
	}

	// Biểu 06: for units with dossiers, in the report workbook or on its own.
	byUnit := map[string][]Dossier{}
	for _, d := range g.t.Dossiers {
		byUnit[d.UnitCode] = append(byUnit[d.UnitCode], d)
	}
	var sums []*summaryPlan
	for _, p := range g.periods {
		for _, u := range g.units {
			if len(byUnit[u.Code]) == 0 || messy && r.chance(0.2) {
				continue
			}
			sp := &summaryPlan{u: u, p: p, q: quirks{}}
			var host *reportPlan
			for _, rp := range reports {
				if rp.u == u && rp.p.Code == p.Code && rp.final && rp.replaces == "" {
					host = rp
				}
			}
			if host != nil && r.chance(0.4) {
				host.withB06 = true
				sp.report, sp.path, sp.mtime = host, host.path, host.mtime
				sp.sheet = pick(r, []string{"Bieu 06", "TTHC", "Biểu 06"})
			} else {
				sp.sheet = "TTHC"
				sp.mtime = g.reportTime(r, p)
				if host != nil {
					sp.mtime = host.mtime.Add(5 * time.Minute)
				}
				if r.chance(0.75) || u.Code == "van_phong" {
					sp.path = fmt.Sprintf("Bieu06_%s_%s.xlsx", u.Code, p.bieuFileSuffix)
				} else {
					sp.path = fmt.Sprintf("Bieu 06 TTHC - %s - %s.xlsx", u.fileToken(&rng{s: r.next()}), pick(r, p.fileTokens))
				}
				if messy && r.chance(0.5) {
					sp.path = "bao_cao/bieu_06/" + sp.path
				}
			}
			sums = append(sums, sp)
		}
	}
	if messy {
		plants := []string{"b06_inconsistent", "b06_inflated", rNegative}
		for i, j := range perm(r, len(sums)) {
			if i >= len(plants) {
				break
			}
			sums[j].plant = plants[i]
		}
		if g.opt.TCVN3 {
			for _, i := range perm(r, len(sums)) {
				if sums[i].u.Ward && sums[i].plant == "" {
					sums[i].tcvn = true
					break
				}
			}
		}
	}

	for _, rp := range reports {
		if err := g.writeReport(rp, sums, byUnit); err != nil {
			return fmt.Errorf("gen: %s: %w", rp.path, err)
		}
	}
	for _, sp := range sums {
		if sp.report != nil {
			continue
		}
		f := excelize.NewFile()
		if err := f.SetSheetName("Sheet1", sp.sheet); err != nil {
			f.Close()
			return err
		}
		rows, err := g.writeBieu06(f, sp, byUnit[sp.u.Code])
		if err == nil {
			err = g.saveXLSX(f, sp.path)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("gen: %s: %w", sp.path, err)
		}
		if err := g.addFile(FileTruth{Path: sp.path, Kind: "tthc_summary", UnitCode: sp.u.Code, PeriodCode: sp.p.Code,
			ModTime: sp.mtime, Rows: rows, Quirks: sp.q.list()}); err != nil {
			return err
		}
	}
	return nil
}

func perm(r *rng, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	shuffle(r, p)
	return p
}

// reportTime is when a unit sent its report: most in the days before the
// deadline, some late.
func (g *generator) reportTime(r *rng, p Period) time.Time {
	day := p.Deadline.AddDate(0, 0, -r.between(0, 6))
	if g.opt.Messy && r.chance(0.15) {
		day = p.Deadline.AddDate(0, 0, r.between(1, 9))
	}
	return local(day.Add(time.Duration(r.between(7*60+30, 17*60)) * time.Minute))
}

func (g *generator) reportPath(r *rng, u *unit, p Period, suffix string) string {
	tok := u.fileToken(&rng{s: r.next()})
	if u.Code == "van_phong" {
		tok = "vanphong"
	}
	compact := strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(tok))
	var name string
	kind := r.intn(4)
	if u.Code == "van_phong" {
		kind = 0
	}
	switch kind {
	case 0:
		name = fmt.Sprintf("BC_CCHC_%s_%s", p.fileTokens[0], compact)
	case 1:
		name = fmt.Sprintf("Bao cao CCHC %s - %s %s", p.fileTokens[0], map[bool]string{true: "Phuong", false: "Phong"}[u.Ward],
			stripDia(u.Short))
	case 2:
		name = fmt.Sprintf("%s_%s", strings.ReplaceAll(tok, " ", "-"), p.fileTokens[1])
	default:
		name = fmt.Sprintf("BaoCao_%s_%s", strings.ReplaceAll(tok, " ", ""), pick(r, p.fileTokens))
	}
	name += suffix + ".xlsx"
	if g.opt.Messy && r.chance(0.5) {
		name = map[bool]string{true: "bao_cao/phuong/", false: "bao_cao/phong_ban/"}[u.Ward] + name
	}
	return name
}

func (g *generator) saveXLSX(f *excelize.File, rel string) error {
	abs, err := g.create(rel)
	if err != nil {
		return err
	}
	return f.SaveAs(abs)
}

// rcol is a column of a unit report.
type rcol struct{ key, head string }

// writeReport writes one unit report workbook (with its Biểu 06 sheet when
// planned) and files its truth.
func (g *generator) writeReport(rp *reportPlan, sums []*summaryPlan, byUnit map[string][]Dossier) error {
	r := newRNG(g.opt.Seed, "report", rp.path)
	messy, q, u, p := g.opt.Messy, rp.q, rp.u, rp.p
	f := excelize.NewFile()
	defer f.Close()
	sheet := "PL1"
	if messy {
		sheet = pick(r, []string{"PL1", "Báo cáo", "Sheet1", "Phu luc", "BC CCHC"})
	}
	first := sheet
	if messy && r.chance(0.15) {
		first = "Hướng dẫn"
		q.add("notes_sheet_first")
	}
	if err := f.SetSheetName("Sheet1", first); err != nil {
		return err
	}
	if first != sheet {
		f.SetCellValue(first, "A1", "Hướng dẫn: số liệu lũy kế từ ngày 05/12 năm trước đến ngày 04 của tháng cuối kỳ.")
		if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
	}
	s := &cellSink{f: f, sheet: sheet}

	// Columns.
	cols := []rcol{{"stt", "STT"}}
	if messy && r.chance(0.35) {
		cols = append(cols, rcol{"code", "Mã chỉ tiêu"})
		q.add("code_column")
	}
	cols = append(cols, rcol{"text", "Nội dung"}, rcol{"uom", "Đơn vị tính"})
	if messy && r.chance(0.5) {
		cols = append(cols, rcol{"plan", "Kế hoạch"})
	}
	cols = append(cols, rcol{"value", "Kết quả"})
	if messy && r.chance(0.45) {
		cols = append(cols, rcol{"pct", "Tỷ lệ (%)"})
	}
	if messy && r.chance(0.45) {
		cols = append(cols, rcol{"note", "Ghi chú"})
	}
	if messy {
		variants := map[string][]string{"stt": {"STT", "TT", "Số TT"}, "text": {"Nội dung", "Chỉ tiêu", "Nội dung/Chỉ tiêu", "Nội dung chỉ tiêu"},
			"uom": {"Đơn vị tính", "ĐVT"}, "value": {"Kết quả", "Thực hiện", "Số liệu", "Kết quả thực hiện"}}
		for i := range cols {
			if v, ok := variants[cols[i].key]; ok {
				cols[i].head = pick(r, v)
			}
			if r.chance(0.5) {
				cols[i].head = messText(r, cols[i].head, "header", true, q)
			}
		}
	}
	width := len(cols)
	at := map[string]int{}
	for i, c := range cols {
		at[c.key] = i
	}

	// Title rows.
	unitLine := !messy || u.Code == "van_phong" || r.chance(0.85)
	periodLine := !messy || r.chance(0.85)
	var titles []string
	// The district line only ever stands above the unit's own line: alone it
	// would name the district as the reporting unit.
	if unitLine && messy && r.chance(0.5) {
		titles = append(titles, "UBND QUẬN THANH XUÂN")
	}
	if unitLine {
		t := u.titleName()
		if rp.tcvn {
			if enc, ok := tcvn3("UBND phường " + u.Short); ok {
				t = enc
				q.add("tcvn3")
			}
		}
		titles = append(titles, t)
	} else {
		q.add("unit_from_filename")
	}
	title := "BÁO CÁO KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"
	if periodLine {
		pt := p.titleUpper
		if p.Kind == "6M" && messy && r.chance(0.4) {
			pt = strings.Replace(pt, " ĐẦU", "", 1)
		}
		title += " " + pt
	} else {
		q.add("period_from_filename")
	}
	titles = append(titles, title)
	if !messy || r.chance(0.7) {
		titles = append(titles, "(Kèm theo Báo cáo số      /BC-UBND)")
	}
	for _, t := range titles {
		n, err := s.put([]cell{txt(t)})
		if err != nil {
			return err
		}
		if err := s.merge(n, 1, n, width); err != nil {
			return err
		}
	}
	q.add("title_rows")
	s.skip()

	head := make([]cell, width)
	for i, c := range cols {
		head[i] = txt(c.head)
	}
	if _, err := s.put(head); err != nil {
		return err
	}
	if messy && r.chance(0.35) {
		nums := make([]cell, width)
		for i := range nums {
			nums[i] = txt(fmt.Sprintf("(%d)", i+1))
		}
		s.put(nums)
		q.add("number_row")
	}

	// Which indicators, and the planted faults.
	omit := map[string]bool{}
	if messy {
		for i, n := 0, r.intn(3); i < n; i++ {
			omit[pick(r, catalogue).Code] = true
		}
	}
	bad := map[string]string{} // code → bad value text
	switch rp.plant {
	case rNegative:
		c := pick(r, []string{"dialogues_held", "propaganda_forms", "inspections_digital", "archive_requests_online", "staff_trained_data"})
		delete(omit, c)
		bad[c] = fmt.Sprintf("-%d", r.between(1, 9))
	case rNumAboveDen:
		num := pick(r, []string{"survey_satisfied", "pakn_resolved", "archive_docs_electronic"})
		den := denominatorOf[num]
		delete(omit, num)
		delete(omit, den)
		bad[num] = fmt.Sprint(rp.values[den] + r.between(3, 30))
	}
	pctStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	sttStyle := r.intn(3)
	sectionStyle := r.intn(2)
	numbering := []string{"1. ", "a) ", "- ", "+ ", "1.1. ", "2.3) ", "* "}
	n := 0
	for si, sec := range reportSections {
		if si > 0 && messy && r.chance(0.3) {
			// A free-text line between sections: kept as an unmatched line.
			row := make([]cell, width)
			row[at["text"]] = txt(pick(r, []string{"Đánh giá chung: hoàn thành", "Đánh giá: đạt yêu cầu", "Nhận xét: cơ bản hoàn thành nhiệm vụ"}))
			s.put(row)
			q.add("note_rows")
		}
		row := make([]cell, width)
		if sectionStyle == 0 || !messy {
			row[0] = txt(roman(si + 1))
			row[at["text"]] = txt(sec)
			s.put(row)
		} else {
			row[0] = txt(roman(si+1) + ". " + sec)
			nr, _ := s.put(row)
			s.merge(nr, 1, nr, width)
		}
		q.add("section_rows")
		k := 0
		for _, ind := range catalogue {
			if ind.Section != si {
				continue
			}
			n++
			k++
			if omit[ind.Code] {
				continue
			}
			row := make([]cell, width)
			switch sttStyle {
			case 0:
				row[0] = cell{v: n}
			case 1:
				row[0] = txt(fmt.Sprintf("%s.%d", roman(si+1), n))
			default:
				row[0] = txt(fmt.Sprintf("%d.%d", si+1, k))
			}
			if c, ok := at["code"]; ok {
				row[c] = txt(ind.Code)
			}
			label := ind.Text
			if messy && r.chance(0.5) {
				switch r.intn(6) {
				case 0:
					label = pick(r, numbering) + label
					q.add("label_numbering")
				case 1:
					label += ":"
					q.add("label_colon")
				case 2:
					label = strings.ReplaceAll(label, ", ", " ,  ")
					q.add("label_spaces")
				default:
					label = messText(r, label, "label", true, q)
				}
			}
			row[at["text"]] = txt(label)
			row[at["uom"]] = txt(ind.UoM)
			val := rp.values[ind.Code]
			if c, ok := at["plan"]; ok && r.chance(0.4) {
				if _, isNum := denominatorOf[ind.Code]; isNum {
					row[c] = txt("100%")
				} else {
					row[c] = cell{v: val + r.intn(5)}
				}
			}
			reason := ""
			if b, ok := bad[ind.Code]; ok {
				row[at["value"]] = txt(b)
				reason = rp.plant
			} else {
				row[at["value"]] = g.reportNumber(r, val, q)
			}
			if c, ok := at["pct"]; ok && reason == "" {
				if den, isNum := denominatorOf[ind.Code]; isNum && rp.values[den] > 0 && !omit[den] {
					ratio := float64(val) / float64(rp.values[den])
					switch r.intn(3) {
					case 0:
						row[c] = cell{v: ratio, style: pctStyle}
					case 1:
						row[c] = txt(strings.Replace(fmt.Sprintf("%.1f%%", ratio*100), ".", ",", 1))
					default:
						row[c] = cell{v: float64(int(ratio*10000+0.5)) / 10000}
					}
				}
			}
			if c, ok := at["note"]; ok && r.chance(0.2) {
				row[c] = txt(pick(r, []string{"Lũy kế", "Tăng so với cùng kỳ", "Số liệu ước"}))
			}
			nr, err := s.put(row)
			if err != nil {
				return err
			}
			switch {
			case reason != "":
				g.t.Rejects = append(g.t.Rejects, RejectTruth{File: rp.path, Sheet: sheet, Row: nr, Reason: reason, Column: "value", Value: bad[ind.Code]})
				if reason == rNegative {
					q.add("negative_value")
				}
			case rp.final:
				g.t.Indicators = append(g.t.Indicators, IndicatorTruth{UnitCode: u.Code, PeriodCode: p.Code,
					IndicatorCode: ind.Code, Value: float64(val), File: rp.path, Sheet: sheet, Row: nr})
			}
		}
	}
	rows := n - len(omit)
	if messy && r.chance(0.5) {
		row := make([]cell, width)
		row[at["text"]] = txt(fmt.Sprintf("Ghi chú: số liệu lũy kế từ ngày %s", p.Start.Format("02/01/2006")))
		s.put(row)
		q.add("note_rows")
	}
	s.skip()
	sign := p.Deadline.AddDate(0, 0, -1)
	footer := make([]cell, width)
	footer[min(2, width-1)] = txt(fmt.Sprintf("Thanh Xuân, ngày %02d tháng %d năm %d", sign.Day(), int(sign.Month()), sign.Year()))
	s.put(footer)
	footer = make([]cell, width)
	footer[1] = txt("NGƯỜI LẬP BIỂU")
	footer[min(3, width-1)] = txt(map[bool]string{true: "CHỦ TỊCH", false: "TRƯỞNG PHÒNG"}[u.Ward])
	s.put(footer)
	q.add("footer")

	if rp.withB06 {
		for _, sp := range sums {
			if sp.report == rp {
				if _, err := f.NewSheet(sp.sheet); err != nil {
					return err
				}
				if _, err := g.writeBieu06(f, sp, byUnit[u.Code]); err != nil {
					return err
				}
				for _, t := range sp.q.list() {
					q.add(t)
				}
			}
		}
	}
	if err := g.saveXLSX(f, rp.path); err != nil {
		return err
	}
	return g.addFile(FileTruth{Path: rp.path, Kind: "unit_report", UnitCode: u.Code, PeriodCode: p.Code,
		ModTime: rp.mtime, Replaces: rp.replaces, WithSummary: rp.withB06, Rows: rows, Quirks: q.list()})
}

// reportNumber writes a count the ways ward staff type them.
func (g *generator) reportNumber(r *rng, v int, q quirks) cell {
	if !g.opt.Messy {
		return cell{v: v}
	}
	switch r.weighted(55, 15, 15, 15) {
	case 1:
		q.add("number_text")
		return txt(vnThousands(v))
	case 2:
		q.add("number_text_padded")
		return txt("\u00a0" + vnThousands(v) + " ")
	case 3:
		return cell{v: float64(v)}
	}
	return cell{v: v}
}

// vnThousands writes 12266 as "12.266" (Vietnamese digit grouping).
func vnThousands(v int) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// b06counts are the columns (3)..(13) of one field row.
type b06counts [11]int

// bieu06Counts derives a unit's Biểu 06 for a period from its dossiers, as
// CONTRACT 3.3 and 5 define the columns (withdrawn and refused excluded).
func bieu06Counts(ds []Dossier, p Period) (fields []string, rows map[string]*b06counts) {
	rows = map[string]*b06counts{}
	last := p.End.AddDate(0, 0, -1)
	for _, d := range ds {
		if d.Status == "withdrawn" || d.Status == "refused" || !d.ReceivedDate.Before(p.End) {
			continue
		}
		resolvedBefore := d.Status == "resolved" && d.CompletedDate.Before(p.Start)
		if resolvedBefore {
			continue
		}
		c := rows[d.Field]
		if c == nil {
			c = &b06counts{}
			rows[d.Field] = c
			fields = append(fields, d.Field)
		}
		c[0]++
		switch {
		case d.ReceivedDate.Before(p.Start):
			c[3]++
		case d.Channel == "online":
			c[1]++
		default:
			c[2]++
		}
		if d.Status == "resolved" && d.CompletedDate.Before(p.End) {
			c[4]++
			switch d.CompletedDate.Compare(d.DueDate) {
			case -1:
				c[5]++
			case 0:
				c[6]++
			default:
				c[7]++
			}
		} else {
			c[8]++
			if !d.DueDate.Before(last) {
				c[9]++
			} else {
				c[10]++
			}
		}
	}
	sort.Slice(fields, func(i, j int) bool { return stripDia(fields[i]) < stripDia(fields[j]) })
	return fields, rows
}

func consistent(c b06counts) bool {
	return c[0] == c[1]+c[2]+c[3] && c[4] == c[5]+c[6]+c[7] && c[8] == c[9]+c[10] && c[0] == c[4]+c[8]
}

var b06Names = []string{"received_total", "received_online", "received_counter_postal", "carried_over",
	"resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
	"in_progress_total", "in_progress_within_deadline", "in_progress_overdue"}

// writeBieu06 writes the form on sheet sp.sheet of f, in the real form's
// layout: six title rows, the three-row merged header, the column numbers, the
// group row, field rows and the total. It returns the number of field rows.
func (g *generator) writeBieu06(f *excelize.File, sp *summaryPlan, ds []Dossier) (int, error) {
	r := newRNG(g.opt.Seed, "bieu06", sp.path, sp.sheet)
	messy, q, u, p := g.opt.Messy, sp.q, sp.u, sp.p
	s := &cellSink{f: f, sheet: sp.sheet}
	const width = 13
	lastDay := p.End.AddDate(0, 0, -1)
	who := "UBND " + pick(r, []string{"Phường ", "phường "}) + u.Short
	if !u.Ward {
		who = u.Name
	} else if messy && r.chance(0.3) {
		who = pick(r, u.aliases()[1:5])
	}
	reporting := "Đơn vị báo cáo: " + who
	if sp.tcvn {
		if enc, ok := tcvn3(reporting); ok {
			reporting = enc
			q.add("tcvn3")
		}
	}
	receiving := "Đơn vị nhận báo cáo: UBND quận Thanh Xuân"
	period := fmt.Sprintf("Kỳ báo cáo: %s%s (Từ ngày %s đến ngày %s)", strings.ToUpper(p.titleLower[:1]), p.titleLower[1:],
		p.Start.Format("02/01/2006"), lastDay.Format("02/01/2006"))
	titles := []string{"Biểu số 06/VPCP/KSTT",
		"TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC", period, reporting, receiving,
		"Đơn vị tính: Số hồ sơ TTHC."}
	if messy && r.chance(0.3) {
		titles[3], titles[4] = titles[4], titles[3]
		q.add("b06_receiver_first")
	}
	for _, t := range titles {
		n, err := s.put([]cell{txt(t)})
		if err != nil {
			return 0, err
		}
		s.merge(n, 1, n, width)
	}
	q.add("title_rows")

	label := func(opts ...string) string {
		l := opts[0]
		if messy {
			l = pick(r, opts)
			if l != opts[0] {
				q.add("b06_variant_wording")
			}
			if r.chance(0.15) {
				l = messText(r, l, "header", true, q)
			}
		}
		return l
	}
	h := s.next()
	row1 := make([]cell, width)
	row1[0], row1[1] = txt("STT"), txt(label("Lĩnh vực, công việc giải quyết theo cấp", "Lĩnh vực"))
	row1[2], row1[6] = txt(label("Số hồ sơ nhận giải quyết")), txt(label("Kết quả giải quyết"))
	row2 := make([]cell, width)
	row2[2], row2[3] = txt(label("Tổng số")), txt(label("Trong đó"))
	row2[6], row2[10] = txt(label("Số hồ sơ đã giải quyết")), txt(label("Số hồ sơ đang giải quyết"))
	row3 := make([]cell, width)
	row3[3] = txt(label("Trực tuyến", "Số mới tiếp nhận trực tuyến"))
	row3[4] = txt(label("Trực tiếp, dịch vụ bưu chính", "Số mới tiếp nhận trực tiếp"))
	row3[5] = txt(label("Từ kỳ trước", "Số kỳ trước chuyển qua"))
	row3[6] = txt(label("Tổng số"))
	row3[7] = txt(label("Trước hạn", "Trả trước hạn"))
	row3[8] = txt(label("Đúng hạn", "Trả đúng thời hạn"))
	row3[9] = txt(label("Quá hạn", "Trả quá hạn"))
	row3[10] = txt(label("Tổng số"))
	row3[11] = txt(label("Trong hạn", "Chưa đến hạn"))
	row3[12] = txt(label("Quá hạn"))
	for _, row := range [][]cell{row1, row2, row3} {
		if _, err := s.put(row); err != nil {
			return 0, err
		}
	}
	for _, m := range [][4]int{{h, 1, h + 2, 1}, {h, 2, h + 2, 2}, {h, 3, h, 6}, {h, 7, h, 13},
		{h + 1, 3, h + 2, 3}, {h + 1, 4, h + 1, 6}, {h + 1, 7, h + 1, 10}, {h + 1, 11, h + 1, 13}} {
		if err := s.merge(m[0], m[1], m[2], m[3]); err != nil {
			return 0, err
		}
	}
	q.add("two_row_header")
	if !messy || r.chance(0.85) {
		nums := make([]cell, width)
		paren := !messy || r.chance(0.7)
		for i := range nums {
			if paren {
				nums[i] = txt(fmt.Sprintf("(%d)", i+1))
			} else {
				nums[i] = cell{v: i + 1}
			}
		}
		s.put(nums)
		q.add("number_row")
	}
	group := make([]cell, width)
	group[0], group[1] = txt("I"), txt(map[bool]string{true: "Cấp phường", false: "Cấp huyện"}[u.Ward])
	gr, _ := s.put(group)
	s.merge(gr, 2, gr, width)
	q.add("section_rows")

	fields, counts := bieu06Counts(ds, p)
	plantAt := -1
	if sp.plant != "" && len(fields) > 0 {
		plantAt = r.intn(len(fields))
	}
	var total b06counts
	for i, field := range fields {
		c := *counts[field]
		negCol := -1
		if i == plantAt {
			switch sp.plant {
			case "b06_inconsistent":
				c[1] += 2 // (3) no longer equals (4)+(5)+(6)
			case "b06_inflated":
				// The ward's own figures, more than its dossiers show, yet
				// every identity holds.
				k := r.between(1, 4)
				c[0], c[2], c[4], c[6] = c[0]+k, c[2]+k, c[4]+k, c[6]+k
			case rNegative:
				negCol = 3
				c[3] = -r.between(1, 3)
			}
			q.add(sp.plant)
		}
		row := make([]cell, width)
		row[0] = cell{v: i + 1}
		row[1] = txt(field)
		for j, v := range c {
			row[2+j] = cell{v: v}
			if messy && j != negCol && r.chance(0.1) {
				row[2+j] = txt(fmt.Sprint(v))
				q.add("number_text")
			}
		}
		if negCol >= 0 {
			row[2+negCol] = txt(fmt.Sprint(c[negCol]))
		}
		n, err := s.put(row)
		if err != nil {
			return 0, err
		}
		for j := range total {
			total[j] += c[j]
		}
		if negCol >= 0 {
			g.t.Rejects = append(g.t.Rejects, RejectTruth{File: sp.path, Sheet: sp.sheet, Row: n, Reason: rNegative,
				Column: b06Names[negCol], Value: fmt.Sprint(c[negCol])})
			continue
		}
		g.t.Summaries = append(g.t.Summaries, SummaryTruth{UnitCode: u.Code, PeriodCode: p.Code, Field: field,
			FieldGroup: FieldGroup(field), ReceivedTotal: c[0], ReceivedOnline: c[1], ReceivedCounterPostal: c[2],
			CarriedOver: c[3], ResolvedTotal: c[4], ResolvedEarly: c[5], ResolvedOnTime: c[6], ResolvedLate: c[7],
			InProgressTotal: c[8], InProgressWithinDeadline: c[9], InProgressOverdue: c[10],
			Consistent: consistent(c), File: sp.path, Sheet: sp.sheet, Row: n})
	}
	tot := make([]cell, width)
	tot[1] = txt(pick(r, []string{"Tổng cộng", "Tổng cộng", "Tổng số"}))
	for j, v := range total {
		tot[2+j] = cell{v: v}
	}
	s.put(tot)
	q.add("total_row")
	s.skip()
	foot := make([]cell, width)
	foot[1], foot[7] = txt("NGƯỜI LẬP BIỂU"), txt("THỦ TRƯỞNG ĐƠN VỊ")
	s.put(foot)
	q.add("footer")
	return len(fields), nil
}
