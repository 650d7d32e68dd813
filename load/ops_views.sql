-- The freshness views. They read core and ref tables, so they are made after
-- the tables, and a failure here does not lose the run's history.
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
