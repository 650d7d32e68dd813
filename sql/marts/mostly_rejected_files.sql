-- comment: Tệp đã nạp nhưng hơn 1/5 số dòng dữ liệu bị loại: KPI dựng trên phần còn lại của một tệp hỏng không được trông như KPI đáng tin; kèm các đơn vị và kỳ có KPI dùng tệp / loaded files with more than a fifth of their data rows rejected, with the units and periods whose KPIs they feed: a KPI built on what remains of a broken export must not look like a sound one
-- column path: Đường dẫn tệp trong inbox (raw.files.path) / file path
-- column sha256: Nội dung tệp (raw.files.sha256) / file content hash
-- column kind: Loại dữ liệu / input kind
-- column run_id: Lần chạy đã nạp tệp (ops.runs) / run that loaded the file
-- column rows_loaded: Số dòng dữ liệu đã nạp / data rows loaded
-- column rows_rejected: Số dòng dữ liệu bị loại (raw.rejects) / data rows rejected
-- column reject_share: Tỷ lệ dòng bị loại trên số dòng dữ liệu (> 0,2) / share of the data rows rejected, above 0.2
-- column unit_codes: Các đơn vị có KPI dùng dòng của tệp, cách nhau dấu phẩy / units whose KPIs the file's rows feed, comma-separated
-- column period_codes: Các kỳ có KPI dùng dòng của tệp, cách nhau dấu phẩy / periods whose KPIs the file's rows feed, comma-separated
-- test: unique(sha256)
-- test: expression(reject_share > 0.2 AND reject_share <= 1)
WITH loaded AS (
    SELECT path, sha256, kind, run_id, rows_loaded, rows_rejected,
           rows_rejected::DOUBLE / (rows_loaded + rows_rejected) AS reject_share
    FROM raw.files
    WHERE status = 'loaded' AND rows_loaded + rows_rejected > 0
      AND rows_rejected * 5 > rows_loaded + rows_rejected
),
dossier_periods AS (
    -- the periods whose dossier KPIs marts.kpi_values builds: those the
    -- dossiers' dates reach
    SELECT p.* FROM ref.periods p
    WHERE p.period_code IN (SELECT period_code FROM marts.kpi_values WHERE source = 'dossier')
),
kpi_feeds AS (
    -- A dossier feeds the KPIs of such a period when it was received
    -- before the period's end, unless it was completed before the period
    -- began. Only the dossiers of these files are looked at.
    SELECT d.source_file_sha256 AS sha256, d.unit_code, p.period_code
    FROM (SELECT * FROM core.dossiers WHERE source_file_sha256 IN (SELECT sha256 FROM loaded)) d
    JOIN dossier_periods p ON d.received_date < p.end_date AND (d.completed_date IS NULL OR d.completed_date >= p.start_date)
    UNION
    SELECT source_file_sha256, unit_code, period_code FROM core.indicator_values
    UNION
    SELECT source_file_sha256, unit_code, period_code FROM core.tthc_summary
)
SELECT l.path, l.sha256, l.kind, l.run_id, l.rows_loaded, l.rows_rejected, l.reject_share,
       string_agg(DISTINCT k.unit_code, ', ' ORDER BY k.unit_code)     AS unit_codes,
       string_agg(DISTINCT k.period_code, ', ' ORDER BY k.period_code) AS period_codes
FROM loaded l
LEFT JOIN kpi_feeds k USING (sha256)
GROUP BY ALL
ORDER BY l.reject_share DESC, l.path
