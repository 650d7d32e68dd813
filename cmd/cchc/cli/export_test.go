package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/internal/warehouse"
)

// generatedWarehouse runs `cchc run` on an inbox of the project's generator
// and returns the published warehouse and the generator's truth.
func generatedWarehouse(t *testing.T, seed int64, perUnit int) (string, *gen.Truth) {
	t.Helper()
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "wh.duckdb")
	opt := gen.Default()
	opt.Seed, opt.DossiersPerUnit = seed, perUnit
	truth, err := gen.Generate(inbox, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CCHC_PII_HMAC_KEY", "test-key-not-secret")
	out, code := runCLI(t, "run", "-q", "--inbox", inbox, "--warehouse", wh)
	if code != ExitOK {
		t.Fatalf("cchc run exit %d:\n%s", code, out)
	}
	return wh, truth
}

// TestExportUsage: formats other than parquet, a missing folder and a missing
// warehouse are the caller's mistakes (exit 2), and write nothing.
func TestExportUsage(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "none.duckdb")
	out := filepath.Join(dir, "out")
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"export", "--format", "csv", "--warehouse", wh, out}, ExitUsage, "only parquet"},
		{[]string{"export", "--warehouse", wh}, ExitUsage, "one folder"},
		{[]string{"export", "--warehouse", wh, out, "extra"}, ExitUsage, "one folder"},
		{[]string{"export", "--format", "parquet", out}, ExitUsage, "warehouse: required"},
		{[]string{"export", "--format", "parquet", "--warehouse", wh, out}, ExitFailed, "no warehouse"},
		{[]string{"export", "--format", "parquet", "--warehouse", wh, filepath.Join(wh+"-file", "out")}, ExitUsage, "is a file, not a folder"},
	}
	os.WriteFile(wh+"-file", nil, 0o644)
	t.Setenv("CCHC_WAREHOUSE", "")
	for _, c := range cases {
		got, code := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(got, c.msg) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.msg, got)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed export created %s", out)
	}
}

// TestPrintExport: the summary names every table with its partition columns
// ("-" for none), rows and files, and the totals and the manifest.
func TestPrintExport(t *testing.T) {
	m := &warehouse.ExportManifest{Tables: []warehouse.ExportedTable{
		{Name: "core.dossiers", PartitionBy: []string{"unit_code"}, Rows: 120, Files: 20},
		{Name: "marts.kpi_values", PartitionBy: []string{"period_code", "unit_code"}, Rows: 30, Files: 7},
		{Name: "marts.kpi_catalog", PartitionBy: []string{}, Rows: 4, Files: 1},
	}}
	var b strings.Builder
	printExport(&b, "out", m)
	var lines []string // columns apart by single spaces
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	want := []string{
		"BẢNG / TABLE PHÂN VÙNG / PARTITIONED BY DÒNG / ROWS TỆP / FILES",
		"core.dossiers unit_code 120 20",
		"marts.kpi_values period_code, unit_code 30 7",
		"marts.kpi_catalog - 4 1",
		"đã xuất / exported 3 tables, 154 rows to out (Parquet; list: " + filepath.Join("out", "_manifest.json") + ")",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("printed\n%s\nwant (spacing aside)\n%s", b.String(), strings.Join(want, "\n"))
	}
}
