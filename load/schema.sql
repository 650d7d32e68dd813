-- The pipeline's own tables: the file ledger and the raw layer. Models (sql/)
-- build everything else from these and the seeds.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS ops;


CREATE TABLE IF NOT EXISTS raw.files (
    path            VARCHAR NOT NULL,
    size_bytes      BIGINT,
    sha256          VARCHAR,
    modified_at     TIMESTAMP,
    kind            VARCHAR,
    unit_code       VARCHAR,
    period_code     VARCHAR,
    status          VARCHAR NOT NULL,
    message         VARCHAR,
    rows_loaded     BIGINT,
    rows_rejected   BIGINT,
    rows_skipped    BIGINT,
    ignored_columns VARCHAR,
    loaded_at       TIMESTAMP,
    run_id          VARCHAR
);
COMMENT ON TABLE raw.files IS 'Sổ tệp đầu vào: một dòng cho mỗi tệp (đường dẫn, nội dung) đã gặp / file ledger: one row per input file path and content';
COMMENT ON COLUMN raw.files.path IS 'Đường dẫn tương đối trong thư mục inbox, dấu / / path relative to the inbox';
COMMENT ON COLUMN raw.files.size_bytes IS 'Kích thước tệp (byte) / file size in bytes';
COMMENT ON COLUMN raw.files.sha256 IS 'Mã băm SHA-256 của nội dung tệp / SHA-256 of the file content';
COMMENT ON COLUMN raw.files.modified_at IS 'Thời điểm sửa đổi tệp, giờ Việt Nam / file modification time, Asia/Ho_Chi_Minh';
COMMENT ON COLUMN raw.files.kind IS 'Loại dữ liệu: dossiers, unit_report, tthc_summary (nhiều loại cách nhau dấu phẩy) / input kind(s)';
COMMENT ON COLUMN raw.files.unit_code IS 'Đơn vị của tệp (khi cả tệp thuộc một đơn vị) / unit of the file, when it has one';
COMMENT ON COLUMN raw.files.period_code IS 'Kỳ báo cáo của tệp báo cáo / reporting period of a report file';
COMMENT ON COLUMN raw.files.status IS 'loaded (đã nạp), failed (lỗi), duplicate (trùng nội dung tệp đã nạp) / load status';
COMMENT ON COLUMN raw.files.message IS 'Lý do lỗi hoặc ghi chú (cột bị bỏ qua …) / failure reason or notes';
COMMENT ON COLUMN raw.files.rows_loaded IS 'Số dòng dữ liệu đã nạp / data rows loaded';
COMMENT ON COLUMN raw.files.rows_rejected IS 'Số dòng bị loại (xem raw.rejects) / rows rejected';
COMMENT ON COLUMN raw.files.rows_skipped IS 'Số dòng không phải dữ liệu (trống, tiêu đề mục, tổng, chân trang) / non-data rows skipped';
COMMENT ON COLUMN raw.files.ignored_columns IS 'Các cột không nhận diện được, đã bỏ qua / unknown columns ignored';
COMMENT ON COLUMN raw.files.loaded_at IS 'Thời điểm nạp (giờ Việt Nam) / when the file was processed';
COMMENT ON COLUMN raw.files.run_id IS 'Lần chạy đã xử lý tệp (ops.runs) / run that processed the file';

CREATE TABLE IF NOT EXISTS raw.file_sheets (
    sha256          VARCHAR NOT NULL,
    sheet           VARCHAR,
    kind            VARCHAR NOT NULL,
    unit_code       VARCHAR,
    period_code     VARCHAR,
    header_row      INTEGER,
    data_first_row  INTEGER,
    rows_loaded     BIGINT,
    rows_rejected   BIGINT,
    ignored_columns VARCHAR
);
COMMENT ON TABLE raw.file_sheets IS 'Các trang tính có dữ liệu của mỗi tệp / data sheets found in each file';
COMMENT ON COLUMN raw.file_sheets.sha256 IS 'Tệp (raw.files.sha256) / file content hash';
COMMENT ON COLUMN raw.file_sheets.sheet IS 'Tên trang tính (NULL với CSV) / sheet name, NULL for CSV';
COMMENT ON COLUMN raw.file_sheets.kind IS 'Loại dữ liệu nhận diện từ dòng tiêu đề / kind told by the header';
COMMENT ON COLUMN raw.file_sheets.unit_code IS 'Đơn vị từ tiêu đề hoặc tên tệp / unit from the title rows or file name';
COMMENT ON COLUMN raw.file_sheets.period_code IS 'Kỳ báo cáo từ tiêu đề hoặc tên tệp / period from the title rows or file name';
COMMENT ON COLUMN raw.file_sheets.header_row IS 'Dòng tiêu đề đầu tiên / first header row';
COMMENT ON COLUMN raw.file_sheets.data_first_row IS 'Dòng dữ liệu đầu tiên / first data row';
COMMENT ON COLUMN raw.file_sheets.rows_loaded IS 'Số dòng đã nạp / rows loaded';
COMMENT ON COLUMN raw.file_sheets.rows_rejected IS 'Số dòng bị loại / rows rejected';
COMMENT ON COLUMN raw.file_sheets.ignored_columns IS 'Cột bị bỏ qua / ignored columns';

