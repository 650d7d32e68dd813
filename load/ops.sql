-- Run history: what each run did, per file, model and data test, and what each
-- pull fetched. It lives in the work database and is published with
-- everything else, so analysts ask "when was Kim Giang's data last refreshed"
-- in SQL. Tables only grow; columns are added, never changed.
CREATE TABLE IF NOT EXISTS ops.runs (
    run_id VARCHAR, started_at TIMESTAMP, ended_at TIMESTAMP, status VARCHAR, error VARCHAR,
    files_loaded INTEGER, files_failed INTEGER, files_duplicate INTEGER, files_skipped INTEGER,
    rows_loaded BIGINT, rows_rejected BIGINT, kpi_rows BIGINT);
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS duration_ms DOUBLE;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS models_built INTEGER;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS tests_run INTEGER;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS tests_failed INTEGER;
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS tests_warned INTEGER;
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
COMMENT ON COLUMN ops.runs.tests_warned IS 'Số kiểm thử cảnh báo có dòng (không làm hỏng lần chạy) / warning tests that found rows, which do not fail the run';

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
COMMENT ON COLUMN ops.test_results.status IS 'ok, failed, hoặc warn (kiểm thử cảnh báo tìm thấy dòng, không làm hỏng lần chạy) / outcome; warn: a warning test found rows';
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
