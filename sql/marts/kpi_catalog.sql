-- comment: Danh mục KPI cho người đọc và công cụ BI: tên hiển thị tiếng Việt, nhóm (mục II của Kế hoạch CCHC 2024), đơn vị tính và chỉ tiêu kế hoạch, từ ref.kpis và ref.indicators / KPI catalogue for analysts and BI tools: Vietnamese display names, family (plan section II), unit of measure and plan targets
-- column kpi_code: Mã KPI, cũng là tên cột trong marts.scoreboard / KPI code, also the column name in marts.scoreboard
-- column kpi_name: Tên KPI (tiếng Việt) / KPI display name, Vietnamese
-- column kpi_name_en: Tên KPI (tiếng Anh) / KPI name, English
-- column family_code: Mã nhóm KPI theo mục II của kế hoạch (chi_dao_dieu_hanh, thu_tuc_hanh_chinh, cong_vu, chinh_quyen_so …) / KPI family code after plan section II
-- column family_name: Tên nhóm KPI (tên mục II của kế hoạch) / KPI family name, the plan section's title
-- column family_order: Thứ tự nhóm theo kế hoạch (1–7; 99 khi không rõ) / order of the family in the plan (99 when unknown)
-- column plan_section: Mục kế hoạch, ví dụ II.3.1 / plan section
-- column source: Nguồn số liệu: dossier (hồ sơ), bieu06 (Biểu 06), report (báo cáo đơn vị) / source of the figures
-- column kpi_kind: ratio (tỷ lệ tử số / mẫu số) hoặc count (số đếm, mẫu số 1) / ratio or count KPI
-- column numerator_indicator: Chỉ tiêu báo cáo làm tử số (ref.indicators; trống với KPI từ hồ sơ) / report indicator of the numerator
-- column denominator_indicator: Chỉ tiêu báo cáo làm mẫu số (trống = 1 hoặc KPI từ hồ sơ) / report indicator of the denominator
-- column unit_of_measure: Đơn vị tính của giá trị: tỷ lệ (0–1) hoặc đơn vị của chỉ tiêu đếm / unit of measure of the value
-- column comparator: Phép so sánh với chỉ tiêu (>=) / comparison with the target
-- column target_ward: Chỉ tiêu cấp phường / ward target
-- column target_district_level: Chỉ tiêu cấp quận (phòng ban và toàn quận) / district-level target (departments and the district)
-- column year_only: Chỉ so với chỉ tiêu ở kỳ năm (…-Y) / target applies to the year period only
-- column district_row: Có dòng toàn quận (thanh_xuan) cộng tử số và mẫu số / has a district row summing numerators and denominators
-- test: unique(kpi_code)
-- test: not_null(kpi_code, kpi_name, family_code, family_name, kpi_kind, comparator)
-- test: accepted_values(kpi_kind: ratio, count)
-- test: relationships(kpi_code -> ref.kpis.kpi_code)
SELECT k.kpi_code,
       k.name_vi AS kpi_name,
       k.name_en AS kpi_name_en,
       coalesce(f.family_code, 'khac')  AS family_code,
       coalesce(f.name_vi, 'Khác')      AS family_name,
       coalesce(f.family_order, 99)     AS family_order,
       k.plan_section,
       k.source,
       CASE WHEN k.source = 'report' AND coalesce(k.denominator_indicator, '') = '' THEN 'count' ELSE 'ratio' END AS kpi_kind,
       nullif(k.numerator_indicator, '')   AS numerator_indicator,
       nullif(k.denominator_indicator, '') AS denominator_indicator,
       CASE WHEN k.source = 'report' AND coalesce(k.denominator_indicator, '') = ''
            THEN coalesce(i.unit_of_measure, 'số lượng')
            ELSE 'tỷ lệ (0–1)' END AS unit_of_measure,
       '>=' AS comparator,
       k.target_ward::DOUBLE           AS target_ward,
       k.target_district_level::DOUBLE AS target_district_level,
       k.year_only::BOOLEAN            AS year_only,
       k.district_row::BOOLEAN         AS district_row
FROM ref.kpis k
LEFT JOIN ref.kpi_families f ON f.plan_section = regexp_extract(k.plan_section, '^(II\.[0-9]+)', 1)
LEFT JOIN ref.indicators i ON i.indicator_code = k.numerator_indicator
ORDER BY family_order, k.plan_section, k.kpi_code
