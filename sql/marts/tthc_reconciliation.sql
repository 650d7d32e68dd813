-- comment: Đối chiếu Biểu 06 đơn vị báo cáo với số liệu tính từ hồ sơ, cho mỗi (kỳ, đơn vị) có cả hai / what a unit reported in its Biểu 06 against what its dossier records show
-- column period_code: Kỳ báo cáo / period
-- column unit_code: Đơn vị / unit
-- column reported_resolved_total: Tổng số hồ sơ đã giải quyết theo Biểu 06 (cột 7) / resolved, as reported
-- column computed_resolved_total: Số hồ sơ giải quyết trong kỳ theo dữ liệu hồ sơ / resolved, from dossiers
-- column resolved_total_diff: Chênh lệch báo cáo − tính toán / reported minus computed
-- column reported_resolved_on_time_or_early: Đúng hạn và trước hạn theo Biểu 06 (cột 8 + 9) / on time or early, as reported
-- column computed_resolved_on_time_or_early: Đúng hạn và trước hạn theo dữ liệu hồ sơ / on time or early, from dossiers
-- column resolved_on_time_or_early_diff: Chênh lệch báo cáo − tính toán / reported minus computed
-- column reported_on_time_rate: Tỷ lệ đúng hạn theo Biểu 06 / on-time rate reported
-- column computed_on_time_rate: Tỷ lệ đúng hạn theo hồ sơ / on-time rate computed
-- test: unique(period_code, unit_code)
WITH rep AS (
    SELECT period_code, unit_code, numerator, denominator FROM marts.kpi_values WHERE kpi_code = 'tthc_on_time_rate_reported'
),
comp AS (
    SELECT period_code, unit_code, numerator, denominator FROM marts.kpi_values WHERE kpi_code = 'tthc_on_time_rate'
)
SELECT r.period_code, r.unit_code,
       r.denominator::BIGINT AS reported_resolved_total,
       c.denominator::BIGINT AS computed_resolved_total,
       (r.denominator - c.denominator)::BIGINT AS resolved_total_diff,
       r.numerator::BIGINT AS reported_resolved_on_time_or_early,
       c.numerator::BIGINT AS computed_resolved_on_time_or_early,
       (r.numerator - c.numerator)::BIGINT AS resolved_on_time_or_early_diff,
       CASE WHEN r.denominator > 0 THEN r.numerator / r.denominator END AS reported_on_time_rate,
       CASE WHEN c.denominator > 0 THEN c.numerator / c.denominator END AS computed_on_time_rate
FROM rep r
JOIN comp c USING (period_code, unit_code)
WHERE r.unit_code <> 'thanh_xuan'
ORDER BY 1, 2
