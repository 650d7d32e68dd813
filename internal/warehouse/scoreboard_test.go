package warehouse

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/seeds"
	sqlfs "github.com/thanhxuan/cchc/sql"
)

// biWarehouse publishes a warehouse from a small generated inbox (dossier
// exports, unit reports and Biểu 06 of every unit, two periods, planted bad
// rows) and returns its path: what the analysts and BI tools open.
func biWarehouse(t *testing.T) string {
	t.Helper()
	cfg := testwh.Config(t, t.TempDir())
	opt := gen.Default()
	opt.Seed, opt.DossiersPerUnit = 5, 10
	if _, err := gen.Generate(cfg.Inbox, opt); err != nil {
		t.Fatal(err)
	}
	cfg = testwh.Validate(t, cfg)
	if sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil || !sum.Published {
		t.Fatalf("run: %v", err)
	}
	return cfg.Warehouse
}

// scoreboardFixed are the columns of marts.scoreboard besides the two per KPI,
// with their types. Dashboards rely on these names.
var scoreboardFixed = map[string]string{
	"period_code": "VARCHAR", "period_name": "VARCHAR", "period_kind": "VARCHAR", "period_year": "INTEGER",
	"period_start": "DATE", "period_end": "DATE", "period_last_day": "DATE", "report_deadline": "DATE",
	"unit_code": "VARCHAR", "unit_name": "VARCHAR", "unit_short_name": "VARCHAR", "unit_level": "VARCHAR",
	"kpis_assessed": "BIGINT", "kpis_met": "BIGINT",
}

var reStableName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestScoreboardModelCoversSeedKPIs fails, without building anything, when a
// KPI of seeds/kpis.csv has no value column, no _met column, no column comment
// or no pivot line in sql/marts/scoreboard.sql.
func TestScoreboardModelCoversSeedKPIs(t *testing.T) {
	cat, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	models, _, err := load.ParseModels(sqlfs.FS(), "sql", 0)
	if err != nil {
		t.Fatal(err)
	}
	var sb *load.Model
	for _, m := range models {
		if m.Name == "marts.scoreboard" {
			sb = m
		}
	}
	if sb == nil {
		t.Fatal("no model marts.scoreboard in sql/")
	}
	if len(cat.KPIs) == 0 {
		t.Fatal("seeds/kpis.csv holds no KPI")
	}
	for _, k := range cat.KPIs {
		if !reStableName.MatchString(k.Code) {
			t.Errorf("KPI code %q cannot be a column name (lowercase ASCII snake_case)", k.Code)
		}
		for _, col := range []string{k.Code, k.Code + "_met"} {
			if sb.Columns[col] == "" {
				t.Errorf("KPI %s: sql/marts/scoreboard.sql has no `-- column %s:` line", k.Code, col)
			}
		}
		for _, expr := range []string{
			fmt.Sprintf("max(value) FILTER (WHERE kpi_code = '%s') AS %s,", k.Code, k.Code),
			fmt.Sprintf("bool_or(meets_target) FILTER (WHERE kpi_code = '%s') AS %s_met", k.Code, k.Code),
		} {
			if !strings.Contains(sb.SQL, expr) {
				t.Errorf("KPI %s: sql/marts/scoreboard.sql lacks %q", k.Code, expr)
			}
		}
	}
}

