package warehouse

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

// exportWarehouse publishes a warehouse from an inbox of the project's
// generator and returns it with the generator's truth.
func exportWarehouse(t *testing.T, seed int64, perUnit int) (string, *gen.Truth) {
	t.Helper()
	cfg := testwh.Config(t, t.TempDir())
	opt := gen.Default()
	opt.Seed, opt.DossiersPerUnit = seed, perUnit
	truth, err := gen.Generate(cfg.Inbox, opt)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PII.HMACKey = "test-key-not-secret"
	cfg = testwh.Validate(t, cfg)
	if sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil || !sum.Published {
		t.Fatalf("run: %v", err)
	}
	return cfg.Warehouse, truth
}

// TestExportParquet exports a generated warehouse twice into the same folder
// and reads every core and marts table back from the Parquet files: the rows
// (EXCEPT ALL both ways), the column types (partition columns typed through
// hive_types as the manifest says), the partition folders and the manifest
// must match the warehouse; and no planted personal value may appear.
func TestExportParquet(t *testing.T) {
	t.Parallel()
	wh, truth := exportWarehouse(t, 4, 25)
	dir := filepath.Join(t.TempDir(), "parquet")
	for i := 0; i < 2; i++ { // the second export replaces the first in place
		m, err := Export(context.Background(), ExportOptions{Warehouse: wh, Dir: dir})
		if err != nil {
			t.Fatalf("export #%d: %v", i+1, err)
		}
		if !slices.ContainsFunc(m.Tables, func(tb ExportedTable) bool { return tb.Name == "marts.kpi_values" }) {
			t.Errorf("export #%d manifest does not list marts.kpi_values: %+v", i+1, m.Tables)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".export-") {
			t.Errorf("staging folder %s left behind", e.Name())
		}
	}

	var m ExportManifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}

	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()

	// Every core and marts relation of the warehouse is in the manifest.
	want := map[string]bool{}
	rows, err := db.Query(`SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name IN ('core', 'marts')
		UNION SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE schema_name IN ('core', 'marts') AND NOT internal`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		want[n] = true
	}
	rows.Close()
	for _, must := range []string{"core.dossiers", "core.indicator_values", "core.tthc_summary", "marts.kpi_values", "marts.report_submissions", "marts.tthc_reconciliation"} {
		if !want[must] {
			t.Fatalf("warehouse has no %s: the test would check nothing", must)
		}
	}
	got := map[string]ExportedTable{}
	for _, tb := range m.Tables {
		got[tb.Name] = tb
	}
	for n := range want {
		if _, ok := got[n]; !ok {
			t.Errorf("%s not exported", n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("manifest lists %d tables, the warehouse has %d core/marts relations", len(got), len(want))
	}

	for _, tb := range m.Tables {
		t.Run(tb.Name, func(t *testing.T) {
			checkExportedTable(t, db, dir, tb)
		})
	}

	// Partition layout: by period and unit where both exist, by unit alone
	// for the dossiers, which have no period.
	if p := got["marts.kpi_values"].PartitionBy; strings.Join(p, ",") != "period_code,unit_code" {
		t.Errorf("marts.kpi_values partitioned by %v", p)
	}
	if p := got["core.dossiers"].PartitionBy; strings.Join(p, ",") != "unit_code" {
		t.Errorf("core.dossiers partitioned by %v", p)
	}
	var period, unit string
	if err := db.QueryRow(`SELECT period_code, unit_code FROM marts.kpi_values WHERE unit_code = 'thanh_xuan' LIMIT 1`).Scan(&period, &unit); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "marts.kpi_values", "period_code="+period, "unit_code="+unit, "*.parquet"))
	if len(matches) == 0 {
		t.Errorf("no file under marts.kpi_values/period_code=%s/unit_code=%s", period, unit)
	}

	// Dossier-level rows leave the warehouse without personal data.
	if len(truth.PersonalValues) == 0 {
		t.Fatal("the generator planted no personal values")
	}
	var text string
	if err := db.QueryRow(fmt.Sprintf(`SELECT string_agg(CAST(d AS VARCHAR), '|') FROM read_parquet(%s, hive_partitioning = true) AS d`,
		load.QuoteLiteral(filepath.Join(dir, "core.dossiers", "**", "*.parquet")))).Scan(&text); err != nil {
		t.Fatal(err)
	}
	for _, v := range truth.PersonalValues {
		if len(v) >= 6 && strings.Contains(text, v) {
			t.Errorf("personal value %q found in the exported dossiers", v)
		}
	}
}

