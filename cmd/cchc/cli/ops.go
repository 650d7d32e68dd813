package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/thanhxuan/cchc/load"
)

// opsSchema holds run history: what each run did, per file, model and data
// test, and what each pull fetched. It lives in the work database and is
// published with everything else, so analysts ask "when was Kim Giang's data
// last refreshed" in SQL. Tables only grow; columns are added, never changed.
const opsSchema = `
CREATE TABLE IF NOT EXISTS ops.runs (
    run_id VARCHAR, started_at TIMESTAMP, ended_at TIMESTAMP, status VARCHAR, error VARCHAR,
    files_loaded INTEGER, files_failed INTEGER, files_duplicate INTEGER, files_skipped INTEGER,
    rows_loaded BIGINT, rows_rejected BIGINT, kpi_rows BIGINT);
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS duration_ms DOUBLE;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS models_built INTEGER;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS tests_run INTEGER;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS tests_failed INTEGER;
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
COMMENT ON COLUMN ops.runs.duration_ms IS 'Thời gian chạy đến khi ghi lịch sử (ms) / duration until the history was written, milliseconds';
COMMENT ON COLUMN ops.runs.models_built IS 'Số mô hình SQL đã dựng / SQL models built';
COMMENT ON COLUMN ops.runs.tests_run IS 'Số kiểm thử dữ liệu đã chạy / data tests run';
COMMENT ON COLUMN ops.runs.tests_failed IS 'Số kiểm thử dữ liệu không đạt / data tests failed';

CREATE TABLE IF NOT EXISTS ops.run_files (
    run_id VARCHAR, path VARCHAR, status VARCHAR, kind VARCHAR, rows_loaded BIGINT, rows_rejected BIGINT, message VARCHAR);
COMMENT ON TABLE ops.run_files IS 'Các tệp mỗi lần chạy đã xử lý (không gồm tệp đã nạp từ trước) / files each run processed, files loaded by an earlier run left out';
COMMENT ON COLUMN ops.run_files.run_id IS 'Lần chạy (ops.runs) / run';
COMMENT ON COLUMN ops.run_files.path IS 'Đường dẫn trong inbox (như raw.files.path) / path as in raw.files';
COMMENT ON COLUMN ops.run_files.status IS 'loaded, failed hoặc duplicate / outcome';
COMMENT ON COLUMN ops.run_files.kind IS 'Loại dữ liệu / input kind';
COMMENT ON COLUMN ops.run_files.rows_loaded IS 'Số dòng đã nạp / rows loaded';
COMMENT ON COLUMN ops.run_files.rows_rejected IS 'Số dòng bị loại / rows rejected';
COMMENT ON COLUMN ops.run_files.message IS 'Lý do lỗi hoặc ghi chú / failure reason or notes';

CREATE TABLE IF NOT EXISTS ops.model_runs (
    run_id VARCHAR, name VARCHAR, kind VARCHAR, file VARCHAR, duration_ms DOUBLE, rows BIGINT, status VARCHAR, error VARCHAR);
COMMENT ON TABLE ops.model_runs IS 'Kết quả dựng từng mô hình SQL mỗi lần chạy (kiểm thử: ops.test_results) / model builds per run; data tests are in ops.test_results';
COMMENT ON COLUMN ops.model_runs.run_id IS 'Lần chạy (ops.runs) / run';
COMMENT ON COLUMN ops.model_runs.name IS 'Tên mô hình / model name';
COMMENT ON COLUMN ops.model_runs.kind IS 'model (các lần chạy cũ có thể ghi cả test) / kind; older runs also recorded tests here';
COMMENT ON COLUMN ops.model_runs.file IS 'Tệp SQL / SQL file';
COMMENT ON COLUMN ops.model_runs.duration_ms IS 'Thời gian (ms) / duration in milliseconds';
COMMENT ON COLUMN ops.model_runs.rows IS 'Số dòng của bảng / rows built';
COMMENT ON COLUMN ops.model_runs.status IS 'ok hoặc failed / outcome';
COMMENT ON COLUMN ops.model_runs.error IS 'Lỗi / error';

CREATE TABLE IF NOT EXISTS ops.test_results (
    run_id VARCHAR, name VARCHAR, file VARCHAR, duration_ms DOUBLE, failing_rows BIGINT, status VARCHAR, error VARCHAR);
COMMENT ON TABLE ops.test_results IS 'Kết quả kiểm thử dữ liệu mỗi lần chạy / data test results per run';
COMMENT ON COLUMN ops.test_results.run_id IS 'Lần chạy (ops.runs) / run';
COMMENT ON COLUMN ops.test_results.name IS 'Tên kiểm thử / test name';
COMMENT ON COLUMN ops.test_results.file IS 'Tệp SQL khai báo kiểm thử / SQL file that declares it';
COMMENT ON COLUMN ops.test_results.duration_ms IS 'Thời gian (ms) / duration in milliseconds';
COMMENT ON COLUMN ops.test_results.failing_rows IS 'Số dòng vi phạm / failing rows';
COMMENT ON COLUMN ops.test_results.status IS 'ok hoặc failed / outcome';
COMMENT ON COLUMN ops.test_results.error IS 'Lỗi / error';

CREATE TABLE IF NOT EXISTS ops.source_pulls (
    pull_id VARCHAR, pull_run VARCHAR, pulled_at TIMESTAMP, source VARCHAR, origin VARCHAR, path VARCHAR, status VARCHAR,
    http_status INTEGER, size_bytes BIGINT, sha256 VARCHAR, etag VARCHAR, last_modified VARCHAR,
    attempts INTEGER, duration_ms DOUBLE, error VARCHAR, recorded_by_run VARCHAR);
COMMENT ON TABLE ops.source_pulls IS 'Mỗi tệp mỗi lần tải từ nguồn (cchc pull, lịch chạy) / every file of every pull from a source';
COMMENT ON COLUMN ops.source_pulls.pull_id IS 'Mã dòng: lần tải và số thứ tự / row id: pull run and sequence';
COMMENT ON COLUMN ops.source_pulls.pull_run IS 'Lần tải / pull run';
COMMENT ON COLUMN ops.source_pulls.pulled_at IS 'Thời điểm tải (giờ Việt Nam) / when pulled, local time';
COMMENT ON COLUMN ops.source_pulls.source IS 'Tên nguồn (sources[].name) / source name';
COMMENT ON COLUMN ops.source_pulls.origin IS 'URL hoặc đường dẫn trong thư mục nguồn / URL or path inside the source folder';
COMMENT ON COLUMN ops.source_pulls.path IS 'Đường dẫn trong inbox (như raw.files.path) / path in the inbox';
COMMENT ON COLUMN ops.source_pulls.status IS 'new, updated, unchanged, not_modified (không đổi, 304) hoặc failed / outcome';
COMMENT ON COLUMN ops.source_pulls.http_status IS 'Mã trạng thái HTTP (NULL với thư mục) / HTTP status, NULL for folders';
COMMENT ON COLUMN ops.source_pulls.size_bytes IS 'Kích thước (byte) / size in bytes';
COMMENT ON COLUMN ops.source_pulls.sha256 IS 'SHA-256 của nội dung trong inbox (nối với raw.files.sha256) / checksum of the content, joins raw.files.sha256';
COMMENT ON COLUMN ops.source_pulls.etag IS 'ETag máy chủ trả về / ETag from the server';
COMMENT ON COLUMN ops.source_pulls.last_modified IS 'Last-Modified máy chủ trả về / Last-Modified from the server';
COMMENT ON COLUMN ops.source_pulls.attempts IS 'Số lần thử / attempts';
COMMENT ON COLUMN ops.source_pulls.duration_ms IS 'Thời gian (ms) / duration in milliseconds';
COMMENT ON COLUMN ops.source_pulls.error IS 'Lỗi / error';
COMMENT ON COLUMN ops.source_pulls.recorded_by_run IS 'Lần chạy đã ghi dòng này vào kho (ops.runs) / run that recorded the row';
`

