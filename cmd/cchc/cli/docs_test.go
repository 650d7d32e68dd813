package cli

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDocsUsage(t *testing.T) {
	dir := t.TempDir()
	if out, code := runCLI(t, "docs", "--warehouse", filepath.Join(dir, "x.duckdb")); code != ExitUsage || !strings.Contains(out, "--out") {
		t.Errorf("without --out: exit %d:\n%s", code, out)
	}
	t.Setenv("CCHC_WAREHOUSE", "")
	if out, code := runCLI(t, "docs", "--out", dir); code != ExitUsage || !strings.Contains(out, "warehouse") {
		t.Errorf("without a warehouse: exit %d:\n%s", code, out)
	}
	if out, code := runCLI(t, "docs", "--warehouse", filepath.Join(dir, "none.duckdb"), "--out", dir); code != ExitFailed || !strings.Contains(out, "no warehouse at") {
		t.Errorf("a missing warehouse: exit %d:\n%s", code, out)
	}
	// An --out that cannot be a folder is said before the warehouse is read.
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, nil, 0o644)
	if out, code := runCLI(t, "docs", "--warehouse", filepath.Join(dir, "none.duckdb"), "--out", filepath.Join(file, "docs")); code != ExitUsage || !strings.Contains(out, "is a file, not a folder") {
		t.Errorf("--out under a file: exit %d:\n%s", code, out)
	}
}

// TestDocsQuiet: docs names the files it wrote, and with -q says nothing.
func TestDocsQuiet(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "tiny.duckdb")
	db, err := sql.Open("duckdb", wh)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`CREATE SCHEMA ref; CREATE TABLE ref.units (unit_code VARCHAR); COMMENT ON TABLE ref.units IS 'đơn vị / units'`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "docs")
	got, code := runCLI(t, "docs", "--warehouse", wh, "--out", out)
	want := "đã ghi / wrote " + filepath.Join(out, "data-dictionary.html") + "\nđã ghi / wrote " + filepath.Join(out, "data-dictionary.md") + "\n"
	if code != ExitOK || got != want {
		t.Errorf("cchc docs: exit %d, output %q, want %q", code, got, want)
	}
	md, err := os.ReadFile(filepath.Join(out, "data-dictionary.md"))
	if err != nil || !strings.Contains(string(md), "### `ref.units`") {
		t.Errorf("data-dictionary.md (%v) has no section for ref.units:\n%s", err, md)
	}
	if got, code := runCLI(t, "docs", "-q", "--warehouse", wh, "--out", filepath.Join(dir, "again")); code != ExitOK || got != "" {
		t.Errorf("cchc docs -q: exit %d, output %q", code, got)
	}
}
