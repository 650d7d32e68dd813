package extract

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/seeds"
)

// scanCSV writes lines as a CSV file, scans it and returns the data rows' first
// cells (the dossier id or the indicator text) with their row numbers.
func scanCSV(t *testing.T, name string, lines ...string) (SheetHead, []string) {
	t.Helper()
	v, u := testVocab(t)
	s := &Scanner{Vocab: v, Units: u}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wb, err := OpenWorkbook(p, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	heads, err := s.Scan(wb, p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Data(wb, &heads[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	key := heads[0].Layout.Col("dossier_id")
	if key < 0 {
		key = heads[0].Layout.Col("indicator_text")
	}
	if key < 0 {
		key = heads[0].Layout.Col("field")
	}
	for rows.Next() {
		r := rows.Row()
		got = append(got, fmt.Sprintf("%02d:%s", r.Num, r.Cell(key)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return heads[0], got
}

const dossierHeader = "STT;Mã hồ sơ;Tên thủ tục;Lĩnh vực;Đơn vị;Ngày tiếp nhận;Ngày hẹn trả;Ngày trả kết quả;Hình thức nộp;Trạng thái"

func dossier(stt, id string) string {
	return stt + ";" + id + ";Đăng ký khai sinh;Hộ tịch;Phường Kim Giang;01/02/2024;05/02/2024;03/02/2024;Trực tuyến;Đã trả kết quả"
}

// Each tolerance of CONTRACT 3.4 by itself: the rows that are not data are
// skipped and every data row is kept, with its own row number.
func TestDataRowTolerances(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"plain", []string{dossierHeader, dossier("1", "A1"), dossier("2", "A2")}, "02:A1 03:A2"},
		{"blank rows", []string{dossierHeader, ";;;", dossier("1", "A1"), "", dossier("2", "A2")}, "03:A1 05:A2"},
		{"section row", []string{dossierHeader, "I. Lĩnh vực Hộ tịch;;;", dossier("1", "A1"), ";II. Lĩnh vực Chứng thực", dossier("2", "A2")}, "03:A1 05:A2"},
		{"subtotal and total", []string{dossierHeader, dossier("1", "A1"), ";Cộng;;;;;;;;", dossier("2", "A2"), ";Tổng cộng: 2 hồ sơ", "Tổng số;;;;;;;;;"}, "02:A1 04:A2"},
		{"footer", []string{dossierHeader, dossier("1", "A1"), "", ";;;Thanh Xuân, ngày 7 tháng 6 năm 2024", ";NGƯỜI LẬP BIỂU;;;THỦ TRƯỞNG ĐƠN VỊ", ";(Ký, ghi rõ họ tên)", ";Nguyễn Văn A"}, "02:A1"},
		{"column-number row", []string{dossierHeader, "(1);(2);(3);(4);(5);(6);(7);(8);(9);(10)", dossier("1", "A1")}, "03:A1"},
		{"plain number row", []string{dossierHeader, "1;2;3;4;5;6;7;8;9;10", dossier("1", "A1")}, "03:A1"},
		{"title rows", []string{"UBND QUẬN THANH XUÂN", "UBND PHƯỜNG KIM GIANG", "DANH SÁCH HỒ SƠ", "Từ ngày 05/12/2023 đến ngày 07/06/2024", "", dossierHeader, dossier("1", "A1")}, "07:A1"},
		{"header without diacritics, upper case, NFD", []string{
			"STT;MA HO SO;TEN THU TUC;LI\u0303NH VU\u031b\u0323C;DON VI;NGAY TIEP NHAN;NGAY HEN TRA;NGAY TRA KET QUA;HINH THUC NOP;TRANG THAI",
			dossier("1", "A1")}, "02:A1"},
		{"padded text", []string{dossierHeader, dossier("1", " A1\u00a0")}, "02:A1"},
		{"a row with an id is data even when the rest is empty", []string{dossierHeader, dossier("1", "A1"), ";A2;;;;;;;;"}, "02:A1 03:A2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := scanCSV(t, "hoso.csv", tt.lines...)
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("data rows %q, want %q", g, tt.want)
			}
		})
	}
}

func TestTitleManyRowsAndUnknownColumns(t *testing.T) {
	lines := make([]string, 0, 20)
	for i := 0; i < 15; i++ {
		lines = append(lines, "dòng tiêu đề")
	}
	lines = append(lines, dossierHeader+";Trích yếu;Sổ theo dõi", dossier("1", "A1"))
	h, got := scanCSV(t, "hoso.csv", lines...)
	if strings.Join(got, " ") != "17:A1" {
		t.Errorf("data rows %v", got)
	}
	if strings.Join(h.Layout.Ignored, ",") != "STT,Trích yếu,Sổ theo dõi" {
		t.Errorf("ignored %v", h.Layout.Ignored)
	}
}

func TestUnitAndPeriodFromFileName(t *testing.T) {
	h, _ := scanCSV(t, "BC_CCHC_Q1_2024_KimGiang.csv",
		"STT;Nội dung;Đơn vị tính;Kết quả",
		"1;Tổng số cuộc kiểm tra;cuộc;7")
	if h.Unit != "kim_giang" || h.Period != "2024-Q1" || h.Layout.Kind != KindUnitReport {
		t.Errorf("unit %q period %q kind %q", h.Unit, h.Period, h.Layout.Kind)
	}
	h, _ = scanCSV(t, "report.csv",
		"PHÒNG TƯ PHÁP", "BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH 6 THÁNG ĐẦU NĂM 2024",
		"STT;Nội dung;Đơn vị tính;Kết quả",
		"1;Tổng số cuộc kiểm tra;cuộc;7")
	if h.Unit != "tu_phap" || h.Period != "2024-6M" {
		t.Errorf("title: unit %q period %q", h.Unit, h.Period)
	}
}

// Where the unit and the period were read: the title row (its number among
// the sheet's rows, blank rows counted) or the file name.
func TestUnitAndPeriodEvidence(t *testing.T) {
	h, _ := scanCSV(t, "report.csv",
		"UBND QUẬN THANH XUÂN", "", "PHÒNG TƯ PHÁP",
		"BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH 6 THÁNG ĐẦU NĂM 2024",
		"STT;Nội dung;Đơn vị tính;Kết quả",
		"1;Tổng số cuộc kiểm tra;cuộc;7")
	wantUnit := Evidence{From: FromTitle, Row: 3, Text: "PHÒNG TƯ PHÁP"}
	wantPeriod := Evidence{From: FromTitle, Row: 4, Text: "BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH 6 THÁNG ĐẦU NĂM 2024"}
	if h.Unit != "tu_phap" || h.UnitFrom != wantUnit {
		t.Errorf("unit %q from %+v, want tu_phap from %+v", h.Unit, h.UnitFrom, wantUnit)
	}
	if h.Period != "2024-6M" || h.PeriodFrom != wantPeriod {
		t.Errorf("period %q from %+v, want 2024-6M from %+v", h.Period, h.PeriodFrom, wantPeriod)
	}

	h, _ = scanCSV(t, "BC_CCHC_Q1_2024_KimGiang.csv",
		"STT;Nội dung;Đơn vị tính;Kết quả",
		"1;Tổng số cuộc kiểm tra;cuộc;7")
	name := Evidence{From: FromFileName, Text: "BC_CCHC_Q1_2024_KimGiang.csv"}
	if h.Unit != "kim_giang" || h.UnitFrom != name || h.Period != "2024-Q1" || h.PeriodFrom != name {
		t.Errorf("unit %q from %+v, period %q from %+v; want both from %+v", h.Unit, h.UnitFrom, h.Period, h.PeriodFrom, name)
	}

	// A quarter that is no period of the plan: its wording, from its row.
	h, _ = scanCSV(t, "report.csv",
		"PHƯỜNG KIM GIANG", "BÁO CÁO CẢI CÁCH HÀNH CHÍNH QUÝ II NĂM 2024",
		"STT;Nội dung;Đơn vị tính;Kết quả",
		"1;Tổng số cuộc kiểm tra;cuộc;7")
	if h.Period != "" || h.PeriodText != "BÁO CÁO CẢI CÁCH HÀNH CHÍNH QUÝ II NĂM 2024" || h.PeriodFrom.From != FromTitle || h.PeriodFrom.Row != 2 {
		t.Errorf("period %q text %q from %+v", h.Period, h.PeriodText, h.PeriodFrom)
	}
	if h.UnitFrom != (Evidence{From: FromTitle, Row: 1, Text: "PHƯỜNG KIM GIANG"}) {
		t.Errorf("unit from %+v", h.UnitFrom)
	}

	// Neither: no evidence.
	h, _ = scanCSV(t, "export.csv", dossierHeader, dossier("1", "A1"))
	if h.Unit != "" || h.UnitFrom != (Evidence{}) || h.PeriodFrom != (Evidence{}) {
		t.Errorf("unit %q from %+v, period from %+v; want none", h.Unit, h.UnitFrom, h.PeriodFrom)
	}
}

// A file without a complete header: the error carries the layout that came
// nearest, and still reads as before.
func TestHeaderErrorClosest(t *testing.T) {
	v, u := testVocab(t)
	s := &Scanner{Vocab: v, Units: u}
	p := filepath.Join(t.TempDir(), "half.csv")
	body := "Mã hồ sơ;Tên thủ tục;Lĩnh vực;Ngày tiếp nhận;Ghi chú\nA1;Khai sinh;Hộ tịch;01/02/2024;x\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	wb, err := OpenWorkbook(p, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	_, err = s.Scan(wb, p)
	var he *HeaderError
	if !errors.As(err, &he) || !errors.Is(err, ErrMissingColumn) {
		t.Fatalf("Scan: %v, want a *HeaderError wrapping ErrMissingColumn", err)
	}
	if he.Closest == nil || he.Closest.Kind != KindDossiers || he.Closest.Col("received_at") != 3 {
		t.Fatalf("closest %+v", he.Closest)
	}
	if !strings.Contains(err.Error(), "due_at") || !slices.Contains(he.Closest.Missing, "status") {
		t.Errorf("error %q, missing %v", err, he.Closest.Missing)
	}
	if got := he.Closest.Matches[4]; got.Label != "Ghi chú" || got.Status != ColumnIgnored {
		t.Errorf("column 5: %+v", got)
	}

	if err := os.WriteFile(p, []byte("a;b;c\n1;2;3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wb2, err := OpenWorkbook(p, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb2.Close()
	_, err = s.Scan(wb2, p)
	if !errors.As(err, &he) || !errors.Is(err, ErrNoHeader) || he.Closest != nil {
		t.Errorf("Scan of no header: %v (closest %v)", err, he)
	}
}

// MatchSource names the seed row of the alias that matched.
func TestUnitMatchSource(t *testing.T) {
	c, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	u := NewUnits(c)
	var unitRow, aliasRow seeds.Source
	for _, x := range c.Units {
		if x.Code == "kim_giang" {
			unitRow = x.Source
		}
	}
	for _, a := range c.UnitAliases {
		if a.Alias == "P. Kim Giang" {
			aliasRow = a.Source
		}
	}
	if unitRow.File != "units.csv" || aliasRow.File != "unit_aliases.csv" {
		t.Fatalf("seed rows %+v %+v", unitRow, aliasRow)
	}
	for in, want := range map[string]seeds.Source{"PHƯỜNG KIM GIANG": unitRow, "P. Kim Giang": aliasRow} {
		code, src, ok := u.MatchSource(in)
		if !ok || code != "kim_giang" || src != want {
			t.Errorf("MatchSource(%q) = %q, %+v, %v; want kim_giang at %+v", in, code, src, ok, want)
		}
	}
	if code, src, ok := u.MatchSource("Phường Không Có"); ok || code != "" || src.File != "" {
		t.Errorf("MatchSource of no unit = %q, %+v, %v", code, src, ok)
	}
}
