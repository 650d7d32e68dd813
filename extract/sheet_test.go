package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
