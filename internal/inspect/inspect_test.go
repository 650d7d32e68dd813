//go:build duckdb_arrow

package inspect_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/fixture"
	"github.com/thanhxuan/cchc/internal/inspect"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/seeds"
)

// stages are the read stages of cfg with a checked allocator: every batch
// an inspection makes must be released by the end of the test.
func stages(t *testing.T, cfg config.Config) *pipeline.Stages {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	st, err := pipeline.NewReadStages(cfg, mem)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func inspectFile(t *testing.T, st *pipeline.Stages, path string, opt inspect.Options) *inspect.File {
	t.Helper()
	f, err := inspect.Inspect(context.Background(), path, st, opt)
	if err != nil {
		t.Fatalf("Inspect(%s): %v", path, err)
	}
	return f
}

func column(t *testing.T, s *inspect.Sheet, label string) inspect.Column {
	t.Helper()
	for _, c := range s.Columns {
		if c.Label == label {
			return c
		}
	}
	t.Fatalf("no column %q in %+v", label, s.Columns)
	return inspect.Column{}
}

func values(t *testing.T, s *inspect.Sheet, field string) inspect.Field {
	t.Helper()
	for _, f := range s.Values {
		if f.Field == field {
			return f
		}
	}
	t.Fatalf("no values of %s", field)
	return inspect.Field{}
}

func value(t *testing.T, f inspect.Field, raw string) inspect.Value {
	t.Helper()
	for _, v := range f.Values {
		if v.Raw == raw {
			return v
		}
	}
	t.Fatalf("%s: no value %q in %+v", f.Field, raw, f.Values)
	return inspect.Value{}
}

// seedRow returns the fields of the embedded seed row a Seed names.
func seedRow(t *testing.T, s *inspect.Seed) []string {
	t.Helper()
	if s == nil {
		t.Fatal("no seed row")
	}
	set, err := seeds.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	f := set.File(s.File)
	if f == nil || s.Folder != "" {
		t.Fatalf("seed %+v is no embedded file", s)
	}
	for _, r := range f.Rows {
		if r.Source.Line == s.Line {
			return r.Fields
		}
	}
	t.Fatalf("seed %s: no such line", s)
	return nil
}

// Each column's evidence: the field, the alias as the seed writes it, the
// rule and the seed row that holds the alias; ignored columns with the
// headers.csv line that would name them (none for a row-number column).
func TestColumns(t *testing.T) {
	st := stages(t, config.Defaults())
	f := inspectFile(t, st, "testdata/files/hoso_KimGiang.csv", inspect.Options{})
	if f.Format != "csv" || !f.WouldLoad || f.Failure != "" || len(f.Sheets) != 1 {
		t.Fatalf("file %+v", f)
	}
	s := f.Sheets[0]
	if s.Kind != extract.KindDossiers || s.HeaderFirst != 4 || s.HeaderLast != 4 || s.DataFirst != 5 {
		t.Errorf("sheet kind %q header %d–%d data %d", s.Kind, s.HeaderFirst, s.HeaderLast, s.DataFirst)
	}
	want := []struct {
		label, status, field, alias, rule string
	}{
		{"STT", extract.ColumnIgnored, "", "", ""},
		{"Mã hồ sơ", extract.ColumnMatched, "dossier_id", "Mã hồ sơ", extract.RuleExact},
		{"Tên thủ tục hành chính", extract.ColumnMatched, "procedure_name", "Tên thủ tục hành chính", extract.RuleExact},
		{"Ngày tiếp nhận (dd/mm/yyyy)", extract.ColumnMatched, "received_at", "Ngày tiếp nhận", extract.RuleExact},
		{"Số hóa", extract.ColumnMatched, "result_digitized", "Số hóa", extract.RuleExact},
		{"Ghi chú", extract.ColumnIgnored, "", "", ""},
	}
	for _, w := range want {
		c := column(t, s, w.label)
		if c.Status != w.status || c.Field != w.field || c.Alias != w.alias || c.Rule != w.rule {
			t.Errorf("column %q: %+v, want %s %s %q %s", w.label, c, w.status, w.field, w.alias, w.rule)
		}
		if w.status == extract.ColumnMatched {
			// kind,field,required,rank,alias
			if row := seedRow(t, c.Seed); row[0] != s.Kind || row[1] != w.field || row[4] != w.alias {
				t.Errorf("column %q: seed %s is %q", w.label, c.Seed, row)
			}
		}
	}
	if c := column(t, s, "Ngày tiếp nhận (dd/mm/yyyy)"); c.Normal != "ngay tiep nhan" || c.Column != "E" {
		t.Errorf("received_at column %s normalised %q", c.Column, c.Normal)
	}
	if c := column(t, s, "Ghi chú"); c.Suggest == nil || c.Suggest.File != "headers.csv" || c.Suggest.Line != "dossiers,<field>,<required>,<rank>,Ghi chú" ||
		c.Suggest.Header != "kind,field,required,rank,alias" {
		t.Errorf("ignored column suggestion %+v", c.Suggest)
	}
	if c := column(t, s, "STT"); c.Suggest != nil {
		t.Errorf("a row-number column gets a suggestion: %+v", c.Suggest)
	}
	// Fields without a column: eid_verified is one, channel is not; a new
	// wording ranks after the field's known ones.
	i := slices.IndexFunc(s.Unfilled, func(h inspect.HeaderSeed) bool { return h.Field == "eid_verified" })
	if i < 0 || s.Unfilled[i].Required || s.Unfilled[i].Rank < 1 ||
		slices.ContainsFunc(s.Unfilled, func(h inspect.HeaderSeed) bool { return h.Field == "channel" }) {
		t.Errorf("unfilled %+v", s.Unfilled)
	}
}

// A column whose header holds aliases of two fields that tie is ambiguous:
// reported with both fields, read as neither.
func TestAmbiguousColumn(t *testing.T) {
	st := stages(t, config.Defaults())
	cat, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A tie needs two fields with one alias, which merged seeds never hold:
	// the vocabulary is built by hand, as extract's own test does.
	cat.Headers = append(cat.Headers,
		seeds.HeaderAlias{Kind: extract.KindDossiers, Field: "x_note", Alias: "Ghi chú hồ sơ"},
		seeds.HeaderAlias{Kind: extract.KindDossiers, Field: "x_remark", Alias: "Ghi chú hồ sơ"})
	tie := *st
	tie.Scanner = &extract.Scanner{Vocab: extract.NewVocab(cat), Units: st.Scanner.Units}
	p := filepath.Join(t.TempDir(), "hoso_KimGiang.csv")
	body := "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Ngày tiếp nhận,Ngày hẹn trả,Hình thức nộp,Trạng thái,Ghi chú hồ sơ của cán bộ\n" +
		"H1,Khai sinh,Hộ tịch,02/01/2024,05/01/2024,Trực tuyến,Đang xử lý,gọi lại\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f := inspectFile(t, &tie, p, inspect.Options{})
	c := column(t, f.Sheets[0], "Ghi chú hồ sơ của cán bộ")
	if c.Status != extract.ColumnAmbiguous || c.Field != "" || !reflect.DeepEqual(c.Candidates, []string{"x_note", "x_remark"}) || c.Rule != "" {
		t.Errorf("ambiguous column %+v", c)
	}
	if c.Suggest == nil || !strings.HasSuffix(c.Suggest.Line, ",Ghi chú hồ sơ của cán bộ") {
		t.Errorf("suggestion %+v", c.Suggest)
	}
	if f.RowsLoaded != 1 || f.RowsRejected != 0 {
		t.Errorf("rows %d/%d", f.RowsLoaded, f.RowsRejected)
	}
}

// Each coded field's distinct values, counted, with what each maps to and
// the seed row behind it; a value that maps to nothing with the line that
// would map it, the value left for the person to choose.
func TestValues(t *testing.T) {
	st := stages(t, config.Defaults())
	s := inspectFile(t, st, "testdata/files/hoso_KimGiang.csv", inspect.Options{}).Sheets[0]
	var fields []string
	for _, f := range s.Values {
		fields = append(fields, f.Field)
	}
	if want := []string{"field", "channel", "service_level", "status", "result_digitized"}; !reflect.DeepEqual(fields, want) {
		t.Errorf("coded fields %q, want %q (no unit column: its unit is the title's)", fields, want)
	}

	status := values(t, s, "status")
	if status.Column != "J" || status.Label != "Trạng thái" || len(status.Values) != 6 || status.Unmapped != 1 {
		t.Errorf("status: column %s %q, %d values, %d unmapped", status.Column, status.Label, len(status.Values), status.Unmapped)
	}
	v := value(t, status, "Đã giải quyết")
	if v.Rows != 2 || v.Value != "resolved" || v.Rule != "exact" || v.Unmapped {
		t.Errorf("Đã giải quyết: %+v", v)
	}
	if row := seedRow(t, v.Seed); !reflect.DeepEqual(row, []string{"status", "resolved", "Đã giải quyết"}) {
		t.Errorf("Đã giải quyết: seed %s is %q", v.Seed, row)
	}
	if v := value(t, status, "Đã trả - Trễ hạn"); v.Value != "resolved" || v.Timeliness != "late" || v.Rule != "with_timeliness" || v.Alias != "Đã trả" {
		t.Errorf("Đã trả - Trễ hạn: %+v", v)
	}
	v = value(t, status, "Hoàn tất")
	if !v.Unmapped || v.Rows != 1 || v.Value != "" || v.Seed != nil {
		t.Errorf("Hoàn tất: %+v", v)
	}
	if sg := v.Suggest; sg == nil || sg.File != "value_map.csv" || sg.NewFile || sg.Header != "domain,value,alias" || sg.Line != "status,<resolved|processing|withdrawn|refused>,Hoàn tất" {
		t.Errorf("Hoàn tất: suggestion %+v", sg)
	}

	channel := values(t, s, "channel")
	if v := value(t, channel, "Zalo"); !v.Unmapped || v.Rows != 2 || v.Suggest == nil || v.Suggest.Line != "channel,<online|counter|postal>,Zalo" {
		t.Errorf("Zalo: %+v", v)
	}
	if v := value(t, channel, ""); !v.Missing || v.Unmapped || v.Suggest != nil || v.Rows != 1 {
		t.Errorf("empty channel: %+v", v)
	}
	if channel.Unmapped != 2 {
		t.Errorf("channel: %d rows unmapped, want 2", channel.Unmapped)
	}
	// An empty cell of an optional field is a value (none, no), not missing.
	if v := value(t, values(t, s, "service_level"), ""); v.Value != "none" || v.Missing || v.Unmapped {
		t.Errorf("empty service level: %+v", v)
	}
	field := values(t, s, "field")
	if v := value(t, field, "Đất đai"); v.Value != "tnmt" || v.Rows != 2 || !reflect.DeepEqual(seedRow(t, v.Seed), []string{"Đất đai", "tnmt"}) {
		t.Errorf("Đất đai: %+v", v)
	}
	if v := value(t, field, "Hộ tịch"); v.Value != "other" || v.Rule != inspect.RuleDefaultGroup || v.Unmapped || v.Rows != 3 {
		t.Errorf("Hộ tịch: %+v", v)
	}
	for i := 1; i < len(status.Values); i++ {
		if a, b := status.Values[i-1], status.Values[i]; a.Rows < b.Rows || a.Rows == b.Rows && a.Raw > b.Raw {
			t.Errorf("values out of order: %q (%d) before %q (%d)", a.Raw, a.Rows, b.Raw, b.Rows)
		}
	}

	// A unit column: each name with its seed row; an empty cell is the
	// file name's unit; a name of no unit with the unit_aliases.csv line.
	s = inspectFile(t, st, "testdata/files/hoso_KhuongMai.csv", inspect.Options{}).Sheets[0]
	unit := values(t, s, "unit")
	if v := value(t, unit, "P. Khương Mai"); v.Value != "khuong_mai" || !reflect.DeepEqual(seedRow(t, v.Seed), []string{"khuong_mai", "P. Khương Mai"}) {
		t.Errorf("P. Khương Mai: %+v", v)
	}
	if v := value(t, unit, ""); v.Value != "khuong_mai" || v.Rule != inspect.RuleTitleUnit {
		t.Errorf("empty unit: %+v", v)
	}
	if v := value(t, unit, "Phường Khương Hạ"); !v.Unmapped || v.Suggest == nil || v.Suggest.Line != "<unit_code>,Phường Khương Hạ" || v.Suggest.File != "unit_aliases.csv" {
		t.Errorf("Phường Khương Hạ: %+v", v)
	}
	if v := value(t, values(t, s, "status"), "9"); v.Value != "resolved" {
		t.Errorf("status code 9: %+v", v)
	}
}

// A report's lines: each with its indicator; a line of no indicator with a
// value gets the indicator_aliases.csv line, a heading (no value) none.
func TestReportLines(t *testing.T) {
	st := stages(t, config.Defaults())
	s := inspectFile(t, st, "testdata/files/bao-cao_Q1_2024.csv", inspect.Options{}).Sheets[0]
	lines := values(t, s, "indicator_text")
	if v := value(t, lines, "Tổng số cuộc kiểm tra"); v.Value != "inspections_total" || v.Unmapped {
		t.Errorf("inspections_total: %+v", v)
	}
	if v := value(t, lines, "Số hội nghị tập huấn CCHC"); !v.Unmapped || v.Suggest == nil || v.Suggest.Line != "<indicator_code>,Số hội nghị tập huấn CCHC" {
		t.Errorf("unmatched line: %+v", v)
	}
	if v := value(t, lines, "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC"); v.Unmapped || v.Suggest != nil || v.Rule != inspect.RuleHeading {
		t.Errorf("heading: %+v", v)
	}
	if lines.Unmapped != 1 {
		t.Errorf("%d lines unmapped, want 1", lines.Unmapped)
	}
}

// The values kept per field are bounded; the rows of the others counted.
func TestValuesBounded(t *testing.T) {
	st := stages(t, config.Defaults())
	var b strings.Builder
	b.WriteString("Mã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Hình thức nộp,Trạng thái\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "H%d,Khai sinh,Hộ tịch,Kim Giang,02/01/2024,05/01/2024,Kênh %d,Đang xử lý\n", i, i%12)
	}
	p := filepath.Join(t.TempDir(), "many.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s := inspectFile(t, st, p, inspect.Options{MaxValues: 5}).Sheets[0]
	ch := values(t, s, "channel")
	var kept int64
	for _, v := range ch.Values {
		kept += v.Rows
	}
	if len(ch.Values) != 5 || kept+ch.OtherRows != 30 || ch.OtherRows == 0 {
		t.Errorf("%d values kept (%d rows), %d other rows; want 5 and 30 rows in all", len(ch.Values), kept, ch.OtherRows)
	}
	if got := s.Rejects[0]; got.Code != "unknown_channel" || got.Count != 30 {
		t.Errorf("rejects %+v", s.Rejects)
	}
}

// The unit and the period with their evidence: title rows (their numbers
// and text) and the file name.
func TestUnitAndPeriodEvidence(t *testing.T) {
	st := stages(t, config.Defaults())
	s := inspectFile(t, st, "testdata/files/bao-cao_Q1_2024.csv", inspect.Options{}).Sheets[0]
	if s.Unit != "tu_phap" || !reflect.DeepEqual(s.UnitFrom, &inspect.Evidence{From: extract.FromTitle, Row: 2, Text: "PHÒNG TƯ PHÁP"}) {
		t.Errorf("unit %q from %+v", s.Unit, s.UnitFrom)
	}
	if s.Period != "2024-Q1" || !reflect.DeepEqual(s.PeriodFrom, &inspect.Evidence{From: extract.FromFileName, Text: "bao-cao_Q1_2024.csv"}) {
		t.Errorf("period %q from %+v", s.Period, s.PeriodFrom)
	}
	if len(s.Title) != 3 || s.Title[2] != (inspect.TitleRow{Row: 3, Text: "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"}) {
		t.Errorf("title %+v", s.Title)
	}

	dir := t.TempDir()
	p := writeXLSX(t, dir, "report.xlsx", fixture.UnitReport("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024", nil))
	s = inspectFile(t, st, p, inspect.Options{}).Sheets[0]
	if s.Name != "Bieu so lieu" || s.Unit != "kim_giang" || s.Period != "2024-Q1" {
		t.Fatalf("sheet %q unit %q period %q", s.Name, s.Unit, s.Period)
	}
	if !reflect.DeepEqual(s.UnitFrom, &inspect.Evidence{From: extract.FromTitle, Row: 2, Text: "UBND PHƯỜNG KIM GIANG"}) ||
		s.PeriodFrom == nil || s.PeriodFrom.From != extract.FromTitle || s.PeriodFrom.Row != 3 || !strings.HasSuffix(s.PeriodFrom.Text, "QUÝ I NĂM 2024") {
		t.Errorf("unit from %+v, period from %+v", s.UnitFrom, s.PeriodFrom)
	}
	if s.HeaderFirst != 5 || s.DataFirst != 7 { // a row of column numbers under the header
		t.Errorf("header %d, data from %d", s.HeaderFirst, s.DataFirst)
	}
}

// A file that cannot be opened is an error; one that a run would record as
// failed is inspected, with the reason and, without a header, what came
// nearest.
func TestFilesThatFail(t *testing.T) {
	st := stages(t, config.Defaults())
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, p := range []string{filepath.Join(dir, "missing.csv"), write("broken.xlsx", "not a zip"), write("notes.pdf", "%PDF-1.4")} {
		f, err := inspect.Inspect(context.Background(), p, st, inspect.Options{})
		if err == nil || !errors.Is(err, extract.ErrUnreadable) && !errors.Is(err, extract.ErrUnknownFormat) {
			t.Errorf("%s: %+v, %v; want an error", filepath.Base(p), f, err)
		}
	}

	f := inspectFile(t, st, write("half.csv", "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Ngày tiếp nhận,Ghi chú\nH1,Khai sinh,Hộ tịch,01/02/2024,x\n"), inspect.Options{})
	if f.WouldLoad || !strings.Contains(f.Failure, "thiếu cột bắt buộc") || len(f.Sheets) != 0 || f.Closest == nil {
		t.Fatalf("half a header: %+v", f)
	}
	if c := f.Closest; c.Kind != extract.KindDossiers || !slices.Contains(c.Missing, "status") || column(t, c, "Ngày tiếp nhận").Field != "received_at" ||
		column(t, c, "Ghi chú").Suggest == nil {
		t.Errorf("closest %+v", c)
	}
	f = inspectFile(t, st, write("junk.csv", "a,b,c\n1,2,3\n"), inspect.Options{})
	if f.WouldLoad || !strings.Contains(f.Failure, "no header") || f.Closest != nil {
		t.Errorf("no header: %+v", f)
	}
	f = inspectFile(t, st, write("report.csv", "PHÒNG TƯ PHÁP\nSTT,Nội dung,Đơn vị tính,Kết quả\n1,Tổng số cuộc kiểm tra,cuộc,7\n"), inspect.Options{})
	if f.WouldLoad || !strings.Contains(f.Failure, "kỳ báo cáo") ||
		len(f.Sheets) != 1 || f.Sheets[0].Failure == "" || f.Sheets[0].Unit != "tu_phap" {
		t.Errorf("report without a period: %+v", f)
	}
}

// Run: a folder is every file under it; a file that cannot be opened is in
// the report with its error.
func TestRunFolder(t *testing.T) {
	st := stages(t, config.Defaults())
	r, err := inspect.Run(context.Background(), []string{"testdata/files", "testdata/none.xlsx"}, st, inspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range r.Files {
		paths = append(paths, f.Path)
	}
	want := []string{"testdata/files/bao-cao_Q1_2024.csv", "testdata/files/hoso_KhuongMai.csv", "testdata/files/hoso_KimGiang.csv", "testdata/none.xlsx"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("files %q, want %q", paths, want)
	}
	if r.Unopened() != 1 || r.Files[3].Error == "" || r.Files[2].Error != "" || !r.Files[2].WouldLoad {
		t.Errorf("unopened %d: %+v", r.Unopened(), r.Files[3])
	}
}

func writeXLSX(t *testing.T, dir, name string, sheets ...fixture.Sheet) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := fixture.WriteXLSX(p, fixture.XLSXOptions{}, sheets...); err != nil {
		t.Fatal(err)
	}
	return p
}

// Two spellings of one alias, in one file or two, are one line to add.
func TestSuggestionsOnce(t *testing.T) {
	st := stages(t, config.Defaults())
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a_KimGiang.csv": "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Ngày tiếp nhận,Ngày hẹn trả,Hình thức nộp,Trạng thái,Ghi chú\nH1,Khai sinh,Hộ tịch,02/01/2024,05/01/2024,Zalo,Đang xử lý,x\nH2,Khai sinh,Hộ tịch,02/01/2024,05/01/2024,ZALO,Đang xử lý,\n",
		"b_KimGiang.csv": "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Ngày tiếp nhận,Ngày hẹn trả,Hình thức nộp,Trạng thái,GHI CHU:\nH3,Khai sinh,Hộ tịch,02/01/2024,05/01/2024, zalo,Đang xử lý,x\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := inspect.Run(context.Background(), []string{dir}, st, inspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := inspect.WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()[strings.Index(b.String(), "LINES TO ADD"):]
	if n := strings.Count(out, "channel,<online|counter|postal>,"); n != 1 || !strings.Contains(strings.ToLower(out), "    channel,<online|counter|postal>,zalo\n") {
		t.Errorf("%d channel lines:\n%s", n, out)
	}
	if n := strings.Count(out, "dossiers,<field>,<required>,<rank>,"); n != 1 {
		t.Errorf("%d header lines:\n%s", n, out)
	}
}
