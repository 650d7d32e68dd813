-- comment: Các báo cáo đơn vị và Biểu 06 đã nhận, mỗi (đơn vị, kỳ, loại) một dòng cho mỗi tệp; latest = bản gửi sau cùng thay thế bản trước / report files received per unit, period and kind; latest marks the one that replaces earlier ones
-- column kind: unit_report (báo cáo định kỳ) hoặc tthc_summary (Biểu 06) / report kind
-- column unit_code: Đơn vị báo cáo / reporting unit
-- column period_code: Kỳ báo cáo / period
-- column file_sha256: Tệp (raw.files.sha256) / file hash
-- column sheet: Trang tính / sheet
-- column path: Đường dẫn tệp / file path
-- column modified_at: Thời điểm sửa đổi tệp (giờ Việt Nam) — thời điểm nhận / file modification time, taken as the time received
-- column first_modified_at: Thời điểm sửa đổi sớm nhất của nội dung này (kể cả bản sao) / earliest modification time of this content under any path
-- column latest: Bản có hiệu lực (tệp sửa đổi sau cùng) / the report in force
-- test: not_null(kind, unit_code, period_code, file_sha256)
WITH files AS (
    SELECT sha256,
           min(modified_at)                   AS first_modified_at,
           max(modified_at)                   AS modified_at,
           arg_max(path, (modified_at, path)) AS path
    FROM raw.files
    WHERE status IN ('loaded', 'duplicate') AND sha256 IS NOT NULL
    GROUP BY sha256
),
sheets AS (
    SELECT DISTINCT s.kind, s.unit_code, s.period_code, s.sha256 AS file_sha256, s.sheet, f.path, f.modified_at, f.first_modified_at
    FROM raw.file_sheets s
    JOIN files f ON f.sha256 = s.sha256
    WHERE s.kind IN ('unit_report', 'tthc_summary') AND s.unit_code IS NOT NULL AND s.period_code IS NOT NULL
)
SELECT kind, unit_code, period_code, file_sha256, sheet, path, modified_at, first_modified_at,
       row_number() OVER (PARTITION BY kind, unit_code, period_code
                          ORDER BY modified_at DESC, path DESC, sheet DESC) = 1 AS latest
FROM sheets
ORDER BY kind, unit_code, period_code, modified_at
