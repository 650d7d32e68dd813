-- comment: Các tệp hồ sơ đã nạp: thời điểm sửa đổi, số dòng hồ sơ, và số dòng có mã hồ sơ xuất hiện ở dòng hoặc tệp khác (các hồ sơ đó được chọn phiên bản trong core.dossiers_deduplicated) / the loaded dossier files: modification time, dossier rows, and rows whose dossier id appears in another row or file (those dossiers get their version chosen in core.dossiers_deduplicated)
-- column sha256: Nội dung tệp (raw.files.sha256) / file content hash
-- column path: Đường dẫn sau cùng của nội dung này (raw.files.path) / latest path of this content
-- column modified_at: Thời điểm sửa đổi sau cùng của nội dung này / latest modification time of this content
-- column dossier_rows: Số dòng hồ sơ của tệp (raw.dossier_rows) / dossier rows of the file
-- column repeated_rows: Số dòng có mã hồ sơ xuất hiện ở dòng hoặc tệp khác; 0 = mọi hồ sơ của tệp là hiện hành / rows whose dossier id appears in another row or file; 0: every dossier of the file is current
-- test: unique(sha256)
-- test: not_null(sha256, modified_at, dossier_rows, repeated_rows)
WITH loaded AS (
    -- A content loaded under several paths counts with its latest path.
    SELECT sha256,
           max(modified_at)                       AS modified_at,
           arg_max(path, (modified_at, path))     AS path
    FROM raw.files
    WHERE status IN ('loaded', 'duplicate') AND sha256 IS NOT NULL
    GROUP BY sha256
),
rows AS (
    SELECT d.file_sha256, d.dossier_id
    FROM raw.dossier_rows d
    SEMI JOIN loaded l ON l.sha256 = d.file_sha256
),
repeated AS (
    SELECT dossier_id FROM rows GROUP BY dossier_id HAVING count(*) > 1
)
SELECT l.sha256, l.path, l.modified_at,
       count(*)                                   AS dossier_rows,
       count(*) FILTER (r.dossier_id IS NOT NULL) AS repeated_rows
FROM rows d
JOIN loaded l ON l.sha256 = d.file_sha256
LEFT JOIN repeated r ON r.dossier_id = d.dossier_id
GROUP BY l.sha256, l.path, l.modified_at
