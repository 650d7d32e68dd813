-- Ratios of counts lie in [0, 1] for every dossier KPI; numerators never exceed denominators.
SELECT period_code, unit_code, kpi_code, numerator, denominator
FROM marts.kpi_values
WHERE source IN ('dossier', 'bieu06') AND (numerator < 0 OR numerator > denominator)
