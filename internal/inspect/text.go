package inspect

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/msg"
)

// WriteText writes the report for people: Vietnamese headings with English
// beside them, a file after another, and at the end the seed lines to add.
func WriteText(w io.Writer, r *Report) error {
	p := &printer{w: w}
	for i, f := range r.Files {
		if i > 0 {
			p.line("")
		}
		p.file(f)
	}
	p.suggestions(r)
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// table writes rows of cells, aligned; every row should have as many cells
// (an empty one ends an alignment otherwise).
func (p *printer) table(rows [][]string) {
	if p.err != nil || len(rows) == 0 {
		return
	}
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	for _, l := range strings.SplitAfter(b.String(), "\n") {
		if l != "" {
			p.line("%s", strings.TrimRight(l, " \n"))
		}
	}
}

func (p *printer) file(f *File) {
	p.line("TỆP / FILE %s", f.Path)
	if f.Error != "" {
		p.line("  KHÔNG MỞ ĐƯỢC / CANNOT BE OPENED: %s", msg.Clip(f.Error, 500))
		return
	}
	p.line("  định dạng / format: %s, %s", dash(f.Format), size(f.Size))
	if f.WouldLoad {
		p.line("  một lần chạy sẽ nạp / a run would load it: %d dòng / rows, %d dòng bị loại / rows rejected", f.RowsLoaded, f.RowsRejected)
	} else {
		p.line("  một lần chạy sẽ ghi tệp là lỗi / a run would record it failed: %s", msg.Clip(f.Failure, 500))
	}
	for _, n := range f.Notes {
		p.line("  ghi chú / note: %s", msg.Clip(n, 300))
	}
	if f.Closest != nil {
		p.line("")
		p.line("  TIÊU ĐỀ GẦN NHẤT / CLOSEST HEADER: bảng / sheet %s, loại / kind %s, thiếu / missing: %s",
			sheetName(f.Closest.Name), f.Closest.Kind, strings.Join(f.Closest.Missing, ", "))
		p.header(f.Closest)
		p.columns(f.Closest)
	}
	for _, s := range f.Sheets {
		p.line("")
		p.sheet(s)
	}
}

func (p *printer) sheet(s *Sheet) {
	p.line("  BẢNG / SHEET %s — loại / kind: %s", sheetName(s.Name), s.Kind)
	if s.KindDoc != "" {
		p.line("    %s", s.KindDoc)
	}
	unit := dash(s.Unit) + evidenceText(s.UnitFrom)
	if s.UnitColumn != "" {
		unit = fmt.Sprintf("cột / column %q, từng dòng / per row (ô trống / empty cell: %s)", s.UnitColumn, unit)
	}
	p.line("    đơn vị / unit: %s", unit)
	period := dash(s.Period)
	if s.PeriodText != "" {
		period = fmt.Sprintf("— %q không phải kỳ của kế hoạch / is no period of the plan", s.PeriodText)
	}
	p.line("    kỳ / period: %s%s", period, evidenceText(s.PeriodFrom))
	p.header(s)
	p.columns(s)
	p.values(s)
	p.line("    dữ liệu / data: %d dòng sẽ nạp / rows would load, %d dòng bị loại / rows rejected, %d dòng bỏ qua (trống, mục, tổng, chân trang) / rows skipped (blank, section, total, footer)",
		s.RowsLoaded, s.RowsRejected, s.RowsSkipped)
	if len(s.Rejects) > 0 {
		p.line("    LÝ DO LOẠI / REJECTS BY REASON (raw.rejects)")
		rows := [][]string{{"      MÃ / CODE", "SỐ / COUNT", "VÍ DỤ / EXAMPLE"}}
		for _, r := range s.Rejects {
			ex := r.Example
			rows = append(rows, []string{"      " + r.Code, strconv.FormatInt(r.Count, 10),
				fmt.Sprintf("dòng / row %d, %s: %s", ex.Row, ex.Column, msg.Clip(ex.Reason, 160))})
		}
		p.table(rows)
	}
	for _, n := range s.Notes {
		p.line("    ghi chú / note: %s", msg.Clip(n, 300))
	}
	if s.Failure != "" {
		p.line("    LỖI / FAILS: %s", msg.Clip(s.Failure, 500))
	}
}

func (p *printer) header(s *Sheet) {
	for _, t := range s.Title {
		p.line("    dòng tiêu đề / title row %d: %s", t.Row, msg.Clip(t.Text, 160))
	}
	rows := strconv.Itoa(s.HeaderFirst)
	if s.HeaderLast > s.HeaderFirst {
		rows += "–" + strconv.Itoa(s.HeaderLast)
	}
	p.line("    dòng tên cột / header rows: %s; dữ liệu từ dòng / data from row %d", rows, s.DataFirst)
}

func (p *printer) columns(s *Sheet) {
	p.line("    CỘT / COLUMNS")
	rows := [][]string{}
	for _, c := range s.Columns {
		var read string
		switch c.Status {
		case extract.ColumnMatched:
			read = fmt.Sprintf("→ %s\t%s %q, %s", c.Field, c.Rule, c.Alias, c.Seed)
			if c.MonthFirst {
				read += "; ngày đọc tháng trước / dates read month-first"
			}
		case extract.ColumnAmbiguous:
			read = fmt.Sprintf("mơ hồ, không đọc / ambiguous, not read\t%s", strings.Join(c.Candidates, " / "))
		case extract.ColumnDuplicate:
			read = fmt.Sprintf("trùng, bỏ qua / duplicate, ignored\t%s đã có cột khác / taken by another column", c.Field)
		default:
			read = "bỏ qua / ignored\t"
		}
		rows = append(rows, []string{"      " + c.Column, msg.Clip(c.Label, 60), read})
	}
	p.table(rows)
	if len(s.Unfilled) > 0 {
		var f []string
		for _, u := range s.Unfilled {
			f = append(f, fmt.Sprintf("%s (%t,%d)", u.Field, u.Required, u.Rank))
		}
		p.line("    trường chưa có cột / fields without a column (required,rank): %s", strings.Join(f, ", "))
	}
}

func (p *printer) values(s *Sheet) {
	for _, f := range s.Values {
		p.line("    GIÁ TRỊ / VALUES %s (cột / column %s %q): %d giá trị / distinct, %d dòng không khớp / rows unmapped",
			f.Field, f.Column, f.Label, len(f.Values), f.Unmapped)
		rows := [][]string{}
		for _, v := range f.Values {
			raw := strconv.Quote(v.Raw)
			if v.Raw == "" {
				raw = "(trống / empty)"
			}
			rows = append(rows, []string{"      " + strconv.FormatInt(v.Rows, 10), msg.Clip(raw, 60), valueText(f, v)})
		}
		p.table(rows)
		if f.OtherRows > 0 {
			p.line("      … %d dòng có giá trị khác (quá %d giá trị) / rows of further values", f.OtherRows, len(f.Values))
		}
	}
}

// valueText is what a value maps to, and the evidence, as two cells.
func valueText(f Field, v Value) string {
	switch {
	case v.Missing:
		return "✗ thiếu / missing\tdòng bị loại / the row is rejected"
	case v.Rule == RuleHeading:
		return "—\tđề mục, không có giá trị / a heading, no value (raw.unmatched_lines)"
	case v.Unmapped && f.Domain == domainIndicator:
		return "✗ không khớp / unmapped\tkhông phải chỉ tiêu nào, giữ ở raw.unmatched_lines / no indicator: kept as an unmatched line"
	case v.Unmapped && len(v.Candidates) > 0:
		return "✗ mơ hồ / ambiguous\t" + strings.Join(v.Candidates, " / ") + ": dòng bị loại / the row is rejected"
	case v.Unmapped:
		return "✗ không khớp / unmapped\tdòng bị loại / the row is rejected"
	}
	out := "→ " + v.Value
	if v.Timeliness != "" {
		out += " + " + v.Timeliness
	}
	switch {
	case v.Rule == RuleDefaultGroup:
		out += "\tkhông có trong field_groups.csv / in no group of field_groups.csv"
	case v.Rule == RuleTitleUnit:
		out += "\tđơn vị của tiêu đề hoặc tên tệp / the title's or file name's unit"
	case v.Seed != nil && v.Alias != "":
		out += fmt.Sprintf("\t%s %q, %s", v.Rule, v.Alias, v.Seed)
	case v.Seed != nil:
		out += fmt.Sprintf("\t%s, %s", v.Rule, v.Seed)
	default:
		out += "\t" + v.Rule
	}
	return out
}

// suggestions lists, per seed file, the lines that would map what maps to
// nothing and name the ignored columns.
func (p *printer) suggestions(r *Report) {
	var files []*Suggestion
	lines := map[string][]string{}
	seen := map[string]bool{} // file and key: two spellings of one alias are one line
	add := func(s *Suggestion) {
		if s == nil || seen[s.File+"\x00"+s.key] {
			return
		}
		seen[s.File+"\x00"+s.key] = true
		if _, ok := lines[s.File]; !ok {
			files = append(files, s)
		}
		lines[s.File] = append(lines[s.File], s.Line)
	}
	for _, f := range r.Files {
		sheets := f.Sheets
		if f.Closest != nil {
			sheets = append([]*Sheet{f.Closest}, sheets...)
		}
		for _, s := range sheets {
			for _, fv := range s.Values {
				for _, v := range fv.Values {
					add(v.Suggest)
				}
			}
		}
		for _, s := range sheets {
			for _, c := range s.Columns {
				add(c.Suggest)
			}
		}
	}
	if len(files) == 0 {
		return
	}
	p.line("")
	where := "thư mục seeds_dir của bạn / your seeds folder (seeds_dir)"
	if r.SeedsDir != "" {
		where = r.SeedsDir
	}
	p.line("DÒNG CÓ THỂ THÊM / LINES TO ADD — vào / to %s; chọn phần <…> / choose the <…> part (docs/seeds.md)", where)
	for _, s := range files {
		head := "  " + s.File
		if filepath.Base(s.File) == "headers.csv" {
			head += " — nếu cột là một trường chưa có cột / if the column is one of the fields without a column"
		}
		if s.NewFile {
			head += " (tệp mới, dòng đầu / a new file, first line: " + s.Header + ")"
		} else if r.SeedsDir == "" {
			head += " (dòng đầu / first line: " + s.Header + ")"
		}
		p.line("%s", head)
		for _, l := range lines[s.File] {
			p.line("    %s", l)
		}
	}
}

func evidenceText(e *Evidence) string {
	switch {
	case e == nil:
		return ""
	case e.From == extract.FromTitle:
		return fmt.Sprintf(" — dòng tiêu đề / title row %d: %q", e.Row, msg.Clip(e.Text, 120))
	default:
		return fmt.Sprintf(" — tên tệp / file name %q", e.Text)
	}
}

func sheetName(n string) string {
	if n == "" {
		return "(CSV)"
	}
	return strconv.Quote(n)
}

func dash(s string) string {
	if s == "" {
		return "— (không rõ / none)"
	}
	return s
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
