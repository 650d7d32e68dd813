-- comment: Lịch kỳ báo cáo (kế hoạch mục III): số liệu lũy kế từ 05/12 năm trước đến trước ngày 05 của tháng cuối kỳ / reporting period calendar, generated from ref.period_kinds: windows are [start_date, end_date)
-- column period_code: Mã kỳ, ví dụ 2024-Q1, 2024-6M / period code
-- column year: Năm của kỳ / year
-- column period_kind: Loại kỳ: Q1, 6M, 9M, Y / kind
-- column name_vi: Tên kỳ / period name
-- column start_date: Ngày đầu cửa sổ (tính cả) / window start, inclusive
-- column end_date: Ngày cuối cửa sổ (không tính) / window end, exclusive
-- column last_day: Ngày cuối cùng thuộc kỳ / last day of the window
-- column deadline: Hạn gửi báo cáo (ngày 05 tháng cuối kỳ) / report deadline
-- test: unique(period_code)
-- test: expression(start_date < end_date)
SELECT
    y::VARCHAR || '-' || k.suffix                      AS period_code,
    y::INTEGER                                         AS year,
    k.suffix                                           AS period_kind,
    CASE WHEN k.suffix = 'Y' THEN 'Năm ' ELSE k.name_vi || ' năm ' END || y::VARCHAR AS name_vi,
    make_date(y - 1, 12, 5)                            AS start_date,
    make_date(y, k.closing_month, 5)                   AS end_date,
    (make_date(y, k.closing_month, 5) - 1)::DATE       AS last_day,
    make_date(y, k.closing_month, 5)                   AS deadline
FROM range(2015, 2046) AS t(y)
CROSS JOIN ref.period_kinds AS k
ORDER BY y, k.closing_month
