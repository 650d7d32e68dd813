package transform

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/fixture"
)

// insertBeforeFooter puts rows after the last data line of a fixture sheet,
// before its blank row and signature footer.
func insertBeforeFooter(s fixture.Sheet, rows ...[]any) fixture.Sheet {
	n := len(s.Rows) - 2
	s.Rows = append(s.Rows[:n:n], append(rows, s.Rows[n:]...)...)
	return s
}

// TestUnitReportKind: matched indicator lines become raw.indicator_rows,
// the others raw.unmatched_lines; bad values, percentages above 100% and
// numerators above their denominators are rejects with their codes; a line
// given twice is noted.
func TestUnitReportKind(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(t, mem, "k")
	sheet := fixture.UnitReport("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024", map[string]any{
		"pakn_received":         "12",
		"pakn_resolved":         "15", // above pakn_received of the later line (14)
		"survey_responses":      "1.234",
		"survey_satisfied":      "-3",
		"staff_total":           "",
		"staff_trained_digital": "120%",
		"dialogues_held":        "mười",
	})
	sheet = insertBeforeFooter(sheet,
		[]any{"8", "Số buổi sinh hoạt chuyên đề về CCHC", "buổi", "7"},
		[]any{"9", "Số phản ánh, kiến nghị về TTHC, quy định hành chính đã tiếp nhận", "phản ánh", "14"},
	)
	got := readSheet(t, env, newMemBook(sheet), "bao-cao.xlsx", extract.KindUnitReport)

	if h := got.head; h.Unit != "kim_giang" || h.Period != "2024-Q1" {
		t.Fatalf("head unit %q period %q", h.Unit, h.Period)
	}
	if !slices.Equal(got.tables, []string{TableIndicatorRows, TableUnmatched}) ||
		!got.data[TableIndicatorRows] || got.data[TableUnmatched] {
		t.Errorf("streams %v, data %v; want indicator rows (data) then unmatched lines", got.tables, got.data)
	}
	// Rows 1–6: title, blank, header, column numbers; row 7 the section
	// heading, 8–14 the fixture's lines, 15–16 the lines added.
	line := func(row int32, code, text string, value any, uom any) map[string]any {
		return map[string]any{"file_sha256": "sha-of-file", "sheet": "Bieu so lieu", "row_number": row,
			"unit_code": "kim_giang", "period_code": "2024-Q1", "indicator_code": code, "indicator_text": text,
			"value": value, "unit_of_measure": uom}
	}
	checkRows(t, TableIndicatorRows, IndicatorSchema, got.rows[TableIndicatorRows], []map[string]any{
		line(8, "pakn_received", "Số phản ánh, kiến nghị về TTHC, quy định hành chính đã tiếp nhận", 12.0, "phản ánh"),
		line(10, "survey_responses", "Số phiếu khảo sát sự hài lòng thu về", 1234.0, "phiếu"),
		line(12, "staff_total", "Tổng số cán bộ, công chức, viên chức", nil, "người"),
		line(16, "pakn_received", "Số phản ánh, kiến nghị về TTHC, quy định hành chính đã tiếp nhận", 14.0, "phản ánh"),
	})
	unmatched := func(row int32, stt, text string, raw any) map[string]any {
		return map[string]any{"file_sha256": "sha-of-file", "sheet": "Bieu so lieu", "row_number": row,
			"unit_code": "kim_giang", "period_code": "2024-Q1", "stt": stt, "text": text, "raw_value": raw}
	}
	checkRows(t, TableUnmatched, UnmatchedSchema, got.rows[TableUnmatched], []map[string]any{
		unmatched(7, "I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", nil),
		unmatched(15, "8", "Số buổi sinh hoạt chuyên đề về CCHC", "7"),
	})
	checkRejects(t, got.rejects, []Reject{
		{Sheet: "Bieu so lieu", Row: 11, Column: "value", RawValue: "-3", Code: "negative_value"},
		{Sheet: "Bieu so lieu", Row: 13, Column: "value", RawValue: "120%", Code: "percent_above_100"},
		{Sheet: "Bieu so lieu", Row: 14, Column: "value", RawValue: "mười", Code: "bad_number"},
		{Sheet: "Bieu so lieu", Row: 9, Column: "value", RawValue: "15", Code: "numerator_above_denominator",
			Reason: "pakn_resolved = 15 lớn hơn pakn_received = 14 / numerator above its denominator"},
	})
	if want := "chỉ tiêu pakn_received ghi hai lần (dòng 8 và 16), lấy dòng sau / indicator twice, the later line counts"; !slices.Equal(got.notes, []string{want}) {
		t.Errorf("notes = %q, want %q", got.notes, want)
	}
}

