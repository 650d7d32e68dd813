package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/internal/pipeline"
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
