-- comment: Giá trị chỉ tiêu báo cáo hiện hành của mỗi đơn vị và kỳ (bản gửi sau cùng thay thế bản trước) / indicator values in force per unit and period: a re-sent report replaces the earlier one
-- column unit_code: Đơn vị báo cáo / reporting unit
-- column period_code: Kỳ báo cáo / period
-- column indicator_code: Mã chỉ tiêu (ref.indicators) / indicator code
-- column value: Giá trị đơn vị báo cáo / value reported
-- column source_file_sha256: Tệp báo cáo nguồn / source report file
-- column source_row: Dòng nguồn / source row
-- test: unique(unit_code, period_code, indicator_code)
-- test: not_null(unit_code, period_code, indicator_code, value)
-- test: relationships(indicator_code -> ref.indicators.indicator_code)
-- test: relationships(unit_code -> ref.units.unit_code)
-- test: expression(value >= 0)
SELECT r.unit_code, r.period_code, r.indicator_code,
       arg_max(r.value, r.row_number) AS value,
       r.file_sha256 AS source_file_sha256,
       max(r.row_number) AS source_row
FROM raw.indicator_rows r
JOIN core.report_files f
  ON f.kind = 'unit_report' AND f.latest
 AND f.file_sha256 = r.file_sha256 AND f.unit_code = r.unit_code AND f.period_code = r.period_code
 AND f.sheet IS NOT DISTINCT FROM r.sheet
WHERE r.value IS NOT NULL
GROUP BY r.unit_code, r.period_code, r.indicator_code, r.file_sha256
ORDER BY 1, 2, 3
