-- comment: Biểu 06 hiện hành: tình hình, kết quả giải quyết TTHC theo lĩnh vực do đơn vị báo cáo (dòng nhóm, dòng tổng đã loại) / Biểu 06 in force: TTHC results per field as reported by the unit
-- column unit_code: Đơn vị báo cáo / reporting unit
-- column period_code: Kỳ báo cáo / period
-- column field: Lĩnh vực / field
-- column field_group: Nhóm lĩnh vực / field group
-- column received_total: (3) Số hồ sơ nhận giải quyết / received, total
-- column received_online: (4) trong đó trực tuyến / of which online
-- column received_counter_postal: (5) trực tiếp, bưu chính / counter or postal
-- column carried_over: (6) từ kỳ trước / carried over
-- column resolved_total: (7) đã giải quyết / resolved, total
-- column resolved_early: (8) trước hạn / early
-- column resolved_on_time: (9) đúng hạn / on time
-- column resolved_late: (10) quá hạn / late
-- column in_progress_total: (11) đang giải quyết / in progress, total
-- column in_progress_within_deadline: (12) trong hạn / within deadline
-- column in_progress_overdue: (13) quá hạn / overdue
-- column consistent: Các đẳng thức của biểu đều đúng; sai vẫn giữ nguyên số đơn vị báo cáo / identities hold (kept as reported either way)
-- column warnings: Đẳng thức bị vi phạm / identities broken
-- column source_file_sha256: Tệp nguồn / source file
-- column source_row: Dòng nguồn / source row
-- test: not_null(unit_code, period_code, field, consistent)
-- test: relationships(unit_code -> ref.units.unit_code)
SELECT r.unit_code, r.period_code, r.field, r.field_group,
       r.received_total, r.received_online, r.received_counter_postal, r.carried_over,
       r.resolved_total, r.resolved_early, r.resolved_on_time, r.resolved_late,
       r.in_progress_total, r.in_progress_within_deadline, r.in_progress_overdue,
       r.consistent, r.warnings,
       r.file_sha256 AS source_file_sha256, r.row_number AS source_row
FROM raw.tthc_summary_rows r
JOIN core.report_files f
  ON f.kind = 'tthc_summary' AND f.latest
 AND f.file_sha256 = r.file_sha256 AND f.unit_code = r.unit_code AND f.period_code = r.period_code
 AND f.sheet IS NOT DISTINCT FROM r.sheet
ORDER BY 1, 2, r.row_number
