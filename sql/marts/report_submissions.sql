-- comment: Tình hình gửi báo cáo định kỳ: mọi phường, phòng ban cho mỗi kỳ đã có ít nhất một báo cáo; hạn gửi là ngày 05 tháng cuối kỳ (kế hoạch mục III) / report submissions of every ward and department for every period with at least one unit report
-- column period_code: Kỳ báo cáo / period
-- column unit_code: Đơn vị / unit
-- column unit_name: Tên đơn vị / unit name
-- column unit_level: Cấp: ward, department / level
-- column received: Đã nhận báo cáo / report received
-- column first_received_at: Thời điểm nhận sớm nhất (thời điểm sửa đổi tệp, giờ Việt Nam) / earliest modification time of a report file of the unit and period
-- column deadline: Hạn gửi / deadline
-- column on_time: Gửi đúng hạn (ngày nhận ≤ hạn); NULL khi chưa nhận / sent by the deadline; NULL when not received
-- column days_late: Số ngày trễ hạn (0 nếu đúng hạn) / days past the deadline
-- column reports_received: Số tệp báo cáo đã nhận (kể cả bản gửi lại) / report files received, re-sent ones included
-- test: unique(period_code, unit_code)
-- test: not_null(period_code, unit_code, received, deadline)
-- test: expression(received = (first_received_at IS NOT NULL))
WITH periods AS (
    SELECT DISTINCT period_code FROM core.report_files WHERE kind = 'unit_report'
),
received AS (
    SELECT period_code, unit_code, min(first_modified_at) AS first_received_at, count(DISTINCT file_sha256) AS reports_received
    FROM core.report_files
    WHERE kind = 'unit_report'
    GROUP BY ALL
)
SELECT p.period_code, u.unit_code, u.name_vi AS unit_name, u.level AS unit_level,
       r.first_received_at IS NOT NULL AS received,
       r.first_received_at,
       rp.deadline,
       CASE WHEN r.first_received_at IS NOT NULL THEN r.first_received_at::DATE <= rp.deadline END AS on_time,
       CASE WHEN r.first_received_at IS NOT NULL THEN greatest(0, date_diff('day', rp.deadline, r.first_received_at::DATE)) END AS days_late,
       coalesce(r.reports_received, 0) AS reports_received
FROM periods p
JOIN ref.periods rp USING (period_code)
CROSS JOIN ref.units u
LEFT JOIN received r ON r.period_code = p.period_code AND r.unit_code = u.unit_code
WHERE u.level IN ('ward', 'department')
ORDER BY p.period_code, u.level DESC, u.unit_code
