package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
)

// The report's content is tested where it is made (internal/render); here
// the command: its flags, its exit codes, what it prints, what it writes.

// TestReportCommand runs `cchc report` on a small warehouse: it names the
// files it wrote, and an unknown period is a usage error that lists the
// periods there are and writes nothing.
func TestReportCommand(t *testing.T) {
	t.Parallel()
	cfg := testwh.Config(t, t.TempDir())
	testwh.WriteFile(t, cfg.Inbox, "bao-cao/BC_CCHC_Q1_2024_KimGiang.csv", testwh.ReportCSV("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024"), time.Time{})
	testwh.WriteFile(t, cfg.Inbox, "ho-so/hoso_kim-giang.csv", testwh.DossierCSV("KG", 5), time.Time{})
	cfg = testwh.Validate(t, cfg)
	if sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil || !sum.Published {
		t.Fatalf("pipeline run: %v", err)
	}
	wh, dir := cfg.Warehouse, t.TempDir()
	xlsx, page := filepath.Join(dir, "bao-cao.xlsx"), filepath.Join(dir, "bao-cao.html")
	const period = "2024-Q1"

	out, code := runCLI(t, "report", "--warehouse", wh, "--period", period, "--out", xlsx, "--html", page)
	if code != ExitOK {
		t.Fatalf("report exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, xlsx) || !strings.Contains(out, page) || !strings.Contains(out, "period "+period) {
		t.Errorf("output does not name the files and the period:\n%s", out)
	}
	for _, f := range []string{xlsx, page} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("%d files in the output folder, want the workbook and the page (no temporary file left)", len(entries))
	}

	out, code = runCLI(t, "report", "--warehouse", wh, "--period", "2031-6M", "--out", filepath.Join(dir, "x.xlsx"))
	if code != ExitUsage || !strings.Contains(out, "available") || !strings.Contains(out, period) {
		t.Errorf("exit %d, want %d listing %s:\n%s", code, ExitUsage, period, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.xlsx")); !os.IsNotExist(err) {
		t.Error("a workbook was written for an unknown period")
	}
}

// TestReportUsage: the caller's mistakes are usage errors (exit 2).
func TestReportUsage(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "wh.duckdb")
	t.Setenv("CCHC_WAREHOUSE", "")
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"report", "--warehouse", wh, "--out", "x.xlsx"}, ExitUsage, "--period is required"},
		{[]string{"report", "--warehouse", wh, "--period", "2024-6M"}, ExitUsage, "--out FILE.xlsx or --html"},
		{[]string{"report", "--warehouse", wh, "--period", "2024-6M", "--out", "x.csv"}, ExitUsage, "must end in .xlsx"},
		{[]string{"report", "--period", "2024-6M", "--out", "x.xlsx"}, ExitUsage, "warehouse: required"},
		{[]string{"report", "--warehouse", wh, "--period", "2024-6M", "--out", filepath.Join(dir, "x.xlsx")}, ExitFailed, "no warehouse"},
		// Checked before the warehouse is opened (there is none here), and
		// said with the names given, never a temporary one.
		{[]string{"report", "--warehouse", wh, "--period", "10/03/2024", "--out", filepath.Join(dir, "x.xlsx")}, ExitUsage, "want a period code"},
		{[]string{"report", "--warehouse", wh, "--period", "2024-6M", "--out", "nodir/r.xlsx"}, ExitUsage, "--out nodir/r.xlsx: cannot be written: the folder nodir does not exist"},
		{[]string{"report", "--warehouse", wh, "--period", "2024-6M", "--out", filepath.Join(dir, "r.xlsx"), "--html", "nodir/r.html"}, ExitUsage, "--html nodir/r.html: cannot be written"},
		{[]string{"report", "--warehouse", wh, "--period", "2024-6M", "--out", filepath.Join(dir, "d.xlsx")}, ExitUsage, "cannot be written: it is a folder"},
	}
	if err := os.Mkdir(filepath.Join(dir, "d.xlsx"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		got, code := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(got, c.msg) || strings.Contains(got, ".cchc-") {
			t.Errorf("%v: exit %d, want %d with %q (and no temporary name):\n%s", c.args, code, c.code, c.msg, got)
		}
	}
}
