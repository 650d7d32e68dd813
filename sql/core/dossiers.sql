-- comment: Hồ sơ TTHC hiện hành: một dòng cho mỗi mã hồ sơ, lấy từ tệp sửa đổi sau cùng (các phiên bản trước ở raw.dossier_rows); không có dữ liệu cá nhân / current dossiers, one row per dossier id from the latest file; no personal data
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
-- materialized: view
-- test: unique(dossier_id)
-- test: not_null(dossier_id, unit_code, received_date, due_date, status, channel)
-- test: accepted_values(status: resolved, processing, withdrawn, refused)
-- test: accepted_values(channel: online, counter, postal)
-- test: accepted_values(service_level: full, partial, none)
-- test: accepted_values(timeliness: early, on_time, late)
-- test: accepted_values(reported_timeliness: early, on_time, late)
-- test: relationships(unit_code -> ref.units.unit_code)
-- test: expression(completed_date IS NULL OR completed_date >= received_date)
-- A dossier of a file whose dossier ids all appear once is that file's row,
-- read straight from raw.dossier_rows (a million dossiers of one export are
-- not written a second time); the dossiers of the files with repeated ids
-- get their version chosen in core.dossiers_deduplicated.
SELECT
    d.dossier_id,
    d.unit_code,
    d.field,
    d.field_group,
    d.procedure_code,
    d.procedure_name,
    d.received_at::DATE  AS received_date,
    d.due_at::DATE       AS due_date,
    d.completed_at::DATE AS completed_date,
    d.received_at,
    d.due_at,
    d.completed_at,
    d.channel,
    d.service_level,
    d.status,
    d.result_digitized,
    d.eid_verified,
    d.applicant_key,
    CASE WHEN d.status = 'resolved' AND d.completed_at IS NOT NULL THEN
        CASE WHEN d.completed_at::DATE < d.due_at::DATE THEN 'early'
             WHEN d.completed_at::DATE = d.due_at::DATE THEN 'on_time'
             ELSE 'late' END
    END AS timeliness,
    d.reported_timeliness,
    d.file_sha256 AS source_file_sha256,
    f.modified_at AS source_modified_at,
    1::BIGINT     AS versions
FROM raw.dossier_rows d
JOIN core.dossier_files f ON f.sha256 = d.file_sha256 AND f.repeated_rows = 0
UNION ALL
SELECT * FROM core.dossiers_deduplicated
