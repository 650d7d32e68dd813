package extract

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/thanhxuan/cchc/seeds"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ngày tiếp nhận (dd/mm/yyyy)", "ngay tiep nhan"},
		{"Đúng hạn\n(Bao gồm cả hồ sơ trả lại/xin rút)", "dung han"},
		{"Đã số hóa (Có/Không)", "da so hoa"},
		{"Xác thực VNeID (x)", "xac thuc vneid"},
		{"Mức độ DVC (2/3/4)", "muc do dvc"},
		{"1. Mã hồ sơ", "ma ho so"},
		{"2.3) Tên thủ tục:", "ten thu tuc"},
		{"a) Lĩnh vực", "linh vuc"},
		{"Mã hồ sơ *", "ma ho so"},
		{"Trạng thái:", "trang thai"},
		{"Ngày hẹn trả.", "ngay hen tra"},
		{"Số (mã) hồ sơ", "so ho so"},
		{"Ngày\ttiếp\u00a0nhận", "ngay tiep nhan"},
		{"Ngày tiếp nhận (dd/mm/yyyy", "ngay tiep nhan"},
		{"  NGÀY  HẸN  TRẢ  ", "ngay hen tra"},
		{"2.0", "2.0"}, // an Excel number, no numbering
		{"1.", "1"},    // nothing follows: no numbering, a trailing dot
		{"10", "10"},   // a code
		{"1.5 ngày", "1.5 ngay"},
		{"(3)", ""},                 // a column number is matched before normalising
		{"P. Hạ Đình", "p.ha dinh"}, // a letter and a dot is no numbering
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	values := []struct{ in, want string }{
		{"Đã trả kết quả (trễ hạn)", "da tra ket qua(tre han)"},
		{"Đã trả - Sớm hạn", "da tra-som han"},
		{"Đang xử lý, Quá hạn 3 ngày", "dang xu ly,qua han 3 ngay"},
		{"2.0", "2.0"},
		{"1. Trực tuyến", "truc tuyen"},
	}
	for _, tt := range values {
		if got := NormalizeValue(tt.in); got != tt.want {
			t.Errorf("NormalizeValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"da tra(qua han 2 ngay)", "da tra"},
		{"muc do 4(toan trinh)", "muc do 4"},
		{"(toan trinh)", "(toan trinh)"},
		{"da tra", "da tra"},
	} {
		if got, _ := DropTrailingParens(tt.in); got != tt.want {
			t.Errorf("DropTrailingParens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhrasesContains(t *testing.T) {
	p := NewPhrases()
	add := func(alias, target string) { p.Add(Normalize(alias), target) }
	add("Mã thủ tục", "procedure_code")
	add("Thủ tục hành chính", "procedure_name")
	add("Tên thủ tục", "procedure_name")
	add("Ngày tiếp nhận", "received_at")
	add("Mức độ", "service_level")
	add("Ngày hẹn trả", "due_at")
	add("Ngày hẹn trả kết quả", "due_at")
	add("Trạng thái hồ sơ", "status")
	add("Trạng thái hồ sơ", "x_other") // a contradiction: ties
	tests := []struct {
		header string
		want   []string // targets of the winners
		at     int
	}{
		{"Tên thủ tục hành chính", []string{"procedure_name"}, 0}, // earliest: Tên thủ tục
		{"Mã thủ tục hành chính", []string{"procedure_code"}, 0},  // earliest wins over Thủ tục hành chính
		{"Ngày tiếp nhận hồ sơ", []string{"received_at"}, 0},
		{"Thông tin ngày tiếp nhận", []string{"received_at"}, len("thong tin ")},
		{"Mức độ hài lòng", nil, 0}, // a two-word alias matches only whole headers
		{"Ngày tiếp nhậnn", nil, 0}, // whole words only
		{"Xngày tiếp nhận", nil, 0}, // whole words only
		{"Ngày hẹn trả kết quả cho dân", []string{"due_at"}, 0},
		{"Trạng thái hồ sơ TTHC", []string{"status", "x_other"}, 0},
		{"ngay tiep nhan(dd/mm/yyyy)", []string{"received_at"}, 0},
	}
	for _, tt := range tests {
		ids, at := p.Contains(Fold(tt.header))
		if got := p.Targets(ids); !reflect.DeepEqual(got, tt.want) || len(ids) > 0 && at != tt.at {
			t.Errorf("Contains(%q) = %v at %d, want %v at %d", tt.header, got, at, tt.want, tt.at)
		}
	}
	// The longer of two aliases starting at the same word wins.
	ids, _ := p.Contains(Fold("Ngày hẹn trả kết quả dự kiến"))
	if len(ids) != 1 || p.Alias(ids[0]) != "ngay hen tra ket qua" {
		t.Errorf("longest: got %v", ids)
	}
}

// headerMatch reads one column's header with the vocabulary of kind.
func headerMatch(v *Vocab, kind string, path ...string) ColumnMatch {
	cols := headerColumns([][]string{path}, nil)
	return v.byKind[kind].matchColumn(&cols[0])
}

// TestEverySeedAliasMatches runs every header alias of the seeds through the
// matcher, as written and as exports garble it: each must name its own field
// (no wording that matched before stops matching).
func TestEverySeedAliasMatches(t *testing.T) {
	v, _ := testVocab(t)
	c, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, h := range c.Headers {
		if isColumnNumber(Fold(h.Alias)) {
			continue
		}
		for _, written := range []string{h.Alias, strings.ToUpper(h.Alias), norm.NFD.String(h.Alias),
			strings.ReplaceAll(h.Alias, " ", "\n"), h.Alias + ":", h.Alias + " (*)", "1. " + h.Alias} {
			m := headerMatch(v, h.Kind, written)
			if m.Status != ColumnMatched || m.Field != h.Field || m.Rule != RuleExact {
				t.Errorf("%s: %s header %q → %s %s (%s), want %s", h.Source, h.Kind, written, m.Status, m.Field, m.Rule, h.Field)
			}
			n++
		}
	}
	if n < 500 {
		t.Fatalf("only %d wordings checked", n)
	}
}

func TestHeaderRulesOfSection35(t *testing.T) {
	v, _ := testVocab(t)
	tests := []struct {
		header []string
		status string
		field  string
		rule   string
	}{
		{[]string{"Đã số hóa (Có/Không)"}, ColumnMatched, "result_digitized", RuleExact},
		{[]string{"Xác thực VNeID (x)"}, ColumnMatched, "eid_verified", RuleExact},
		{[]string{"Mức độ DVC (2/3/4)"}, ColumnMatched, "service_level", RuleExact},
		{[]string{"Ngày tiếp nhận (dd/mm/yyyy)"}, ColumnMatched, "received_at", RuleExact},
		{[]string{"Ngày tiếp nhận hồ sơ"}, ColumnMatched, "received_at", RuleContains},
		{[]string{"Số biên nhận"}, ColumnMatched, "dossier_id", RuleExact},
		{[]string{"Tên thủ tục hành chính"}, ColumnMatched, "procedure_name", RuleExact},
		{[]string{"Mã thủ tục hành chính"}, ColumnMatched, "procedure_code", RuleContains},
		{[]string{"Mức độ hài lòng"}, ColumnIgnored, "", ""},
		{[]string{"Ngày", "Tiếp nhận hồ sơ"}, ColumnMatched, "received_at", RuleContains},
		{[]string{"Ngày", "Hẹn trả (dự kiến)"}, ColumnMatched, "due_at", RuleExact},
		{[]string{"Trạng thái hồ sơ trên cổng"}, ColumnIgnored, "", ""},
		{[]string{"3. Tình trạng hồ sơ:"}, ColumnMatched, "status", RuleExact},
		{[]string{"Ngµy tiÕp nhËn"}, ColumnMatched, "received_at", RuleTCVN3},
		{[]string{"Ngµy tiÕp nhËn hå s¬"}, ColumnMatched, "received_at", RuleTCVN3Contains},
	}
	for _, tt := range tests {
		m := headerMatch(v, KindDossiers, tt.header...)
		if m.Status != tt.status || m.Field != tt.field || m.Rule != tt.rule {
			t.Errorf("%q → %s %q by %q (alias %q), want %s %q by %q", tt.header, m.Status, m.Field, m.Rule, m.Alias, tt.status, tt.field, tt.rule)
		}
		if m.Status == ColumnMatched && (m.Alias == "" || m.Source.File != "headers.csv" || m.Source.Line < 2 || !m.Source.Embedded()) {
			t.Errorf("%q: evidence %+v", tt.header, m)
		}
	}
}

// TestAmbiguousAndDuplicateColumns: a tie between two fields is ignored and
// reported, never guessed; of two columns of one field, the seed's first-listed
// header wins, then an exact header over a contained one.
func TestAmbiguousAndDuplicateColumns(t *testing.T) {
	c, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A data team's seed that gives a three-word alias to two fields.
	c.Headers = append(c.Headers,
		seeds.HeaderAlias{Kind: KindDossiers, Field: "x_note", Rank: 0, Alias: "Ghi chú hồ sơ"},
		seeds.HeaderAlias{Kind: KindDossiers, Field: "x_remark", Rank: 0, Alias: "Ghi chú hồ sơ"})
	v := NewVocab(c)
	rows := sheet(
		"Ngày tiếp nhận hồ sơ|Mã hồ sơ|Tên thủ tục|Lĩnh vực|Ngày tiếp nhận|Ngày hẹn trả|Hình thức nộp|Trạng thái|Ghi chú hồ sơ của cán bộ|Ngày nhận|Mức độ hài lòng",
		"01/02/2024|H1|Khai sinh|Hộ tịch|01/02/2024|02/02/2024|Trực tuyến|Đã trả|x|01/02/2024|Hài lòng",
	)
	l, ok := v.FindHeader(rows)
	if !ok {
		t.Fatalf("no header: missing %v", l.Missing)
	}
	if got := l.Col("received_at"); got != 4 {
		t.Errorf("received_at in column %d, want 4 (the exact header)", got)
	}
	if want := []string{"Ghi chú hồ sơ của cán bộ"}; !reflect.DeepEqual(l.Ambiguous, want) {
		t.Errorf("Ambiguous = %q, want %q", l.Ambiguous, want)
	}
	if want := []string{"Ghi chú hồ sơ của cán bộ", "Mức độ hài lòng"}; !reflect.DeepEqual(l.Ignored, want) {
		t.Errorf("Ignored = %q, want %q", l.Ignored, want)
	}
	if want := []string{"Ngày tiếp nhận hồ sơ", "Ngày nhận"}; !reflect.DeepEqual(l.Duplicates, want) {
		t.Errorf("Duplicates = %q, want %q", l.Duplicates, want)
	}
	want := []struct {
		col    int
		status string
		field  string
		cands  []string
	}{
		{0, ColumnDuplicate, "received_at", nil}, {4, ColumnMatched, "received_at", nil},
		{8, ColumnAmbiguous, "", []string{"x_note", "x_remark"}}, {9, ColumnDuplicate, "received_at", nil},
		{10, ColumnIgnored, "", nil},
	}
	for _, w := range want {
		m := l.Matches[w.col]
		if m.Col != w.col || m.Status != w.status || m.Field != w.field || !reflect.DeepEqual(m.Candidates, w.cands) {
			t.Errorf("column %d: %+v, want %s %s %v", w.col, m, w.status, w.field, w.cands)
		}
	}
	if len(l.Matches) != 11 {
		t.Errorf("%d matches, want one per column", len(l.Matches))
	}
}
