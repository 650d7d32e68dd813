package warehouse

import (
	"slices"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/transform"
)

// TestKindIndex: the registry of input kinds says which raw tables hold the
// rows of which kind and which seeds their reading uses; the file ledger holds
// something of every kind, and the rejects went through every kind's reading.
func TestKindIndex(t *testing.T) {
	x := newKindIndex(transform.Kinds())
	common := []string{"headers.csv", "units.csv", "unit_aliases.csv"}
	dossiers := append(slices.Clone(common), "value_map.csv", "field_groups.csv")
	reports := append(slices.Clone(common), "indicators.csv", "indicator_aliases.csv", "kpis.csv")
	summaries := append(slices.Clone(common), "field_groups.csv")
	every := []string{"dossiers", "unit_report", "tthc_summary"}
	for _, c := range []struct {
		table  string
		kinds  []string
		ledger bool
		seeds  []string
	}{
		{"raw.files", every, true, common},
		{"raw.file_sheets", every, true, common},
		{"raw.rejects", every, true, append(append(append([]string(nil), dossiers...), reports...), summaries...)},
		{"raw.dossier_rows", []string{"dossiers"}, false, dossiers},
		{"raw.indicator_rows", []string{"unit_report"}, false, reports},
		{"raw.unmatched_lines", []string{"unit_report"}, false, reports},
		{"raw.tthc_summary_rows", []string{"tthc_summary"}, false, summaries},
		{"core.dossiers", every, false, nil},
	} {
		if got := x.of(c.table); !slices.Equal(got, c.kinds) {
			t.Errorf("%s holds the kinds %v, want %v", c.table, got, c.kinds)
		}
		if got := x.isLedger(c.table); got != c.ledger {
			t.Errorf("%s: ledger %v, want %v", c.table, got, c.ledger)
		}
		if got, want := uniqueSorted(x.readSeeds(c.table)), uniqueSorted(slices.Clone(c.seeds)); !slices.Equal(got, want) {
			t.Errorf("%s is read with the seeds %v, want %v", c.table, got, want)
		}
	}
	if got := x.order([]string{"tthc_summary", "dossiers", "tthc_summary"}); !slices.Equal(got, []string{"dossiers", "tthc_summary"}) {
		t.Errorf("order: %v", got)
	}
	var named []string
	for _, m := range x.literal.FindAllStringSubmatch(`WHERE kind = 'unit_report' OR kind IN ('tthc_summary', 'dossier', "dossiers")`, -1) {
		named = append(named, m[1])
	}
	if strings.Join(named, ",") != "unit_report,tthc_summary" {
		t.Errorf("kind literals found: %v", named)
	}
}
