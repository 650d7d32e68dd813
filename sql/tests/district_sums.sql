-- The district row of a ratio KPI sums its units' numerators and denominators (never an average of ratios).
WITH units AS (
    SELECT period_code, kpi_code, sum(numerator) AS n, sum(denominator) AS d
    FROM marts.kpi_values WHERE unit_code <> 'thanh_xuan' GROUP BY ALL
)
SELECT k.period_code, k.kpi_code
FROM marts.kpi_values k JOIN units u USING (period_code, kpi_code)
WHERE k.unit_code = 'thanh_xuan' AND (abs(k.numerator - u.n) > 1e-6 OR abs(k.denominator - u.d) > 1e-6)
