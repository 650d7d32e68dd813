package render

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/internal/warehouse"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/seeds"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// dictionaryWarehouse publishes a warehouse from a small generated inbox
// (dossier exports, unit reports and Biểu 06 of every unit, two periods,
// planted bad rows) and returns its path.
func dictionaryWarehouse(t *testing.T) string {
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

// writeDictionary reads the dictionary of wh and writes it into dir, as
// `cchc docs` does.
func writeDictionary(wh, dir string) ([]string, error) {
	d, err := warehouse.ReadDictionary(context.Background(), warehouse.DictionaryOptions{Warehouse: wh})
	if err != nil {
		return nil, err
	}
	return WriteDictionary(dir, d)
}

// goldenFile compares got with testdata/DIR/NAME, or writes it there with
// -update; it names the first line that differs.
func goldenFile(t *testing.T, dir, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", dir, name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from line %d on (run with -update to accept):\n got: %s\nwant: %s", file, i+1, g, w)
			return
		}
	}
}

// mdSection is the Markdown of one table's section of the dictionary.
func mdSection(t *testing.T, md, name string) string {
	t.Helper()
	start := strings.Index(md, "\n### `"+name+"`\n")
	if start < 0 {
		t.Fatalf("no section for %s", name)
	}
	rest := md[start+1:]
	if end := strings.Index(rest[4:], "\n## "); end >= 0 {
		rest = rest[:end+4]
	}
	if end := strings.Index(rest[4:], "\n### "); end >= 0 {
		rest = rest[:end+4]
	}
	return rest
}

// mdFact is the value of a "- label: value" line of a section.
func mdFact(t *testing.T, section, label string) string {
	t.Helper()
	for _, l := range strings.Split(section, "\n") {
		if v, ok := strings.CutPrefix(l, "- "+label+": "); ok {
			return v
		}
	}
	t.Fatalf("no %q line in\n%s", label, section)
	return ""
}

