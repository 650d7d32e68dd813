-- comment: KPI theo đơn vị và kỳ so với chỉ tiêu Kế hoạch CCHC 2024 (mục II); dòng thanh_xuan cộng tử số và mẫu số của mọi đơn vị, không lấy trung bình các tỷ lệ / KPIs per unit and period against the plan's targets; thanh_xuan rows sum numerators and denominators over units
-- column period_code: Kỳ báo cáo (ref.periods) / period
-- column unit_code: Đơn vị; thanh_xuan = toàn quận / unit, thanh_xuan = the district
-- column kpi_code: Mã KPI (ref.kpis) / KPI code
-- column numerator: Tử số / numerator
-- column denominator: Mẫu số (1 với KPI đếm) / denominator (1 for count KPIs)
-- column value: Tử số / mẫu số; NULL khi mẫu số bằng 0 hoặc thiếu / numerator / denominator, NULL when the denominator is 0
-- column target: Chỉ tiêu kế hoạch (cấp phường hoặc cấp quận); NULL khi KPI đếm ngoài kỳ năm / plan target
-- column comparator: Phép so sánh với chỉ tiêu (>=) / comparison with the target
-- column meets_target: Đạt chỉ tiêu; NULL khi chưa có giá trị hoặc chỉ tiêu / target met
-- column source: Nguồn: dossier (hồ sơ), bieu06 (Biểu 06), report (báo cáo đơn vị) / source of the figures
-- column rows_unknown: KPI hồ sơ: số hồ sơ trong phạm vi bị để ra ngoài vì trường KPI cần đọc chưa biết (tệp không có cột Đã số hóa, Xác thực VNeID, Mức độ DVC); NULL với KPI báo cáo / dossier KPIs: rows in scope left out because a field the KPI reads is unknown (the file has no such column); NULL for report KPIs
-- column data_through: Số liệu có đến ngày: KPI hồ sơ — ngày tiếp nhận hoặc trả kết quả muộn nhất trong các hồ sơ dòng này tính (NULL khi không có hồ sơ nào); dòng thanh_xuan — muộn nhất trong mọi đơn vị; KPI báo cáo và Biểu 06 — ngày cuối kỳ của báo cáo / the date the row's data runs through: dossier KPIs — the latest receipt or completion date among the dossiers the row counts (NULL when it counts none); thanh_xuan rows — the latest among the units; report and Biểu 06 KPIs — the report's period end (its last day)
-- column period_complete: Kỳ đủ số liệu: data_through đến ngày cuối kỳ; một năm dựng từ nửa năm số liệu là chưa đủ; NULL khi không có hồ sơ nào / the period is complete: data_through reaches the period's last day; a year built from half a year of data is not; NULL when the row counts no dossier
-- test: unique(period_code, unit_code, kpi_code)
-- test: not_null(period_code, unit_code, kpi_code, comparator)
-- test: expression(source = 'dossier' OR (data_through IS NOT NULL AND period_complete IS NOT NULL))
-- test: expression((data_through IS NULL) = (period_complete IS NULL))
-- test: relationships(kpi_code -> ref.kpis.kpi_code)
-- test: relationships(unit_code -> ref.units.unit_code)
-- test: relationships(period_code -> ref.periods.period_code)
-- test: expression(value IS NULL OR value >= 0)
-- test: expression(source <> 'dossier' OR value IS NULL OR value <= 1)
WITH bounds AS (
    SELECT min(received_date) AS lo,
           max(greatest(received_date, coalesce(completed_date, received_date))) AS hi
    FROM core.dossiers
),
dossier_periods AS (
    SELECT p.* FROM ref.periods p, bounds b
    WHERE p.start_date <= b.hi AND p.end_date > b.lo
),
flags AS (
    SELECT p.period_code, d.unit_code, d.field_group, d.channel, d.service_level,
           d.result_digitized, d.eid_verified,
           d.status = 'resolved' AND d.completed_date >= p.start_date AND d.completed_date < p.end_date AS resolved_in,
           d.completed_date <= d.due_date AS on_time,
           d.received_date >= p.start_date AND d.received_date < p.end_date AS received_in,
           d.received_date < p.end_date AND d.status NOT IN ('withdrawn', 'refused')
               AND (d.status <> 'resolved' OR d.completed_date >= p.end_date) AS in_progress_end,
           d.due_date >= p.last_day AS due_after_end,
           greatest(d.received_date, coalesce(d.completed_date, d.received_date)) AS last_date
    FROM dossier_periods p CROSS JOIN core.dossiers d
),
dossier_facts AS (
    SELECT period_code, unit_code,
        count(*) FILTER (resolved_in)                                          AS resolved,
        count(*) FILTER (resolved_in AND on_time)                              AS resolved_on_time,
        count(*) FILTER (resolved_in AND field_group = 'tnmt')                 AS resolved_tnmt,
        count(*) FILTER (resolved_in AND on_time AND field_group = 'tnmt')     AS resolved_on_time_tnmt,
        count(*) FILTER (resolved_in AND field_group = 'khdt')                 AS resolved_khdt,
        count(*) FILTER (resolved_in AND on_time AND field_group = 'khdt')     AS resolved_on_time_khdt,
        count(*) FILTER (received_in)                                          AS received,
        -- Absent is unknown (CONTRACT 3.5): a KPI counts only the rows whose
        -- fields it reads are known, and says how many it left out.
        count(*) FILTER (received_in AND channel = 'online' AND service_level = 'full') AS received_full_online,
        count(*) FILTER (received_in AND service_level IS NOT NULL)            AS received_level_known,
        count(*) FILTER (received_in AND service_level IS NULL)                AS received_level_unknown,
        count(*) FILTER (resolved_in AND result_digitized)                     AS resolved_digitized,
        count(*) FILTER (resolved_in AND result_digitized IS NOT NULL)         AS resolved_digitized_known,
        count(*) FILTER (resolved_in AND result_digitized IS NULL)             AS resolved_digitized_unknown,
        count(*) FILTER (received_in AND channel = 'online' AND eid_verified)  AS received_online_eid,
        count(*) FILTER (received_in AND channel = 'online' AND eid_verified IS NOT NULL) AS received_online_eid_known,
        count(*) FILTER (received_in AND channel = 'online' AND eid_verified IS NULL)     AS received_online_eid_unknown,
        count(*) FILTER (in_progress_end)                                      AS in_progress,
        count(*) FILTER (in_progress_end AND due_after_end)                    AS in_progress_within,
        -- How far the data of each KPI's dossiers run (data_through): the
        -- latest receipt or completion date among the dossiers it counts.
        max(last_date) FILTER (resolved_in)                                    AS reach_resolved,
        max(last_date) FILTER (resolved_in AND field_group = 'tnmt')           AS reach_tnmt,
        max(last_date) FILTER (resolved_in AND field_group = 'khdt')           AS reach_khdt,
        max(last_date) FILTER (received_in AND service_level IS NOT NULL)      AS reach_level,
        max(last_date) FILTER (resolved_in AND result_digitized IS NOT NULL)   AS reach_digitized,
        max(last_date) FILTER (received_in AND channel = 'online' AND eid_verified IS NOT NULL) AS reach_eid,
        max(last_date) FILTER (resolved_in OR in_progress_end)                 AS reach_766
    FROM flags
    GROUP BY period_code, unit_code
),
dossier_kpis AS (
    SELECT period_code, unit_code, kpi_code, numerator, denominator, rows_unknown, reach
    FROM dossier_facts,
    LATERAL (VALUES
        ('tthc_on_time_rate',          resolved_on_time,      resolved,                  0, reach_resolved),
        ('tthc_on_time_rate_tnmt',     resolved_on_time_tnmt, resolved_tnmt,             0, reach_tnmt),
        ('tthc_on_time_rate_khdt',     resolved_on_time_khdt, resolved_khdt,             0, reach_khdt),
        ('tthc_full_online_rate',      received_full_online,  received_level_known,      received_level_unknown, reach_level),
        ('tthc_result_digitized_rate', resolved_digitized,    resolved_digitized_known,  resolved_digitized_unknown, reach_digitized),
        ('tthc_eid_rate',              received_online_eid,   received_online_eid_known, received_online_eid_unknown, reach_eid),
        ('tthc_progress_766_rate',     resolved_on_time + in_progress_within, resolved + in_progress, 0, reach_766)
    ) AS k(kpi_code, numerator, denominator, rows_unknown, reach)
),
bieu06_kpis AS (
    SELECT period_code, unit_code, 'tthc_on_time_rate_reported' AS kpi_code,
           sum(coalesce(resolved_early, 0) + coalesce(resolved_on_time, 0)) AS numerator,
           sum(coalesce(resolved_total, 0)) AS denominator,
           NULL::BIGINT AS rows_unknown,
           NULL::DATE AS reach
    FROM core.tthc_summary
    GROUP BY period_code, unit_code
),
report_kpis AS (
    SELECT n.period_code, n.unit_code, k.kpi_code,
           n.value AS numerator,
           CASE WHEN coalesce(k.denominator_indicator, '') = '' THEN 1 ELSE d.value END AS denominator,
           NULL::BIGINT AS rows_unknown,
           NULL::DATE AS reach
    FROM ref.kpis k
    JOIN core.indicator_values n ON n.indicator_code = k.numerator_indicator
    LEFT JOIN core.indicator_values d
           ON d.indicator_code = k.denominator_indicator AND d.unit_code = n.unit_code AND d.period_code = n.period_code
    WHERE k.source = 'report'
      AND (coalesce(k.denominator_indicator, '') = '' OR d.value IS NOT NULL)
),
unit_kpis AS (
    SELECT *, 'dossier' AS source FROM dossier_kpis
    UNION ALL SELECT *, 'bieu06' FROM bieu06_kpis
    UNION ALL SELECT *, 'report' FROM report_kpis
),
district_kpis AS (
    SELECT u.period_code, 'thanh_xuan' AS unit_code, u.kpi_code,
           sum(u.numerator) AS numerator, sum(u.denominator) AS denominator, sum(u.rows_unknown) AS rows_unknown,
           -- The district row counts every unit's dossiers.
           max(u.reach) AS reach, u.source
    FROM unit_kpis u
    JOIN ref.kpis k USING (kpi_code)
    WHERE k.district_row AND u.unit_code <> 'thanh_xuan'
    GROUP BY u.period_code, u.kpi_code, u.source
),
all_kpis AS (
    SELECT * FROM unit_kpis
    UNION ALL SELECT * FROM district_kpis
)
SELECT a.period_code, a.unit_code, a.kpi_code,
       a.numerator::DOUBLE   AS numerator,
       a.denominator::DOUBLE AS denominator,
       CASE WHEN a.denominator > 0 THEN a.numerator::DOUBLE / a.denominator END AS value,
       t.target,
       '>=' AS comparator,
       CASE WHEN a.denominator > 0 AND t.target IS NOT NULL
            THEN a.numerator::DOUBLE / a.denominator >= t.target END AS meets_target,
       a.source,
       a.rows_unknown::BIGINT AS rows_unknown,
       c.data_through,
       c.data_through >= p.last_day AS period_complete
FROM all_kpis a
JOIN ref.units un ON un.unit_code = a.unit_code
JOIN ref.periods p ON p.period_code = a.period_code
JOIN ref.kpis k ON k.kpi_code = a.kpi_code,
LATERAL (SELECT CASE
            WHEN k.year_only AND p.period_kind <> 'Y' THEN NULL
            WHEN un.level = 'ward' THEN k.target_ward
            ELSE k.target_district_level END::DOUBLE AS target) AS t,
-- A report covers its period; dossiers run as far as the latest they hold.
LATERAL (SELECT CASE WHEN a.source = 'dossier' THEN a.reach ELSE p.last_day END AS data_through) AS c
ORDER BY a.period_code, a.unit_code, a.kpi_code
