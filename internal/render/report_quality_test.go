package render_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/render"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/internal/warehouse"
	"github.com/thanhxuan/cchc/load"
)

// qualityReportWarehouse is a warehouse whose data end on 07/06/2024: Kim
// Giang's dossier export (no column for the service level, digitisation or
// VNeID) runs from 05/12/2023 to that day, and so does Hạ Đình's, which lost
// two of its five rows; Kim Giang's Q1 report is a copy made in May, recorded as
// arriving on paper on 04/03.
func qualityReportWarehouse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	var kg strings.Builder
	kg.WriteString("Mã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Hình thức nộp,Trạng thái\n")
	last := time.Date(2024, 6, 7, 0, 0, 0, 0, time.UTC)
	n := 0
	for day := time.Date(2023, 12, 5, 0, 0, 0, 0, time.UTC); !day.After(last); day = day.AddDate(0, 0, 3) {
		n++
		completed, status := day.AddDate(0, 0, 3), "Đã trả kết quả"
		if completed.After(last) {
			completed, status = time.Time{}, "Đang giải quyết"
		}
		done := ""
		if !completed.IsZero() {
			done = completed.Format("02/01/2006")
		}
		fmt.Fprintf(&kg, "KG-%d,Đăng ký khai sinh,Hộ tịch,Phường Kim Giang,%s,%s,%s,Trực tuyến,%s\n", n,
			day.Format("02/01/2006"), day.AddDate(0, 0, 5).Format("02/01/2006"), done, status)
	}
	fmt.Fprintf(&kg, "KG-last,Đăng ký khai sinh,Hộ tịch,Phường Kim Giang,07/06/2024,12/06/2024,,Trực tiếp,Đang giải quyết\n")
	mod := time.Date(2024, 6, 8, 9, 0, 0, 0, load.Zone)
	testwh.WriteFile(t, cfg.Inbox, "ho-so/hoso_kim-giang.csv", kg.String(), mod)
	hd := "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Hình thức nộp,Trạng thái\n" +
		"HD-1,Đăng ký khai sinh,Hộ tịch,Phường Hạ Đình,03/01/2024,10/01/2024,09/01/2024,Trực tuyến,Đã trả kết quả\n" +
		"HD-2,Đăng ký khai sinh,Hộ tịch,Phường Hạ Đình,15/03/2024,20/03/2024,19/03/2024,Trực tuyến,Đã trả kết quả\n" +
		"HD-3,Đăng ký khai sinh,Hộ tịch,Phường Hạ Đình,07/06/2024,12/06/2024,,Trực tuyến,Đang giải quyết\n" +
		"HD-4,Đăng ký khai tử,Hộ tịch,Phường Hạ Đình,31/02/2024,05/03/2024,,Trực tiếp,Đang giải quyết\n" +
		"HD-5,Đăng ký kết hôn,Hộ tịch,Phường Hạ Đình,03/01/2024,02/01/2024,,Trực tiếp,Đang giải quyết\n"
	testwh.WriteFile(t, cfg.Inbox, "ho-so/hoso_ha-dinh.csv", hd, mod)
	testwh.WriteFile(t, cfg.Inbox, "bao-cao/BC_CCHC_Q1_2024_KimGiang.csv", testwh.ReportCSV("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024"), time.Date(2024, 5, 20, 9, 0, 0, 0, load.Zone))
	cfg.SeedsDir = filepath.Join(dir, "seeds")
	testwh.WriteFile(t, cfg.SeedsDir, "arrivals.csv", "unit,period,received_at,note\nkim_giang,2024-Q1,04/03/2024 15:00,bản giấy\n", time.Time{})
	cfg = testwh.Validate(t, cfg)
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil {
		t.Fatal(err)
	}
	return cfg.Warehouse
}

