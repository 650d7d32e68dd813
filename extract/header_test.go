package extract

import (
	"reflect"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/seeds"
)

func testVocab(t *testing.T) (*Vocab, *Units) {
	t.Helper()
	c, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	return NewVocab(c), NewUnits(c)
}

// sheet builds rows from lines of cells separated by '|'.
func sheet(lines ...string) []Row {
	rows := make([]Row, len(lines))
	for i, l := range lines {
		var cells []string
		if l != "" {
			for _, c := range strings.Split(l, "|") {
				cells = append(cells, Clean(c))
			}
		}
		rows[i] = Row{Num: i + 1, Cells: cells}
	}
	return rows
}

func TestFindHeader(t *testing.T) {
	v, _ := testVocab(t)
	tests := []struct {
		name      string
		rows      []Row
		kind      string
		first     int
		dataFirst int
		cols      map[string]int // a subset to check
	}{
		{
			name: "two-row header with a merged parent and unknown columns",
			rows: sheet(
				"DANH SÁCH HỒ SƠ THỦ TỤC HÀNH CHÍNH",
				"Từ ngày 05/12/2023 đến ngày 07/06/2024",
				"STT|Mã\nhồ sơ|ĐƠN VỊ TIẾP NHẬN|NGƯỜI NỘP|Linh vuc|Số\nCCCD|Trích yếu|Ngày|||Sổ theo dõi|Da so hoa|SỐ ĐIỆN THOẠI|  Hình  thức  nộp |Thủ tục hành chính|Tình trạng hồ sơ|Dia chi|Mức độ dịch vụ công|ĐỊNH DANH ĐIỆN TỬ",
				"|||||||TIẾP NHẬN|Hẹn\ntrả|Trả kết quả",
				"1|H18.2024-C-002220|P. Thanh Xuân Nam|Lê Quang Yến|Chứng thực|079702182485||15/12/2023|45279.7|45279.3||Không|0962412197|Nộp trực tiếp|Chứng thực bản sao|Đã xử lý xong|Số 176|DVC toàn trình|Không",
			),
			kind: KindDossiers, first: 3, dataFirst: 5,
			cols: map[string]int{"dossier_id": 1, "unit": 2, "applicant_name": 3, "field": 4, "applicant_id": 5,
				"received_at": 7, "due_at": 8, "completed_at": 9, "result_digitized": 11, "channel": 13, "procedure_name": 14, "status": 15, "eid_verified": 18},
		},
		{
			name: "one-row header, NFD text and a column-number row",
			rows: sheet(
				"UBND PHƯỜNG KHƯƠNG TRUNG",
				"",
				"STT|Ma\u0303 hô\u0300 sơ|Tên TTHC|Lĩnh vực|Ngày tiếp nhận|Ngày hẹn trả|Ngày trả|Kênh tiếp nhận|Trạng thái",
				"(1)|(2)|(3)|(4)|(5)|(6)|(7)|(8)|(9)",
				"1|H1|Đăng ký khai sinh|Hộ tịch|01/02/2024|05/02/2024|03/02/2024|Trực tuyến|Đã trả kết quả",
			),
			kind: KindDossiers, first: 3, dataFirst: 5,
			cols: map[string]int{"dossier_id": 1, "completed_at": 6},
		},
		{
			name: "Biểu 06 three-row header resolved through parents",
			rows: sheet(
				"Biểu số 06/VPCP/KSTT",
				"Kỳ báo cáo: Quý I năm 2024 (Từ ngày 05/12/2023 đến ngày 04/03/2024)",
				"Đơn vị báo cáo: UBND Phường Hạ Đình",
				"STT|Lĩnh vực, công việc giải quyết theo cấp|Số hồ sơ nhận giải quyết||||Kết quả giải quyết",
				"||Tổng số|Trong đó|||Số hồ sơ đã giải quyết||||Số hồ sơ đang giải quyết",
				"|||Trực tuyến|Trực tiếp, dịch vụ bưu chính|Từ kỳ trước|Tổng số|Trước hạn|Đúng hạn|Quá hạn|Tổng số|Trong hạn|Quá hạn",
				"(1)|(2)|(3)|(4)|(5)|(6)|(7)|(8)|(9)|(10)|(11)|(12)|(13)",
				"I|Cấp phường",
			),
			kind: KindTTHCSummary, first: 4, dataFirst: 8,
			cols: map[string]int{"field": 1, "received_total": 2, "received_online": 3, "received_counter_postal": 4, "carried_over": 5,
				"resolved_total": 6, "resolved_early": 7, "resolved_on_time": 8, "resolved_late": 9,
				"in_progress_total": 10, "in_progress_within_deadline": 11, "in_progress_overdue": 12},
		},
		{
			name: "unit report",
			rows: sheet(
				"UBND QUẬN THANH XUÂN",
				"UBND PHƯỜNG KIM GIANG",
				"BÁO CÁO KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
				"",
				"STT|Ma chi tieu|Noi dung|Don vi tinh|Ket qua|Ghi chu",
				"I||CÔNG TÁC CHỈ ĐẠO",
			),
			kind: KindUnitReport, first: 5, dataFirst: 6,
			cols: map[string]int{"indicator_code": 1, "indicator_text": 2, "unit_of_measure": 3, "value": 4, "note": 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, ok := v.FindHeader(tt.rows)
			if !ok {
				t.Fatalf("no header found; closest %s missing %v", l.Kind, l.Missing)
			}
			if l.Kind != tt.kind || l.HeaderFirst != tt.first || l.DataFirst != tt.dataFirst {
				t.Errorf("kind %s rows %d..%d data %d; want %s %d data %d", l.Kind, l.HeaderFirst, l.HeaderLast, l.DataFirst, tt.kind, tt.first, tt.dataFirst)
			}
			for f, c := range tt.cols {
				if got := l.Col(f); got != c {
					t.Errorf("column of %s = %d (%q), want %d", f, got, label(l, got), c)
				}
			}
		})
	}
}