// opsViews are the freshness views. They read core and ref tables, so they are
// made after the tables and a failure there does not lose the run's history.
const opsViews = `
CREATE OR REPLACE VIEW ops.source_freshness AS
WITH last_run AS (
    SELECT source, arg_max(pull_run, pulled_at) AS pull_run FROM ops.source_pulls GROUP BY source
),
failing AS (
    SELECT p.source, bool_or(p.status = 'failed') AS failing FROM ops.source_pulls p JOIN last_run USING (source, pull_run) GROUP BY p.source
),
loaded AS (
    SELECT p.source, max(f.loaded_at) AS last_loaded_at
    FROM ops.source_pulls p JOIN raw.files f ON f.sha256 = p.sha256 AND f.status IN ('loaded', 'duplicate')
    GROUP BY p.source
)
SELECT p.source,
       max(p.pulled_at)                                                  AS last_pull_at,
       max(p.pulled_at) FILTER (WHERE p.status <> 'failed')              AS last_success_at,
       max(p.pulled_at) FILTER (WHERE p.status IN ('new', 'updated'))    AS last_new_file_at,
       count(DISTINCT p.path) FILTER (WHERE p.status <> 'failed')        AS files,
       any_value(fl.failing)                                             AS failing,
       arg_max(p.error, p.pulled_at) FILTER (WHERE p.status = 'failed')  AS last_error,
       any_value(l.last_loaded_at)                                       AS last_loaded_at
FROM ops.source_pulls p
LEFT JOIN failing fl USING (source)
LEFT JOIN loaded l USING (source)
GROUP BY p.source
ORDER BY p.source;
COMMENT ON VIEW ops.source_freshness IS 'Độ mới của từng nguồn: lần tải gần nhất, lần có tệp mới, lỗi / freshness per source: last pull, last new file, errors';
COMMENT ON COLUMN ops.source_freshness.source IS 'Tên nguồn / source name';
COMMENT ON COLUMN ops.source_freshness.last_pull_at IS 'Lần tải gần nhất / last pull';
COMMENT ON COLUMN ops.source_freshness.last_success_at IS 'Lần tải thành công gần nhất / last pull that did not fail';
COMMENT ON COLUMN ops.source_freshness.last_new_file_at IS 'Lần gần nhất có tệp mới hoặc đổi nội dung / last pull that brought new content';
COMMENT ON COLUMN ops.source_freshness.files IS 'Số tệp đã tải về inbox / files pulled into the inbox';
COMMENT ON COLUMN ops.source_freshness.failing IS 'Lần tải gần nhất có lỗi / the last pull had a failure';
COMMENT ON COLUMN ops.source_freshness.last_error IS 'Lỗi gần nhất / last error';
COMMENT ON COLUMN ops.source_freshness.last_loaded_at IS 'Lần gần nhất một tệp của nguồn được nạp vào kho / last time a file of the source was loaded';

CREATE OR REPLACE VIEW ops.unit_freshness AS
WITH unit_files AS (
    SELECT DISTINCT unit_code, file_sha256 AS sha256 FROM raw.dossier_rows
    UNION
    SELECT DISTINCT unit_code, sha256 FROM raw.file_sheets WHERE unit_code IS NOT NULL
),
files AS (
    SELECT sha256, min(modified_at) AS modified_at, min(loaded_at) AS loaded_at
    FROM raw.files WHERE status = 'loaded' AND sha256 IS NOT NULL GROUP BY sha256
),
dossiers AS (
    SELECT unit_code, max(received_date) AS last_received_date FROM core.dossiers GROUP BY unit_code
),
reports AS (
    SELECT r.unit_code, arg_max(r.period_code, p.end_date) AS last_report_period
    FROM core.report_files r JOIN ref.periods p USING (period_code)
    WHERE r.kind = 'unit_report' GROUP BY r.unit_code
)
SELECT u.unit_code, u.name_vi AS unit_name, u.level AS unit_level,
       count(f.sha256)                    AS files_loaded,
       max(f.modified_at)                 AS last_file_modified_at,
       max(f.loaded_at)                   AS last_loaded_at,
       any_value(d.last_received_date)    AS last_dossier_received_date,
       any_value(r.last_report_period)    AS last_report_period
FROM ref.units u
LEFT JOIN unit_files uf USING (unit_code)
LEFT JOIN files f USING (sha256)
LEFT JOIN dossiers d ON d.unit_code = u.unit_code
LEFT JOIN reports r ON r.unit_code = u.unit_code
GROUP BY u.unit_code, u.name_vi, u.level
ORDER BY u.unit_code;
COMMENT ON VIEW ops.unit_freshness IS 'Độ mới dữ liệu của từng đơn vị: tệp gần nhất, lần nạp gần nhất, hồ sơ mới nhất, kỳ báo cáo gần nhất / freshness per unit';
COMMENT ON COLUMN ops.unit_freshness.unit_code IS 'Đơn vị / unit';
COMMENT ON COLUMN ops.unit_freshness.unit_name IS 'Tên đơn vị / unit name';
COMMENT ON COLUMN ops.unit_freshness.unit_level IS 'Cấp / level';
COMMENT ON COLUMN ops.unit_freshness.files_loaded IS 'Số tệp đã nạp có dữ liệu của đơn vị / files loaded with data of the unit';
COMMENT ON COLUMN ops.unit_freshness.last_file_modified_at IS 'Thời điểm sửa đổi tệp gần nhất (giờ Việt Nam) / latest file modification time';
COMMENT ON COLUMN ops.unit_freshness.last_loaded_at IS 'Lần nạp gần nhất / last time data of the unit was loaded';
COMMENT ON COLUMN ops.unit_freshness.last_dossier_received_date IS 'Ngày tiếp nhận hồ sơ mới nhất trong kho / latest dossier received date';
COMMENT ON COLUMN ops.unit_freshness.last_report_period IS 'Kỳ báo cáo gần nhất đã nhận / latest period with a unit report received';
`

