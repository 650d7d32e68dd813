//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
)

// TestSmallMemoryLimit: DuckDB's file readers hold buffers of their own
// (read_csv 32 MiB a thread, read_json twice its largest object, 16 MiB by
// default); the seeds and the rejects are read with buffers sized to what
// they hold, so a run fits a memory_limit far below the default 128 MB (24 MB: a run fits; one 32 MiB buffer would not), also
// with two files of rejects loading at once and a reject whose value is a
// long cell.
func TestSmallMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.DuckDB.MemoryLimit = "24MB"
	cfg.DuckDB.Threads = 2
	cfg.Extract.Workers = 2
	long := strings.Repeat("Fax ", 5000) // a 20 KB channel: one long line in the spool
	for f := range 2 {
		var b strings.Builder
		b.WriteString("Mã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Hình thức nộp,Trạng thái\n")
		for i := range 3000 {
			channel := "Fax"
			if i == 7 {
				channel = long
			}
			fmt.Fprintf(&b, "F%d-%d,Đăng ký khai sinh,Hộ tịch,Phường Kim Giang,31/02/2024,10/01/2024,,%s,Đã trả kết quả\n", f, i, channel)
		}
		b.WriteString("F" + fmt.Sprint(f) + "-ok,Đăng ký khai sinh,Hộ tịch,Phường Kim Giang,02/01/2024,10/01/2024,09/01/2024,Trực tuyến,Đã trả kết quả\n")
		testwh.WriteFile(t, cfg.Inbox, fmt.Sprintf("hoso_%d.csv", f), b.String(), time.Time{})
	}
	sum, err := pipeline.Run(context.Background(), testwh.Validate(t, cfg), pipeline.WithLogger(testwh.Log(t)))
	if err != nil || !sum.Published {
		t.Fatalf("run with memory_limit 24MB: %v", err)
	}
	if loaded, rejected := sum.Rows(); loaded != 2 || rejected != 6000 || sum.Count(pipeline.Loaded) != 2 {
		t.Errorf("%d rows loaded, %d rejected, %d files loaded; want 2, 6000, 2", loaded, rejected, sum.Count(pipeline.Loaded))
	}
	if got := testwh.Query(t, cfg.Warehouse, `SELECT max(length(raw_value)) FROM raw.rejects WHERE column_name = 'channel'`); got != fmt.Sprint(len(strings.TrimSpace(long))) {
		t.Errorf("the longest rejected value: %s characters, want %d", got, len(strings.TrimSpace(long)))
	}
}