// TestPublishedWarehouseForBI checks the published file as readers see it:
// the scoreboard's columns and values, a comment on every table, view and
// column, and the storage format older DuckDB versions read.
func TestPublishedWarehouseForBI(t *testing.T) {
	t.Parallel()
	wh := biWarehouse(t)
	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	cat, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("scoreboard_columns", func(t *testing.T) {
		types := map[string]string{}
		rows, err := db.Query(`SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns()
			WHERE database_name = current_database() AND schema_name = 'marts' AND table_name = 'scoreboard'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name, typ, comment string
			if err := rows.Scan(&name, &typ, &comment); err != nil {
				t.Fatal(err)
			}
			types[name] = typ
			if !reStableName.MatchString(name) {
				t.Errorf("column %q is not lowercase ASCII snake_case", name)
			}
			if comment == "" {
				t.Errorf("column %s has no comment", name)
			}
		}
		rows.Close()
		want := map[string]string{}
		for c, typ := range scoreboardFixed {
			want[c] = typ
		}
		for _, k := range cat.KPIs {
			want[k.Code], want[k.Code+"_met"] = "DOUBLE", "BOOLEAN"
		}
		for c, typ := range want {
			switch got, ok := types[c]; {
			case !ok:
				t.Errorf("marts.scoreboard has no column %s (seeds/kpis.csv or the dashboards' names need it)", c)
			case got != typ:
				t.Errorf("marts.scoreboard.%s is %s, want %s", c, got, typ)
			}
		}
		for c := range types {
			if _, ok := want[c]; !ok {
				t.Errorf("marts.scoreboard.%s is neither a fixed column nor a KPI of seeds/kpis.csv", c)
			}
		}
	})

	t.Run("scoreboard_values", func(t *testing.T) {
		type key struct{ period, unit, kpi string }
		type kv struct {
			value sql.NullFloat64
			met   sql.NullBool
		}
		kpiRows := map[key]kv{}
		units := map[[2]string]bool{}
		rows, err := db.Query(`SELECT period_code, unit_code, kpi_code, value, meets_target FROM marts.kpi_values`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k key
			var v kv
			if err := rows.Scan(&k.period, &k.unit, &k.kpi, &v.value, &v.met); err != nil {
				t.Fatal(err)
			}
			kpiRows[k] = v
			units[[2]string{k.period, k.unit}] = true
		}
		rows.Close()

		names := map[string]string{}
		for _, u := range cat.Units {
			names[u.Code] = u.NameVI
		}
		rows, err = db.Query(`SELECT * FROM marts.scoreboard`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		idx := map[string]int{}
		for i, c := range cols {
			idx[c] = i
		}
		seen := map[[2]string]bool{}
		cells, nulls, flags := 0, 0, map[bool]int{}
		for rows.Next() {
			vals := scanRow(t, rows, len(cols))
			p, u := vals[idx["period_code"]].(string), vals[idx["unit_code"]].(string)
			if seen[[2]string{p, u}] {
				t.Errorf("%s|%s: two scoreboard rows", p, u)
			}
			seen[[2]string{p, u}] = true
			if got := vals[idx["unit_name"]]; got != names[u] {
				t.Errorf("%s|%s: unit_name %v, want %q (seeds/units.csv)", p, u, got, names[u])
			}
			var assessed, met int64
			for _, k := range cat.KPIs {
				want, ok := kpiRows[key{p, u, k.Code}]
				gotV, gotM := vals[idx[k.Code]], vals[idx[k.Code+"_met"]]
				if !ok && (gotV != nil || gotM != nil) {
					t.Errorf("%s|%s|%s: scoreboard %v/%v but marts.kpi_values has no row", p, u, k.Code, gotV, gotM)
					continue
				}
				if want.value.Valid != (gotV != nil) || (want.value.Valid && gotV.(float64) != want.value.Float64) {
					t.Errorf("%s|%s|%s: scoreboard value %v, marts.kpi_values %v", p, u, k.Code, gotV, want.value)
				}
				if want.met.Valid != (gotM != nil) || (want.met.Valid && gotM.(bool) != want.met.Bool) {
					t.Errorf("%s|%s|%s: scoreboard met %v, marts.kpi_values %v", p, u, k.Code, gotM, want.met)
				}
				if ok {
					cells++
				}
				if gotV == nil {
					nulls++
				}
				if want.met.Valid {
					assessed++
					flags[want.met.Bool]++
					if want.met.Bool {
						met++
					}
				}
			}
			if vals[idx["kpis_assessed"]] != assessed || vals[idx["kpis_met"]] != met {
				t.Errorf("%s|%s: kpis_assessed %v kpis_met %v, want %d %d", p, u, vals[idx["kpis_assessed"]], vals[idx["kpis_met"]], assessed, met)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		for pu := range units {
			if !seen[pu] {
				t.Errorf("%s|%s is in marts.kpi_values but not in marts.scoreboard", pu[0], pu[1])
			}
		}
		if len(seen) != len(units) {
			t.Errorf("scoreboard has %d rows, marts.kpi_values %d (unit, period) pairs", len(seen), len(units))
		}
		// Every (unit, period, KPI) of kpi_values was compared; the data has
		// met, missed and empty cells, so a wrong pivot would show.
		if cells != len(kpiRows) || cells < 500 || flags[true] == 0 || flags[false] == 0 || nulls == 0 {
			t.Errorf("compared %d of %d KPI rows (met %d, missed %d, empty cells %d): the input does not exercise the scoreboard",
				cells, len(kpiRows), flags[true], flags[false], nulls)
		}

		var bad int
		if err := db.QueryRow(`SELECT count(*) FROM marts.scoreboard s JOIN ref.periods p USING (period_code)
			WHERE s.period_start <> p.start_date OR s.period_end <> p.end_date OR s.report_deadline <> p.deadline
			   OR s.period_start IS NULL OR s.period_end IS NULL`).Scan(&bad); err != nil || bad != 0 {
			t.Errorf("%d scoreboard rows whose period dates differ from ref.periods (%v)", bad, err)
		}
	})

	t.Run("kpi_catalog", func(t *testing.T) {
		got := map[string]string{}
		rows, err := db.Query(`SELECT kpi_code, kpi_name, family_code, kpi_kind, coalesce(target_ward, -1) FROM marts.kpi_catalog`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var code, name, family, kind string
			var ward float64
			if err := rows.Scan(&code, &name, &family, &kind, &ward); err != nil {
				t.Fatal(err)
			}
			got[code] = fmt.Sprintf("%s|%s|%s|%v", name, family, kind, ward)
		}
		rows.Close()
		if len(got) != len(cat.KPIs) {
			t.Errorf("marts.kpi_catalog has %d KPIs, seeds/kpis.csv %d", len(got), len(cat.KPIs))
		}
		for _, k := range cat.KPIs {
			if g := got[k.Code]; !strings.HasPrefix(g, k.NameVI+"|") || strings.Contains(g, "|khac|") {
				t.Errorf("%s: %q (want the seed's name %q and a family of plan section II)", k.Code, g, k.NameVI)
			}
		}
		if g := got["dialogue_count"]; !strings.HasSuffix(g, "|count|2") {
			t.Errorf("dialogue_count: %q, want a count KPI with ward target 2", g)
		}
		if g := got["tthc_on_time_rate_tnmt"]; g != "Tỷ lệ hồ sơ lĩnh vực tài nguyên môi trường giải quyết đúng hạn|thu_tuc_hanh_chinh|ratio|0.99" {
			t.Errorf("tthc_on_time_rate_tnmt: %q", g)
		}
	})

	t.Run("district_scoreboard", func(t *testing.T) {
		checkScoreboard(t, db, wh, "2024-6M")
		checkScoreboard(t, db, wh, "2024-Q1")
	})

	t.Run("comments", func(t *testing.T) {
		assertAllCommented(t, db)
	})

	t.Run("storage_version", func(t *testing.T) {
		// The header names the storage format: DuckDB 0.10–1.1 write 64, the
		// format every DuckDB since 1.0 reads (config duckdb.storage_version
		// v1.0.0). A default-format file of this library would say more.
		f, err := os.Open(wh)
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 20)
		_, err = f.ReadAt(head, 0)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(head[8:12]) != "DUCK" {
			t.Fatalf("not a DuckDB file: % x", head)
		}
		if n := binary.LittleEndian.Uint64(head[12:20]); n != 64 {
			t.Errorf("storage version number %d in the file header, want 64 (readable by DuckDB ≥ 1.0)", n)
		}
		var tag string
		if err := db.QueryRow(`SELECT map_extract_value(tags, 'storage_version') FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&tag); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tag, "v1.0.0") {
			t.Errorf("storage_version tag %q, want v1.0.0", tag)
		}
	})
}

