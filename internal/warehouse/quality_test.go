package warehouse

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

// qualityWarehouse builds a warehouse as of 2024-03-10 whose figures have
// flaws to tell: Kim Giang's dossier export runs to late February and says
// of two early dossiers that they were late, with no column for the service
// level, digitisation or VNeID; Hạ Đình's export lost two of its five rows;
// Kim Giang's Q1 report is a copy made on 20/03 but came on paper on 04/03
// (recorded), Khương Mai's file came on 07/03, Nhân Chính's report came by
// email on 08/03 (recorded) and has no file.
func qualityWarehouse(t *testing.T) (dir string, o StatusOptions) {
	dir = t.TempDir()
	cfg := testwh.Config(t, dir)
	at := func(s string) time.Time {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, load.Zone)
		return tm
	}
	in := cfg.Inbox
	testwh.WriteFile(t, in, "bao-cao/BC_CCHC_Q1_2024_KimGiang.csv", testwh.ReportCSV("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024"), at("2024-03-20 14:00"))
	testwh.WriteFile(t, in, "bao-cao/BC_CCHC_Q1_2024_KhuongMai.csv", testwh.ReportCSV("UBND PHƯỜNG KHƯƠNG MAI", "QUÝ I NĂM 2024"), at("2024-03-07 10:00"))
	var kg strings.Builder
	kg.WriteString("Mã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Hình thức nộp,Trạng thái\n")
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= 10; i++ {
		received := day.AddDate(0, 0, 5*i)
		stated := "Trước hạn"
		if i%5 == 0 {
			stated = "Trễ hạn" // completed the day before it was due
		}
		fmt.Fprintf(&kg, "KG-%d,Đăng ký khai sinh,Hộ tịch,Phường Kim Giang,%s,%s,%s,Trực tuyến,Đã trả kết quả - %s\n", i,
			received.Format("02/01/2006"), received.AddDate(0, 0, 8).Format("02/01/2006"), received.AddDate(0, 0, 7).Format("02/01/2006"), stated)
	}
	testwh.WriteFile(t, in, "ho-so/hoso_kim-giang.csv", kg.String(), at("2024-03-02 08:00"))
	hd := strings.ReplaceAll(testwh.DossierCSV("HD", 3), "Kim Giang", "Hạ Đình") +
		"HD-4,Đăng ký khai tử,Hộ tịch,Phường Hạ Đình,31/02/2024,05/03/2024,,Trực tiếp,Đang giải quyết\n" +
		"HD-5,Đăng ký kết hôn,Hộ tịch,Phường Hạ Đình,03/01/2024,02/01/2024,,Trực tiếp,Đang giải quyết\n"
	testwh.WriteFile(t, in, "ho-so/hoso_ha-dinh.csv", hd, at("2024-03-02 08:05"))
	cfg.SeedsDir = filepath.Join(dir, "seeds")
	testwh.WriteFile(t, cfg.SeedsDir, "arrivals.csv", "unit,period,received_at,note\n"+
		"kim_giang,2024-Q1,2024-03-04 15:00,bản giấy\n"+
		"nhan_chinh,2024-Q1,2024-03-08 08:00,thư điện tử\n", time.Time{})
	cfg = testwh.Validate(t, cfg)
	if sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil || !sum.Published {
		t.Fatalf("run: %v", err)
	}
	fixRuns(t, cfg.Warehouse, map[int][3]string{1: {"run-1", "2024-03-10 02:00:00", "2024-03-10 02:00:07"}})
	return dir, StatusOptions{Warehouse: cfg.Warehouse, StateDir: cfg.StateDir, Today: time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), Runs: 5}
}

// TestStatusQuality: status says through which date the period's data run
// and that it is not complete, the KPIs that left rows out, the resolved
// dossiers whose stated timeliness disagrees with their dates and the mostly
// rejected files with the units and periods they feed; and for each late
// report where its time comes from — a person's record beats a copy's file
// time.
func TestStatusQuality(t *testing.T) {
	dir, o := qualityWarehouse(t)
	st, err := ReadStatus(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "status", "quality.json", strings.ReplaceAll(statusJSON(t, st), dir, "$DIR"))

	// The latest period with data is Q1: its reports and its dossiers.
	if st.Period == nil || st.Period.Period != "2024-Q1" {
		t.Fatalf("period: %+v", st.Period)
	}
	late := map[string]string{}
	for _, u := range st.Period.Unit {
		if u.State == SentLate {
			late[u.Unit] = fmt.Sprintf("%s %s %d", u.ReceivedAt.In(load.Zone).Format("2006-01-02 15:04"), u.Source, u.DaysLate)
		}
	}
	if len(late) != 2 || late["khuong_mai"] != "2024-03-07 10:00 file_time 2" || late["nhan_chinh"] != "2024-03-08 08:00 recorded 3" {
		t.Errorf("late reports of 2024-Q1: %v", late)
	}
	if p := st.Period; p.Received != 3 {
		t.Errorf("2024-Q1: %d received, want Kim Giang (recorded on time), Khương Mai and Nhân Chính", p.Received)
	}
	q := st.Quality
	if q == nil || q.Period != "2024-Q1" || q.Coverage == nil {
		t.Fatalf("quality: %+v", q)
	}
	// Kim Giang's last completion: the tenth dossier, received 50 days
	// after 2 January, completed 7 days later; Hạ Đình's export ends with
	// its completions of 9 January; the period's data run through the
	// latest of them.
	if c := q.Coverage; c.Complete || c.LastDay != "2024-03-04" || c.DataThrough != "2024-02-28" ||
		len(c.Units) != 2 || c.Units[0].Unit != "ha_dinh" || c.Units[0].DataThrough != "2024-01-09" ||
		c.Units[1].Unit != "kim_giang" || c.Units[1].DataThrough != "2024-02-28" {
		t.Errorf("coverage: %+v", c)
	}
	if q.Disagreements != 2 {
		t.Errorf("%d disagreements, want the 2 early dossiers said to be late", q.Disagreements)
	}
	unknown := map[string]int64{}
	for _, u := range q.Unknown {
		unknown[u.KPI+" "+u.Unit] = u.Unknown
	}
	// Received in the Q1 window: all 10 of Kim Giang, the 3 good of Hạ Đình;
	// resolved: the same.
	for _, kpi := range []string{"tthc_full_online_rate", "tthc_result_digitized_rate", "tthc_eid_rate"} {
		if unknown[kpi+" kim_giang"] != 10 || unknown[kpi+" ha_dinh"] != 3 || unknown[kpi+" thanh_xuan"] != 13 {
			t.Errorf("%s rows unknown: %v", kpi, unknown)
		}
	}
	if len(unknown) != 9 {
		t.Errorf("rows unknown: %v", unknown)
	}
	if m := q.MostlyRejected; len(m) != 1 || m[0].Path != "ho-so/hoso_ha-dinh.csv" || m[0].Rejected != 2 || m[0].Loaded != 3 ||
		strings.Join(m[0].Units, ",") != "ha_dinh" || !m[0].Feeds("2024-Q1") || m[0].Feeds("2025-Q1") {
		t.Errorf("mostly rejected: %+v", m)
	}
}