// recordOps appends the run, its files, models and data tests to the ops
// tables, records the pulls journalled in stateDir since the last run, and
// refreshes the freshness views.
func recordOps(ctx context.Context, db *sql.DB, stateDir string, s *RunSummary, runErr error) error {
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
	var models, tests, testsFailed int
	for _, r := range s.Models {
		switch {
		case r.Kind == "model":
			models++
		case r.Err != nil:
			tests++
			testsFailed++
		default:
			tests++
		}
	}
	_, err := db.ExecContext(ctx, `INSERT INTO ops.runs (run_id, started_at, ended_at, status, error,
		files_loaded, files_failed, files_duplicate, files_skipped, rows_loaded, rows_rejected, kpi_rows,
		duration_ms, models_built, tests_run, tests_failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.RunID, localWall(s.Started), localWall(ended), status, msg,
		s.Count(load.StatusLoaded), s.Count(load.StatusFailed), s.Count(load.StatusDuplicate), s.Count("skipped"),
		loaded, rejected, s.KPIRows, ms(ended.Sub(s.Started)), models, tests, testsFailed)
	if err != nil {
		return fmt.Errorf("ops.runs: %w", err)
	}
	var errs []error
	for _, f := range s.Files {
		if f.Status == "skipped" {
			continue
		}
		_, err := db.ExecContext(ctx, `INSERT INTO ops.run_files VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.RunID, f.Path, f.Status, nullIfEmpty(f.Kind), f.Rows, f.Rejected, nullIfEmpty(f.Message))
		errs = append(errs, err)
	}
	for _, r := range s.Models {
		st, e := "ok", any(nil)
		if r.Err != nil {
			st, e = "failed", r.Err.Error()
		}
		if r.Kind == "model" {
			_, err = db.ExecContext(ctx, `INSERT INTO ops.model_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				s.RunID, r.Name, r.Kind, r.File, ms(r.Duration), r.Rows, st, e)
		} else {
			_, err = db.ExecContext(ctx, `INSERT INTO ops.test_results VALUES (?, ?, ?, ?, ?, ?, ?)`,
				s.RunID, r.Name, r.File, ms(r.Duration), r.Rows, st, e)
		}
		errs = append(errs, err)
	}
	if stateDir != "" {
		errs = append(errs, importPulls(ctx, db, stateDir, s.RunID))
	}
	if _, err := db.ExecContext(ctx, opsViews); err != nil {
		errs = append(errs, fmt.Errorf("ops views: %w", err))
	}
	return errors.Join(errs...)
}

// importPulls moves the pulls journalled in stateDir into ops.source_pulls. A
// row already there (a crash between insert and truncation) is not repeated.
func importPulls(ctx context.Context, db *sql.DB, stateDir, runID string) error {
	if _, err := os.Stat(filepath.Join(stateDir, "pull", journalName)); errors.Is(err, os.ErrNotExist) {
		return nil // never pulled
	}
	return withJournal(stateDir, func(j *pullJournal) error {
		recs, err := j.read()
		if err != nil || len(recs) == 0 {
			return err
		}
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
			return err
		}
		for _, r := range recs {
			_, err := conn.ExecContext(ctx, `INSERT INTO ops.source_pulls
				SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
				WHERE NOT EXISTS (SELECT 1 FROM ops.source_pulls WHERE pull_id = ?)`,
				r.PullID, r.PullRun, localWall(r.PulledAt), r.Source, nullIfEmpty(r.Origin), nullIfEmpty(r.Path), r.Status,
				nullIfZero(r.HTTPStatus), r.Size, nullIfEmpty(r.SHA256), nullIfEmpty(r.ETag), nullIfEmpty(r.LastModified),
				r.Attempts, r.DurationMS, nullIfEmpty(r.Error), runID, r.PullID)
			if err != nil {
				conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
				return fmt.Errorf("ops.source_pulls: %w", err)
			}
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			return err
		}
		return j.truncate()
	})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
