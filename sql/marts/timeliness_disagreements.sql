-- comment: Hồ sơ đã giải quyết mà tiến độ nguồn ghi (Đã trả - Trễ hạn) khác tiến độ tính từ ngày hẹn trả và ngày trả; KPI tính theo ngày, bảng này để đơn vị đối chiếu / resolved dossiers whose stated timeliness disagrees with the one computed from their dates; KPIs follow the dates, this view is for the unit to check
-- materialized: view
-- column dossier_id: Mã hồ sơ / dossier id
-- column unit_code: Đơn vị / unit
-- column received_date: Ngày tiếp nhận / received date
-- column due_date: Ngày hẹn trả / due date
-- column completed_date: Ngày trả kết quả / completion date
-- column timeliness: Tiến độ tính từ ngày (early, on_time, late) / timeliness computed from the dates
-- column reported_timeliness: Tiến độ nguồn ghi (early, on_time, late) / timeliness as the source stated it
-- column source_file_sha256: Tệp nguồn (raw.files.sha256) / source file hash
SELECT dossier_id, unit_code, received_date, due_date, completed_date,
       timeliness, reported_timeliness, source_file_sha256
FROM core.dossiers
WHERE status = 'resolved'
  AND timeliness IS NOT NULL
  AND reported_timeliness IS NOT NULL
  AND reported_timeliness <> timeliness
ORDER BY unit_code, dossier_id