func label(l Layout, c int) string {
	if c < 0 || c >= len(l.Labels) {
		return ""
	}
	return l.Labels[c]
}

func TestFindHeaderMissingColumn(t *testing.T) {
	v, _ := testVocab(t)
	_, ok := v.FindHeader(sheet("Mã hồ sơ|Tên thủ tục|Lĩnh vực|Ngày tiếp nhận|Ngày hẹn trả|Trạng thái"))
	if ok {
		t.Fatal("a dossier list without a channel column was accepted")
	}
	l, _ := v.FindHeader(sheet("Mã hồ sơ|Tên thủ tục|Lĩnh vực|Ngày tiếp nhận|Ngày hẹn trả|Trạng thái"))
	if !reflect.DeepEqual(l.Missing, []string{"channel"}) {
		t.Errorf("missing = %v, want [channel]", l.Missing)
	}
}

func TestDuplicateHeaderFirstListedWins(t *testing.T) {
	v, _ := testVocab(t)
	l, ok := v.FindHeader(sheet("Số hồ sơ|Mã hồ sơ|Tên thủ tục|Lĩnh vực|Ngày tiếp nhận|Ngày hẹn trả|Hình thức nộp|Trạng thái"))
	if !ok {
		t.Fatal("no header")
	}
	if l.Col("dossier_id") != 1 || len(l.Duplicates) != 1 || l.Duplicates[0] != "Số hồ sơ" {
		t.Errorf("dossier_id col %d, duplicates %v; want col 1 (Mã hồ sơ is listed first) and Số hồ sơ ignored", l.Col("dossier_id"), l.Duplicates)
	}
}

