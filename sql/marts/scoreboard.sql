-- comment: Bảng điểm KPI dạng rộng cho công cụ BI: một dòng cho mỗi đơn vị và kỳ báo cáo (từ marts.kpi_values), một cột giá trị và một cột đạt/không đạt cho mỗi KPI (tên cột = mã KPI, danh mục ở marts.kpi_catalog); tên cột cố định để bảng điều khiển dựa vào / wide KPI scoreboard for BI tools: one row per unit and period of marts.kpi_values, one value column and one target-met flag per KPI (column name = KPI code, see marts.kpi_catalog); column names are stable for dashboards
-- column period_code: Mã kỳ báo cáo (ref.periods) / period code
-- column period_name: Tên kỳ, ví dụ Quý I năm 2024 / period name
-- column period_kind: Loại kỳ: Q1, 6M, 9M, Y / period kind
-- column period_year: Năm của kỳ / year of the period
-- column period_start: Ngày đầu cửa sổ kỳ (tính cả) / first day of the period window, inclusive
-- column period_end: Ngày cuối cửa sổ kỳ (không tính): cửa sổ là [period_start, period_end) / end of the window, exclusive
-- column period_last_day: Ngày cuối cùng thuộc kỳ / last day of the window
-- column report_deadline: Hạn gửi báo cáo của kỳ / report deadline of the period
-- column unit_code: Mã đơn vị (ref.units); thanh_xuan = toàn quận / unit code, thanh_xuan = the district
-- column unit_name: Tên đơn vị hiển thị, ví dụ Phường Kim Giang / unit display name
-- column unit_short_name: Tên ngắn của đơn vị / short unit name
-- column unit_level: Cấp: district (toàn quận), ward (phường), department (phòng ban) / level
-- column kpis_assessed: Số KPI của dòng đã so được với chỉ tiêu (có giá trị và chỉ tiêu) / KPIs of the row compared with a target
-- column kpis_met: Số KPI của dòng đạt chỉ tiêu / KPIs of the row that meet their target
-- column tthc_on_time_rate: Tỷ lệ hồ sơ TTHC giải quyết đúng hạn, trước hạn — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of dossiers resolved on time or early: value, a ratio 0–1
-- column tthc_on_time_rate_met: Đạt chỉ tiêu «Tỷ lệ hồ sơ TTHC giải quyết đúng hạn, trước hạn»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of dossiers resolved on time or early
-- column tthc_on_time_rate_tnmt: Tỷ lệ hồ sơ lĩnh vực tài nguyên môi trường giải quyết đúng hạn — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / On-time rate, land and environment fields: value, a ratio 0–1
-- column tthc_on_time_rate_tnmt_met: Đạt chỉ tiêu «Tỷ lệ hồ sơ lĩnh vực tài nguyên môi trường giải quyết đúng hạn»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: On-time rate, land and environment fields
-- column tthc_on_time_rate_khdt: Tỷ lệ hồ sơ lĩnh vực kế hoạch đầu tư giải quyết đúng hạn — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / On-time rate, planning and investment fields: value, a ratio 0–1
-- column tthc_on_time_rate_khdt_met: Đạt chỉ tiêu «Tỷ lệ hồ sơ lĩnh vực kế hoạch đầu tư giải quyết đúng hạn»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: On-time rate, planning and investment fields
-- column tthc_full_online_rate: Tỷ lệ hồ sơ TTHC xử lý hoàn toàn trực tuyến — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of dossiers processed fully online: value, a ratio 0–1
-- column tthc_full_online_rate_met: Đạt chỉ tiêu «Tỷ lệ hồ sơ TTHC xử lý hoàn toàn trực tuyến»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of dossiers processed fully online
-- column tthc_result_digitized_rate: Tỷ lệ kết quả giải quyết TTHC được số hóa — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of resolved dossiers whose result was digitised: value, a ratio 0–1
-- column tthc_result_digitized_rate_met: Đạt chỉ tiêu «Tỷ lệ kết quả giải quyết TTHC được số hóa»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of resolved dossiers whose result was digitised
-- column tthc_eid_rate: Tỷ lệ hồ sơ trực tuyến được định danh, xác thực điện tử (VNeID) — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of online dossiers with electronic identification: value, a ratio 0–1
-- column tthc_eid_rate_met: Đạt chỉ tiêu «Tỷ lệ hồ sơ trực tuyến được định danh, xác thực điện tử (VNeID)»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of online dossiers with electronic identification
-- column tthc_progress_766_rate: Tiến độ giải quyết TTHC (Quyết định 766/QĐ-TTg) — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Timeliness index of Decision 766/QĐ-TTg: value, a ratio 0–1
-- column tthc_progress_766_rate_met: Đạt chỉ tiêu «Tiến độ giải quyết TTHC (Quyết định 766/QĐ-TTg)»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Timeliness index of Decision 766/QĐ-TTg
-- column tthc_on_time_rate_reported: Tỷ lệ hồ sơ giải quyết đúng hạn, trước hạn theo Biểu 06 đơn vị báo cáo — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / On-time rate as reported in the unit's Biểu 06: value, a ratio 0–1
-- column tthc_on_time_rate_reported_met: Đạt chỉ tiêu «Tỷ lệ hồ sơ giải quyết đúng hạn, trước hạn theo Biểu 06 đơn vị báo cáo»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: On-time rate as reported in the unit's Biểu 06
-- column feedback_handled_rate: Tỷ lệ phản ánh, kiến nghị được xử lý — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of feedback handled: value, a ratio 0–1
-- column feedback_handled_rate_met: Đạt chỉ tiêu «Tỷ lệ phản ánh, kiến nghị được xử lý»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of feedback handled
-- column satisfaction_rate: Tỷ lệ hài lòng của người dân, doanh nghiệp — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Satisfaction rate: value, a ratio 0–1
-- column satisfaction_rate_met: Đạt chỉ tiêu «Tỷ lệ hài lòng của người dân, doanh nghiệp»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Satisfaction rate
-- column online_service_coverage_rate: Tỷ lệ TTHC đủ điều kiện được cung cấp DVCTT toàn trình — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of eligible procedures offered fully online: value, a ratio 0–1
-- column online_service_coverage_rate_met: Đạt chỉ tiêu «Tỷ lệ TTHC đủ điều kiện được cung cấp DVCTT toàn trình»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of eligible procedures offered fully online
-- column result_digitization_rate: Tỷ lệ kết quả giải quyết TTHC còn hiệu lực được số hóa — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of valid results digitised: value, a ratio 0–1
-- column result_digitization_rate_met: Đạt chỉ tiêu «Tỷ lệ kết quả giải quyết TTHC còn hiệu lực được số hóa»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of valid results digitised
-- column staff_digital_training_rate: Tỷ lệ CBCCVC được bồi dưỡng kỹ năng số — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of staff trained in digital skills: value, a ratio 0–1
-- column staff_digital_training_rate_met: Đạt chỉ tiêu «Tỷ lệ CBCCVC được bồi dưỡng kỹ năng số»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of staff trained in digital skills
-- column staff_data_training_rate: Tỷ lệ CBCCVC được bồi dưỡng kỹ năng phân tích, xử lý dữ liệu — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of staff trained in data analysis: value, a ratio 0–1
-- column staff_data_training_rate_met: Đạt chỉ tiêu «Tỷ lệ CBCCVC được bồi dưỡng kỹ năng phân tích, xử lý dữ liệu»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of staff trained in data analysis
-- column work_on_platform_rate: Tỷ lệ hoạt động chỉ đạo, điều hành trên nền tảng quản trị công việc — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of management work on the platform: value, a ratio 0–1
-- column work_on_platform_rate_met: Đạt chỉ tiêu «Tỷ lệ hoạt động chỉ đạo, điều hành trên nền tảng quản trị công việc»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of management work on the platform
-- column digital_inspection_rate: Tỷ lệ cuộc kiểm tra thực hiện qua môi trường số — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of inspections done digitally: value, a ratio 0–1
-- column digital_inspection_rate_met: Đạt chỉ tiêu «Tỷ lệ cuộc kiểm tra thực hiện qua môi trường số»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of inspections done digitally
-- column archive_electronic_rate: Tỷ lệ tài liệu lưu trữ được tạo lập điện tử — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of archive documents created electronically: value, a ratio 0–1
-- column archive_electronic_rate_met: Đạt chỉ tiêu «Tỷ lệ tài liệu lưu trữ được tạo lập điện tử»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of archive documents created electronically
-- column archive_online_use_rate: Tỷ lệ lượt khai thác tài liệu lưu trữ trên môi trường mạng — giá trị (tỷ lệ 0–1); NULL khi không có số liệu hoặc mẫu số bằng 0 / Share of archive requests served online: value, a ratio 0–1
-- column archive_online_use_rate_met: Đạt chỉ tiêu «Tỷ lệ lượt khai thác tài liệu lưu trữ trên môi trường mạng»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Share of archive requests served online
-- column dialogue_count: Số cuộc đối thoại với người dân, doanh nghiệp — giá trị (số đếm); NULL khi không có số liệu hoặc mẫu số bằng 0 / Dialogues held with citizens and businesses: value, a count
-- column dialogue_count_met: Đạt chỉ tiêu «Số cuộc đối thoại với người dân, doanh nghiệp»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Dialogues held with citizens and businesses
-- column propaganda_forms_count: Số hình thức tuyên truyền CCHC — giá trị (số đếm); NULL khi không có số liệu hoặc mẫu số bằng 0 / Forms of reform communication used: value, a count
-- column propaganda_forms_count_met: Đạt chỉ tiêu «Số hình thức tuyên truyền CCHC»; NULL khi chưa có giá trị hoặc chỉ tiêu / target met: Forms of reform communication used
-- test: unique(period_code, unit_code)
-- test: not_null(period_code, unit_code, unit_name, unit_level, period_start, period_end, kpis_assessed, kpis_met)
-- test: relationships(unit_code -> ref.units.unit_code)
-- test: relationships(period_code -> ref.periods.period_code)
-- test: expression(kpis_met <= kpis_assessed)
-- The pivot is written out, one pair of columns per KPI of seeds/kpis.csv:
-- dashboards need fixed column names, and a test (cmd/cchc/cli/scoreboard_test.go)
-- fails when a KPI of the seed has no column here.
WITH wide AS (
    SELECT period_code, unit_code,
           count(meets_target) AS kpis_assessed,
           count(*) FILTER (WHERE meets_target) AS kpis_met,
           max(value) FILTER (WHERE kpi_code = 'tthc_on_time_rate') AS tthc_on_time_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'tthc_on_time_rate') AS tthc_on_time_rate_met,
           max(value) FILTER (WHERE kpi_code = 'tthc_on_time_rate_tnmt') AS tthc_on_time_rate_tnmt,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'tthc_on_time_rate_tnmt') AS tthc_on_time_rate_tnmt_met,
           max(value) FILTER (WHERE kpi_code = 'tthc_on_time_rate_khdt') AS tthc_on_time_rate_khdt,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'tthc_on_time_rate_khdt') AS tthc_on_time_rate_khdt_met,
           max(value) FILTER (WHERE kpi_code = 'tthc_full_online_rate') AS tthc_full_online_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'tthc_full_online_rate') AS tthc_full_online_rate_met,
           max(value) FILTER (WHERE kpi_code = 'tthc_result_digitized_rate') AS tthc_result_digitized_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'tthc_result_digitized_rate') AS tthc_result_digitized_rate_met,
           max(value) FILTER (WHERE kpi_code = 'tthc_eid_rate') AS tthc_eid_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'tthc_eid_rate') AS tthc_eid_rate_met,
           max(value) FILTER (WHERE kpi_code = 'tthc_progress_766_rate') AS tthc_progress_766_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'tthc_progress_766_rate') AS tthc_progress_766_rate_met,
           max(value) FILTER (WHERE kpi_code = 'tthc_on_time_rate_reported') AS tthc_on_time_rate_reported,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'tthc_on_time_rate_reported') AS tthc_on_time_rate_reported_met,
           max(value) FILTER (WHERE kpi_code = 'feedback_handled_rate') AS feedback_handled_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'feedback_handled_rate') AS feedback_handled_rate_met,
           max(value) FILTER (WHERE kpi_code = 'satisfaction_rate') AS satisfaction_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'satisfaction_rate') AS satisfaction_rate_met,
           max(value) FILTER (WHERE kpi_code = 'online_service_coverage_rate') AS online_service_coverage_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'online_service_coverage_rate') AS online_service_coverage_rate_met,
           max(value) FILTER (WHERE kpi_code = 'result_digitization_rate') AS result_digitization_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'result_digitization_rate') AS result_digitization_rate_met,
           max(value) FILTER (WHERE kpi_code = 'staff_digital_training_rate') AS staff_digital_training_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'staff_digital_training_rate') AS staff_digital_training_rate_met,
           max(value) FILTER (WHERE kpi_code = 'staff_data_training_rate') AS staff_data_training_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'staff_data_training_rate') AS staff_data_training_rate_met,
           max(value) FILTER (WHERE kpi_code = 'work_on_platform_rate') AS work_on_platform_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'work_on_platform_rate') AS work_on_platform_rate_met,
           max(value) FILTER (WHERE kpi_code = 'digital_inspection_rate') AS digital_inspection_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'digital_inspection_rate') AS digital_inspection_rate_met,
           max(value) FILTER (WHERE kpi_code = 'archive_electronic_rate') AS archive_electronic_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'archive_electronic_rate') AS archive_electronic_rate_met,
           max(value) FILTER (WHERE kpi_code = 'archive_online_use_rate') AS archive_online_use_rate,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'archive_online_use_rate') AS archive_online_use_rate_met,
           max(value) FILTER (WHERE kpi_code = 'dialogue_count') AS dialogue_count,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'dialogue_count') AS dialogue_count_met,
           max(value) FILTER (WHERE kpi_code = 'propaganda_forms_count') AS propaganda_forms_count,
           bool_or(meets_target) FILTER (WHERE kpi_code = 'propaganda_forms_count') AS propaganda_forms_count_met
    FROM marts.kpi_values
    GROUP BY period_code, unit_code
)
SELECT p.period_code,
       p.name_vi           AS period_name,
       p.period_kind,
       p.year              AS period_year,
       p.start_date        AS period_start,
       p.end_date          AS period_end,
       p.last_day          AS period_last_day,
       p.deadline          AS report_deadline,
       u.unit_code,
       u.name_vi           AS unit_name,
       u.short_name        AS unit_short_name,
       u.level             AS unit_level,
       v.* EXCLUDE (period_code, unit_code)
FROM wide v
JOIN ref.periods p ON p.period_code = v.period_code
JOIN ref.units u   ON u.unit_code = v.unit_code
ORDER BY p.start_date, p.end_date, p.period_code,
         CASE u.level WHEN 'district' THEN 0 WHEN 'ward' THEN 1 ELSE 2 END, u.unit_code
