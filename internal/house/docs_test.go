package house

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// docFiles are what a user of the project reads: the README, docs/ and the
// example configuration.
func docFiles(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	names, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	names = append(names, filepath.Join(root, "README.md"), filepath.Join(root, "cchc.example.yaml"))
	out := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, n)
		out[filepath.ToSlash(rel)] = string(b)
	}
	if len(out) < 8 {
		t.Fatalf("only %d documents found", len(out))
	}
	return out
}

var reLink = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)\s]*)?\)`)

// TestDocsStandAlone: the project's documents point at nothing outside the
// project (a user of it has no ../shared/CONTRACT.md), and every link
// between them leads to a file that exists.
func TestDocsStandAlone(t *testing.T) {
	root := filepath.Join("..", "..")
	for name, text := range docFiles(t) {
		for _, bad := range []string{"CONTRACT", "../shared", "shared/"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s mentions %q: say what the reader needs in docs/ and link there", name, bad)
			}
		}
		for _, m := range reLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			p := filepath.Join(root, filepath.Dir(name), filepath.FromSlash(target))
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s links to %s, which does not exist", name, target)
			}
		}
	}
}

func readSeed(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "seeds", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// percent writes a seed's target as docs/kpis.md does: 1.0 → 100%.
func percent(s string) string {
	v, _ := strconv.ParseFloat(s, 64)
	return strconv.FormatFloat(100*v, 'f', -1, 64) + "%"
}

// TestDocsCoverTheSeeds: docs/kpis.md lists every unit, indicator and KPI
// of the seeds, each KPI with the plan's targets as kpis.csv holds them,
// and docs/inputs.md names every field of every input kind.
func TestDocsCoverTheSeeds(t *testing.T) {
	docs := docFiles(t)
	kpis, inputs := docs["docs/kpis.md"], docs["docs/inputs.md"]
	row := func(doc, code string) string {
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, "| `"+code+"` |") {
				return l
			}
		}
		return ""
	}
	for _, u := range readSeed(t, "units.csv") {
		if r := row(kpis, u["unit_code"]); !strings.Contains(r, u["name_vi"]) {
			t.Errorf("docs/kpis.md: unit %s (%s) is not listed: %q", u["unit_code"], u["name_vi"], r)
		}
	}
	for _, in := range readSeed(t, "indicators.csv") {
		if r := row(kpis, in["indicator_code"]); !strings.Contains(r, in["canonical_text"]) || !strings.Contains(r, in["unit_of_measure"]) {
			t.Errorf("docs/kpis.md: indicator %s is not listed with its text and unit: %q", in["indicator_code"], r)
		}
	}
	for _, k := range readSeed(t, "kpis.csv") {
		r := row(kpis, k["kpi_code"])
		if !strings.Contains(r, k["name_vi"]) {
			t.Errorf("docs/kpis.md: KPI %s is not listed with its name: %q", k["kpi_code"], r)
			continue
		}
		count := k["denominator_indicator"] == "" && k["source"] == "report"
		for _, target := range []string{k["target_ward"], k["target_district_level"]} {
			want := "≥ " + percent(target)
			if count {
				want = "≥ " + target
			}
			if target != "" && !strings.Contains(r, want) {
				t.Errorf("docs/kpis.md: KPI %s does not say its target %s: %q", k["kpi_code"], want, r)
			}
		}
		for _, ind := range []string{k["numerator_indicator"], k["denominator_indicator"]} {
			if ind != "" && !strings.Contains(r, "`"+ind+"`") {
				t.Errorf("docs/kpis.md: KPI %s does not name its indicator %s", k["kpi_code"], ind)
			}
		}
	}
	seen := map[string]bool{}
	for _, h := range readSeed(t, "headers.csv") {
		key := h["kind"] + "." + h["field"]
		if seen[key] || h["field"] == "stt" {
			continue
		}
		seen[key] = true
		if !strings.Contains(inputs, "`"+h["field"]+"`") {
			t.Errorf("docs/inputs.md does not name the field %s of %s", h["field"], h["kind"])
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d fields read from seeds/headers.csv", len(seen))
	}
}
