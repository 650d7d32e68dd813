package extract

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Phường Khương Đình", "phuong khuong dinh"},
		{"PHƯỜNG  KHƯƠNG\nĐÌNH", "phuong khuong dinh"},
		{"Phu\u031bo\u031b\u0300ng Khu\u031bo\u031bng \u0110i\u0300nh", "phuong khuong dinh"}, // NFD
		{"Phuong Khuong Dinh", "phuong khuong dinh"},
		{"\u00a0UBND Phường Kim Giang\u00a0", "ubnd phuong kim giang"},
		{"Phòng Tài chính - Kế hoạch", "phong tai chinh-ke hoach"},
		{"Phòng Tài chính-Kế hoạch", "phong tai chinh-ke hoach"},
		{"Phòng TC - KH", "phong tc-kh"},
		{"P. Thanh Xuân Nam", "p.thanh xuan nam"},
		{"Số phản ánh ,  kiến nghị", "so phan anh,kien nghi"},
		{"Số phản ánh, kiến nghị", "so phan anh,kien nghi"},
		{"  Hình  thức  nộp ", "hinh thuc nop"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{" H14.2024-C-001077\u00a0", "H14.2024-C-001077"},
		{"Số\ntài  liệu", "Số tài liệu"},
		{"plain", "plain"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Phường Khương Đình", "P. X", "a , b", "\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if again := Fold(got); again != got {
			t.Fatalf("Fold not idempotent: %q → %q → %q", s, got, again)
		}
	})
}