// TestDictionaryGolden writes the data dictionary of a generated warehouse and
// compares it with the golden files; then checks what the files must say
// against the warehouse and the seeds, so that accepting a golden file with
// -update cannot hide a wrong dictionary.
func TestDictionaryGolden(t *testing.T) {
	t.Parallel()
	wh := dictionaryWarehouse(t)
	out := t.TempDir()
	if _, err := writeDictionary(wh, out); err != nil {
		t.Fatal(err)
	}
	read := func(dir, name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	md, page := read(out, "data-dictionary.md"), read(out, "data-dictionary.html")
	goldenFile(t, "docs", "data-dictionary.md.golden", md)
	goldenFile(t, "docs", "data-dictionary.html.golden", page)

	t.Run("deterministic", func(t *testing.T) {
		again := t.TempDir()
		files, err := writeDictionary(wh, again)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{filepath.Join(again, "data-dictionary.html"), filepath.Join(again, "data-dictionary.md")}; !slices.Equal(files, want) {
			t.Errorf("wrote %v, want %v", files, want)
		}
		if read(again, "data-dictionary.md") != md || read(again, "data-dictionary.html") != page {
			t.Error("a second run wrote different files")
		}
	})

	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()

	t.Run("every_table_and_column", func(t *testing.T) {
		rows, err := db.Query(`SELECT schema_name || '.' || table_name, column_name, data_type, coalesce(comment, '') FROM duckdb_columns()
			WHERE database_name = current_database() AND NOT internal ORDER BY 1, column_index`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		sections := map[string]string{}
		for rows.Next() {
			var rel, col, typ, comment string
			if err := rows.Scan(&rel, &col, &typ, &comment); err != nil {
				t.Fatal(err)
			}
			if sections[rel] == "" {
				sections[rel] = mdSection(t, md, rel)
				if !strings.Contains(page, `<h3 id="t-`+rel+`"><code>`+rel+`</code></h3>`) {
					t.Errorf("the HTML page has no section for %s", rel)
				}
			}
			row := fmt.Sprintf("| `%s` | %s | ", col, typ)
			if !strings.Contains(sections[rel], row) || !strings.Contains(sections[rel], mdCell(comment)+" |") {
				t.Errorf("%s.%s: no row %q… with its comment in its section", rel, col, row)
			}
			n++
		}
		if n < 300 || len(sections) < 25 {
			t.Errorf("only %d columns of %d tables checked", n, len(sections))
		}
	})

	t.Run("graph_seeds_kinds", func(t *testing.T) {
		for _, edge := range []string{
			`raw__dossier_rows["raw.dossier_rows"] --> core__dossiers["core.dossiers"]`,
			`core__report_files["core.report_files"] --> core__indicator_values["core.indicator_values"]`,
			`marts__kpi_values["marts.kpi_values"] --> marts__scoreboard["marts.scoreboard"]`,
			`ref__period_kinds["ref.period_kinds"] --> ref__periods["ref.periods"]`,
			`ops__source_pulls["ops.source_pulls"] --> ops__source_freshness["ops.source_freshness"]`,
		} {
			if !strings.Contains(md, "```mermaid\ngraph LR\n") || !strings.Contains(md, "  "+edge+"\n") {
				t.Errorf("the Mermaid graph lacks %s", edge)
			}
		}
		if strings.Contains(md, `--> raw__`) || strings.Contains(md, `--> ref__units`) {
			t.Error("the graph has an edge into a raw table or a seed")
		}
		cases := []struct{ rel, deps, seeds, kinds string }{
			{"core.dossiers", "`core.dossier_files`, `core.dossiers_deduplicated`, `raw.dossier_rows`", "", "`dossiers`"},
			{"core.dossier_files", "`raw.dossier_rows`, `raw.files`", "", "`dossiers`"},
			{"core.dossiers_deduplicated", "`core.dossier_files`, `raw.dossier_rows`, `raw.file_sheets`", "", "`dossiers`"},
			{"core.indicator_values", "`core.report_files`, `raw.indicator_rows`", "", "`unit_report`"},
			{"core.tthc_summary", "`core.report_files`, `raw.tthc_summary_rows`", "", "`tthc_summary`"},
			{"marts.report_submissions", "`core.report_files`, `ops.source_pulls`, `ref.arrivals`, `ref.periods`, `ref.units`", "`seeds/arrivals.csv`", "`unit_report`"},
			{"marts.kpi_values", "", "`seeds/kpis.csv`", "`dossiers`, `unit_report`, `tthc_summary`"},
			{"marts.scoreboard", "`marts.kpi_values`, `ref.periods`, `ref.units`", "`seeds/units.csv`", "`dossiers`, `unit_report`, `tthc_summary`"},
			{"ref.periods", "`ref.period_kinds`", "`seeds/period_kinds.csv`", "—"},
			{"ref.kpis", "—", "`seeds/kpis.csv`", "—"},
			{"raw.dossier_rows", "—", "`seeds/value_map.csv`", "`dossiers`"},
		}
		for _, c := range cases {
			s := mdSection(t, md, c.rel)
			if c.deps != "" {
				if got := mdFact(t, s, "Phụ thuộc / depends on"); got != c.deps {
					t.Errorf("%s depends on %s, want %s", c.rel, got, c.deps)
				}
			}
			if got := mdFact(t, s, "Seeds"); !strings.Contains(got, c.seeds) {
				t.Errorf("%s seeds %s, want among them %s", c.rel, got, c.seeds)
			}
			if got := mdFact(t, s, "Loại đầu vào / input kinds"); got != c.kinds {
				t.Errorf("%s input kinds %s, want %s", c.rel, got, c.kinds)
			}
		}
		// Used-by is the reverse of depends-on.
		if got := mdFact(t, mdSection(t, md, "marts.kpi_values"), "Được dùng bởi / used by"); got != "`marts.mostly_rejected_files`, `marts.scoreboard`, `marts.tthc_reconciliation`" {
			t.Errorf("marts.kpi_values used by %s", got)
		}
	})

	t.Run("kpis", func(t *testing.T) {
		cat, err := seeds.Load(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range cat.KPIs {
			re := regexp.MustCompile("(?m)^\\| `" + k.Code + "` \\| " + regexp.QuoteMeta(mdCell(k.NameVI)) + " / .*\\|$")
			if !re.MatchString(md) {
				t.Errorf("KPI %s: no row with its name in the KPI table", k.Code)
			}
			if !strings.Contains(page, "<td><code>"+k.Code+"</code></td>") {
				t.Errorf("KPI %s: not in the HTML page", k.Code)
			}
		}
		rows := map[string]string{}
		for _, l := range strings.Split(md[strings.Index(md, "## KPI"):], "\n") {
			if strings.HasPrefix(l, "| `") {
				rows[strings.Split(l, "`")[1]] = l
			}
		}
		for code, want := range map[string]string{
			"tthc_result_digitized_rate": "| ≥ 0.5 | ≥ 0.6 | II.3.1 |",
			"tthc_on_time_rate_tnmt":     "| ≥ 0.99 | ≥ 0.99 | II.3.1 |",
			"dialogue_count":             "| ≥ 2 (chỉ kỳ năm / year period only) | — | II.1.2 |",
			"satisfaction_rate":          "| survey_satisfied: Số phiếu đánh giá hài lòng, rất hài lòng | survey_responses: Số phiếu khảo sát sự hài lòng thu về | ≥ 0.9 | ≥ 0.9 |",
		} {
			if !strings.Contains(rows[code], want) {
				t.Errorf("KPI %s row %q lacks %q", code, rows[code], want)
			}
		}
		if len(rows) != len(cat.KPIs) {
			t.Errorf("%d KPI rows, seeds/kpis.csv has %d", len(rows), len(cat.KPIs))
		}
	})

	t.Run("schemas_described", func(t *testing.T) {
		models, _, err := load.ModelSet("")
		if err != nil {
			t.Fatal(err)
		}
		d, err := warehouse.ReadDictionary(context.Background(), warehouse.DictionaryOptions{Warehouse: wh})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Schemas) < 5 {
			t.Errorf("schemas: %+v", d.Schemas)
		}
		for _, s := range d.Schemas {
			if s.Description == "" {
				t.Errorf("schema %s has no description in the dictionary (schemaDocs)", s.Name)
			}
		}
		if len(d.BuildOrder) != len(models) {
			t.Errorf("build order lists %d of %d models", len(d.BuildOrder), len(models))
		}
	})

	t.Run("html_self_contained", func(t *testing.T) {
		if !strings.HasPrefix(page, "<!DOCTYPE html>\n") || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
			t.Error("not one HTML document")
		}
		for _, bad := range []string{"<script", "<link", "src=", "http://", "https://", "@import", "url("} {
			if strings.Contains(page, bad) {
				t.Errorf("the page refers to something outside itself: %q", bad)
			}
		}
		// Every in-page link has its target.
		for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(page, -1) {
			if !strings.Contains(page, `id="`+m[1]+`"`) {
				t.Errorf("link to #%s has no target", m[1])
			}
		}
	})
}