func TestUnits(t *testing.T) {
	_, u := testVocab(t)
	match := []struct{ in, want string }{
		{"P. Thanh Xuân Nam", "thanh_xuan_nam"},
		{" UBND Phường Thanh Xuân Bắc\u00a0", "thanh_xuan_bac"},
		{"PHƯỜNG PHƯƠNG LIỆT", "phuong_liet"},
		{"Phuong Thanh Xuan Trung", "thanh_xuan_trung"},
		{"Ủy ban nhân dân phường Kim Giang", "kim_giang"},
		{"Phòng TC-KH", "tai_chinh_ke_hoach"},
		{"Phòng Tài chính - Kế hoạch", "tai_chinh_ke_hoach"},
		{"UBND Phòng Kinh tế", "kinh_te"},
		{"Phong Tu phap", "tu_phap"},
		{"Quận Thanh Xuân", "thanh_xuan"},
	}
	for _, m := range match {
		if got, ok := u.Match(m.in); !ok || got != m.want {
			t.Errorf("Match(%q) = %q, %v; want %q", m.in, got, ok, m.want)
		}
	}
	for _, in := range []string{"Phường Láng Hạ", "Thanh Xuân", "Phòng", ""} {
		if got, ok := u.Match(in); ok {
			t.Errorf("Match(%q) = %q, want no unit", in, got)
		}
	}
	names := []struct{ in, want string }{
		{"BC_CCHC_Q1_2024_KimGiang.xlsx", "kim_giang"},
		{"kim-giang_2024-6M.xlsx", "kim_giang"},
		{"hoso_thanh-xuan-bac_dot1.xlsx", "thanh_xuan_bac"},
		{"Bieu06_tai_nguyen_moi_truong_Q1_2024.xlsx", "tai_nguyen_moi_truong"},
		{"Bao cao CCHC 6T_2024 - Phong Quan ly do thi.xlsx", "quan_ly_do_thi"},
		{"BC_CCHC_6T_2024_vanphong.xlsx", "van_phong"},
	}
	for _, n := range names {
		if got, ok := u.FromFileName(n.in); !ok || got != n.want {
			t.Errorf("FromFileName(%q) = %q, %v; want %q", n.in, got, ok, n.want)
		}
	}
	if got, ok := u.FromFileName("export_tthc_01.xlsx"); ok {
		t.Errorf("FromFileName(export_tthc_01.xlsx) = %q, want none", got)
	}
	title := []struct {
		lines []string
		want  string
	}{
		{[]string{"UBND QUẬN THANH XUÂN", "UBND PHƯỜNG KIM GIANG", "BÁO CÁO ..."}, "kim_giang"},
		{[]string{"Đơn vị báo cáo: UBND Phường Hạ Đình", "Đơn vị nhận báo cáo: UBND quận Thanh Xuân"}, "ha_dinh"},
		{[]string{"UBND QUẬN THANH XUÂN", "PHÒNG NỘI VỤ"}, "noi_vu"},
	}
	for _, tt := range title {
		if got, ok := u.FromTitle(tt.lines); !ok || got != tt.want {
			t.Errorf("FromTitle(%q) = %q, %v; want %q", tt.lines, got, ok, tt.want)
		}
	}
}

func TestPeriods(t *testing.T) {
	titles := []struct{ in, want string }{
		{"BÁO CÁO KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024", "2024-Q1"},
		{"BÁO CÁO ... 6 THÁNG ĐẦU NĂM 2024", "2024-6M"},
		{"Kỳ báo cáo: 6 tháng năm 2024 (Từ ngày 05/12/2023 đến ngày 04/06/2024)", "2024-6M"},
		{"Kỳ báo cáo: Quý I năm 2024 (Từ ngày 05/12/2023 đến ngày 04/03/2024)", "2024-Q1"},
		{"BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH 9 THÁNG NĂM 2025", "2025-9M"},
		{"BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2024", "2024-Y"},
	}
	for _, tt := range titles {
		if got, _, ok := PeriodFromTitle([]string{tt.in}); !ok || got != tt.want {
			t.Errorf("PeriodFromTitle(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	names := []struct{ in, want string }{
		{"BC_CCHC_Q1_2024_KimGiang.xlsx", "2024-Q1"},
		{"kim-giang_2024-6M.xlsx", "2024-6M"},
		{"Bao cao CCHC 6T_2024 - Phuong Kim Giang.xlsx", "2024-6M"},
		{"x_9T_2024.xlsx", "2024-9M"},
		{"x_2024-Y.xlsx", "2024-Y"},
		{"bc_Nam_2024.xlsx", "2024-Y"},
	}
	for _, n := range names {
		if got, ok := PeriodFromFileName(n.in); !ok || got != n.want {
			t.Errorf("PeriodFromFileName(%q) = %q, %v; want %q", n.in, got, ok, n.want)
		}
	}
}

// TestLayoutKey: a kind's row key is its first required field in the
// seeds, the column every data row has.
func TestLayoutKey(t *testing.T) {
	v, _ := testVocab(t)
	for kind, want := range map[string]string{KindDossiers: "dossier_id", KindUnitReport: "indicator_text", KindTTHCSummary: "field"} {
		c := v.match(kind, headerColumns([][]string{{"x"}}, nil))
		if c.layout.Key != want {
			t.Errorf("%s: key %q, want %q", kind, c.layout.Key, want)
		}
	}
}