CREATE TABLE IF NOT EXISTS raw.rejects (
    file_path   VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    sheet       VARCHAR,
    row_number  INTEGER,
    column_name VARCHAR,
    raw_value   VARCHAR,
    reason_code VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    run_id      VARCHAR
);
COMMENT ON TABLE raw.rejects IS 'Dòng dữ liệu không nạp được, kèm lý do để người xử lý / data rows that could not be loaded, with an actionable reason';
COMMENT ON COLUMN raw.rejects.file_path IS 'Tệp (như raw.files.path) / file path as in raw.files';
COMMENT ON COLUMN raw.rejects.file_sha256 IS 'Nội dung tệp (raw.files.sha256) / file content hash';
COMMENT ON COLUMN raw.rejects.sheet IS 'Trang tính (NULL với CSV) / sheet, NULL for CSV';
COMMENT ON COLUMN raw.rejects.row_number IS 'Số dòng trên trang tính, hoặc dòng của tệp CSV (từ 1) / 1-based sheet row or CSV line';
COMMENT ON COLUMN raw.rejects.column_name IS 'Trường có giá trị lỗi / field with the bad value';
COMMENT ON COLUMN raw.rejects.raw_value IS 'Giá trị gốc trong ô / the cell value as found';
COMMENT ON COLUMN raw.rejects.reason_code IS 'Mã lý do (impossible_date, unknown_unit …) / reason code';
COMMENT ON COLUMN raw.rejects.reason IS 'Lý do, tiếng Việt và tiếng Anh / reason in Vietnamese and English';
COMMENT ON COLUMN raw.rejects.run_id IS 'Lần chạy phát hiện (ops.runs) / run that found it';

CREATE TABLE IF NOT EXISTS raw.dossier_rows (
    file_sha256      VARCHAR NOT NULL,
    sheet            VARCHAR,
    row_number       INTEGER NOT NULL,
    dossier_id       VARCHAR NOT NULL,
    unit_code        VARCHAR NOT NULL,
    unit_source      VARCHAR,
    field            VARCHAR NOT NULL,
    field_group      VARCHAR NOT NULL,
    procedure_code   VARCHAR,
    procedure_name   VARCHAR NOT NULL,
    received_at      TIMESTAMP NOT NULL,
    due_at           TIMESTAMP NOT NULL,
    completed_at     TIMESTAMP,
    channel          VARCHAR NOT NULL,
    service_level    VARCHAR,
    status           VARCHAR NOT NULL,
    result_digitized BOOLEAN,
    eid_verified     BOOLEAN,
    applicant_key    VARCHAR
);
COMMENT ON TABLE raw.dossier_rows IS 'Mọi phiên bản hồ sơ đã đọc từ mọi tệp (không có dữ liệu cá nhân) / every dossier version read, without personal data';
COMMENT ON COLUMN raw.dossier_rows.file_sha256 IS 'Tệp nguồn (raw.files.sha256) / source file hash';
COMMENT ON COLUMN raw.dossier_rows.sheet IS 'Trang tính nguồn / source sheet';
COMMENT ON COLUMN raw.dossier_rows.row_number IS 'Dòng nguồn / source row';
COMMENT ON COLUMN raw.dossier_rows.dossier_id IS 'Mã hồ sơ / dossier id';
COMMENT ON COLUMN raw.dossier_rows.unit_code IS 'Đơn vị tiếp nhận / receiving unit';
COMMENT ON COLUMN raw.dossier_rows.unit_source IS 'Đơn vị lấy từ cột hay từ tiêu đề/tên tệp / where the unit came from';
COMMENT ON COLUMN raw.dossier_rows.field IS 'Lĩnh vực / field';
COMMENT ON COLUMN raw.dossier_rows.field_group IS 'Nhóm lĩnh vực: tnmt, khdt, other / field group';
COMMENT ON COLUMN raw.dossier_rows.procedure_code IS 'Mã thủ tục / procedure code';
COMMENT ON COLUMN raw.dossier_rows.procedure_name IS 'Tên thủ tục / procedure name';
COMMENT ON COLUMN raw.dossier_rows.received_at IS 'Thời điểm tiếp nhận (giờ Việt Nam) / received, local time';
COMMENT ON COLUMN raw.dossier_rows.due_at IS 'Hẹn trả / due, local time';
COMMENT ON COLUMN raw.dossier_rows.completed_at IS 'Trả kết quả / completed, local time';
COMMENT ON COLUMN raw.dossier_rows.channel IS 'Kênh nộp: online, counter, postal / channel';
COMMENT ON COLUMN raw.dossier_rows.service_level IS 'Mức độ DVC: full, partial, none; NULL khi tệp không có cột này (chưa biết) / online service level, NULL when the file has no such column (unknown)';
COMMENT ON COLUMN raw.dossier_rows.status IS 'Trạng thái: resolved, processing, withdrawn, refused / status';
COMMENT ON COLUMN raw.dossier_rows.result_digitized IS 'Kết quả đã số hóa; NULL khi tệp không có cột này (chưa biết, không phải "không") / result digitised, NULL when the file has no such column (unknown, not no)';
COMMENT ON COLUMN raw.dossier_rows.eid_verified IS 'Xác thực định danh điện tử VNeID; NULL khi tệp không có cột này / electronic identity verified, NULL when the file has no such column';
COMMENT ON COLUMN raw.dossier_rows.applicant_key IS 'Mã băm có khóa (HMAC-SHA256) của số giấy tờ người nộp / keyed hash of the applicant id';
-- Columns added after the first release: a work database made before them
-- gains them here (rows loaded earlier read NULL).
ALTER TABLE raw.dossier_rows ADD COLUMN IF NOT EXISTS reported_timeliness VARCHAR;
ALTER TABLE raw.dossier_rows ALTER COLUMN service_level DROP NOT NULL;
ALTER TABLE raw.dossier_rows ALTER COLUMN result_digitized DROP NOT NULL;
ALTER TABLE raw.dossier_rows ALTER COLUMN eid_verified DROP NOT NULL;
COMMENT ON COLUMN raw.dossier_rows.reported_timeliness IS 'Tiến độ do nguồn ghi cùng trạng thái (Đã trả - Trễ hạn): early, on_time, late; NULL khi nguồn không ghi / timeliness as the source stated it beside the status';