// checkExportedTable compares one exported folder with its table.
func checkExportedTable(t *testing.T, db *sql.DB, dir string, tb ExportedTable) {
	t.Helper()
	schema, name, _ := strings.Cut(tb.Name, ".")
	var cols []string
	var types []string
	rows, err := db.Query(`SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index`, schema, name)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c, ty string
		rows.Scan(&c, &ty)
		cols = append(cols, load.QuoteIdent(c))
		types = append(types, c+" "+ty)
	}
	rows.Close()
	if len(cols) != len(tb.Columns) {
		t.Errorf("manifest lists %d columns, the table has %d", len(tb.Columns), len(cols))
	}

	// Read back exactly as a user would, with the partition types of the
	// manifest; hive columns come last in the file scan, so name them.
	var hiveTypes []string
	for _, k := range tb.PartitionBy {
		for _, c := range tb.Columns {
			if c.Name == k {
				hiveTypes = append(hiveTypes, fmt.Sprintf("%s: '%s'", load.QuoteLiteral(k), c.Type))
			}
		}
	}
	read := fmt.Sprintf("read_parquet(%s, hive_partitioning = true", load.QuoteLiteral(filepath.Join(dir, tb.Name, "**", "*.parquet")))
	if len(hiveTypes) > 0 {
		read += ", hive_types = {" + strings.Join(hiveTypes, ", ") + "}"
	}
	read += ")"
	list := strings.Join(cols, ", ")
	src := load.QuoteIdent(schema) + "." + load.QuoteIdent(name)

	// Types: DESCRIBE of the read-back against the warehouse.
	drows, err := db.Query("DESCRIBE SELECT " + list + " FROM " + read)
	if err != nil {
		t.Fatal(err)
	}
	dcols, _ := drows.Columns()
	var gotTypes []string
	for drows.Next() {
		vals := make([]any, len(dcols))
		ptrs := make([]any, len(dcols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		drows.Scan(ptrs...)
		gotTypes = append(gotTypes, fmt.Sprint(vals[0], " ", vals[1]))
	}
	drows.Close()
	if strings.Join(gotTypes, ", ") != strings.Join(types, ", ") {
		t.Errorf("types read back:\n got %v\nwant %v", gotTypes, types)
	}

	var n, fromParquet, extra, missing int64
	q := fmt.Sprintf(`SELECT
		(SELECT count(*) FROM %[1]s),
		(SELECT count(*) FROM %[2]s),
		(SELECT count(*) FROM (SELECT %[3]s FROM %[2]s EXCEPT ALL SELECT %[3]s FROM %[1]s)),
		(SELECT count(*) FROM (SELECT %[3]s FROM %[1]s EXCEPT ALL SELECT %[3]s FROM %[2]s))`, src, read, list)
	if err := db.QueryRow(q).Scan(&n, &fromParquet, &extra, &missing); err != nil {
		t.Fatal(err)
	}
	if n != fromParquet || extra != 0 || missing != 0 {
		t.Errorf("table %d rows, Parquet %d; %d rows only in Parquet, %d only in the table", n, fromParquet, extra, missing)
	}
	if tb.Rows != n {
		t.Errorf("manifest says %d rows, the table has %d", tb.Rows, n)
	}
	if n > 0 && tb.Files == 0 {
		t.Errorf("manifest says 0 files for %d rows", n)
	}
	if !strings.Contains(tb.ReadExample, "read_parquet('"+tb.Name+"/**/*.parquet'") {
		t.Errorf("read example %q", tb.ReadExample)
	}
	// Partitioned tables keep the key out of the files (Hive convention):
	// the folder per distinct key value must exist.
	if len(tb.PartitionBy) > 0 {
		var parts int64
		if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM (SELECT DISTINCT %s FROM %s)", joinIdents(tb.PartitionBy), src)).Scan(&parts); err != nil {
			t.Fatal(err)
		}
		if int64(tb.Files) < parts {
			t.Errorf("%d files for %d partitions", tb.Files, parts)
		}
	}
}

func joinIdents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = load.QuoteIdent(n)
	}
	return strings.Join(q, ", ")
}