// TestUnitReportKindNeedsOnRejects: a report sheet with rejects and nowhere
// to hand them fails, and frees its batches.
func TestUnitReportKindNeedsOnRejects(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(t, mem, "k")
	wb := newMemBook(fixture.UnitReport("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024", map[string]any{"staff_total": "-1"}))
	heads, err := (&extract.Scanner{Vocab: extract.NewVocab(testCatalog(t)), Units: env.Units}).Scan(wb, "bao-cao.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := extract.Data(wb, &heads[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out, err := ReadUnitReport(env, rows, SheetContext{Head: &heads[0]})
	if err == nil || !strings.Contains(err.Error(), "OnRejects") {
		if out != nil {
			out.Release()
		}
		t.Fatalf("err = %v, want the missing OnRejects", err)
	}
}

// TestTTHCSummaryKind: the field rows of a Biểu 06 become typed rows of
// raw.tthc_summary_rows, a row that breaks an identity kept with
// consistent = false, a warning and a note; group and total rows are not
// data; a bad count rejects its row.
func TestTTHCSummaryKind(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(t, mem, "k")
	sheet := fixture.Bieu06("UBND phường Khương Đình", "Quý I năm 2024", map[string][11]any{
		"Hộ tịch":    {10, 4, 6, "", 10, 2, 8, 0, 0, 0, 0},
		"Đất đai":    {10, 4, 5, 0, 9, 1, 8, 0, 1, 1, 0}, // (3) = 10, (4)+(5)+(6) = 9
		"Chứng thực": {5, -1, 6, 0, 5, 0, 5, "x", 0, 0, 0},
	})
	sheet = insertBeforeFooter(sheet, []any{"", "Tổng cộng", 25, 7, 17, 0, 24, 3, 21, 0, 1, 1, 0})
	got := readSheet(t, env, newMemBook(sheet), "Bieu06.xlsx", extract.KindTTHCSummary)

	if h := got.head; h.Unit != "khuong_dinh" || h.Period != "2024-Q1" {
		t.Fatalf("head unit %q period %q", h.Unit, h.Period)
	}
	if !slices.Equal(got.tables, []string{TableSummaryRows}) || !got.data[TableSummaryRows] {
		t.Errorf("streams %v, data %v", got.tables, got.data)
	}
	row := func(n int32, field, group string, counts [11]any, consistent bool, warnings any) map[string]any {
		r := map[string]any{"file_sha256": "sha-of-file", "sheet": "TTHC", "row_number": n,
			"unit_code": "khuong_dinh", "period_code": "2024-Q1", "field": field, "field_group": group,
			"consistent": consistent, "warnings": warnings}
		for i, name := range SummaryCounts {
			r[name] = counts[i]
		}
		return r
	}
	// Rows 1–5: title; 6–8 the header, 9 column numbers, 10 the group row
	// "I. Cấp phường", then the fields in name order.
	const broken = "dòng 13 (Đất đai) sai đẳng thức / breaks [(3) = (4)+(5)+(6)]"
	checkRows(t, TableSummaryRows, SummarySchema, got.rows[TableSummaryRows], []map[string]any{
		row(12, "Hộ tịch", "other", [11]any{10.0, 4.0, 6.0, nil, 10.0, 2.0, 8.0, 0.0, 0.0, 0.0, 0.0}, true, nil),
		row(13, "Đất đai", "tnmt", [11]any{10.0, 4.0, 5.0, 0.0, 9.0, 1.0, 8.0, 0.0, 1.0, 1.0, 0.0}, false, broken),
	})
	checkRejects(t, got.rejects, []Reject{
		{Sheet: "TTHC", Row: 11, Column: "received_online", RawValue: "-1", Code: "negative_value"},
		{Sheet: "TTHC", Row: 11, Column: "resolved_late", RawValue: "x", Code: "bad_number"},
	})
	if !slices.Equal(got.notes, []string{broken}) {
		t.Errorf("notes = %q, want %q", got.notes, broken)
	}
	if got.skipped[extract.RowSection] != 1 || got.skipped[extract.RowTotal] != 1 {
		t.Errorf("skipped %v, want the group row as a section and the total", got.skipped)
	}
}