CREATE TABLE IF NOT EXISTS raw.indicator_rows (
    file_sha256     VARCHAR NOT NULL,
    sheet           VARCHAR,
    row_number      INTEGER NOT NULL,
    unit_code       VARCHAR NOT NULL,
    period_code     VARCHAR NOT NULL,
    indicator_code  VARCHAR NOT NULL,
    indicator_text  VARCHAR,
    value           DOUBLE,
    unit_of_measure VARCHAR
);
COMMENT ON TABLE raw.indicator_rows IS 'Mọi dòng chỉ tiêu đã khớp danh mục, từ mọi báo cáo đã nhận / every matched indicator line of every unit report received';
COMMENT ON COLUMN raw.indicator_rows.file_sha256 IS 'Tệp nguồn / source file hash';
COMMENT ON COLUMN raw.indicator_rows.sheet IS 'Trang tính nguồn / source sheet';
COMMENT ON COLUMN raw.indicator_rows.row_number IS 'Dòng nguồn / source row';
COMMENT ON COLUMN raw.indicator_rows.unit_code IS 'Đơn vị báo cáo / reporting unit';
COMMENT ON COLUMN raw.indicator_rows.period_code IS 'Kỳ báo cáo / reporting period';
COMMENT ON COLUMN raw.indicator_rows.indicator_code IS 'Mã chỉ tiêu (ref.indicators) / indicator code';
COMMENT ON COLUMN raw.indicator_rows.indicator_text IS 'Nội dung chỉ tiêu như đơn vị ghi / indicator text as written';
COMMENT ON COLUMN raw.indicator_rows.value IS 'Giá trị (NULL = không báo cáo) / value, NULL when not reported';
COMMENT ON COLUMN raw.indicator_rows.unit_of_measure IS 'Đơn vị tính như đơn vị ghi / unit of measure as written';

