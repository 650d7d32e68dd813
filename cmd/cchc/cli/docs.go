package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/seeds"
	sqlfs "github.com/thanhxuan/cchc/sql"
)

func newDocsCmd(g *globalFlags) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "docs --out DIR",
		Short: "write the data dictionary (Markdown and static HTML) of the published warehouse: tables, columns, types, comments, model graph, seeds, input kinds, KPIs",
		Long: `Docs opens the published warehouse read-only and writes, from the warehouse
itself, DIR/data-dictionary.md and DIR/data-dictionary.html (one self-contained
page, no external assets): every schema, table and view with its columns, types
and comments; the dependency graph of the SQL models (a Mermaid block in the
Markdown); which seeds and which input kinds feed each table; and the KPI
catalogue with the plan's targets. The output is sorted and carries no time
stamp, so it can be kept under version control and compared.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			o, err := docsOptionsFrom(cfg, out)
			if err != nil {
				return err
			}
			files, err := writeDocs(c.Context(), o)
			if err != nil {
				return err
			}
			if !g.quiet {
				for _, f := range files {
					fmt.Fprintf(c.OutOrStdout(), "đã ghi / wrote %s\n", f)
				}
			}
			return nil
		},
	}
	f := c.Flags()
	f.String("warehouse", "", "the published DuckDB file [warehouse, CCHC_WAREHOUSE]")
	f.String("models-dir", "", "the data team's own models, to draw their dependencies too [models_dir, CCHC_MODELS_DIR]")
	f.StringVar(&out, "out", "", "folder to write data-dictionary.md and data-dictionary.html into")
	return c
}

// docsOptions is what writeDocs needs.
type docsOptions struct {
	Warehouse string
	ModelsDir string
	Out       string
}

func docsOptionsFrom(cfg config.Config, out string) (docsOptions, error) {
	if cfg.Warehouse == "" {
		return docsOptions{}, usageError{errors.New("warehouse: required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")}
	}
	if out == "" {
		return docsOptions{}, usageError{errors.New("--out DIR: required")}
	}
	return docsOptions{Warehouse: cfg.Warehouse, ModelsDir: cfg.ModelsDir, Out: out}, nil
}

// writeDocs reads the dictionary from the warehouse and writes it as Markdown
// and HTML into o.Out. It returns the files written.
func writeDocs(ctx context.Context, o docsOptions) ([]string, error) {
	db, closeDB, err := openPublished(o.Warehouse)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	models, err := docModels(o.ModelsDir)
	if err != nil {
		return nil, err
	}
	d, err := readDictionary(ctx, db, models)
	if err != nil {
		return nil, err
	}
	md := renderMarkdown(d)
	page, err := renderHTML(d)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for name, body := range map[string]string{"data-dictionary.md": md, "data-dictionary.html": page} {
		p := filepath.Join(o.Out, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return nil, err
		}
		files = append(files, p)
	}
	sort.Strings(files)
	return files, nil
}

// docModels parses the built-in models and, when configured, the data team's,
// in build order.
func docModels(modelsDir string) ([]*load.Model, error) {
	models, _, err := load.ParseModels(sqlfs.FS(), "sql", 0)
	if err != nil {
		return nil, err
	}
	if modelsDir != "" {
		m2, _, err := load.ParseModels(os.DirFS(modelsDir), modelsDir, 1)
		if err != nil {
			return nil, err
		}
		models = append(models, m2...)
	}
	return load.Order(models)
}

// Dictionary is what the data dictionary shows: everything is read from the
// warehouse, except the SQL of the models (for the dependency graph), which
// the warehouse does not keep.
type Dictionary struct {
	Schemas    []DocSchema
	Relations  []*DocRelation // by schema, then name
	Edges      []DocEdge      // by From, then To
	BuildOrder []string       // the models, in the order the runner builds them
	Seeds      []DocSeed
	Kinds      []DocKind
	KPIs       []DocKPI
}

// DocSchema is one schema of the warehouse.
type DocSchema struct {
	Name, Description string
	Tables, Views     int
}

// DocRelation is one table or view.
type DocRelation struct {
	Name, Schema, Table string // Name = schema.table
	Kind                string // table or view
	Comment             string
	Model               string // the model's file ("sql:marts/kpi_values.sql"); "" when not built by a model
	Columns             []DocColumn
	DependsOn, UsedBy   []string
	Seeds               []string // seed files feeding it, through the graph
	InputKinds          []string // input kinds feeding it, through the graph
}

// DocColumn is one column of a relation.
type DocColumn struct {
	Position int
	Name     string
	Type     string
	Nullable bool
	Comment  string
}

// DocEdge is one dependency: To reads From.
type DocEdge struct{ From, To string }

// DocSeed is one seed file and the table it is loaded into.
type DocSeed struct{ File, Table string }

// DocKind is one input kind and the raw tables its rows land in.
type DocKind struct {
	Kind, Description string
	Tables            []string
}

// DocKPI is one KPI of ref.kpis with its targets.
type DocKPI struct {
	Code, NameVI, NameEN, Source     string
	Numerator, Denominator           string
	TargetWard, TargetDistrict, Plan string
}

// schemaDocs describes the schemas: DuckDB cannot comment a schema (COMMENT ON
// SCHEMA is not implemented), so their descriptions live here.
var schemaDocs = map[string]string{
	"raw":   "Lớp thô: sổ tệp, mọi dòng đã đọc từ mọi tệp, dòng bị loại / raw layer: file ledger, every row read from every file, rejected rows",
	"ref":   "Dữ liệu tham chiếu (seeds/*.csv) và lịch kỳ báo cáo / reference data (seeds) and the reporting period calendar",
	"core":  "Dữ liệu hiện hành đã chuẩn hóa: hồ sơ, chỉ tiêu báo cáo, Biểu 06 / current normalised data: dossiers, report indicators, Biểu 06",
	"marts": "Số liệu cho người đọc và công cụ BI: KPI, bảng điểm, tình hình gửi báo cáo, đối chiếu / figures for analysts and BI tools: KPIs, scoreboard, submissions, reconciliation",
	"ops":   "Lịch sử vận hành: các lần chạy, tệp, mô hình, kiểm thử, lần tải nguồn / operations history: runs, files, models, tests, pulls",
}

// rawKinds are the raw tables that hold the rows of one input kind. The other
// raw tables (the file ledger raw.files, raw.file_sheets, raw.rejects) hold
// something of every kind.
var rawKinds = map[string][]string{
	"raw.dossier_rows":      {extract.KindDossiers},
	"raw.indicator_rows":    {extract.KindUnitReport},
	"raw.unmatched_lines":   {extract.KindUnitReport},
	"raw.tthc_summary_rows": {extract.KindTTHCSummary},
}

// readSeeds are the seed files that the reading stages (extract, transform)
// use to fill each raw table: header wordings, unit names, value and field
// vocabularies, the indicator catalogue. The SQL graph cannot show them.
var readSeeds = func() map[string][]string {
	files := []string{"headers.csv", "units.csv", "unit_aliases.csv"}
	dossiers := append(append([]string(nil), files...), "value_map.csv", "field_groups.csv")
	reports := append(append([]string(nil), files...), "indicators.csv", "indicator_aliases.csv", "kpis.csv")
	summaries := append(append([]string(nil), files...), "field_groups.csv")
	return map[string][]string{
		"raw.files":             files,
		"raw.file_sheets":       files,
		"raw.dossier_rows":      dossiers,
		"raw.indicator_rows":    reports,
		"raw.unmatched_lines":   reports,
		"raw.tthc_summary_rows": summaries,
		"raw.rejects":           append(append(append([]string(nil), dossiers...), reports...), summaries...),
	}
}()

var kindDocs = map[string]string{
	extract.KindDossiers:    "Hồ sơ TTHC xuất từ hệ thống một cửa / dossier records exported from the one-stop-shop system",
	extract.KindUnitReport:  "Báo cáo CCHC định kỳ của đơn vị (Quý I, 6 tháng, 9 tháng, năm) / a unit's periodic reform report",
	extract.KindTTHCSummary: "Biểu số 06: tình hình giải quyết TTHC theo lĩnh vực / Biểu 06: procedure resolution summary by field",
}

var allKinds = []string{extract.KindDossiers, extract.KindUnitReport, extract.KindTTHCSummary}

var (
	// reDocRef is the reference rule of load.Order: schema.name outside comments.
	reDocRef     = regexp.MustCompile(`(?i)\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b`)
	reDocComment = regexp.MustCompile(`--[^\n]*`)
	reKindLit    = regexp.MustCompile(`'(` + strings.Join(allKinds, "|") + `)'`)
)

func readDictionary(ctx context.Context, db *sql.DB, models []*load.Model) (*Dictionary, error) {
	d := &Dictionary{}
	byName := map[string]*DocRelation{}
	viewSQL := map[string]string{}
	rows, err := db.QueryContext(ctx, `
		SELECT schema_name, table_name, 'table', coalesce(comment, ''), '' FROM duckdb_tables()
		WHERE database_name = current_database() AND NOT internal AND NOT temporary
		UNION ALL
		SELECT schema_name, view_name, 'view', coalesce(comment, ''), coalesce(sql, '') FROM duckdb_views()
		WHERE database_name = current_database() AND NOT internal AND NOT temporary
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	for rows.Next() {
		r := &DocRelation{}
		var text string
		if err := rows.Scan(&r.Schema, &r.Table, &r.Kind, &r.Comment, &text); err != nil {
			rows.Close()
			return nil, err
		}
		r.Name = r.Schema + "." + r.Table
		byName[r.Name] = r
		d.Relations = append(d.Relations, r)
		if r.Kind == "view" {
			viewSQL[r.Name] = text
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(d.Relations) == 0 {
		return nil, errors.New("the warehouse holds no table")
	}

	rows, err = db.QueryContext(ctx, `
		SELECT schema_name || '.' || table_name, column_index, column_name, data_type, is_nullable, coalesce(comment, '')
		FROM duckdb_columns()
		WHERE database_name = current_database() AND NOT internal
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	for rows.Next() {
		var rel string
		var c DocColumn
		if err := rows.Scan(&rel, &c.Position, &c.Name, &c.Type, &c.Nullable, &c.Comment); err != nil {
			rows.Close()
			return nil, err
		}
		if r := byName[rel]; r != nil {
			r.Columns = append(r.Columns, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Schemas, with their counts.
	count := map[string]*DocSchema{}
	for _, r := range d.Relations {
		s := count[r.Schema]
		if s == nil {
			s = &DocSchema{Name: r.Schema, Description: schemaDocs[r.Schema]}
			count[r.Schema] = s
		}
		if r.Kind == "view" {
			s.Views++
		} else {
			s.Tables++
		}
	}
	for _, s := range count {
		d.Schemas = append(d.Schemas, *s)
	}
	sort.Slice(d.Schemas, func(i, j int) bool { return d.Schemas[i].Name < d.Schemas[j].Name })

	// The dependency graph: a model's references (and its -- depends: lines)
	// that are tables or views of the warehouse; a view that no model builds
	// (the ops views) by its SQL as the warehouse keeps it.
	sqlOf := map[string]string{}
	for _, m := range models {
		r := byName[m.Name]
		if r == nil {
			continue // a model this warehouse was built without
		}
		r.Model = m.File
		sqlOf[m.Name] = m.SQL
		d.BuildOrder = append(d.BuildOrder, m.Name)
		for _, dep := range m.Deps {
			if byName[dep] != nil && dep != m.Name {
				r.DependsOn = append(r.DependsOn, dep)
			}
		}
	}
	for name, text := range viewSQL {
		if _, ok := sqlOf[name]; !ok {
			sqlOf[name] = text
		}
	}
	for name, text := range sqlOf {
		r := byName[name]
		for _, mm := range reDocRef.FindAllStringSubmatch(reDocComment.ReplaceAllString(text, ""), -1) {
			ref := strings.ToLower(mm[1] + "." + mm[2])
			if byName[ref] != nil && ref != name {
				r.DependsOn = append(r.DependsOn, ref)
			}
		}
	}
	for _, r := range d.Relations {
		r.DependsOn = uniqueSorted(r.DependsOn)
		for _, dep := range r.DependsOn {
			d.Edges = append(d.Edges, DocEdge{From: dep, To: r.Name})
			byName[dep].UsedBy = append(byName[dep].UsedBy, r.Name)
		}
	}
	for _, r := range d.Relations {
		r.UsedBy = uniqueSorted(r.UsedBy)
	}
	sort.Slice(d.Edges, func(i, j int) bool {
		if d.Edges[i].From != d.Edges[j].From {
			return d.Edges[i].From < d.Edges[j].From
		}
		return d.Edges[i].To < d.Edges[j].To
	})

	// Seeds and input kinds, through the graph.
	seedOf := map[string]string{}
	for _, t := range seeds.Tables {
		name := "ref." + strings.TrimSuffix(t.File, ".csv")
		if byName[name] != nil {
			seedOf[name] = "seeds/" + t.File
			d.Seeds = append(d.Seeds, DocSeed{File: "seeds/" + t.File, Table: name})
		}
	}
	sort.Slice(d.Seeds, func(i, j int) bool { return d.Seeds[i].File < d.Seeds[j].File })
	for _, k := range allKinds {
		dk := DocKind{Kind: k, Description: kindDocs[k]}
		for _, r := range d.Relations {
			if r.Schema == "raw" && slices.Contains(rawKindsOf(r.Name), k) {
				dk.Tables = append(dk.Tables, r.Name)
			}
		}
		d.Kinds = append(d.Kinds, dk)
	}
	g := &docGraph{byName: byName, sql: sqlOf, seedOf: seedOf, seeds: map[string][]string{}, kinds: map[string][]string{}, busy: map[string]bool{}}
	for _, r := range d.Relations {
		r.Seeds = g.seedsOf(r.Name)
		r.InputKinds = g.kindsOf(r.Name)
	}

	if byName["ref.kpis"] != nil {
		if d.KPIs, err = readDocKPIs(ctx, db, byName["ref.indicators"] != nil); err != nil {
			return nil, fmt.Errorf("ref.kpis: %w", err)
		}
	}
	return d, nil
}

// rawKindsOf is the input kinds whose rows a raw table holds: every kind for
// the file ledger and any raw table not in rawKinds.
func rawKindsOf(name string) []string {
	if k, ok := rawKinds[name]; ok {
		return k
	}
	return allKinds
}

func isLedger(name string) bool {
	_, rows := rawKinds[name]
	return strings.HasPrefix(name, "raw.") && !rows
}

// docGraph answers, with memos, what feeds a relation through the graph.
type docGraph struct {
	byName map[string]*DocRelation
	sql    map[string]string
	seedOf map[string]string
	seeds  map[string][]string
	kinds  map[string][]string
	busy   map[string]bool // guards against a cycle among views
}

func (g *docGraph) seedsOf(name string) []string {
	if s, ok := g.seeds[name]; ok {
		return s
	}
	var out []string
	if f, ok := g.seedOf[name]; ok {
		out = append(out, f)
	}
	for _, f := range readSeeds[name] {
		out = append(out, "seeds/"+f)
	}
	if !g.busy["s"+name] {
		g.busy["s"+name] = true
		for _, dep := range g.byName[name].DependsOn {
			out = append(out, g.seedsOf(dep)...)
		}
		delete(g.busy, "s"+name)
	}
	out = uniqueSorted(out)
	g.seeds[name] = out
	return out
}

// kindsOf follows the graph down to the raw tables. The file ledger holds
// every kind but brings none by itself: a relation reading it takes the kinds
// its SQL names ('unit_report' …). A relation whose SQL names kinds keeps, of
// what its inputs bring, only those kinds and the kinds of raw row tables it
// reads directly (core.indicator_values joins core.report_files on
// kind = 'unit_report', so the Biểu 06 files of report_files do not feed it).
func (g *docGraph) kindsOf(name string) []string {
	if k, ok := g.kinds[name]; ok {
		return k
	}
	if strings.HasPrefix(name, "raw.") {
		k := append([]string(nil), rawKindsOf(name)...)
		g.kinds[name] = k
		return k
	}
	var named []string
	for _, m := range reKindLit.FindAllStringSubmatch(reDocComment.ReplaceAllString(g.sql[name], ""), -1) {
		named = append(named, m[1])
	}
	named = uniqueSorted(named)
	var got, direct []string
	readsLedger := false
	if !g.busy["k"+name] {
		g.busy["k"+name] = true
		for _, dep := range g.byName[name].DependsOn {
			switch {
			case isLedger(dep):
				readsLedger = true
			case strings.HasPrefix(dep, "raw."):
				direct = append(direct, rawKindsOf(dep)...)
				got = append(got, rawKindsOf(dep)...)
			default:
				got = append(got, g.kindsOf(dep)...)
			}
		}
		delete(g.busy, "k"+name)
	}
	if len(named) > 0 {
		keep := append(append([]string(nil), named...), direct...)
		var kept []string
		for _, k := range got {
			if slices.Contains(keep, k) {
				kept = append(kept, k)
			}
		}
		got = kept
		if readsLedger {
			got = append(got, named...)
		}
	}
	out := orderKinds(got)
	g.kinds[name] = out
	return out
}

// orderKinds removes duplicates and keeps the contract's order of the kinds.
func orderKinds(ks []string) []string {
	var out []string
	for _, k := range allKinds {
		if slices.Contains(ks, k) {
			out = append(out, k)
		}
	}
	return out
}

func readDocKPIs(ctx context.Context, db *sql.DB, withIndicators bool) ([]DocKPI, error) {
	text := func(col string) string { return "''" }
	join := ""
	if withIndicators {
		join = `LEFT JOIN ref.indicators n ON n.indicator_code = k.numerator_indicator
		        LEFT JOIN ref.indicators d ON d.indicator_code = k.denominator_indicator`
		text = func(col string) string { return "coalesce(" + col + ".canonical_text, '')" }
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`
		SELECT k.kpi_code, coalesce(k.name_vi, ''), coalesce(k.name_en, ''), coalesce(k.source, ''),
		       coalesce(k.numerator_indicator, ''), %s, coalesce(k.denominator_indicator, ''), %s,
		       TRY_CAST(k.target_ward AS DOUBLE), TRY_CAST(k.target_district_level AS DOUBLE),
		       coalesce(TRY_CAST(k.year_only AS BOOLEAN), false), coalesce(k.plan_section, '')
		FROM ref.kpis k %s
		ORDER BY coalesce(k.plan_section, ''), k.kpi_code`, text("n"), text("d"), join))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DocKPI
	for rows.Next() {
		var k DocKPI
		var num, numText, den, denText string
		var ward, district sql.NullFloat64
		var yearOnly bool
		if err := rows.Scan(&k.Code, &k.NameVI, &k.NameEN, &k.Source, &num, &numText, &den, &denText, &ward, &district, &yearOnly, &k.Plan); err != nil {
			return nil, err
		}
		switch k.Source {
		case "dossier":
			k.Numerator = "hồ sơ đạt điều kiện của KPI (core.dossiers) / dossiers meeting the KPI's condition"
			k.Denominator = "hồ sơ thuộc phạm vi của KPI (core.dossiers) / dossiers in the KPI's scope"
		case "bieu06":
			k.Numerator = "(8)+(9) các dòng lĩnh vực của Biểu 06 (core.tthc_summary) / columns (8)+(9) of the Biểu 06 field rows"
			k.Denominator = "(7) các dòng lĩnh vực của Biểu 06 / column (7) of the same rows"
		default:
			k.Numerator = indicatorText(num, numText)
			k.Denominator = indicatorText(den, denText)
			if den == "" {
				k.Denominator = "1 (KPI đếm / a count)"
			}
		}
		k.TargetWard, k.TargetDistrict = targetText(ward, yearOnly), targetText(district, yearOnly)
		out = append(out, k)
	}
	return out, rows.Err()
}

func indicatorText(code, text string) string {
	if text == "" {
		return code
	}
	return code + ": " + text
}

func targetText(v sql.NullFloat64, yearOnly bool) string {
	if !v.Valid {
		return "—"
	}
	s := "≥ " + strconv.FormatFloat(v.Float64, 'f', -1, 64)
	if yearOnly {
		s += " (chỉ kỳ năm / year period only)"
	}
	return s
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// kindName is a relation's kind in both languages.
func kindName(k string) string {
	if k == "view" {
		return "khung nhìn / view"
	}
	return "bảng / table"
}

// mermaidID turns schema.name into a Mermaid node id.
func mermaidID(name string) string { return strings.ReplaceAll(name, ".", "__") }

// mdCell makes text safe inside a Markdown table cell.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func codeList(names []string) string {
	if len(names) == 0 {
		return "—"
	}
	var b []string
	for _, n := range names {
		b = append(b, "`"+n+"`")
	}
	return strings.Join(b, ", ")
}

func renderMarkdown(d *Dictionary) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Từ điển dữ liệu kho CCHC quận Thanh Xuân / Data dictionary of the Thanh Xuân CCHC warehouse\n\n")
	p("Sinh bởi `cchc docs` từ chính tệp kho: bảng, khung nhìn, cột, kiểu và chú thích lấy từ `duckdb_tables()`, `duckdb_views()`, `duckdb_columns()`; ")
	p("đồ thị phụ thuộc từ các mô hình SQL. / Generated by `cchc docs` from the warehouse itself: tables, views, columns, types and comments come from ")
	p("`duckdb_tables()`, `duckdb_views()` and `duckdb_columns()`; the dependency graph from the SQL models.\n\n")

	p("## Lược đồ / Schemas\n\n")
	p("| lược đồ / schema | mô tả / description | bảng / tables | khung nhìn / views |\n|---|---|---:|---:|\n")
	for _, s := range d.Schemas {
		p("| `%s` | %s | %d | %d |\n", s.Name, mdCell(s.Description), s.Tables, s.Views)
	}

	p("\n## Mục lục / Contents\n\n")
	p("| tên / name | loại / kind | mô tả / description |\n|---|---|---|\n")
	for _, r := range d.Relations {
		p("| `%s` | %s | %s |\n", r.Name, kindName(r.Kind), mdCell(r.Comment))
	}

	p("\n## Nguồn dữ liệu / Where the data comes from\n\n")
	p("Loại đầu vào và các bảng thô nhận dòng của chúng / input kinds and the raw tables their rows land in:\n\n")
	p("| loại / kind | mô tả / description | bảng thô / raw tables |\n|---|---|---|\n")
	for _, k := range d.Kinds {
		p("| `%s` | %s | %s |\n", k.Kind, mdCell(k.Description), codeList(k.Tables))
	}
	p("\nDữ liệu tham chiếu (seeds) / seeds:\n\n")
	p("| tệp / file | bảng / table |\n|---|---|\n")
	for _, s := range d.Seeds {
		p("| `%s` | `%s` |\n", s.File, s.Table)
	}
	p("\nLoại đầu vào của một bảng được tính theo đồ thị phụ thuộc xuống tới các bảng thô; sổ tệp (`raw.files`, `raw.file_sheets`, `raw.rejects`) ")
	p("chỉ mang các loại mà câu SQL đọc nó nêu tên. / A table's input kinds follow the dependency graph down to the raw tables; the file ledger ")
	p("(`raw.files`, `raw.file_sheets`, `raw.rejects`) only brings the kinds that the SQL reading it names. ")
	p("Seeds của một bảng gồm các seed nó đọc qua đồ thị, và với bảng thô, các seed dùng khi đọc tệp (tên cột, tên đơn vị, danh mục chỉ tiêu …). ")
	p("/ A table's seeds are those it reads through the graph and, for the raw tables, those used while reading files (header wordings, unit names, the indicator catalogue …).\n")

	p("\n## Bảng và khung nhìn / Tables and views\n")
	for _, r := range d.Relations {
		p("\n### `%s`\n\n", r.Name)
		p("%s", kindName(r.Kind))
		if r.Model != "" {
			p(" · mô hình / model `%s`", r.Model)
		}
		p("\n\n%s\n\n", strings.TrimSpace(r.Comment))
		p("- Phụ thuộc / depends on: %s\n", codeList(r.DependsOn))
		p("- Được dùng bởi / used by: %s\n", codeList(r.UsedBy))
		p("- Seeds: %s\n", codeList(r.Seeds))
		p("- Loại đầu vào / input kinds: %s\n\n", codeList(r.InputKinds))
		p("| # | cột / column | kiểu / type | NULL | mô tả / description |\n|---:|---|---|---|---|\n")
		for _, c := range r.Columns {
			null := "không / no"
			if c.Nullable {
				null = "có / yes"
			}
			p("| %d | `%s` | %s | %s | %s |\n", c.Position, c.Name, mdCell(c.Type), null, mdCell(c.Comment))
		}
	}

	p("\n## Đồ thị phụ thuộc / Dependency graph\n\n")
	p("Thứ tự dựng các mô hình SQL / build order of the SQL models:\n\n")
	for i, m := range d.BuildOrder {
		p("%d. `%s`\n", i+1, m)
	}
	p("\nCạnh (A → B: B đọc A) / edges (A → B: B reads A):\n\n")
	for _, e := range d.Edges {
		p("- `%s` → `%s`\n", e.From, e.To)
	}
	p("\n```mermaid\ngraph LR\n")
	for _, e := range d.Edges {
		p("  %s[\"%s\"] --> %s[\"%s\"]\n", mermaidID(e.From), e.From, mermaidID(e.To), e.To)
	}
	p("```\n")

	p("\n## KPI và chỉ tiêu kế hoạch / KPIs and plan targets\n\n")
	p("Từ `ref.kpis` (seeds/kpis.csv); giá trị là tử số / mẫu số, đạt khi giá trị ≥ chỉ tiêu. / From `ref.kpis`; the value is numerator / denominator, met when value ≥ target.\n\n")
	p("| mã / code | tên / name | nguồn / source | tử số / numerator | mẫu số / denominator | chỉ tiêu phường / ward target | chỉ tiêu cấp quận / district-level target | mục kế hoạch / plan section |\n")
	p("|---|---|---|---|---|---|---|---|\n")
	for _, k := range d.KPIs {
		p("| `%s` | %s / %s | %s | %s | %s | %s | %s | %s |\n", k.Code, mdCell(k.NameVI), mdCell(k.NameEN), k.Source,
			mdCell(k.Numerator), mdCell(k.Denominator), k.TargetWard, k.TargetDistrict, k.Plan)
	}
	return b.String()
}

// docsPage is the HTML page: one file, style inline, no script, no external
// asset, so it can be mailed or opened from a share.
var docsPage = htmltemplate.Must(htmltemplate.New("page").Funcs(htmltemplate.FuncMap{
	"kindName": kindName,
	"anchor":   func(name string) string { return "t-" + name },
}).Parse(docsPageTemplate))

func renderHTML(d *Dictionary) (string, error) {
	var b bytes.Buffer
	if err := docsPage.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

const docsPageTemplate = `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Từ điển dữ liệu kho CCHC / CCHC warehouse data dictionary</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 0 auto; max-width: 78rem; padding: 1rem 2rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #c8102e; padding-bottom: .2rem; } h3 { margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; background: #f6f6f6; padding: 0 .2em; }
.meta { color: #555; } ul.facts { padding-left: 1.2rem; }
</style>
</head>
<body>
<h1>Từ điển dữ liệu kho CCHC quận Thanh Xuân / Data dictionary of the Thanh Xuân CCHC warehouse</h1>
<p class="meta">Sinh bởi <code>cchc docs</code> từ chính tệp kho (<code>duckdb_tables()</code>, <code>duckdb_views()</code>, <code>duckdb_columns()</code>); đồ thị phụ thuộc từ các mô hình SQL. / Generated by <code>cchc docs</code> from the warehouse itself; the dependency graph from the SQL models.</p>

<h2 id="schemas">Lược đồ / Schemas</h2>
<table>
<tr><th>lược đồ / schema</th><th>mô tả / description</th><th>bảng / tables</th><th>khung nhìn / views</th></tr>
{{- range .Schemas}}
<tr><td><code>{{.Name}}</code></td><td>{{.Description}}</td><td class="num">{{.Tables}}</td><td class="num">{{.Views}}</td></tr>
{{- end}}
</table>

<h2 id="contents">Mục lục / Contents</h2>
<table>
<tr><th>tên / name</th><th>loại / kind</th><th>mô tả / description</th></tr>
{{- range .Relations}}
<tr><td><a href="#{{anchor .Name}}"><code>{{.Name}}</code></a></td><td>{{kindName .Kind}}</td><td>{{.Comment}}</td></tr>
{{- end}}
</table>

<h2 id="sources">Nguồn dữ liệu / Where the data comes from</h2>
<table>
<tr><th>loại đầu vào / input kind</th><th>mô tả / description</th><th>bảng thô / raw tables</th></tr>
{{- range .Kinds}}
<tr><td><code>{{.Kind}}</code></td><td>{{.Description}}</td><td>{{range $i, $t := .Tables}}{{if $i}}, {{end}}<a href="#{{anchor $t}}"><code>{{$t}}</code></a>{{end}}</td></tr>
{{- end}}
</table>
<table>
<tr><th>seed</th><th>bảng / table</th></tr>
{{- range .Seeds}}
<tr><td><code>{{.File}}</code></td><td><a href="#{{anchor .Table}}"><code>{{.Table}}</code></a></td></tr>
{{- end}}
</table>
<p>Loại đầu vào của một bảng được tính theo đồ thị phụ thuộc xuống tới các bảng thô; sổ tệp (<code>raw.files</code>, <code>raw.file_sheets</code>, <code>raw.rejects</code>) chỉ mang các loại mà câu SQL đọc nó nêu tên. / A table's input kinds follow the dependency graph down to the raw tables; the file ledger only brings the kinds that the SQL reading it names. Seeds của một bảng gồm các seed nó đọc qua đồ thị, và với bảng thô, các seed dùng khi đọc tệp. / A table's seeds are those it reads through the graph and, for the raw tables, those used while reading files.</p>

<h2 id="tables">Bảng và khung nhìn / Tables and views</h2>
{{- range .Relations}}
<h3 id="{{anchor .Name}}"><code>{{.Name}}</code></h3>
<p class="meta">{{kindName .Kind}}{{if .Model}} · mô hình / model <code>{{.Model}}</code>{{end}}</p>
<p>{{.Comment}}</p>
<ul class="facts">
<li>Phụ thuộc / depends on: {{template "names" .DependsOn}}</li>
<li>Được dùng bởi / used by: {{template "names" .UsedBy}}</li>
<li>Seeds: {{if .Seeds}}{{range $i, $s := .Seeds}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}{{else}}—{{end}}</li>
<li>Loại đầu vào / input kinds: {{if .InputKinds}}{{range $i, $k := .InputKinds}}{{if $i}}, {{end}}<code>{{$k}}</code>{{end}}{{else}}—{{end}}</li>
</ul>
<table>
<tr><th>#</th><th>cột / column</th><th>kiểu / type</th><th>NULL</th><th>mô tả / description</th></tr>
{{- range .Columns}}
<tr><td class="num">{{.Position}}</td><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{if .Nullable}}có / yes{{else}}không / no{{end}}</td><td>{{.Comment}}</td></tr>
{{- end}}
</table>
{{- end}}

<h2 id="graph">Đồ thị phụ thuộc / Dependency graph</h2>
<p>Thứ tự dựng các mô hình SQL / build order of the SQL models:</p>
<ol>
{{- range .BuildOrder}}
<li><a href="#{{anchor .}}"><code>{{.}}</code></a></li>
{{- end}}
</ol>
<table>
<tr><th>đọc từ / reads (A)</th><th>→</th><th>bảng / table (B)</th></tr>
{{- range .Edges}}
<tr><td><a href="#{{anchor .From}}"><code>{{.From}}</code></a></td><td>→</td><td><a href="#{{anchor .To}}"><code>{{.To}}</code></a></td></tr>
{{- end}}
</table>

<h2 id="kpis">KPI và chỉ tiêu kế hoạch / KPIs and plan targets</h2>
<p>Từ <code>ref.kpis</code> (seeds/kpis.csv); giá trị là tử số / mẫu số, đạt khi giá trị ≥ chỉ tiêu. / From <code>ref.kpis</code>; the value is numerator / denominator, met when value ≥ target.</p>
<table>
<tr><th>mã / code</th><th>tên / name</th><th>nguồn / source</th><th>tử số / numerator</th><th>mẫu số / denominator</th><th>chỉ tiêu phường / ward target</th><th>chỉ tiêu cấp quận / district-level target</th><th>mục kế hoạch / plan section</th></tr>
{{- range .KPIs}}
<tr><td><code>{{.Code}}</code></td><td>{{.NameVI}}<br>{{.NameEN}}</td><td>{{.Source}}</td><td>{{.Numerator}}</td><td>{{.Denominator}}</td><td>{{.TargetWard}}</td><td>{{.TargetDistrict}}</td><td>{{.Plan}}</td></tr>
{{- end}}
</table>
</body>
</html>
{{define "names"}}{{if .}}{{range $i, $n := .}}{{if $i}}, {{end}}<a href="#{{anchor $n}}"><code>{{$n}}</code></a>{{end}}{{else}}—{{end}}{{end}}`