// writeReport writes the report of period as a workbook and a page and
// returns their paths.
func writeReport(t *testing.T, wh, period string) (xlsx, page string) {
	t.Helper()
	db, closeDB, err := warehouse.Open(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	d, err := warehouse.ReadReport(context.Background(), db, period)
	if err != nil {
		t.Fatal(err)
	}
	doc := render.NewReport(d, time.Date(2024, 6, 10, 8, 0, 0, 0, load.Zone))
	dir := t.TempDir()
	xlsx, page = filepath.Join(dir, "r.xlsx"), filepath.Join(dir, "r.html")
	if err := render.WriteFile(xlsx, doc.WriteXLSX); err != nil {
		t.Fatal(err)
	}
	if err := render.WriteFile(page, doc.WriteHTML); err != nil {
		t.Fatal(err)
	}
	return xlsx, page
}

// sheetText is every cell of a sheet, a row a line, cells joined by " | ".
func sheetText(t *testing.T, f *excelize.File, sheet string) string {
	t.Helper()
	var b strings.Builder
	for _, row := range getRows(t, f, sheet) {
		b.WriteString(strings.Join(row, " | ") + "\n")
	}
	return b.String()
}

// TestReportQualityNotes: the report of a year whose data end in June says
// so plainly — in its head, in every sheet's period line and in the quality
// notes, which also name the mostly rejected file with the units and periods
// it feeds and the KPIs computed from fewer rows than exist; the
// submissions sheet says where each arrival time comes from; a complete
// period says nothing of the kind.
func TestReportQualityNotes(t *testing.T) {
	wh := qualityReportWarehouse(t)
	xlsx, page := writeReport(t, wh, "2024-Y")
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cover := sheetText(t, f, "Tổng quan")
	for _, w := range []string{
		"KỲ CHƯA ĐỦ SỐ LIỆU: số liệu hồ sơ mới có đến 07/06/2024, kỳ kết thúc 04/12/2024",
		"số liệu lũy kế từ 05/12/2023 đến 04/12/2024 — CHƯA ĐỦ KỲ: số liệu hồ sơ mới có đến 07/06/2024",
		"Chất lượng số liệu: kỳ chưa đủ số liệu (số liệu hồ sơ đến 07/06/2024); 1 tệp bị loại quá 1/5 số dòng; 3 chỉ tiêu tính trên ít hồ sơ hơn số hiện có",
	} {
		if !strings.Contains(cover, w) {
			t.Errorf("the cover does not say %q:\n%s", w, cover)
		}
	}
	notes := getRows(t, f, "Chất lượng số liệu")
	byIssue := map[string][]string{}
	for _, row := range notes {
		if len(row) == 5 && row[0] != "STT" {
			byIssue[row[1]] = append(byIssue[row[1]], strings.Join(row[2:], " | "))
		}
	}
	// Both units' data stop on 07/06: one note names them both.
	if got := byIssue["Kỳ chưa đủ số liệu"]; len(got) != 1 ||
		got[0] != "Số liệu hồ sơ chỉ có đến 07/06/2024, kỳ kết thúc 04/12/2024: các chỉ tiêu tính từ hồ sơ (và dòng toàn quận) chưa phản ánh cả kỳ. | Phường Hạ Đình, Phường Kim Giang | 2024-Y" {
		t.Errorf("coverage notes: %q", got)
	}
	if got := byIssue["Tệp bị loại nhiều dòng"]; len(got) != 1 ||
		got[0] != "Tệp ho-so/hoso_ha-dinh.csv: 40% số dòng dữ liệu bị loại (2/5); các chỉ tiêu dùng tệp này chỉ dựng trên phần còn lại — cần đơn vị gửi lại. | Phường Hạ Đình | 2024-6M, 2024-9M, 2024-Q1, 2024-Y" {
		t.Errorf("mostly rejected notes: %q", got)
	}
	unknown := byIssue["Chỉ tiêu tính trên ít hồ sơ hơn số hiện có"]
	if len(unknown) != 3 {
		t.Fatalf("rows_unknown notes: %q", unknown)
	}
	var received, resolved int
	for _, row := range strings.Split(testwh.Query(t, wh, `SELECT count(*) FILTER (received_date < '2024-12-05') || ' ' ||
			count(*) FILTER (status = 'resolved' AND completed_date < '2024-12-05') FROM core.dossiers`), "\n") {
		fmt.Sscan(row, &received, &resolved)
	}
	for _, w := range []string{
		fmt.Sprintf("(tthc_full_online_rate): %d hồ sơ không được tính vì tệp nguồn không có cột chỉ tiêu cần đọc; tỷ lệ tính trên 0 hồ sơ.", received),
		fmt.Sprintf("(tthc_result_digitized_rate): %d hồ sơ không được tính", resolved),
	} {
		if !strings.Contains(strings.Join(unknown, "\n"), w) {
			t.Errorf("rows_unknown notes do not say %q: %q", w, unknown)
		}
	}
	for _, sheet := range f.GetSheetList() {
		if rows := getRows(t, f, sheet); strings.HasPrefix(sheet, "II.") && !strings.Contains(sheetText(t, f, sheet), "CHƯA ĐỦ KỲ: số liệu hồ sơ mới có đến 07/06/2024") {
			t.Errorf("sheet %s (%d rows) does not say the period is not complete", sheet, len(rows))
		}
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, w := range []string{"KỲ CHƯA ĐỦ SỐ LIỆU: số liệu hồ sơ mới có đến 07/06/2024", "Ghi chú chất lượng số liệu", "ho-so/hoso_ha-dinh.csv", "Chỉ tiêu tính trên ít hồ sơ hơn số hiện có"} {
		if !strings.Contains(html, w) {
			t.Errorf("the page does not say %q", w)
		}
	}

	// A complete period: no word of it; the arrival recorded on paper wins
	// over the copy's time and says so.
	xlsx, page = writeReport(t, wh, "2024-Q1")
	f2, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	for _, sheet := range f2.GetSheetList() {
		if s := sheetText(t, f2, sheet); strings.Contains(s, "CHƯA ĐỦ") || strings.Contains(s, "Kỳ chưa đủ số liệu") {
			t.Errorf("the complete period's sheet %s says it is not complete", sheet)
		}
	}
	subs := sheetText(t, f2, "Gửi báo cáo")
	if !strings.Contains(subs, "Phường Kim Giang | Phường | ") || !strings.Contains(subs, "Người ghi: bản giấy") {
		t.Errorf("submissions:\n%s", subs)
	}
	for _, row := range getRows(t, f2, "Gửi báo cáo") {
		if len(row) > 8 && row[1] == "Phường Kim Giang" && (!strings.HasSuffix(row[3], "Đúng hạn") || row[8] != "Người ghi: bản giấy") {
			t.Errorf("Kim Giang's Q1 report: %q", row)
		}
	}
}
