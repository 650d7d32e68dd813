package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

// TestRunSummaryNamesWarnings: the run summary names the files whose rows
// were mostly rejected, with the share and what they feed, and the data tests
// that only warn.
func TestRunSummaryNamesWarnings(t *testing.T) {
	s := &pipeline.Summary{RunID: "r1", Published: true, Warehouse: "kho.duckdb",
		Files: []pipeline.FileOutcome{{Path: "hong.csv", Status: pipeline.Loaded, Rows: 26, Rejected: 724}},
		MostlyRejected: []pipeline.RejectedFile{{Path: "hong.csv", Loaded: 26, Rejected: 724, Share: 724.0 / 750,
			Units: []string{"kim_giang"}, Periods: []string{"2024-6M", "2024-Q1"}}},
		Models: []load.Result{{Name: "tests.reported_timeliness", Kind: "test", File: "sql:tests/reported_timeliness.sql", Rows: 3, Warn: true}},
	}
	var b bytes.Buffer
	printSummary(&b, s)
	out := b.String()
	for _, want := range []string{"MOSTLY REJECTED", "hong.csv", "97% rejected (724 of 750)", "feeds kim_giang · 2024-6M, 2024-Q1",
		"WARNING tests.reported_timeliness: 3 rows", "0 failed, 1 warnings"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// TestRunSeedsContradiction: a seeds folder line that contradicts an embedded
// one is a configuration error — exit 2, naming both files and lines — and
// no file is read.
func TestRunSeedsContradiction(t *testing.T) {
	dir := t.TempDir()
	inbox, seedsDir := filepath.Join(dir, "inbox"), filepath.Join(dir, "seeds")
	testwh.WriteFile(t, inbox, "hoso.csv", testwh.DossierCSV("KG", 3), time.Time{})
	testwh.WriteFile(t, seedsDir, "headers.csv", "kind,field,required,rank,alias\ndossiers,due_at,true,9,Ngày tiếp nhận\n", time.Time{})
	t.Setenv("CCHC_SEEDS_DIR", seedsDir)
	wh := filepath.Join(dir, "kho.duckdb")
	out, code := runCLI(t, "run", "-q", "--inbox", inbox, "--warehouse", wh)
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d:\n%s", code, ExitUsage, out)
	}
	for _, w := range []string{filepath.Join(seedsDir, "headers.csv") + ":2", "seeds/headers.csv:", "(embedded)"} {
		if !strings.Contains(out, w) {
			t.Errorf("output does not name %s:\n%s", w, out)
		}
	}
	if _, err := os.Stat(wh); !os.IsNotExist(err) {
		t.Errorf("a warehouse was published: %v", err)
	}
}
