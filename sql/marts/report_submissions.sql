-- comment: Tình hình gửi báo cáo định kỳ: mọi phường, phòng ban cho mỗi kỳ đã có ít nhất một báo cáo; hạn gửi là ngày 05 tháng cuối kỳ (kế hoạch mục III); thời điểm nhận là thời điểm sớm nhất trong thời điểm tệp và thời điểm cchc pull tải về, trừ khi nhóm dữ liệu đã ghi thời điểm nhận (arrivals.csv) / report submissions of every ward and department for every period with at least one unit report; a report arrived at the earliest of its file's time and the time cchc pull first fetched it, unless the data team recorded its arrival (arrivals.csv)
-- column period_code: Kỳ báo cáo / period
-- column unit_code: Đơn vị / unit
-- column unit_name: Tên đơn vị / unit name
-- column unit_level: Cấp: ward, department / level
-- column received: Đã nhận báo cáo (có tệp, hoặc có thời điểm nhận do người ghi) / report received: a file, or an arrival a person recorded
-- column first_received_at: Thời điểm nhận sớm nhất (giờ Việt Nam): thời điểm ghi tay nếu có, nếu không thì sớm nhất trong thời điểm sửa đổi tệp và thời điểm tải về; nguồn ở received_source / the earliest arrival, local time: the recorded one when there is one, else the earliest of the files' modification times and the times cchc pull first fetched them; received_source says which
-- column received_source: Nguồn của first_received_at: file_time (thời điểm sửa đổi tệp), pulled (thời điểm cchc pull tải nội dung về lần đầu, khi sớm hơn thời điểm tệp), recorded (người ghi trong arrivals.csv của thư mục seeds; luôn được dùng); NULL khi chưa nhận / where first_received_at comes from: file_time, pulled (the first fetch by cchc pull, when earlier than the file's time) or recorded (a person's record in the seeds folder's arrivals.csv, which wins); NULL when not received
-- column received_note: Ghi chú của thời điểm nhận do người ghi (bản giấy, thư điện tử …) / the note of a recorded arrival
-- column deadline: Hạn gửi / deadline
-- column on_time: Gửi đúng hạn (ngày nhận ≤ hạn); NULL khi chưa nhận / sent by the deadline; NULL when not received
-- column days_late: Số ngày trễ hạn (0 nếu đúng hạn) / days past the deadline
-- column reports_received: Số tệp báo cáo đã nhận (kể cả bản gửi lại) / report files received, re-sent ones included
-- test: unique(period_code, unit_code)
-- test: not_null(period_code, unit_code, received, deadline)
-- test: expression(received = (first_received_at IS NOT NULL))
-- test: expression(received = (received_source IS NOT NULL))
-- test: accepted_values(received_source: file_time, pulled, recorded)
WITH report_files AS (
    SELECT DISTINCT period_code, unit_code, file_sha256, first_modified_at
    FROM core.report_files
    WHERE kind = 'unit_report'
),
first_pulls AS (
    -- When cchc pull first fetched each content (ops.source_pulls, this
    -- run's pulls included: they are recorded before the models are built).
    SELECT sha256, min(pulled_at) AS pulled_at
    FROM ops.source_pulls
    WHERE sha256 IS NOT NULL AND status <> 'failed'
    GROUP BY sha256
),
file_arrivals AS (
    SELECT f.period_code, f.unit_code, f.file_sha256,
           CASE WHEN p.pulled_at < f.first_modified_at THEN p.pulled_at ELSE f.first_modified_at END AS arrived_at,
           CASE WHEN p.pulled_at < f.first_modified_at THEN 'pulled' ELSE 'file_time' END AS source
    FROM report_files f
    LEFT JOIN first_pulls p ON p.sha256 = f.file_sha256
),
files_received AS (
    SELECT period_code, unit_code,
           min(arrived_at)                                           AS arrived_at,
           arg_min(source, (arrived_at, source = 'file_time'))       AS source,
           count(DISTINCT file_sha256)                               AS reports_received
    FROM file_arrivals
    GROUP BY period_code, unit_code
),
recorded AS (
    -- A person's record wins: the earliest one when a report was recorded twice.
    SELECT period AS period_code, unit AS unit_code,
           min(received_at)                                          AS arrived_at,
           arg_min(note, received_at)                                AS note
    FROM ref.arrivals
    GROUP BY period, unit
),
received AS (
    SELECT period_code, unit_code,
           coalesce(r.arrived_at, f.arrived_at)                      AS first_received_at,
           CASE WHEN r.arrived_at IS NOT NULL THEN 'recorded' ELSE f.source END AS received_source,
           r.note                                                    AS received_note,
           coalesce(f.reports_received, 0)                           AS reports_received
    FROM files_received f
    FULL JOIN recorded r USING (period_code, unit_code)
),
periods AS (
    SELECT DISTINCT period_code FROM received
)
SELECT p.period_code, u.unit_code, u.name_vi AS unit_name, u.level AS unit_level,
       r.first_received_at IS NOT NULL AS received,
       r.first_received_at,
       r.received_source,
       r.received_note,
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
