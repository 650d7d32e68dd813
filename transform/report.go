package transform

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/thanhxuan/cchc/extract"
)

// IndicatorSchema is the schema of raw.indicator_rows batches.
var IndicatorSchema = arrow.NewSchema([]arrow.Field{
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
	{Name: "sheet", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "row_number", Type: arrow.PrimitiveTypes.Int32},
	{Name: "unit_code", Type: arrow.BinaryTypes.String},
	{Name: "period_code", Type: arrow.BinaryTypes.String},
	{Name: "indicator_code", Type: arrow.BinaryTypes.String},
	{Name: "indicator_text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "unit_of_measure", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// UnmatchedSchema is the schema of raw.unmatched_lines batches.
var UnmatchedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
	{Name: "sheet", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "row_number", Type: arrow.PrimitiveTypes.Int32},
	{Name: "unit_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "period_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "stt", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "raw_value", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// reportBytes bounds the text of a report sheet, which is read whole: a
// report is a few dozen lines (a variable for the tests).
var reportBytes = 32 << 20

// errReportTooLarge is the error of a report sheet of more than reportBytes.
func errReportTooLarge(sheet string) error {
	size := fmt.Sprintf("%d MiB", reportBytes>>20)
	return fmt.Errorf("%w: trang %q là báo cáo nhưng có hơn %s chữ — không phải báo cáo của một đơn vị / sheet %q reads as a report but holds more than %s of text: not one unit's report",
		extract.ErrTooLarge, sheet, size, sheet, size)
}

// reportSheet collects what a report transform finds while it reads a sheet
// whole: its rejects (handed to SheetContext.OnRejects at the end) and notes.
type reportSheet struct {
	rejects []Reject
	notes   []string
}

// finish hands the rejects over and makes the Output of the batches.
func (s *reportSheet) finish(ctx SheetContext, tables []string, batches ...arrow.RecordBatch) (*Output, error) {
	if len(s.rejects) > 0 {
		if ctx.OnRejects == nil {
			for _, b := range batches {
				b.Release()
			}
			return nil, errors.New("transform: a report sheet needs SheetContext.OnRejects")
		}
		if err := ctx.OnRejects(s.rejects); err != nil {
			for _, b := range batches {
				b.Release()
			}
			return nil, fmt.Errorf("spool rejects: %w", err)
		}
	}
	return batchOutput(tables, batches, s.notes)
}

type indicatorLine struct {
	row   int
	code  string
	text  string
	value *float64
	uom   string
	raw   string
}

// ReadUnitReport reads the indicator lines of a unit report sheet (CONTRACT
// 3.2): matched lines become raw.indicator_rows, the others raw.unmatched_lines.
// Negative values, percentages above 100% and numerators above their
// denominators are rejects, not fixes. A report is small, so it is read whole.
func ReadUnitReport(env *Env, rows *extract.DataRows, ctx SheetContext) (*Output, error) {
	h := ctx.Head
	cols := h.Layout.Columns
	cell := func(r extract.Row, f string) string {
		if c, ok := cols[f]; ok {
			return r.Cell(c)
		}
		return ""
	}
	out := &reportSheet{}
	reject := func(row int, col, raw, code, reason string) {
		out.rejects = append(out.rejects, Reject{Sheet: h.Name, Row: row, Column: col, RawValue: raw, Code: code, Reason: reason})
	}
	ub := array.NewRecordBuilder(env.Mem, UnmatchedSchema)
	defer ub.Release()
	var lines []indicatorLine
	seen := map[string]int{}
	size := 0
	for rows.Next() {
		r := rows.Row()
		if size += rowBytes(r); size > reportBytes {
			return nil, errReportTooLarge(h.Name)
		}
		text, raw := cell(r, "indicator_text"), cell(r, "value")
		code, ok := env.Indicators.Match(cell(r, "indicator_code"), text)
		if !ok {
			if text == "" && raw == "" {
				continue
			}
			appendSheet(ub, ctx, r.Num)
			ub.Field(3).(*array.StringBuilder).Append(h.Unit)
			ub.Field(4).(*array.StringBuilder).Append(h.Period)
			appendOptString(ub.Field(5).(*array.StringBuilder), cell(r, "stt"))
			appendOptString(ub.Field(6).(*array.StringBuilder), text)
			appendOptString(ub.Field(7).(*array.StringBuilder), raw)
			continue
		}
		l := indicatorLine{row: r.Num, code: code, text: text, uom: cell(r, "unit_of_measure"), raw: raw}
		if raw != "" {
			v, pct, err := ParseNumber(raw)
			switch {
			case errors.Is(err, ErrBadNumber):
				reject(r.Num, "value", raw, "bad_number", fmt.Sprintf("giá trị %q của chỉ tiêu %s không phải số / not a number", raw, code))
				continue
			case v < 0:
				reject(r.Num, "value", raw, "negative_value", fmt.Sprintf("chỉ tiêu %s có giá trị âm %q / negative value", code, raw))
				continue
			case pct && v > 1:
				reject(r.Num, "value", raw, "percent_above_100", fmt.Sprintf("chỉ tiêu %s: tỷ lệ %q vượt 100%% / percentage above 100%%", code, raw))
				continue
			}
			l.value = &v
		}
		if prev, dup := seen[code]; dup {
			out.notes = append(out.notes, fmt.Sprintf("chỉ tiêu %s ghi hai lần (dòng %d và %d), lấy dòng sau / indicator twice, the later line counts", code, prev, r.Num))
		}
		seen[code] = r.Num
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Numerators above their denominators: the numerator line is rejected.
	last := map[string]indicatorLine{}
	for _, l := range lines {
		last[l.code] = l
	}
	bad := map[int]bool{}
	for _, p := range env.Indicators.pairs {
		n, okN := last[p[0]]
		d, okD := last[p[1]]
		if okN && okD && n.value != nil && d.value != nil && *n.value > *d.value {
			bad[n.row] = true
			reject(n.row, "value", n.raw, "numerator_above_denominator",
				fmt.Sprintf("%s = %s lớn hơn %s = %s / numerator above its denominator", p[0], n.raw, p[1], d.raw))
		}
	}
	ib := array.NewRecordBuilder(env.Mem, IndicatorSchema)
	defer ib.Release()
	for _, l := range lines {
		if bad[l.row] {
			continue
		}
		appendSheet(ib, ctx, l.row)
		ib.Field(3).(*array.StringBuilder).Append(h.Unit)
		ib.Field(4).(*array.StringBuilder).Append(h.Period)
		ib.Field(5).(*array.StringBuilder).Append(l.code)
		appendOptString(ib.Field(6).(*array.StringBuilder), l.text)
		if l.value == nil {
			ib.Field(7).AppendNull()
		} else {
			ib.Field(7).(*array.Float64Builder).Append(*l.value)
		}
		appendOptString(ib.Field(8).(*array.StringBuilder), l.uom)
	}
	return out.finish(ctx, []string{TableIndicatorRows, TableUnmatched}, ib.NewRecordBatch(), ub.NewRecordBatch())
}

// appendSheet appends the file, sheet and row columns that every raw batch starts with.
func appendSheet(b *array.RecordBuilder, ctx SheetContext, row int) {
	b.Field(0).(*array.StringBuilder).Append(ctx.FileSHA256)
	appendOptString(b.Field(1).(*array.StringBuilder), ctx.Head.Name)
	b.Field(2).(*array.Int32Builder).Append(int32(row))
}

// SummarySchema is the schema of raw.tthc_summary_rows batches.
var SummarySchema = arrow.NewSchema(append([]arrow.Field{
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
	{Name: "sheet", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "row_number", Type: arrow.PrimitiveTypes.Int32},
	{Name: "unit_code", Type: arrow.BinaryTypes.String},
	{Name: "period_code", Type: arrow.BinaryTypes.String},
	{Name: "field", Type: arrow.BinaryTypes.String},
	{Name: "field_group", Type: arrow.BinaryTypes.String},
}, append(countFields(),
	arrow.Field{Name: "consistent", Type: arrow.FixedWidthTypes.Boolean},
	arrow.Field{Name: "warnings", Type: arrow.BinaryTypes.String, Nullable: true},
)...), nil)

// SummaryCounts are the count columns (3)…(13) of Biểu 06, in order.
var SummaryCounts = []string{
	"received_total", "received_online", "received_counter_postal", "carried_over",
	"resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
	"in_progress_total", "in_progress_within_deadline", "in_progress_overdue",
}

func countFields() []arrow.Field {
	f := make([]arrow.Field, len(SummaryCounts))
	for i, n := range SummaryCounts {
		f[i] = arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	}
	return f
}

var reGroupRow = regexp.MustCompile(`^(cap (phuong|xa|quan|huyen|tinh|thanh pho)|linh vuc cap)\b`)
var reRoman = regexp.MustCompile(`^[ivxl]+[.)]?$`)

// identities of Biểu 06 (CONTRACT 3.3): total = sum of parts, by column index.
var identities = []struct {
	name  string
	total int
	parts []int
}{
	{"(3) = (4)+(5)+(6)", 0, []int{1, 2, 3}},
	{"(7) = (8)+(9)+(10)", 4, []int{5, 6, 7}},
	{"(11) = (12)+(13)", 8, []int{9, 10}},
	{"(3) = (7)+(11)", 0, []int{4, 8}},
}

// SummaryGroupRow reports whether a row of a Biểu 06 sheet is no field row:
// a group row (`Cấp phường`, an STT of `I`, `II` …) or one without any count
// (counted false).
func SummaryGroupRow(field, stt string, counted bool) bool {
	return !counted || reGroupRow.MatchString(extract.Fold(field)) || reRoman.MatchString(extract.Fold(stt))
}

// ReadTTHCSummary reads the field rows of a Biểu 06 sheet. Group rows (Cấp
// phường, I. …) are not data; a row that breaks an identity is kept as reported
// with consistent = false and a warning naming the identity.
func ReadTTHCSummary(env *Env, rows *extract.DataRows, ctx SheetContext) (*Output, error) {
	h := ctx.Head
	cols := h.Layout.Columns
	out := &reportSheet{}
	b := array.NewRecordBuilder(env.Mem, SummarySchema)
	defer b.Release()
	size := 0
	for rows.Next() {
		r := rows.Row()
		if size += rowBytes(r); size > reportBytes {
			return nil, errReportTooLarge(h.Name)
		}
		field := r.Cell(cols["field"])
		stt := ""
		if c, ok := cols["stt"]; ok {
			stt = r.Cell(c)
		}
		vals := make([]*float64, len(SummaryCounts))
		any, bad := false, false
		for i, name := range SummaryCounts {
			raw := r.Cell(cols[name])
			if raw == "" {
				continue
			}
			any = true
			v, _, err := ParseNumber(raw)
			switch {
			case err != nil:
				out.rejects = append(out.rejects, Reject{Sheet: h.Name, Row: r.Num, Column: name, RawValue: raw, Code: "bad_number",
					Reason: fmt.Sprintf("%s %q không phải số / not a number", name, raw)})
				bad = true
			case v < 0:
				out.rejects = append(out.rejects, Reject{Sheet: h.Name, Row: r.Num, Column: name, RawValue: raw, Code: "negative_value",
					Reason: fmt.Sprintf("%s có giá trị âm %q / negative count", name, raw)})
				bad = true
			default:
				vals[i] = &v
			}
		}
		if SummaryGroupRow(field, stt, any) {
			rows.Skipped[extract.RowSection]++
			continue
		}
		if bad {
			continue
		}
		var warnings []string
		get := func(i int) float64 {
			if vals[i] == nil {
				return 0
			}
			return *vals[i]
		}
		for _, id := range identities {
			sum := 0.0
			for _, p := range id.parts {
				sum += get(p)
			}
			if d := get(id.total) - sum; d > 1e-9 || d < -1e-9 {
				warnings = append(warnings, id.name)
			}
		}
		appendSheet(b, ctx, r.Num)
		b.Field(3).(*array.StringBuilder).Append(h.Unit)
		b.Field(4).(*array.StringBuilder).Append(h.Period)
		b.Field(5).(*array.StringBuilder).Append(field)
		b.Field(6).(*array.StringBuilder).Append(env.Values.FieldGroup(field))
		for i, v := range vals {
			fb := b.Field(7 + i).(*array.Float64Builder)
			if v == nil {
				fb.AppendNull()
			} else {
				fb.Append(*v)
			}
		}
		b.Field(7 + len(SummaryCounts)).(*array.BooleanBuilder).Append(len(warnings) == 0)
		if len(warnings) == 0 {
			b.Field(8 + len(SummaryCounts)).AppendNull()
		} else {
			w := fmt.Sprintf("dòng %d (%s) sai đẳng thức / breaks %v", r.Num, field, warnings)
			b.Field(8 + len(SummaryCounts)).(*array.StringBuilder).Append(w)
			out.notes = append(out.notes, w)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out.finish(ctx, []string{TableSummaryRows}, b.NewRecordBatch())
}
