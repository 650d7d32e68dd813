-- A resolved dossier whose source stated another timeliness than its dates
-- show (Đã trả - Đúng hạn, completed after the due date): worth a look by the
-- unit, never a failure — KPIs are computed from the dates (docs/inputs.md).
-- severity: warn
SELECT dossier_id, unit_code, timeliness, reported_timeliness
FROM marts.timeliness_disagreements
