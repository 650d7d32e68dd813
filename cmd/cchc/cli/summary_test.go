package cli

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/warehouse"
	"github.com/thanhxuan/cchc/load"
)

// TestSummaryInVietnamese: the run summary says everything in Vietnamese
// first, names units by their Vietnamese names (the seeds'), and keeps the
// English words and codes that scripts look for beside them.
func TestSummaryInVietnamese(t *testing.T) {
	s := &pipeline.Summary{
		RunID: "run-1", Published: true, Warehouse: "/srv/cchc.duckdb", KPIRows: 12,
		Files: []pipeline.FileOutcome{
			{Path: "a.csv", Status: pipeline.Loaded, Rows: 10, Rejected: 1},
			{Path: "b.xlsx", Status: pipeline.Failed, Message: "tệp hỏng / corrupt"},
		},
		RejectsByReason: map[string]int64{"impossible_date": 1},
		Models:          []load.Result{{Name: "core.dossiers", Kind: "model"}, {Name: "tests.x", Kind: "test"}},
		Reports: &pipeline.ReportStatus{
			Periods: []pipeline.PeriodReports{{Period: "2024-Q1", Received: 18, Late: 1, Missing: []string{"kim_giang", "noi_vu", "a_new_unit"}}},
			Gaps:    []pipeline.ReconciliationGap{{Period: "2024-Q1", Unit: "ha_dinh", ResolvedDiff: 4, OnTime: -2}},
		},
	}
	var b strings.Builder
	printSummary(&b, s)
	out := b.String()
	for _, want := range []string{
		"tệp: nạp 1, lỗi 1, trùng 0, bỏ qua 0 (đã nạp trước) / files: 1 loaded, 1 failed, 0 duplicate, 0 skipped",
		"dòng: nạp 10, bị loại 1 / rows: 10 loaded, 1 rejected",
		"tệp không đọc được / failed files (raw.files):\n  b.xlsx  tệp hỏng / corrupt",
		"mô hình: 1, kiểm thử dữ liệu: 1, lỗi: 0, cảnh báo: 0; dòng KPI: 12",
		"báo cáo kỳ 2024-Q1: đã nhận 18 (trễ hạn 1), chưa gửi 3 / reports 2024-Q1: 18 received (1 late), 3 missing: Phường Kim Giang, Phòng Nội vụ, a_new_unit\n",
		"2024-Q1  Phường Hạ Đình  ha_dinh  đã giải quyết / resolved +4  đúng hạn, trước hạn / on time or early -2",
		"đã công bố / published /srv/cchc.duckdb",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	s.Published = false
	b.Reset()
	printSummary(&b, s)
	if !strings.Contains(b.String(), "CHƯA công bố") || !strings.Contains(b.String(), "NOT published") {
		t.Errorf("an unpublished run:\n%s", b.String())
	}
}

// TestScoreboardInVietnamese: the demo's scoreboard leads with the KPI's
// Vietnamese name, its code beside it, Đạt / Chưa đạt, and the wards and
// departments by name.
func TestScoreboardInVietnamese(t *testing.T) {
	rows := []warehouse.KPIRow{
		{KPI: "tthc_on_time_rate", Name: "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn, trước hạn", Value: sql.NullFloat64{Float64: 0.967, Valid: true},
			Target: sql.NullFloat64{Float64: 1, Valid: true}, Meets: sql.NullBool{Valid: true}, UnitsMissing: []string{"ha_dinh", "noi_vu"}},
		{KPI: "dialogue_count", Name: "Số cuộc đối thoại với người dân, doanh nghiệp", Value: sql.NullFloat64{Float64: 3, Valid: true},
			Target: sql.NullFloat64{Float64: 2, Valid: true}, Meets: sql.NullBool{Bool: true, Valid: true}},
	}
	var b strings.Builder
	if err := printScoreboard(&b, "2024-Y", rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) < 5 || !strings.HasPrefix(lines[3], "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn, trước hạn  tthc_on_time_rate") ||
		!strings.Contains(lines[3], "96,7%") || !strings.Contains(lines[3], "≥ 100,0%") || !strings.Contains(lines[3], "Chưa đạt") || !strings.HasSuffix(lines[3], "Hạ Đình, Nội vụ") ||
		!strings.HasPrefix(lines[4], "Số cuộc đối thoại") || !strings.Contains(lines[4], " 3 ") || !strings.Contains(lines[4], "≥ 2 ") || !strings.Contains(lines[4], "Đạt") {
		t.Errorf("scoreboard:\n%s", b.String())
	}
}
