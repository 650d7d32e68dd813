package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/seeds"
	"github.com/thanhxuan/cchc/transform"
)

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

// DictionaryOptions is what ReadDictionary needs.
type DictionaryOptions struct {
	Warehouse string // the published warehouse
	ModelsDir string // the data team's own models, to draw their dependencies too ("": none)
}

// ReadDictionary reads the data dictionary of the published warehouse: its
// schemas, tables, views and columns with their comments, the dependency
// graph of the SQL models (the built-in ones and o.ModelsDir's), the seeds and
// input kinds that feed each table, and the KPI catalogue. The caller owns the
// Dictionary.
func ReadDictionary(ctx context.Context, o DictionaryOptions) (*Dictionary, error) {
	db, closeDB, err := Open(o.Warehouse)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	models, _, err := load.ModelSet(o.ModelsDir)
	if err != nil {
		return nil, err
	}
	return readDictionary(ctx, db, models)
}

// readDictionary reads the dictionary of db; models are the SQL models in
// build order, for the dependency graph.
func readDictionary(ctx context.Context, db *sql.DB, models []*load.Model) (*Dictionary, error) {
	d := &Dictionary{}
	kinds := newKindIndex(transform.Kinds())
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
		for _, ref := range load.References(text) {
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
	for _, k := range kinds.all {
		dk := DocKind{Kind: k.Name, Description: k.Doc}
		for _, r := range d.Relations {
			if r.Schema == "raw" && slices.Contains(kinds.of(r.Name), k.Name) {
				dk.Tables = append(dk.Tables, r.Name)
			}
		}
		d.Kinds = append(d.Kinds, dk)
	}
	g := &docGraph{byName: byName, sql: sqlOf, seedOf: seedOf, in: kinds, seeds: map[string][]string{}, kinds: map[string][]string{}, busy: map[string]bool{}}
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

// everyKindSeeds are the seed files that reading a file of any kind uses:
// the header wordings that tell its kind and the unit names.
var everyKindSeeds = []string{"headers.csv", "units.csv", "unit_aliases.csv"}

// rejectsTable holds the rejected rows of every kind: its rows come through
// the reading of each kind, and so do their seeds.
const rejectsTable = "raw.rejects"

// kindIndex answers, from the registry of input kinds, which kinds feed a raw
// table and which seeds its reading uses. A raw table that no kind names is
// part of the file ledger (raw.files, raw.file_sheets, raw.rejects): it holds
// something of every kind.
type kindIndex struct {
	all     []transform.Kind // in the contract's order
	names   []string
	literal *regexp.Regexp // a kind's name as a SQL string literal
}

func newKindIndex(kinds []transform.Kind) *kindIndex {
	x := &kindIndex{all: kinds}
	var quoted []string
	for _, k := range kinds {
		x.names = append(x.names, k.Name)
		quoted = append(quoted, regexp.QuoteMeta(k.Name))
	}
	x.literal = regexp.MustCompile(`'(` + strings.Join(quoted, "|") + `)'`)
	return x
}

// of is the input kinds whose rows a raw table holds: every kind for the file
// ledger.
func (x *kindIndex) of(table string) []string {
	var out []string
	for _, k := range x.all {
		if slices.Contains(k.Tables, table) {
			out = append(out, k.Name)
		}
	}
	if out == nil {
		return x.names
	}
	return out
}

// isLedger says whether a relation is a raw table of the file ledger.
func (x *kindIndex) isLedger(name string) bool {
	if !strings.HasPrefix(name, "raw.") {
		return false
	}
	for _, k := range x.all {
		if slices.Contains(k.Tables, name) {
			return false
		}
	}
	return true
}

// readSeeds are the seed files that the reading stages (extract, transform)
// use to fill a raw table: header wordings, unit names, value and field
// vocabularies, the indicator catalogue. The SQL graph cannot show them.
func (x *kindIndex) readSeeds(table string) []string {
	if !strings.HasPrefix(table, "raw.") {
		return nil
	}
	out := append([]string(nil), everyKindSeeds...)
	for _, k := range x.all {
		if table == rejectsTable || slices.Contains(k.Tables, table) {
			out = append(out, k.Seeds...)
		}
	}
	return out
}

// order removes duplicates and keeps the contract's order of the kinds.
func (x *kindIndex) order(ks []string) []string {
	var out []string
	for _, k := range x.names {
		if slices.Contains(ks, k) {
			out = append(out, k)
		}
	}
	return out
}

// docGraph answers, with memos, what feeds a relation through the graph.
type docGraph struct {
	byName map[string]*DocRelation
	sql    map[string]string
	seedOf map[string]string
	in     *kindIndex
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
	for _, f := range g.in.readSeeds(name) {
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
		k := append([]string(nil), g.in.of(name)...)
		g.kinds[name] = k
		return k
	}
	var named []string
	for _, m := range g.in.literal.FindAllStringSubmatch(load.StripComments(g.sql[name]), -1) {
		named = append(named, m[1])
	}
	named = uniqueSorted(named)
	var got, direct []string
	readsLedger := false
	if !g.busy["k"+name] {
		g.busy["k"+name] = true
		for _, dep := range g.byName[name].DependsOn {
			switch {
			case g.in.isLedger(dep):
				readsLedger = true
			case strings.HasPrefix(dep, "raw."):
				direct = append(direct, g.in.of(dep)...)
				got = append(got, g.in.of(dep)...)
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
	out := g.in.order(got)
	g.kinds[name] = out
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
