package warehouse

import (
	"context"
	"database/sql"
	"fmt"
)

// KPIRow is one district KPI of the scoreboard.
type KPIRow struct {
	KPI, Name        string
	Numerator, Denom float64
	Value, Target    sql.NullFloat64
	Meets            sql.NullBool
	UnitsMissing     []string
	UnitsWithValue   int
}

// Scoreboard reads from the published warehouse, for one period, every KPI's
// district value against its target and the units that miss it.
func Scoreboard(ctx context.Context, path, period string) ([]KPIRow, error) {
	db, closeDB, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	rows, err := db.QueryContext(ctx, `
		WITH units AS (
			SELECT kpi_code,
			       coalesce(list(unit_code ORDER BY unit_code) FILTER (meets_target = false), []) AS missing,
			       count(*) FILTER (value IS NOT NULL) AS with_value,
			       max(target) AS any_target
			FROM marts.kpi_values
			WHERE period_code = ? AND unit_code <> 'thanh_xuan'
			GROUP BY kpi_code
		)
		SELECT k.kpi_code, k.name_vi, coalesce(d.numerator, 0), coalesce(d.denominator, 0), d.value,
		       coalesce(d.target, u.any_target), d.meets_target, u.missing, u.with_value
		FROM units u
		JOIN ref.kpis k USING (kpi_code)
		LEFT JOIN marts.kpi_values d ON d.period_code = ? AND d.kpi_code = u.kpi_code AND d.unit_code = 'thanh_xuan'
		ORDER BY CASE k.source WHEN 'dossier' THEN 0 WHEN 'bieu06' THEN 1 ELSE 2 END, k.kpi_code`, period, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KPIRow
	for rows.Next() {
		var r KPIRow
		var missing []any
		if err := rows.Scan(&r.KPI, &r.Name, &r.Numerator, &r.Denom, &r.Value, &r.Target, &r.Meets, &missing, &r.UnitsWithValue); err != nil {
			return nil, err
		}
		for _, m := range missing {
			r.UnitsMissing = append(r.UnitsMissing, fmt.Sprint(m))
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