// assertAllCommented fails for every table, view and column of the database
// without a comment, and when there is nothing much to check.
func assertAllCommented(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`
		SELECT 'table ' || schema_name || '.' || table_name FROM duckdb_tables()
		WHERE database_name = current_database() AND NOT internal AND coalesce(comment, '') = ''
		UNION ALL
		SELECT 'view ' || schema_name || '.' || view_name FROM duckdb_views()
		WHERE database_name = current_database() AND NOT internal AND coalesce(comment, '') = ''
		UNION ALL
		SELECT 'column ' || schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
		WHERE database_name = current_database() AND NOT internal AND coalesce(trim(comment), '') = ''
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		missing = append(missing, s)
	}
	if len(missing) > 0 {
		t.Errorf("%d without a comment:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	var tables, views, columns int
	err = db.QueryRow(`SELECT
		(SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal),
		(SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND NOT internal),
		(SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal)`).Scan(&tables, &views, &columns)
	if err != nil {
		t.Fatal(err)
	}
	// raw, ref, core, marts and ops: a few dozen tables, two ops views, hundreds of columns.
	if tables < 25 || views < 2 || columns < 300 {
		t.Errorf("only %d tables, %d views, %d columns checked: is this the published warehouse?", tables, views, columns)
	}
}

// scanRow scans the current row of rows, n columns of any type.
func scanRow(t *testing.T, rows *sql.Rows, n int) []any {
	t.Helper()
	vals, ptrs := make([]any, n), make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	return vals
}

// checkScoreboard compares Scoreboard, the demo's table, with the rows of
// marts.kpi_values of the period: one row per KPI that the units have, the
// district's value and verdict, the target (the district's, else a unit's),
// the units that miss it, in the order dossier KPIs, Biểu 06 KPIs, the rest.
func checkScoreboard(t *testing.T, db *sql.DB, wh, period string) {
	t.Helper()
	type want struct {
		row        KPIRow
		source     string
		seen       bool
		unitTarget sql.NullFloat64 // the largest target of a unit
	}
	byKPI := map[string]*want{}
	rows, err := db.Query(`SELECT v.kpi_code, k.name_vi, k.source, v.unit_code, v.numerator, v.denominator, v.value, v.target, v.meets_target
		FROM marts.kpi_values v JOIN ref.kpis k USING (kpi_code) WHERE v.period_code = ? ORDER BY v.unit_code`, period)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kpi, name, source, unit string
		var num, den, value, target sql.NullFloat64
		var meets sql.NullBool
		if err := rows.Scan(&kpi, &name, &source, &unit, &num, &den, &value, &target, &meets); err != nil {
			t.Fatal(err)
		}
		w := byKPI[kpi]
		if w == nil {
			w = &want{row: KPIRow{KPI: kpi, Name: name}, source: source}
			byKPI[kpi] = w
		}
		if unit == "thanh_xuan" {
			w.row.Numerator, w.row.Denom, w.row.Value, w.row.Target, w.row.Meets = num.Float64, den.Float64, value, target, meets
			continue
		}
		w.seen = true
		if value.Valid {
			w.row.UnitsWithValue++
		}
		if meets.Valid && !meets.Bool {
			w.row.UnitsMissing = append(w.row.UnitsMissing, unit)
		}
		if target.Valid && (!w.unitTarget.Valid || target.Float64 > w.unitTarget.Float64) {
			w.unitTarget = target
		}
	}
	rows.Close()
	for _, w := range byKPI {
		if !w.row.Target.Valid {
			w.row.Target = w.unitTarget
		}
	}
	got, err := Scoreboard(context.Background(), wh, period)
	if err != nil {
		t.Fatal(err)
	}
	rank := map[string]int{"dossier": 0, "bieu06": 1}
	n, met, missing := 0, 0, 0
	for i, r := range got {
		w := byKPI[r.KPI]
		if w == nil || !w.seen {
			t.Errorf("%s %s: on the scoreboard, but no unit has it in marts.kpi_values", period, r.KPI)
			continue
		}
		n++
		if fmt.Sprintf("%+v", r) != fmt.Sprintf("%+v", w.row) {
			t.Errorf("%s %s:\n got %+v\nwant %+v", period, r.KPI, r, w.row)
		}
		if i > 0 {
			p := got[i-1]
			rp, rr := rankOf(rank, byKPI[p.KPI].source), rankOf(rank, w.source)
			if rp > rr || (rp == rr && p.KPI >= r.KPI) {
				t.Errorf("%s: %s comes before %s", period, p.KPI, r.KPI)
			}
		}
		if r.Meets.Valid && r.Meets.Bool {
			met++
		}
		missing += len(r.UnitsMissing)
	}
	units := 0
	for _, w := range byKPI {
		if w.seen {
			units++
		}
	}
	if n != units || n < 10 || met == 0 || missing == 0 {
		t.Errorf("%s: %d scoreboard rows of %d KPIs (district met %d, unit misses %d): the input does not exercise the scoreboard", period, n, units, met, missing)
	}
}

func rankOf(rank map[string]int, source string) int {
	if r, ok := rank[source]; ok {
		return r
	}
	return 2
}
