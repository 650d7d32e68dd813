package transform

import (
	"testing"

	"github.com/thanhxuan/cchc/seeds"
)

func TestIndicatorMatch(t *testing.T) {
	c, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	ind := NewIndicators(c)
	tests := []struct{ code, text, want string }{
		{"", "So phan anh, kien nghi ve TTHC, quy dinh hanh chinh da tiep nhan", "pakn_received"},
		{"", "- SỐ TTHC ĐỦ ĐIỀU KIỆN CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN TOÀN TRÌNH", "tthc_full_online_eligible"},
		{"", "+ Số kết quả giải quyết TTHC còn hiệu lực đã được số hóa", "results_digitized"},
		{"", "13. So can bo, cong chuc, vien chuc duoc tap huan, boi duong ky nang phan tich, xu ly du lieu", "staff_trained_data"},
		{"", "+   Số hoạt động chỉ đạo ,  điều hành thực hiện trên nền tảng quản trị công việc tổng thể  ", "mgmt_tasks_on_platform"},
		{"", "Số\ntài liệu lưu trữ được tạo lập dưới dạng điện tử:", "archive_docs_electronic"},
		{"", "a) TỔNG SỐ CUỘC KIỂM TRA", "inspections_total"},
		{"", "5. Số cuộc đối thoại với người dân, doanh nghiệp về TTHC:", "dialogues_held"},
		{"", "2.3) Số hình thức tuyên truyền CCHC đã thực hiện", "propaganda_forms"},
		{"pakn_resolved", "anything", "pakn_resolved"},
		{"", "Tổng số cán bộ, công chức, viên chức", "staff_total"},
	}
	for _, tt := range tests {
		if got, ok := ind.Match(tt.code, tt.text); !ok || got != tt.want {
			t.Errorf("Match(%q, %q) = %q, %v; want %q", tt.code, tt.text, got, ok, tt.want)
		}
	}
	for _, text := range []string{"I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "Đánh giá chung: hoàn thành", "Số phản ánh"} {
		if got, ok := ind.Match("", text); ok {
			t.Errorf("Match(%q) = %q, want no match", text, got)
		}
	}
}
