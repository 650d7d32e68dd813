package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/thanhxuan/cchc/load"
)

const opsSchema = `
CREATE TABLE IF NOT EXISTS ops.runs (
    run_id VARCHAR, started_at TIMESTAMP, ended_at TIMESTAMP, status VARCHAR, error VARCHAR,
    files_loaded INTEGER, files_failed INTEGER, files_duplicate INTEGER, files_skipped INTEGER,
    rows_loaded BIGINT, rows_rejected BIGINT, kpi_rows BIGINT);
COMMENT ON TABLE ops.runs IS 'Lịch sử các lần chạy cchc run / run history';
COMMENT ON COLUMN ops.runs.run_id IS 'Mã lần chạy / run id';
COMMENT ON COLUMN ops.runs.started_at IS 'Bắt đầu (giờ Việt Nam) / start, local time';
COMMENT ON COLUMN ops.runs.ended_at IS 'Kết thúc / end';
COMMENT ON COLUMN ops.runs.status IS 'published (đã công bố) hoặc failed / outcome';
COMMENT ON COLUMN ops.runs.error IS 'Lỗi làm lần chạy thất bại / error that failed the run';
COMMENT ON COLUMN ops.runs.files_loaded IS 'Số tệp đã nạp / files loaded';
COMMENT ON COLUMN ops.runs.files_failed IS 'Số tệp lỗi / files failed';
COMMENT ON COLUMN ops.runs.files_duplicate IS 'Số tệp trùng nội dung / duplicate files';
COMMENT ON COLUMN ops.runs.files_skipped IS 'Số tệp đã nạp ở lần trước / files already loaded before';
COMMENT ON COLUMN ops.runs.rows_loaded IS 'Số dòng đã nạp / rows loaded';
COMMENT ON COLUMN ops.runs.rows_rejected IS 'Số dòng bị loại / rows rejected';
COMMENT ON COLUMN ops.runs.kpi_rows IS 'Số dòng marts.kpi_values / KPI rows built';
CREATE TABLE IF NOT EXISTS ops.model_runs (
    run_id VARCHAR, name VARCHAR, kind VARCHAR, file VARCHAR, duration_ms DOUBLE, rows BIGINT, status VARCHAR, error VARCHAR);
COMMENT ON TABLE ops.model_runs IS 'Kết quả từng mô hình SQL và kiểm thử dữ liệu mỗi lần chạy / model builds and data tests per run';
COMMENT ON COLUMN ops.model_runs.run_id IS 'Lần chạy (ops.runs) / run';
COMMENT ON COLUMN ops.model_runs.name IS 'Tên mô hình hoặc kiểm thử / model or test name';
COMMENT ON COLUMN ops.model_runs.kind IS 'model hoặc test / kind';
COMMENT ON COLUMN ops.model_runs.file IS 'Tệp SQL / SQL file';
COMMENT ON COLUMN ops.model_runs.duration_ms IS 'Thời gian (ms) / duration in milliseconds';
COMMENT ON COLUMN ops.model_runs.rows IS 'Số dòng của bảng, hoặc số dòng vi phạm của kiểm thử / rows built, or failing rows';
COMMENT ON COLUMN ops.model_runs.status IS 'ok hoặc failed / outcome';
COMMENT ON COLUMN ops.model_runs.error IS 'Lỗi / error';
`

// recordOps appends the run and its model results to the ops tables.
func recordOps(ctx context.Context, db *sql.DB, s *RunSummary, runErr error) error {
	if _, err := db.ExecContext(ctx, opsSchema); err != nil {
		return err
	}
	status, msg := "published", any(nil)
	if runErr != nil {
		status, msg = "failed", runErr.Error()
	}
	loaded, rejected := s.Rows()
	ended := s.Ended
	if ended.IsZero() {
		ended = s.Started
	}
	_, err := db.ExecContext(ctx, `INSERT INTO ops.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.RunID, localWall(s.Started), localWall(ended), status, msg,
		s.Count(load.StatusLoaded), s.Count(load.StatusFailed), s.Count(load.StatusDuplicate), s.Count("skipped"),
		loaded, rejected, s.KPIRows)
	if err != nil {
		return fmt.Errorf("ops.runs: %w", err)
	}
	var errs []error
	for _, r := range s.Models {
		st, e := "ok", any(nil)
		if r.Err != nil {
			st, e = "failed", r.Err.Error()
		}
		_, err := db.ExecContext(ctx, `INSERT INTO ops.model_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.RunID, r.Name, r.Kind, r.File, float64(r.Duration.Microseconds())/1000, r.Rows, st, e)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
