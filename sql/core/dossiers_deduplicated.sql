-- comment: Hồ sơ hiện hành của các tệp có mã hồ sơ lặp lại (core.dossier_files.repeated_rows > 0): một dòng cho mỗi mã hồ sơ, phiên bản từ tệp sửa đổi sau cùng (rồi đường dẫn sau), trang tính sau cùng theo tên, dòng sau cùng; phần còn lại của core.dossiers đọc thẳng từ raw.dossier_rows / current dossiers of the files with repeated dossier ids: one row per dossier id, the version from the latest file (modification time, then path), then the last sheet by name, then the last row; the rest of core.dossiers is read straight from raw.dossier_rows
-- column dossier_id: Mã hồ sơ / dossier id
-- column unit_code: Đơn vị tiếp nhận (ref.units) / receiving unit
-- column field: Lĩnh vực / field
-- column field_group: Nhóm lĩnh vực: tnmt, khdt, other / field group
-- column procedure_code: Mã thủ tục / procedure code
-- column procedure_name: Tên thủ tục / procedure name
-- column received_date: Ngày tiếp nhận (giờ Việt Nam) / received date
-- column due_date: Ngày hẹn trả / due date
-- column completed_date: Ngày trả kết quả (NULL nếu chưa) / completion date
-- column received_at: Thời điểm tiếp nhận / received timestamp
-- column due_at: Thời điểm hẹn trả / due timestamp
-- column completed_at: Thời điểm trả kết quả / completion timestamp
-- column channel: Kênh nộp: online, counter, postal / channel
-- column service_level: Mức độ DVC: full, partial, none; NULL khi tệp nguồn không có cột này (chưa biết) / service level, NULL when the source file has no such column (unknown)
-- column status: Trạng thái: resolved, processing, withdrawn, refused / status
-- column result_digitized: Kết quả đã số hóa; NULL khi tệp nguồn không có cột này (chưa biết, không phải "không") / result digitised, NULL when the source file has no such column (unknown, not no)
-- column eid_verified: Đã xác thực VNeID; NULL khi tệp nguồn không có cột này / electronic ID verified, NULL when the source file has no such column
-- column applicant_key: Mã băm có khóa của số giấy tờ người nộp (không đảo ngược được) / keyed hash of the applicant id
-- column timeliness: early (trước hạn), on_time (đúng hạn), late (quá hạn); NULL khi chưa giải quyết / timeliness of a resolved dossier
-- column reported_timeliness: Tiến độ như nguồn ghi cùng trạng thái (Đã trả - Trễ hạn): early, on_time, late; NULL khi nguồn không ghi. KPI vẫn tính theo ngày / timeliness as the source stated it beside the status, NULL when it did not; KPIs are computed from the dates
-- column source_file_sha256: Tệp nguồn của phiên bản này (raw.files.sha256) / source file hash
-- column source_modified_at: Thời điểm sửa đổi của tệp nguồn / source file modification time
-- column versions: Số phiên bản đã thấy của hồ sơ / versions seen
-- test: unique(dossier_id)
WITH file_versions AS (
    -- Only the files with repeated dossier ids: every version of a dossier
    -- seen more than once is in one of them.
    SELECT sha256, modified_at, path FROM core.dossier_files WHERE repeated_rows > 0
),
ranked_files AS (
    SELECT sha256, modified_at, row_number() OVER (ORDER BY modified_at, path, sha256) AS file_rank
    FROM file_versions
),
ranked_sheets AS (
    SELECT sha256, sheet, row_number() OVER (PARTITION BY sha256 ORDER BY sheet NULLS FIRST) AS sheet_rank
    FROM (SELECT DISTINCT sha256, sheet FROM raw.file_sheets WHERE sha256 IN (SELECT sha256 FROM file_versions))
),
latest AS (
    -- The version to keep: the latest file (modification time, then
    -- path), then the last sheet by name, then the last row. Ranks make
    -- one number of it, so that the aggregate keeps fixed-size states.
    SELECT d.dossier_id,
           arg_max(d.rowid, (f.file_rank::HUGEINT << 64) | (coalesce(s.sheet_rank, 0)::HUGEINT << 40) | d.row_number::HUGEINT) AS row_id,
           count(*) AS versions
    FROM raw.dossier_rows d
    JOIN ranked_files f ON f.sha256 = d.file_sha256
    LEFT JOIN ranked_sheets s ON s.sha256 = d.file_sha256 AND s.sheet IS NOT DISTINCT FROM d.sheet
    GROUP BY d.dossier_id
),
versions AS (
    SELECT d.*, f.modified_at AS source_modified_at, l.versions
    FROM latest l
    JOIN raw.dossier_rows d ON d.rowid = l.row_id
    JOIN file_versions f ON f.sha256 = d.file_sha256
)
SELECT
    dossier_id,
    unit_code,
    field,
    field_group,
    procedure_code,
    procedure_name,
    received_at::DATE  AS received_date,
    due_at::DATE       AS due_date,
    completed_at::DATE AS completed_date,
    received_at,
    due_at,
    completed_at,
    channel,
    service_level,
    status,
    result_digitized,
    eid_verified,
    applicant_key,
    CASE WHEN status = 'resolved' AND completed_at IS NOT NULL THEN
        CASE WHEN completed_at::DATE < due_at::DATE THEN 'early'
             WHEN completed_at::DATE = due_at::DATE THEN 'on_time'
             ELSE 'late' END
    END AS timeliness,
    reported_timeliness,
    file_sha256 AS source_file_sha256,
    source_modified_at,
    versions
FROM versions