CREATE TABLE IF NOT EXISTS raw.unmatched_lines (
    file_sha256 VARCHAR NOT NULL,
    sheet       VARCHAR,
    row_number  INTEGER NOT NULL,
    unit_code   VARCHAR,
    period_code VARCHAR,
    stt         VARCHAR,
    text        VARCHAR,
    raw_value   VARCHAR
);
COMMENT ON TABLE raw.unmatched_lines IS 'Dòng báo cáo không khớp chỉ tiêu nào (đề mục, ghi chú) — để nhóm dữ liệu xem / report lines matching no indicator (headings, notes), for the data team';
COMMENT ON COLUMN raw.unmatched_lines.file_sha256 IS 'Tệp nguồn / source file hash';
COMMENT ON COLUMN raw.unmatched_lines.sheet IS 'Trang tính / sheet';
COMMENT ON COLUMN raw.unmatched_lines.row_number IS 'Dòng / row';
COMMENT ON COLUMN raw.unmatched_lines.unit_code IS 'Đơn vị báo cáo / reporting unit';
COMMENT ON COLUMN raw.unmatched_lines.period_code IS 'Kỳ báo cáo / period';
COMMENT ON COLUMN raw.unmatched_lines.stt IS 'Số thứ tự như ghi / numbering as written';
COMMENT ON COLUMN raw.unmatched_lines.text IS 'Nội dung dòng / line text';
COMMENT ON COLUMN raw.unmatched_lines.raw_value IS 'Giá trị ghi trên dòng / value written on the line';

CREATE TABLE IF NOT EXISTS raw.tthc_summary_rows (
    file_sha256                 VARCHAR NOT NULL,
    sheet                       VARCHAR,
    row_number                  INTEGER NOT NULL,
    unit_code                   VARCHAR NOT NULL,
    period_code                 VARCHAR NOT NULL,
    field                       VARCHAR NOT NULL,
    field_group                 VARCHAR NOT NULL,
    received_total              DOUBLE,
    received_online             DOUBLE,
    received_counter_postal     DOUBLE,
    carried_over                DOUBLE,
    resolved_total              DOUBLE,
    resolved_early              DOUBLE,
    resolved_on_time            DOUBLE,
    resolved_late               DOUBLE,
    in_progress_total           DOUBLE,
    in_progress_within_deadline DOUBLE,
    in_progress_overdue         DOUBLE,
    consistent                  BOOLEAN NOT NULL,
    warnings                    VARCHAR
);
COMMENT ON TABLE raw.tthc_summary_rows IS 'Mọi dòng lĩnh vực của mọi Biểu 06 đã nhận / every field row of every Biểu 06 received';
COMMENT ON COLUMN raw.tthc_summary_rows.file_sha256 IS 'Tệp nguồn / source file hash';
COMMENT ON COLUMN raw.tthc_summary_rows.sheet IS 'Trang tính / sheet';
COMMENT ON COLUMN raw.tthc_summary_rows.row_number IS 'Dòng / row';
COMMENT ON COLUMN raw.tthc_summary_rows.unit_code IS 'Đơn vị báo cáo / reporting unit';
COMMENT ON COLUMN raw.tthc_summary_rows.period_code IS 'Kỳ báo cáo / period';
COMMENT ON COLUMN raw.tthc_summary_rows.field IS 'Lĩnh vực / field';
COMMENT ON COLUMN raw.tthc_summary_rows.field_group IS 'Nhóm lĩnh vực / field group';
COMMENT ON COLUMN raw.tthc_summary_rows.received_total IS '(3) Số hồ sơ nhận giải quyết, tổng số / received, total';
COMMENT ON COLUMN raw.tthc_summary_rows.received_online IS '(4) trong đó trực tuyến / of which online';
COMMENT ON COLUMN raw.tthc_summary_rows.received_counter_postal IS '(5) trực tiếp, bưu chính / counter or postal';
COMMENT ON COLUMN raw.tthc_summary_rows.carried_over IS '(6) từ kỳ trước / carried over';
COMMENT ON COLUMN raw.tthc_summary_rows.resolved_total IS '(7) đã giải quyết, tổng số / resolved, total';
COMMENT ON COLUMN raw.tthc_summary_rows.resolved_early IS '(8) trước hạn / early';
COMMENT ON COLUMN raw.tthc_summary_rows.resolved_on_time IS '(9) đúng hạn / on time';
COMMENT ON COLUMN raw.tthc_summary_rows.resolved_late IS '(10) quá hạn / late';
COMMENT ON COLUMN raw.tthc_summary_rows.in_progress_total IS '(11) đang giải quyết, tổng số / in progress, total';
COMMENT ON COLUMN raw.tthc_summary_rows.in_progress_within_deadline IS '(12) trong hạn / within deadline';
COMMENT ON COLUMN raw.tthc_summary_rows.in_progress_overdue IS '(13) quá hạn / overdue';
COMMENT ON COLUMN raw.tthc_summary_rows.consistent IS 'Các đẳng thức (3)=(4)+(5)+(6), (7)=(8)+(9)+(10), (11)=(12)+(13), (3)=(7)+(11) đều đúng / identities hold';
COMMENT ON COLUMN raw.tthc_summary_rows.warnings IS 'Đẳng thức bị vi phạm / identities broken';
